"""Compact the delivered hours into the Parquet table with the compaction code (lambda_src/compact_parquet),
then read each hour back from both tables through Athena to show that nothing was lost.

On an emulator the engine is DuckDB (the CLI's `--engine auto` picks it when AWS_ENDPOINT_URL is set: MiniStack's
Athena has no CTAS); on AWS the function runs Athena CTAS. The result line names the engine that ran.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Any

from demo.athena import QueryRun
from tools.targets import REPO_ROOT

LAMBDA_SRC = REPO_ROOT / "lambda_src"


@dataclass
class Compaction:
    """One hour compacted, and the same totals read from the JSON and the Parquet table."""

    result: dict[str, Any]  # compact_parquet Result.as_dict(): hour, engine, status, rows, source_objects, ...
    summary: str  # the compaction CLI's own line
    reads: dict[str, QueryRun] = field(default_factory=dict)  # "json" / "parquet" -> lines and revenue of the hour

    @property
    def engine(self) -> str:
        return str(self.result["engine"])

    def as_dict(self) -> dict[str, Any]:
        return self.result | {
            "summary": self.summary,
            "reads": {table: run.as_dict() | {"sql": run.sql} for table, run in self.reads.items()},
        }


def _compact_parquet(module: str) -> Any:
    """A module of the compaction package (lambda_src is not an installed package, so it joins the path)."""
    if str(LAMBDA_SRC) not in sys.path:
        sys.path.append(str(LAMBDA_SRC))
    return importlib.import_module(f"compact_parquet.{module}")


def make_engine(
    database: str, source_table: str, target_table: str, target_location: str, workgroup: str, clients: Any
) -> Any:
    """The engine `--engine auto` picks for these clients: DuckDB on an emulator, Athena CTAS on AWS.

    `clients` is a demo.pipeline.Connection: boto3 clients bound to the target's endpoint and region.
    """
    config, engines = _compact_parquet("config"), _compact_parquet("engines")
    settings = config.Settings.from_env(
        {},
        engine="auto",
        glue_database=database,
        source_table=source_table,
        target_table=target_table,
        target_location=target_location,
        athena_workgroup=workgroup,
    )
    name = config.resolve_engine("auto", {"AWS_ENDPOINT_URL": clients.endpoint_url or ""})
    if name == "duckdb":
        return engines.DuckDBEngine(settings, clients.client("s3"), clients.client("glue"))
    return engines.make_engine(settings, name, clients.session)


def compact_hour(engine: Any, hour: str) -> Compaction:
    """Compact one hour (`2026-11-28T19`); a re-run replaces the hour's Parquet."""
    result = engine.compact(_compact_parquet("hours").Hour.parse(hour))
    return Compaction(result.as_dict(), result.summary())


def hour_totals_sql(database: str, table: str, hour: str) -> str:
    """Lines and revenue of one hour partition of a table (portable: runs on Athena and the emulator)."""
    year, month, day, hh = hour[0:4], hour[5:7], hour[8:10], hour[11:13]
    # Values come from S3 keys matched by \d patterns and Glue names validated by Terraform: no injection.
    return (
        "SELECT count(*) AS lines, round(sum(CAST(price AS DECIMAL(18, 4)) * quantity), 2) AS revenue "  # noqa: S608
        f'FROM "{database}"."{table}" '
        f"WHERE year = '{year}' AND month = '{month}' AND day = '{day}' AND hour = '{hh}'"
    )
