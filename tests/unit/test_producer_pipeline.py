"""The run loop and its report: interruption, input failure mid-run, rate pacing, progress, summary, exit codes."""

from __future__ import annotations

import io
import itertools
import threading
import time

import pytest

from producer.errors import ExitCode, InputError
from producer.pipeline import Options, Pacer, send
from producer.reader import FIELDS, Row
from producer.records import EntryBuilder
from producer.report import Problems, Progress, Stats, summary_lines
from producer.sender import KinesisStream, RetryPolicy, Sender
from tests.unit.aws_faults import FaultyStream

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")


def rows(count: int | None = None):
    for n in itertools.count() if count is None else range(count):
        record = dict.fromkeys(FIELDS, "x") | {"Invoice": str(n), "Quantity": 1, "Price": 1.0}
        yield Row(n + 2, record, [])


def interrupted_after(count: int, error: BaseException):
    yield from rows(count)
    raise error


def run_send(source, stream: FaultyStream, **options):
    sender = Sender(KinesisStream(stream.client(), "s"), RetryPolicy(base_delay=0.001, max_delay=0.01))
    problems = Problems(Stats())
    progress = Progress(io.StringIO(), enabled=False)
    return send(source, EntryBuilder(), sender, Options(**options), problems, progress)


def test_ctrl_c_stops_the_run_with_exit_130_and_counts_what_was_sent():
    stream = FaultyStream("kinesis", fail_ratio=0.2)
    stats = run_send(interrupted_after(1200, KeyboardInterrupt()), stream, batch_size=100)
    assert stats.exit_code() == ExitCode.INTERRUPTED, f"got {stats.exit_code()}"
    accepted = sum(stream.accepted.values())
    assert stats.sent == accepted, f"got {stats.sent} counted as sent, the stream accepted {accepted}"
    assert max(stream.accepted.values()) == 1, "a record was accepted twice"
    assert stats.sent + stats.failed == stats.records, f"got {stats}: some records are neither sent nor reported"


def test_ctrl_c_summary_says_the_run_was_interrupted():
    stats = run_send(interrupted_after(10, KeyboardInterrupt()), FaultyStream("kinesis"))
    assert "producer: interrupted" in "\n".join(summary_lines(stats, "kinesis stream 's'", dry_run=False))


def test_input_failing_mid_run_stops_with_exit_1_after_sending_what_was_read():
    stream = FaultyStream("kinesis")
    error = InputError("reading 'x.csv' failed at line 1202: [Errno 5] Input/output error")
    stats = run_send(interrupted_after(1200, error), stream, batch_size=100)
    assert stats.exit_code() == ExitCode.ERROR, f"got {stats.exit_code()}"
    assert stats.aborted == str(error), f"got {stats.aborted!r}"
    assert stats.sent == sum(stream.accepted.values()) == 1200, f"got {stats.sent} sent"


def test_max_count_stops_reading_an_endless_input():
    stream = FaultyStream("kinesis")
    stats = run_send(rows(), stream, max_count=777)
    assert (stats.records, stats.sent, stats.rows) == (777, 777, 777), f"got {stats}"


class RecordingStop(threading.Event):
    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self.clock = clock
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(round(timeout or 0.0, 6))
        self.clock[0] += timeout or 0.0
        return False


def test_pacer_spaces_batches_to_the_rate():
    now = [100.0]
    stop = RecordingStop(now)
    pacer = Pacer(rate=50.0, stop=stop, clock=lambda: now[0])
    for _ in range(4):
        pacer.wait(25)
    assert stop.waits == [0.5, 0.5, 0.5], f"got waits {stop.waits}, expected 25 records per 0.5 s"


def test_pacer_without_rate_never_waits():
    now = [0.0]
    stop = RecordingStop(now)
    pacer = Pacer(rate=None, stop=stop, clock=lambda: now[0])
    for _ in range(3):
        pacer.wait(500)
    assert stop.waits == []


@pytest.mark.parametrize(("rate", "batch_size", "expected"), [(None, 500, 500), (200.0, 500, 200), (0.5, 500, 1)])
def test_a_rate_cap_limits_a_batch_to_one_second_of_records(rate, batch_size, expected):
    got = Options(rate=rate, batch_size=batch_size).effective_batch_size()
    assert got == expected, f"got {got}, expected {expected}"


def test_rate_flag_caps_the_records_per_call():
    stream = FaultyStream("kinesis")
    run_send(rows(60), stream, rate=1000.0, batch_size=500)
    assert max(stream.batch_sizes) <= 500, f"got {stream.batch_sizes}"
    assert sum(stream.batch_sizes) == 60, f"got {stream.batch_sizes}"


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        (Stats(sent=10, records=10), ExitCode.OK),
        (Stats(sent=9, records=10, failed=1), ExitCode.PARTIAL),
        (Stats(sent=10, records=10, rejected=1), ExitCode.PARTIAL),
        (Stats(sent=10, records=10, oversized=1), ExitCode.PARTIAL),
        (Stats(sent=10, records=10, skipped=5), ExitCode.OK),
        (Stats(sent=5, records=10, failed=5, aborted="refused"), ExitCode.ERROR),
        (Stats(sent=5, records=10, interrupted=True, aborted="refused"), ExitCode.INTERRUPTED),
    ],
)
def test_exit_code_follows_what_was_not_delivered(stats, expected):
    assert stats.exit_code() == expected, f"got {stats.exit_code()!r}, expected {expected!r} for {stats}"


def test_summary_names_every_counter_and_the_rate():
    stats = Stats(
        sent=900,
        records=1000,
        retried=40,
        failed=100,
        rejected=2,
        oversized=1,
        skipped=7,
        calls=5,
        elapsed=2.0,
        problems=[(17, "rejected: Quantity 'x' is not an integer")],
    )
    lines = summary_lines(stats, "kinesis stream 'retail-trans'", dry_run=False)
    assert lines[0] == (
        "producer: sent 900 of 1000 records to kinesis stream 'retail-trans' in 2.0 s (450 records/s, 5 calls); "
        "40 retried, 100 failed, 2 rejected rows, 1 oversized, 7 skipped"
    ), f"got {lines[0]!r}"
    assert lines[1] == "producer: line 17: rejected: Quantity 'x' is not an integer", f"got {lines[1]!r}"
    assert lines[-1] == "producer: error: 103 rows or records were not delivered (listed above)", f"got {lines[-1]!r}"


def test_plain_progress_prints_a_line_per_interval_off_a_terminal():
    out = io.StringIO()
    now = [0.0]
    progress = Progress(out, interval=5.0, clock=lambda: now[0])
    for second in range(1, 12):
        now[0] = float(second)
        progress.update(Stats(sent=1000 * second), 1000)
    lines = out.getvalue().splitlines()
    assert lines == [
        "producer: 5000 records sent, 0 failed, 0 retried (1000/s)",
        "producer: 10000 records sent, 0 failed, 0 retried (1000/s)",
    ], f"got {lines}"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_a_bar():
    out = Terminal()
    progress = Progress(out, total=1000)
    progress.update(Stats(sent=250), 250)
    time.sleep(0.2)  # tqdm redraws at most every 0.1 s
    progress.update(Stats(sent=500), 250)
    progress.close()
    assert "500/1.00k" in out.getvalue(), f"got {out.getvalue()!r}"
    assert "rec" in out.getvalue(), f"got {out.getvalue()!r}"


def test_quiet_progress_prints_nothing():
    out = Terminal()
    progress = Progress(out, enabled=False)
    progress.update(Stats(sent=5), 5)
    progress.close()
    assert out.getvalue() == ""
