"""`retail-producer` / `python -m producer`: the command line, parsed and validated, then handed to producer.app.

Exit codes (producer.errors.ExitCode): 0 everything delivered, 1 the run could not start or had to stop,
2 bad flags, 3 finished but some rows or records were not delivered, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlparse

from producer import app
from producer.errors import ExitCode, ProducerError
from producer.pipeline import Options
from producer.reader import check_encoding
from producer.records import FORMATS, PARTITION_KEYS, TIME_MODES
from producer.sender import RetryPolicy
from tools.cli_base import Parser

PROG = "producer"
STREAM_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

EPILOG = """\
exit status: 0 all delivered, 1 could not start or had to stop, 2 bad flags,
3 finished but some rows or records were not delivered (listed), 130 interrupted.

examples:
  retail-producer --dry-run --max-count 3
  retail-producer -I online_retail_II.csv --service-name kinesis --stream-name retail-trans
  retail-producer --service-name firehose --stream-name uk-online-retail-trans --time-mode now --rate 200
"""


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"expected an integer {bounds}, got {text!r}")
        return value

    return parse


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of records per second above 0, got {text!r}")
    return value


def endpoint_url(text: str) -> str:
    parsed = urlparse(text.strip())
    try:
        valid = parsed.scheme in ("http", "https") and bool(parsed.hostname) and parsed.port != 0
    except ValueError:
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(f"expected an http(s) URL such as http://localhost:4566, got {text!r}")
    return text.strip().rstrip("/")


def region_name(text: str) -> str:
    if not REGION.match(text):
        raise argparse.ArgumentTypeError(f"expected an AWS region such as us-east-1, got {text!r}")
    return text


def stream_name(text: str) -> str:
    if not STREAM_NAME.match(text):
        raise argparse.ArgumentTypeError(f"expected 1 to 128 letters, digits, '_', '.' or '-', got {text!r}")
    return text


def encoding(text: str) -> str:
    try:
        return check_encoding(text)
    except ProducerError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Stream Online Retail II sales records from a CSV file into a Kinesis data stream or a\n"
        "Firehose delivery stream, in batches, retrying throttled and failed records; every row or record\n"
        "not delivered is reported with its line number.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_argument_group("input")
    source.add_argument(
        "-I",
        "--input-file",
        type=Path,
        default=app.DEFAULT_INPUT,
        help="the CSV to send: the real online_retail_II.csv or any file with its header "
        "(default: the shipped sample, producer/data/online_retail_sample.csv)",
    )
    source.add_argument("--encoding", type=encoding, default="utf-8", help="text encoding of the CSV (default: utf-8)")
    source.add_argument(
        "--max-count",
        type=int_range(1),
        default=None,
        help="total number of records to send, counted after rejected and skipped rows (default: every row)",
    )
    source.add_argument(
        "--skip-cancellations",
        action="store_true",
        help="leave out cancellations (Invoice starting with C) and other negative-Quantity rows "
        "(returns, stock adjustments); off by default, they are counted as skipped",
    )
    source.add_argument(
        "--reject-file", type=Path, help="write every row or record not delivered to this CSV (line, reason, row)"
    )

    target = parser.add_argument_group("destination")
    target.add_argument("--service-name", choices=("kinesis", "firehose"), default="kinesis", help="default: kinesis")
    target.add_argument(
        "--stream-name",
        type=stream_name,
        help="stream (kinesis) or delivery stream (firehose) to write to "
        f"(default: {app.DEFAULT_STREAMS['kinesis']} or {app.DEFAULT_STREAMS['firehose']}, the stack's default names)",
    )
    target.add_argument(
        "--region-name", type=region_name, help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)"
    )
    target.add_argument(
        "--endpoint-url",
        type=endpoint_url,
        help="endpoint of an emulator, e.g. http://localhost:4566 (default: AWS_ENDPOINT_URL, else AWS); on a "
        "localhost endpoint without configured credentials, the dummy test/test credentials are used",
    )

    record = parser.add_argument_group("records")
    record.add_argument(
        "--out-format",
        choices=FORMATS,
        default="json",
        help="json is the data contract (default); csv and tsv (the lab's) are not, so sending them needs "
        "--allow-non-json (a dry run does not)",
    )
    record.add_argument(
        "--allow-non-json",
        action="store_true",
        help="send csv/tsv records anyway: the stack's Firehose quarantines every one under its error prefix "
        "(processing-failed), none reaches the lake's table or the index",
    )
    record.add_argument(
        "--partition-key",
        choices=PARTITION_KEYS,
        default="random",
        help="Kinesis partition key: random spreads records over shards (default); invoice keeps an "
        "invoice's lines on one shard (their order is not guaranteed: retries and parallel calls reorder)",
    )
    record.add_argument(
        "--time-mode",
        choices=TIME_MODES,
        default="keep",
        help="keep InvoiceDate (default), or now: move it to the current hour in UTC (the clock Firehose "
        "partitions by), keeping minutes and seconds, as the lab did to make data look live",
    )

    sending = parser.add_argument_group("sending")
    sending.add_argument(
        "--batch-size", type=int_range(1, 500), default=500, help="records per request, 1 to 500 (default: 500)"
    )
    sending.add_argument(
        "--concurrency", type=int_range(1, 64), default=4, help="requests in flight at once, 1 to 64 (default: 4)"
    )
    sending.add_argument("--rate", type=positive_float, help="cap on records per second (default: no cap)")
    sending.add_argument(
        "--max-retries",
        type=int_range(0, 20),
        default=RetryPolicy.max_retries,
        help="retries of a throttled call or of failed records, with exponential backoff (0.1 s doubling "
        f"to 10 s) and full jitter (default: {RetryPolicy.max_retries}: at most 23 s of waiting per batch)",
    )
    sending.add_argument("--dry-run", action="store_true", help="print the records to stdout; send nothing")

    output = parser.add_argument_group("output")
    output.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary unless something failed")
    output.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


# Settings the environment gives when the flag is absent, checked like the flag but named as the user set them.
ENVIRONMENT_DEFAULTS = (
    ("endpoint_url", "--endpoint-url", ("AWS_ENDPOINT_URL",), endpoint_url),
    ("region_name", "--region-name", ("AWS_REGION", "AWS_DEFAULT_REGION"), region_name),
)


def apply_environment(args: argparse.Namespace, parser: Parser, environ: Mapping[str, str] = os.environ) -> None:
    """Fill absent --endpoint-url / --region-name from the environment; a bad value is a usage error naming it."""
    for dest, flag, names, parse in ENVIRONMENT_DEFAULTS:
        if getattr(args, dest) is not None:
            continue
        name = next((n for n in names if environ.get(n, "").strip()), None)
        if name is None:
            continue
        try:
            setattr(args, dest, parse(environ[name].strip()))
        except argparse.ArgumentTypeError as exc:
            reason = str(exc).rsplit(", got ", 1)[0]
            parser.error(f"{name}={environ[name]!r} is not usable: {reason}; fix or unset it, or pass {flag}")


def to_config(args: argparse.Namespace) -> app.RunConfig:
    options = Options(
        out_format=args.out_format,
        partition_key=args.partition_key,
        time_mode=args.time_mode,
        max_count=args.max_count,
        batch_size=args.batch_size,
        concurrency=args.concurrency,
        rate=args.rate,
        skip_cancellations=args.skip_cancellations,
        encoding=args.encoding,
    )
    return app.RunConfig(
        service=args.service_name,
        stream_name=args.stream_name,
        input_file=args.input_file,
        region=args.region_name,
        endpoint_url=args.endpoint_url,
        options=options,
        retry=RetryPolicy(max_retries=args.max_retries),
        dry_run=args.dry_run,
        quiet=args.quiet,
        reject_file=args.reject_file,
    )


def check_format(args: argparse.Namespace, parser: Parser) -> None:
    """csv/tsv is not the data contract: sending it needs --allow-non-json (printing it does not)."""
    if args.out_format != "json" and not args.dry_run and not args.allow_non_json:
        parser.error(
            f"--out-format {args.out_format} is not the data contract (JSON): the stack quarantines every such "
            "record under its error prefix; pass --allow-non-json to send it anyway, or --dry-run to print it"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        check_format(args, parser)
        apply_environment(args, parser)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    try:
        return int(app.run(to_config(args)))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # e.g. `--dry-run | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except ProducerError as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return ExitCode.ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"{PROG}: error: unexpected {type(exc).__name__}: {exc}; run again with --debug for details",
            file=sys.stderr,
        )
        return ExitCode.ERROR
