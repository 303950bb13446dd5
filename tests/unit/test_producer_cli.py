"""The command line: bad input and bad flags give one clear line and a non-zero exit, never a traceback;
the summary and the exit code tell what happened. AWS is played by botocore event hooks (aws_faults.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from producer import app
from producer.cli import main
from producer.errors import ExitCode
from producer.reader import REAL_HEADER
from tests.unit.aws_faults import FaultyStream, error

pytestmark = pytest.mark.unit

ROW = "489434,85048,GLASS BALL,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom"


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch):
    """Dummy credentials and no endpoint from the caller's shell."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stream(monkeypatch):
    """A well-behaved Kinesis stream the CLI's client talks to (swap its settings per test)."""
    faulty = FaultyStream("kinesis")

    def make_client(service, region, endpoint_url, concurrency):
        faulty.service = service
        return faulty.client(concurrency)

    monkeypatch.setattr(app, "make_client", make_client)
    return faulty


@pytest.fixture
def no_aws(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the run made an AWS client")

    monkeypatch.setattr(app, "make_client", refuse)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str, name: str = "input.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def assert_one_error_line(code: int, err: str, expected_code: int, message: str) -> None:
    assert code == expected_code, f"got exit {code}, expected {expected_code}; stderr: {err!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"got {len(lines)} lines on stderr, expected 1: {err!r}"
    assert lines[0].startswith("producer: error: "), f"got {lines[0]!r}"
    assert message in lines[0], f"got {lines[0]!r}, expected it to contain {message!r}"
    assert "Traceback" not in err


# --- bad input --------------------------------------------------------------------------------------


def test_missing_file_is_one_clear_error(capsys, tmp_path, no_aws):
    code, _, err = cli(capsys, "-I", str(tmp_path / "nope.csv"))
    assert_one_error_line(code, err, ExitCode.ERROR, "cannot read input file")
    assert "No such file or directory; check the -I/--input-file path" in err


def test_directory_as_input_is_one_clear_error(capsys, tmp_path, no_aws):
    code, _, err = cli(capsys, "-I", str(tmp_path))
    assert_one_error_line(code, err, ExitCode.ERROR, "is a directory")


def test_path_through_a_file_is_one_clear_error(capsys, tmp_path, no_aws):
    code, _, err = cli(capsys, "-I", write(tmp_path, ROW) + "/inside.csv")
    assert_one_error_line(code, err, ExitCode.ERROR, "Not a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_one_clear_error(capsys, tmp_path, no_aws):
    path = write(tmp_path, f"{REAL_HEADER}\n{ROW}\n")
    Path(path).chmod(0)
    code, _, err = cli(capsys, "-I", path)
    assert_one_error_line(code, err, ExitCode.ERROR, "Permission denied")


@pytest.mark.parametrize("text", ["", "\n\n\n"])
def test_empty_file_is_one_clear_error(capsys, tmp_path, no_aws, text):
    code, _, err = cli(capsys, "-I", write(tmp_path, text))
    assert_one_error_line(code, err, ExitCode.ERROR, "is empty; it needs a header line")


def test_wrong_header_is_one_clear_error(capsys, tmp_path, no_aws):
    code, _, err = cli(capsys, "-I", write(tmp_path, f"order,sku,qty\n{ROW}\n"))
    assert_one_error_line(code, err, ExitCode.ERROR, "the header lacks Invoice, StockCode")


def test_binary_file_is_one_clear_error(capsys, tmp_path, no_aws):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(bytes(range(256)) * 4)
    code, _, err = cli(capsys, "-I", str(path))
    assert code == ExitCode.ERROR, f"got exit {code}; stderr: {err!r}"
    assert err.startswith("producer: error: "), f"got {err!r}"
    assert "Traceback" not in err, f"got {err!r}"


def test_header_only_file_sends_nothing_and_succeeds(capsys, tmp_path, stream):
    code, _, err = cli(capsys, "-I", write(tmp_path, REAL_HEADER + "\n"))
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    assert "sent 0 of 0 records" in err, f"got {err!r}"


def test_unknown_stream_is_one_clear_error(capsys, stream):
    stream.describe = None
    original = stream.handle

    def not_found(request, **kwargs):
        if request.headers["X-Amz-Target"].endswith(b"DescribeStreamSummary"):
            return error(400, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
        return original(request, **kwargs)

    stream.handle = not_found
    code, _, err = cli(capsys, "--stream-name", "nope", "--max-count", "5")
    assert_one_error_line(code, err, ExitCode.ERROR, "kinesis stream 'nope' does not exist in us-east-1")
    assert "check --stream-name" in err
    assert stream.put_calls == 0


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--batch-size", "0"], "argument --batch-size: expected an integer from 1 to 500, got '0'"),
        (["--batch-size", "501"], "argument --batch-size: expected an integer from 1 to 500, got '501'"),
        (["--batch-size", "ten"], "argument --batch-size: expected an integer from 1 to 500, got 'ten'"),
        (["--concurrency", "0"], "argument --concurrency: expected an integer from 1 to 64"),
        (["--max-count", "0"], "argument --max-count: expected an integer of at least 1, got '0'"),
        (["--max-count", "-5"], "argument --max-count: expected an integer of at least 1"),
        (["--max-retries", "21"], "argument --max-retries: expected an integer from 0 to 20"),
        (["--rate", "0"], "argument --rate: expected a number of records per second above 0, got '0'"),
        (["--rate", "-3"], "argument --rate: expected a number of records per second above 0"),
        (["--rate", "inf"], "argument --rate: expected a number of records per second above 0"),
        (["--rate", "fast"], "argument --rate: expected a number of records per second above 0"),
        (["--out-format", "xml"], "argument --out-format: invalid choice: 'xml'"),
        (["--service-name", "sqs"], "argument --service-name: invalid choice: 'sqs'"),
        (["--partition-key", "shard"], "argument --partition-key: invalid choice: 'shard'"),
        (["--time-mode", "local"], "argument --time-mode: invalid choice: 'local'"),
        (["--endpoint-url", "ftp://x"], "argument --endpoint-url: expected an http(s) URL"),
        (["--endpoint-url", "localhost:4566"], "argument --endpoint-url: expected an http(s) URL"),
        (["--endpoint-url", "http://localhost:0"], "argument --endpoint-url: expected an http(s) URL"),
        (["--region-name", "Mars"], "argument --region-name: expected an AWS region such as us-east-1"),
        (["--stream-name", "bad name!"], "argument --stream-name: expected 1 to 128 letters, digits"),
        (["--encoding", "klingon"], "argument --encoding: unknown encoding 'klingon'"),
        (["--colour"], "unrecognized arguments: --colour"),
        (["--max-count"], "argument --max-count: expected one argument"),
    ],
)
def test_bad_flag_values_are_one_clear_line_and_exit_2(capsys, no_aws, flags, message):
    code, _, err = cli(capsys, *flags)
    assert_one_error_line(code, err, ExitCode.USAGE, message)
    assert err.strip().endswith("see producer --help"), f"got {err!r}"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_non_json_to_a_real_stream_needs_allow_non_json(capsys, stream, fmt):
    code, _, err = cli(capsys, "--out-format", fmt, "--max-count", "5")
    assert_one_error_line(code, err, ExitCode.USAGE, f"--out-format {fmt} is not the data contract (JSON)")
    assert "pass --allow-non-json" in err, f"got {err!r}"
    assert sum(stream.accepted.values()) == 0, "got records sent without --allow-non-json"


def test_non_json_dry_run_needs_no_flag(capsys, no_aws):
    code, out, _ = cli(capsys, "--out-format", "csv", "--dry-run", "--max-count", "2")
    assert code == ExitCode.OK, f"got exit {code}"
    assert (len(out.splitlines()), "{" in out) == (2, False), f"got {out!r}, expected two csv lines"


def test_non_json_with_allow_non_json_is_sent(capsys, stream):
    code, _, err = cli(capsys, "--out-format", "csv", "--allow-non-json", "--max-count", "5")
    assert code == ExitCode.OK, f"got exit {code}: {err!r}"
    assert sum(stream.accepted.values()) == 5, f"got {sum(stream.accepted.values())} records sent, expected 5"


def test_help_exits_0_and_says_max_count_is_records_to_send(capsys):
    code, out, _ = cli(capsys, "--help")
    assert code == ExitCode.OK
    assert "total number of records to send" in " ".join(out.split()), "--help does not say what --max-count counts"


# --- runs, summaries and exit codes ------------------------------------------------------------------


def test_successful_run_prints_one_summary_line_and_exits_0(capsys, stream):
    code, out, err = cli(capsys, "--max-count", "600")
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    assert out == "", f"got stdout {out[:80]!r}, expected nothing"
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("producer: sent 600 of 600 records to kinesis stream 'retail-trans'")
    assert "records/s" in lines[0]
    assert "0 retried, 0 failed, 0 rejected rows, 0 oversized, 0 skipped" in lines[0]
    assert sum(stream.accepted.values()) == 600


def test_quiet_success_prints_nothing(capsys, stream):
    code, out, err = cli(capsys, "--max-count", "10", "--quiet")
    assert (code, out, err) == (ExitCode.OK, "", ""), f"got {(code, out, err)}"


def test_rejected_rows_exit_3_and_are_listed_with_line_numbers(capsys, tmp_path, stream):
    bad_quantity = "489435,X,Y,many,2009-12-01 07:45:00,1,,UK"
    bad_price = "489436,X,Y,1,2009-12-01 07:45:00,?,,UK"
    text = f"{REAL_HEADER}\n{ROW}\n{bad_quantity}\n{ROW}\n{bad_price}\n"
    code, _, err = cli(capsys, "-I", write(tmp_path, text), "--quiet")
    assert code == ExitCode.PARTIAL, f"got exit {code}; stderr: {err!r}"
    assert "producer: line 3: rejected: Quantity 'many' is not an integer" in err, f"got {err!r}"
    assert "producer: line 5: rejected: Price '?' is not a number" in err, f"got {err!r}"
    assert "sent 2 of 2 records" in err, f"got {err!r}"
    assert "2 rejected rows" in err, f"got {err!r}"
    assert sum(stream.accepted.values()) == 2


def test_more_problems_than_shown_point_to_the_reject_file(capsys, tmp_path, stream):
    bad = "\n".join(f"4894{i:02d},X,Y,bad,2009-12-01 07:45:00,1,,UK" for i in range(15))
    _, _, err = cli(capsys, "-I", write(tmp_path, f"{REAL_HEADER}\n{bad}\n"))
    assert "producer: ... and 5 more (--reject-file keeps them all)" in err, f"got {err!r}"


def test_reject_file_keeps_every_rejected_row(capsys, tmp_path, stream):
    bad = [f'4894{i:02d},X,"Y, Z",bad,2009-12-01 07:45:00,1,,UK' for i in range(15)]
    rejects = tmp_path / "rejects.csv"
    cli(capsys, "-I", write(tmp_path, "\n".join([REAL_HEADER, *bad]) + "\n"), "--reject-file", str(rejects))
    lines = rejects.read_text().splitlines()
    assert len(lines) == 16, f"got {len(lines)} lines, expected a header and 15 rows"
    assert (
        lines[1] == '2,rejected: Quantity \'bad\' is not an integer,"489400,X,""Y, Z"",bad,2009-12-01 07:45:00,1,,UK"'
    )


def test_unwritable_reject_file_is_one_clear_error(capsys, tmp_path, no_aws):
    code, _, err = cli(capsys, "--dry-run", "--reject-file", str(tmp_path / "no" / "such" / "dir.csv"))
    assert_one_error_line(code, err, ExitCode.ERROR, "cannot write the reject file")


def test_max_count_sends_exactly_that_many_records(capsys, stream):
    cli(capsys, "--max-count", "1234", "--quiet")
    assert sum(stream.accepted.values()) == 1234, f"got {sum(stream.accepted.values())}"


def test_skip_cancellations_leaves_out_c_invoices_and_negative_quantities(capsys, stream):
    code, _, err = cli(capsys, "--skip-cancellations")
    sent = [json.loads(data) for data in stream.accepted.elements()]
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    assert sent, "a cancellation was sent"
    assert all(not r["Invoice"].startswith("C") and r["Quantity"] >= 0 for r in sent), "a cancellation was sent"
    skipped = int(err.split(" skipped")[0].rsplit(" ", 1)[-1])
    assert skipped > 0, f"got {skipped} skipped + {len(sent)} sent, expected 5000"
    assert skipped + len(sent) == 5000, f"got {skipped} skipped + {len(sent)} sent, expected 5000"


def test_cancellations_are_sent_by_default(capsys, stream):
    cli(capsys, "--quiet")
    sent = [json.loads(data) for data in stream.accepted.elements()]
    assert any(r["Invoice"].startswith("C") for r in sent), "no cancellation was sent"
    assert len(sent) == 5000, f"got {len(sent)} records, expected the whole sample"


def test_firehose_service_sends_with_put_record_batch(capsys, stream):
    code, _, err = cli(capsys, "--service-name", "firehose", "--max-count", "700")
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    assert "firehose delivery stream 'uk-online-retail-trans'" in err, f"got {err!r}"
    assert sorted(stream.batch_sizes) == [200, 500], f"got {stream.batch_sizes}"


def test_ignored_columns_are_noted(capsys, tmp_path, stream):
    text = f",{REAL_HEADER}\n0,{ROW}\n"
    code, _, err = cli(capsys, "-I", write(tmp_path, text))
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    assert "producer: note: ignoring columns outside the data contract: " in err, f"got {err!r}"


def test_latin1_bytes_in_a_utf8_read_reject_the_row_and_name_the_flag(capsys, tmp_path, stream):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{REAL_HEADER}\n{ROW}\n489435,X,CAF\xc9 SIGN,1,2009-12-01 07:45:00,1,,UK\n".encode("latin-1"))
    code, _, err = cli(capsys, "-I", str(path))
    assert code == ExitCode.PARTIAL, f"got exit {code}; stderr: {err!r}"
    assert "line 3: rejected: bytes that are not valid utf-8; pass the file's --encoding" in err, f"got {err!r}"


def test_encoding_flag_reads_latin1(capsys, tmp_path, stream):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{REAL_HEADER}\n489435,X,CAF\xc9 SIGN,1,2009-12-01 07:45:00,1,,UK\n".encode("latin-1"))
    code, _, err = cli(capsys, "-I", str(path), "--encoding", "latin-1")
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    assert [json.loads(d)["Description"] for d in stream.accepted] == ["CAFÉ SIGN"]


def test_byte_order_mark_is_tolerated(capsys, tmp_path, stream):
    path = tmp_path / "bom.csv"
    path.write_bytes(f"{REAL_HEADER}\n{ROW}\n".encode("utf-8-sig"))
    code, _, err = cli(capsys, "-I", str(path))
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"


# --- dry run -------------------------------------------------------------------------------------------


def test_dry_run_prints_the_records_and_sends_nothing(capsys, no_aws):
    code, out, err = cli(capsys, "--dry-run", "--max-count", "3")
    assert code == ExitCode.OK, f"got exit {code}; stderr: {err!r}"
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 3, f"got {out!r}"
    assert records[0]["Invoice"] == "489434", f"got {out!r}"
    assert "dry run: 3 records in 1 batch would go to kinesis stream 'retail-trans'; nothing was sent" in err, err


@pytest.mark.parametrize("out_format", ["csv", "tsv"])
def test_dry_run_prints_delimited_records_one_per_line(capsys, no_aws, out_format):
    _, out, _ = cli(capsys, "--dry-run", "--max-count", "50", "--out-format", out_format)
    assert len(out.splitlines()) == 50, f"got {out[:200]!r}"
    assert "\n\n" not in out, f"got {out[:200]!r}"


def test_dry_run_reports_rejected_rows_and_exits_3(capsys, tmp_path, no_aws):
    code, out, err = cli(capsys, "--dry-run", "-I", write(tmp_path, f"{REAL_HEADER}\n{ROW}\n1,2,3\n"))
    assert code == ExitCode.PARTIAL, f"got exit {code}; stderr: {err!r}"
    assert len(out.splitlines()) == 1, f"got {err!r}"
    assert "line 3: rejected: 3 fields, expected 8" in err, f"got {err!r}"


# --- the real process ------------------------------------------------------------------------------------


def run_module(*argv: str, stdin_text: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "producer", *argv], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_debug_shows_the_traceback(tmp_path):
    result = run_module("-I", str(tmp_path / "missing.csv"), "--debug")
    assert result.returncode != 0, f"got {result.stderr[-300:]!r}"
    assert "Traceback" in result.stderr, f"got {result.stderr[-300:]!r}"


def test_dry_run_into_a_closed_pipe_ends_quietly():
    command = f"{sys.executable} -m producer --dry-run | head -n 1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"got exit {result.returncode}; stderr: {result.stderr!r}"
    assert result.stdout.startswith('{"Invoice":"489434"'), f"got {result.stderr!r}"
    assert "Traceback" not in result.stderr, f"got {result.stderr!r}"


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_file_that_fails_to_read_is_one_clear_error(capsys, no_aws):
    # /proc/self/mem opens, then refuses reads (EIO) even for root: a real unreadable file
    code, _, err = cli(capsys, "-I", "/proc/self/mem")
    assert_one_error_line(code, err, ExitCode.ERROR, "Input/output error")
