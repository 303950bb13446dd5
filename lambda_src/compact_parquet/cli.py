"""`python -m compact_parquet --hour 2026-11-28T10 [--dry-run] [--engine auto|athena|duckdb]` (with
lambda_src on the path): compact one hour by hand, e.g. a backfill. Settings come from the same
environment variables as the function; flags override them."""

from __future__ import annotations

import argparse
import enum
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

import boto3
from botocore.exceptions import NoRegionError

from compact_parquet.config import ENGINES, ConfigError, Settings, resolve_engine
from compact_parquet.engines import make_engine
from compact_parquet.hours import BadHour, Hour

PROG = "compact_parquet"
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


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
        description="Compact one hour of the JSON table into Parquet/Snappy under TARGET_LOCATION (replacing it).",
    )
    parser.add_argument("--hour", required=True, help="the UTC hour to compact, e.g. 2026-11-28T10")
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
    parser.add_argument("--workgroup", help="Athena workgroup (default: $ATHENA_WORKGROUP)")
    parser.add_argument("--query-timeout", type=int, help="seconds per Athena query (default: $QUERY_TIMEOUT_SECONDS)")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        hour = Hour.parse(args.hour)
        settings = Settings.from_env(
            engine=args.engine or _env_engine(),
            glue_database=args.database,
            source_table=args.source_table,
            target_table=args.target_table,
            target_location=args.target_location,
            athena_workgroup=args.workgroup,
            query_timeout_s=args.query_timeout,
        )
    except (BadHour, ConfigError) as exc:
        return _fail(f"{exc}", ExitCode.USAGE)
    engine_name = resolve_engine(settings.engine)
    region = os.environ.get("AWS_REGION", "").strip()
    if region and not REGION.fullmatch(region):
        return _fail(f"AWS_REGION={region!r} is not an AWS region such as us-east-1; fix or unset it", ExitCode.USAGE)
    try:
        # boto3 reads AWS_DEFAULT_REGION and the config file; AWS_REGION (the Lambda and harness convention) too.
        session = boto3.Session(region_name=region or None)
        engine = make_engine(settings, engine_name, session)
        result = engine.compact(hour, dry_run=args.dry_run)
    except NoRegionError:
        return _fail("no AWS region configured; set AWS_REGION (e.g. AWS_REGION=us-east-1)", ExitCode.USAGE)
    except KeyboardInterrupt:
        return _fail(
            "interrupted; re-run the same hour to finish it (runs replace, never append)", ExitCode.INTERRUPTED
        )
    except Exception as exc:
        if args.debug:
            raise
        return _fail(f"{hour} ({engine_name} engine): {exc}; re-run with --debug for a traceback", ExitCode.ERROR)
    if args.dry_run:
        print("\n\n".join(s if s.startswith("--") else f"{s};" for s in result.statements))
    print(result.summary())
    return ExitCode.OK


def _env_engine() -> str:
    return os.environ.get("COMPACTION_ENGINE", "").strip() or "auto"


def _fail(message: str, code: ExitCode) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
