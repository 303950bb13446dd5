"""Run Athena queries (the stack's saved ones by id, or the demo's own checks) and collect their rows.

Each query is polled with a growing interval up to a bounded timeout, then stopped; results are paged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
QUERY_TIMEOUT_S = 120.0
FIRST_POLL_S = 0.1
MAX_POLL_S = 1.0


@dataclass
class QueryRun:
    """One query execution and its result (values as Athena returns them: strings, or None for NULL)."""

    name: str
    sql: str
    execution_id: str = ""
    state: str = "NOT_STARTED"
    reason: str = ""
    seconds: float = 0.0
    columns: list[str] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)
    query_id: str | None = None  # the saved query's id, for named queries

    @property
    def ok(self) -> bool:
        return self.state == "SUCCEEDED"

    def records(self) -> list[dict[str, str | None]]:
        """The rows as {column: value}."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def as_dict(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id,
            "execution_id": self.execution_id,
            "state": self.state,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "columns": self.columns,
            "rows": self.rows,
        }


def run_query(
    athena: Any,
    run: QueryRun,
    database: str,
    workgroup: str,
    timeout: float = QUERY_TIMEOUT_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> QueryRun:
    """Start the query in the workgroup, wait for it (bounded), and fill in its state and rows."""
    started = clock()
    run.execution_id = athena.start_query_execution(
        QueryString=run.sql, QueryExecutionContext={"Database": database}, WorkGroup=workgroup
    )["QueryExecutionId"]
    interval = FIRST_POLL_S
    while True:
        status = athena.get_query_execution(QueryExecutionId=run.execution_id)["QueryExecution"]["Status"]
        run.state, run.reason = status["State"], status.get("StateChangeReason", "")
        if run.state in FINISHED:
            break
        if clock() - started >= timeout:
            athena.stop_query_execution(QueryExecutionId=run.execution_id)
            run.state, run.reason = "TIMED_OUT", f"still {run.state} after {timeout:.0f} s; stopped"
            break
        sleep(interval)
        interval = min(MAX_POLL_S, interval * 2)
    if run.ok:
        run.columns, run.rows = fetch_rows(athena, run.execution_id)
    run.seconds = clock() - started
    return run


def fetch_rows(athena: Any, execution_id: str) -> tuple[list[str], list[list[str | None]]]:
    """Column names and rows of a finished query, every page; the header row a SELECT repeats is dropped."""
    columns: list[str] = []
    rows: list[list[str | None]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
        result = page["ResultSet"]
        columns = columns or [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]]
        rows += [[cell.get("VarCharValue") for cell in row["Data"]] for row in result["Rows"]]
    if rows and rows[0] == columns:
        rows = rows[1:]
    return columns, rows


def query_order(names: Iterable[str], preferred: Iterable[str]) -> list[str]:
    """The preferred names first (those present, in that order), then any others sorted."""
    present = set(names)
    first = [name for name in preferred if name in present]
    return first + sorted(present - set(first))


def load_named_query(athena: Any, name: str, query_id: str) -> tuple[QueryRun, str]:
    """The saved query as a run to start, and its database."""
    saved = athena.get_named_query(NamedQueryId=query_id)["NamedQuery"]
    return QueryRun(name=name, sql=saved["QueryString"], query_id=query_id), saved["Database"]
