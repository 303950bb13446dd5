"""`python -m compact_parquet --hour 2026-11-28T10 [--dry-run] [--engine auto|athena|duckdb]` (with
lambda_src on the path): compact hours by hand, e.g. a backfill (`--since 2026-11-01T00 --until 2026-11-03T23`,
`--changed-only` to skip hours already compacted from the same JSON). Settings come from the same environment
variables as the function; flags override them. Takes the same lock as the function: a run never overlaps
another one."""

from __future__ import annotations

import argparse
import enum
import os
import re
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NoReturn

import boto3
from botocore.exceptions import NoRegionError

from compact_parquet.config import ENGINES, ConfigError, Settings, resolve_engine
from compact_parquet.deadline import Deadline
from compact_parquet.engines import Engine, Result, make_engine
from compact_parquet.hours import BadHour, Hour
from compact_parquet.lock import S3Lock
from compact_parquet.runner import RunReport, run_hours

PROG = "compact_parquet"
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
MAX_HOURS = 24 * 366 * 5  # one command compacts at most five years of hours


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: `<prog>: error: <what>; see --help`."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{PROG}: error: {message}; see python -m compact_parquet --help\n")


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Compact hours of the JSON table into Parquet/Snappy under TARGET_LOCATION. Each hour is built "
        "in a staging folder, verified against the source hour's row count and switched in one step; the previous "
        "Parquet stays readable until then.",
        epilog="exit status: 0 done (or nothing to do), 1 an hour failed or another run holds the lock, "
        "2 usage or configuration, 130 interrupted",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--hour", help="one UTC hour to compact, e.g. 2026-11-28T10")
    which.add_argument("--since", help="first UTC hour of a range (a backfill), e.g. 2026-11-01T00")
    parser.add_argument("--until", help="last UTC hour of the --since range, included (default: the previous hour)")
    parser.add_argument(
        "--changed-only",
        action="store_true",
        help="skip hours whose JSON objects are exactly those their last compaction consumed (default: replace "
        "every hour given)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would run; change nothing")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="athena (CTAS), duckdb (local conversion), or auto: duckdb when AWS_ENDPOINT_URL points at an "
        "emulator, else athena (default: $COMPACTION_ENGINE, else auto)",
    )
    parser.add_argument("--database", help="Glue database (default: $GLUE_DATABASE)")
    parser.add_argument("--source-table", help="JSON table (default: $SOURCE_TABLE, else retail_trans_json)")
    parser.add_argument("--target-table", help="Parquet table (default: $TARGET_TABLE, else ctas_retail_trans_parquet)")
    parser.add_argument("--target-location", help="Parquet folder, s3://bucket/prefix/ (default: $TARGET_LOCATION)")
    parser.add_argument(
        "--state-location",
        help="folder of the lock, the manifests and staged files, outside both tables "
        "(default: $STATE_LOCATION, else s3://<target bucket>/compaction/)",
    )
    parser.add_argument(
        "--kms-key", help="KMS key every written object is encrypted with (default: $LAKE_KMS_KEY_ARN, else none)"
    )
    parser.add_argument("--workgroup", help="Athena workgroup (default: $ATHENA_WORKGROUP)")
    parser.add_argument("--query-timeout", type=int, help="seconds per Athena query (default: $QUERY_TIMEOUT_SECONDS)")
    parser.add_argument(
        "--time-limit", type=int, help="seconds the whole run may take; hours left then are reported (default: none)"
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


def hours_of(args: argparse.Namespace, now: datetime) -> list[Hour]:
    """The hours the flags name, newest first. Raises BadHour."""
    if args.hour:
        if args.until:
            raise BadHour("--until goes with --since, not with --hour")
        return [Hour.parse(args.hour)]
    first = Hour.parse(args.since)
    last = Hour.parse(args.until) if args.until else Hour.previous(now)
    hours = Hour.span(first, last)
    if not hours:
        raise BadHour(f"--since {first} is after --until {last}")
    if len(hours) > MAX_HOURS:
        raise BadHour(f"{first} to {last} is {len(hours):,} hours; give at most {MAX_HOURS:,} (five years) at once")
    return hours


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.time_limit is not None and args.time_limit < 1:
        return _fail(f"--time-limit {args.time_limit} must be at least 1 second", ExitCode.USAGE)
    try:
        hours = hours_of(args, datetime.now(UTC))
        settings = Settings.from_env(
            engine=args.engine or _env_engine(),
            glue_database=args.database,
            source_table=args.source_table,
            target_table=args.target_table,
            target_location=args.target_location,
            state_location=args.state_location,
            kms_key_id=args.kms_key,
            athena_workgroup=args.workgroup,
            query_timeout_s=args.query_timeout,
        )
    except (BadHour, ConfigError) as exc:
        return _fail(f"{exc}", ExitCode.USAGE)
    engine_name = resolve_engine(settings.engine)
    region = os.environ.get("AWS_REGION", "").strip()
    if region and not REGION.fullmatch(region):
        return _fail(f"AWS_REGION={region!r} is not an AWS region such as us-east-1; fix or unset it", ExitCode.USAGE)
    where = str(hours[0]) if len(hours) == 1 else f"{hours[-1]} to {hours[0]}"
    try:
        # boto3 reads AWS_DEFAULT_REGION and the config file; AWS_REGION (the Lambda and harness convention) too.
        session = boto3.Session(region_name=region or None)
        engine = make_engine(settings, engine_name, session, deadline=Deadline.after(args.time_limit))
        if args.dry_run:
            return _dry_run(engine, hours)
        report = _run(engine, hours, not args.changed_only, settings)
    except NoRegionError:
        return _fail("no AWS region configured; set AWS_REGION (e.g. AWS_REGION=us-east-1)", ExitCode.USAGE)
    except KeyboardInterrupt:
        return _fail(
            "interrupted; the hour being compacted keeps its previous Parquet; re-run to finish", ExitCode.INTERRUPTED
        )
    except Exception as exc:
        if args.debug:
            raise
        return _fail(f"{where} ({engine_name} engine): {exc}; re-run with --debug for a traceback", ExitCode.ERROR)
    print(report.summary())
    if report.locked:
        return _fail(f"{report.locked}; try again after that", ExitCode.ERROR)
    if report.deferred:
        print(f"{PROG}: not done (time limit): {', '.join(report.deferred)}; run them again", file=sys.stderr)
    return ExitCode.OK if report.ok and not report.deferred else ExitCode.ERROR


def _dry_run(engine: Engine, hours: list[Hour]) -> int:
    for hour in hours:
        result = engine.compact(hour, dry_run=True)
        print("\n\n".join(s if s.startswith("--") else f"{s};" for s in result.statements))
        print(result.summary())
    return ExitCode.OK


def _run(engine: Engine, hours: list[Hour], force: bool, settings: Settings) -> RunReport:
    lock = S3Lock(engine.s3, settings.state, settings.kms_key_id, holder=f"cli@{socket.gethostname()}/{engine.run_id}")

    def failed(hour: Hour, exc: Exception) -> None:
        print(f"{PROG}: error: {hour} ({engine.name} engine): {exc}", file=sys.stderr)

    def done(result: Result) -> None:
        print(result.summary())

    return run_hours(engine, hours, force, lock, on_result=done, on_failure=failed)


def _env_engine() -> str:
    return os.environ.get("COMPACTION_ENGINE", "").strip() or "auto"


def _fail(message: str, code: ExitCode) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
