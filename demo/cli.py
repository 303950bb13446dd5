"""`make demo` / `python -m demo`: the whole pipeline on the emulator, from an empty emulator to a report.

Stages: start the emulator, apply the stack, empty the lake's data folders, stream the input through Kinesis
with the producer, wait until S3 holds every record, run the saved Athena queries, compact the delivered
hours, and write reports/demo.json and reports/demo.png. Exit codes: 0 ok, 1 a stage failed or the numbers
do not reconcile, 2 usage or configuration, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from demo import report
from demo.errors import DemoError, ExitCode, UsageError
from demo.pipeline import PIPELINE_STAGES, Connection, RunOptions, run_pipeline
from demo.progress import PROG, Progress
from demo.stack import apply, read_outputs, start_emulator
from producer.app import DEFAULT_INPUT
from producer.errors import ProducerError
from tools.cli import CommandError
from tools.cli_base import Parser
from tools.emulator import EmulatorError
from tools.search_standin import SearchStandIn, StandInError
from tools.targets import REPO_ROOT, Target, TargetError, resolve
from tools.terraform import TerraformError

DEFAULT_REPORTS = REPO_ROOT / "reports"
APPLY_LOG = "demo-terraform-apply.log"


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 1 to 3600, got {text!r}")
    return value


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        command="python -m demo",
        description="Run the whole pipeline on the emulator (ENV=local, or ENV=localstack) and report on it: "
        "emulator, terraform apply, producer -> Kinesis -> Firehose -> S3, Kinesis -> the ingest Lambda -> the local "
        "search stand-in, the saved Athena queries, hourly compaction to Parquet, then reports/demo.json, "
        "reports/demo.png and reports/demo-search.png. Before sending, it deletes what earlier runs left in the "
        "lake's data folders and on the search side, so a re-run reports on its own records only.",
    )
    parser.add_argument(
        "-I", "--input-file", type=Path, default=DEFAULT_INPUT, help="CSV to stream (default: the shipped sample)"
    )
    parser.add_argument(
        "--reports-dir", type=Path, default=DEFAULT_REPORTS, help="where demo.json and demo.png go (default: reports/)"
    )
    parser.add_argument(
        "--delivery-timeout",
        type=seconds,
        default=300.0,
        help="seconds to wait for every record to reach S3 (default: 300)",
    )
    parser.add_argument("--query-timeout", type=seconds, default=120.0, help="seconds per Athena query (default: 120)")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


def check_input(path: Path) -> Path:
    if not path.is_file():
        raise UsageError(f"input file {str(path)!r} does not exist or is not a file; pass a CSV with -I/--input-file")
    return path


def check_target(target: Target) -> Target:
    if not target.is_emulated:
        raise UsageError(
            "make demo runs on an emulator (ENV=local, the default, or ENV=localstack): it empties the lake's "
            "data folders and compacts with the local engine; on AWS use make apply, make produce and the saved "
            "queries (README, Analytics)"
        )
    return target


def display(path: Path) -> str:
    """The path relative to the repository when it is inside it (shorter lines, same meaning from the root)."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def run(args: argparse.Namespace) -> report.DemoResult:
    started = datetime.now(UTC)
    input_file = check_input(args.input_file)
    target = check_target(resolve())
    progress = Progress(total=2 + len(PIPELINE_STAGES))
    print(
        f"{PROG}: ENV={target.name} at {target.endpoint_url}; one line per stage with its time. Re-runs are safe: "
        f"the lake's data folders are emptied before sending, so the report covers this run's records only.",
        file=sys.stderr,
    )
    with progress.stage("emulator") as stage:
        stage.detail = start_emulator(target)
    with progress.stage("stack") as stage:
        counts = apply(target, args.reports_dir / APPLY_LOG, progress)
        outputs = read_outputs(target)
        stage.detail = (
            f"terraform apply: {counts} ({len(outputs.values)} outputs; log {display(args.reports_dir / APPLY_LOG)})"
        )
    options = RunOptions(
        input_file=Path(display(input_file)),
        reports_dir=Path(display(args.reports_dir)),
        delivery_timeout_s=args.delivery_timeout,
        query_timeout_s=args.query_timeout,
        target_name=target.name,
        started_at=started,
        search_documents=SearchStandIn.beside(target.port).data_dir
        if target.manages_emulator and target.port
        else None,
    )
    return run_pipeline(outputs, Connection(target.region, target.endpoint_url), options, progress)


USAGE_ERRORS = (UsageError, TargetError, TerraformError)
KNOWN_ERRORS = (
    *USAGE_ERRORS,
    DemoError,
    CommandError,
    EmulatorError,
    StandInError,
    ProducerError,
    ClientError,
    BotoCoreError,
    OSError,
)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; run make demo again (it starts over and replaces what it wrote)", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        known = isinstance(exc, KNOWN_ERRORS)
        message = str(exc) if known else f"unexpected {type(exc).__name__}: {exc}; re-run with --debug for a traceback"
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return ExitCode.USAGE if isinstance(exc, USAGE_ERRORS) else ExitCode.ERROR
    print("\n".join(report.text_lines(result)))
    if not result.check.ok:
        print(
            f"{PROG}: error: the numbers do not reconcile (check above, details in {result.files['json']})",
            file=sys.stderr,
        )
        return ExitCode.ERROR
    return ExitCode.OK
