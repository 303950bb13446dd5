"""Fault injection: partial failures, throttling and broken connections never lose or duplicate a record.

AWS is replaced by botocore event hooks on real clients (tests/unit/aws_faults.py): no local engine
throttles on demand. Every test checks the ledger of what the stream accepted against the input.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from botocore.exceptions import ConnectionClosedError

from producer.app import DEFAULT_INPUT, RunConfig, run
from producer.errors import ExitCode
from producer.pipeline import Options
from producer.reader import open_input, read_rows
from producer.records import EntryBuilder
from producer.sender import RetryPolicy
from tests.unit.aws_faults import FAKE_ENDPOINT, FaultyStream, error

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    """Dummy credentials, so botocore signs requests (the hooks answer them) whatever the machine has."""
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


# 20 retries: a record refused 30% of the time stays undelivered with odds 0.3**21 (1e-11), so no flakes.
FAST_RETRIES = RetryPolicy(max_retries=20, base_delay=0.001, max_delay=0.02)
COUNT = 2000


def expected_records(count: int = COUNT, path: Path = DEFAULT_INPUT) -> Counter[bytes]:
    """The bytes the producer should deliver for the first `count` rows of the sample (JSON, time kept)."""
    builder = EntryBuilder()
    with open_input(path) as stream:
        _, rows = read_rows(stream)
        entries = [builder(row.record, row.line, row.fields).data for row, _ in zip(rows, range(count), strict=False)]
    return Counter(entries)


def produce(stream: FaultyStream, tmp_path: Path, count: int = COUNT, retry: RetryPolicy = FAST_RETRIES, **options):
    stderr = io.StringIO()
    config = RunConfig(
        service=stream.service,
        stream_name="faulty",
        endpoint_url=FAKE_ENDPOINT,
        options=Options(max_count=count, **options),
        retry=retry,
        reject_file=tmp_path / "rejects.csv",
    )
    code = run(config, client=stream.client(), stderr=stderr)
    return code, stderr.getvalue()


def test_partial_failures_of_30_percent_deliver_every_record_exactly_once(tmp_path):
    # given a stream refusing ~30% of the records of every call
    stream = FaultyStream("kinesis", fail_ratio=0.3)
    # when
    code, stderr = produce(stream, tmp_path)
    # then
    assert code == ExitCode.OK, f"got exit {code}, expected 0; stderr: {stderr}"
    assert stream.accepted == expected_records(), "the stream did not get each input record exactly once"
    assert stream.refused_records > 0.2 * COUNT, f"got {stream.refused_records} refusals, expected ~30% of {COUNT}"


def test_partial_failures_are_counted_as_retries_in_the_summary(tmp_path):
    stream = FaultyStream("kinesis", fail_ratio=0.3)
    _, stderr = produce(stream, tmp_path)
    assert f"sent {COUNT} of {COUNT} records" in stderr, f"got {stderr!r}"
    assert f"{stream.refused_records} retried, 0 failed" in stderr, f"got {stderr!r}"


def test_firehose_partial_failures_deliver_every_record_exactly_once(tmp_path):
    stream = FaultyStream("firehose", fail_ratio=0.3)
    code, stderr = produce(stream, tmp_path)
    assert code == ExitCode.OK, f"got exit {code}, expected 0; stderr: {stderr}"
    assert stream.accepted == expected_records(), "the delivery stream did not get each record exactly once"


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("kinesis", "ProvisionedThroughputExceededException", 400),
        ("kinesis", "LimitExceededException", 400),
        ("kinesis", "InternalFailure", 500),
        ("firehose", "ServiceUnavailableException", 503),
        ("firehose", "ThrottlingException", 400),
    ],
)
def test_throttled_calls_are_retried_until_every_record_is_in(tmp_path, service, code, status):
    stream = FaultyStream(service, throttle_calls=6, call_error=code, call_status=status)
    exit_code, stderr = produce(stream, tmp_path)
    assert exit_code == ExitCode.OK, f"got exit {exit_code}, expected 0; stderr: {stderr}"
    assert stream.accepted == expected_records(), "throttling lost or duplicated records"
    assert stream.put_calls == 6 + COUNT // 500, f"got {stream.put_calls} calls, expected 6 refused + 4 accepted"
    assert "(6 whole calls throttled or unavailable)" in stderr, f"got {stderr!r}"


def test_records_failing_past_the_retry_budget_are_reported_with_their_lines(tmp_path):
    # given two records the stream refuses on every attempt
    doomed = (b'"Description":"HEART MEASURING SPOONS LARGE"', b'"Description":"VINTAGE SNAP CARDS"')
    stream = FaultyStream("kinesis", always_fail=doomed)
    expected = expected_records()
    refused = Counter({data: n for data, n in expected.items() if any(m in data for m in doomed)})
    # when
    code, stderr = produce(stream, tmp_path, retry=RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.01))
    # then
    assert code == ExitCode.PARTIAL, f"got exit {code}, expected 3; stderr: {stderr}"
    assert stream.accepted == expected - refused, "records other than the refused ones went missing or twice"
    failed = sum(refused.values())
    assert f"{failed} failed" in stderr, f"got {stderr!r}"
    assert "not delivered: ProvisionedThroughputExceededException after 4 attempts" in stderr, f"got {stderr!r}"


def test_records_failing_past_the_retry_budget_are_written_to_the_reject_file(tmp_path):
    doomed = (b'"Description":"VINTAGE SNAP CARDS"',)
    stream = FaultyStream("kinesis", always_fail=doomed)
    produce(stream, tmp_path, retry=RetryPolicy(max_retries=1, base_delay=0.001, max_delay=0.01))
    lines = (tmp_path / "rejects.csv").read_text().splitlines()
    assert lines[0] == "line,reason,row", f"got header {lines[0]!r}"
    assert len(lines) > 1, "got no rejected record in the reject file"
    assert all("VINTAGE SNAP CARDS" in line and "after 2 attempts" in line for line in lines[1:]), f"got {lines[1:3]}"


def test_a_refused_call_is_fatal_and_nothing_is_sent_twice(tmp_path):
    # given a stream that accepts two calls, then refuses access
    def access_denied(call: int):
        return error(400, "AccessDeniedException", "not authorized to perform kinesis:PutRecords") if call > 2 else None

    stream = FaultyStream("kinesis", put_failure=access_denied)
    # when
    code, stderr = produce(stream, tmp_path, concurrency=1)
    # then
    assert code == ExitCode.ERROR, f"got exit {code}, expected 1; stderr: {stderr}"
    assert "producer: error: access to kinesis stream 'faulty' in us-east-1" in stderr, f"got {stderr!r}"
    assert "AccessDeniedException" in stderr
    twice = stream.accepted - expected_records()
    assert not twice, f"got records accepted more often than they are in the input: {list(twice)[:2]}"
    assert sum(stream.accepted.values()) == 1000, f"got {sum(stream.accepted.values())} accepted, expected 2 x 500"


def test_a_fatal_error_reports_the_records_it_did_not_send(tmp_path):
    def access_denied(call: int):
        return error(400, "AccessDeniedException") if call > 2 else None

    stream = FaultyStream("kinesis", put_failure=access_denied)
    _, stderr = produce(stream, tmp_path, concurrency=1)
    summary = stderr.splitlines()[0]
    assert summary.startswith("producer: sent 1000 of "), f"got {summary!r}"
    rejects = (tmp_path / "rejects.csv").read_text().splitlines()[1:]
    assert len(rejects) >= 500, f"got {len(rejects)} reported records, expected at least the refused batch of 500"


def test_a_dropped_connection_is_retried(tmp_path):
    def drop_twice(call: int):
        if call <= 2:
            raise ConnectionClosedError(endpoint_url=FAKE_ENDPOINT)
        return None

    stream = FaultyStream("kinesis", put_failure=drop_twice)
    code, stderr = produce(stream, tmp_path)
    assert code == ExitCode.OK, f"got exit {code}, expected 0; stderr: {stderr}"
    assert stream.accepted == expected_records(), "a dropped connection lost or duplicated records"


def test_a_lost_endpoint_stops_the_run_with_exit_1(tmp_path):
    def always_drop(call: int):
        raise ConnectionClosedError(endpoint_url=FAKE_ENDPOINT)

    stream = FaultyStream("kinesis", put_failure=always_drop)
    code, stderr = produce(stream, tmp_path, retry=RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.01))
    assert code == ExitCode.ERROR, f"got exit {code}, expected 1; stderr: {stderr}"
    assert "lost the connection to the endpoint" in stderr, f"got {stderr!r}"
    assert stream.put_calls <= 4 * 3 * 2, f"got {stream.put_calls} calls: the run did not stop"


def test_random_partition_keys_spread_records(tmp_path):
    stream = FaultyStream("kinesis")
    produce(stream, tmp_path, count=1000)
    assert len(set(stream.partition_keys)) == 1000, f"got {len(set(stream.partition_keys))} distinct keys"


def test_invoice_partition_keys_are_the_invoice_numbers(tmp_path):
    stream = FaultyStream("kinesis")
    produce(stream, tmp_path, count=1000, partition_key="invoice")
    invoices = {key.lstrip("CA") for key in stream.partition_keys}
    assert all(key.isdigit() for key in invoices), f"got keys {sorted(invoices)[:5]}"
    assert len(invoices) < 100, f"got {len(invoices)} distinct keys for 1000 lines, expected one per invoice"


def test_batch_size_flag_caps_records_per_call(tmp_path):
    stream = FaultyStream("kinesis")
    produce(stream, tmp_path, count=1000, batch_size=128)
    assert max(stream.batch_sizes) == 128, f"got batch sizes {sorted(set(stream.batch_sizes))}"
    assert sum(stream.batch_sizes) == 1000


def test_firehose_fed_by_kinesis_is_refused_before_sending(tmp_path):
    stream = FaultyStream(
        "firehose", describe={"DeliveryStreamStatus": "ACTIVE", "DeliveryStreamType": "KinesisStreamAsSource"}
    )
    with pytest.raises(Exception, match="reads from a Kinesis stream") as caught:
        produce(stream, tmp_path)
    assert type(caught.value).__name__ == "DestinationError"
    assert stream.put_calls == 0, f"got {stream.put_calls} put calls, expected none"


def test_stream_not_active_is_refused_before_sending(tmp_path):
    stream = FaultyStream("kinesis", describe={"StreamDescriptionSummary": {"StreamStatus": "CREATING"}})
    with pytest.raises(Exception, match="is CREATING, not ACTIVE"):
        produce(stream, tmp_path)
    assert stream.put_calls == 0


def test_describe_access_denied_does_not_block_sending(tmp_path):
    stream = FaultyStream("kinesis")
    original = stream.handle

    def handle(request, **kwargs):
        if request.headers["X-Amz-Target"].endswith(b"DescribeStreamSummary"):
            return error(400, "AccessDeniedException")
        return original(request, **kwargs)

    stream.handle = handle
    code, stderr = produce(stream, tmp_path, count=10)
    assert code == ExitCode.OK, f"got exit {code}; stderr: {stderr}"
    assert sum(stream.accepted.values()) == 10
