"""Running Athena statements: submit, poll the query state with exponential backoff, give up at a deadline.

No fixed sleeps: the first check comes after `initial_s`, each wait doubles up to `maximum_s`, and the
last wait is cut to the deadline. A query still running at the deadline is stopped, then reported.

Each query waits at most `timeout_s` (QUERY_TIMEOUT_SECONDS), and never past the run's one deadline
(deadline.py): all statements of an invocation together stay within the function's timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compact_parquet.deadline import CLEANUP_GRACE_S, Deadline, DeadlineExceeded

SUCCEEDED, FAILED, CANCELLED = "SUCCEEDED", "FAILED", "CANCELLED"


class QueryFailed(RuntimeError):
    """Athena reported FAILED or CANCELLED; the message has its reason and the query id."""


class QueryTimeout(QueryFailed):
    """The query was still running at the deadline; it has been asked to stop."""


@dataclass(frozen=True)
class Backoff:
    initial_s: float = 0.25
    factor: float = 2.0
    maximum_s: float = 5.0


@dataclass
class Athena:
    """Statements run in one workgroup (which fixes the result location and encryption) and database."""

    client: Any
    workgroup: str
    database: str
    timeout_s: float
    backoff: Backoff = Backoff()
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    deadline: Deadline = field(default_factory=Deadline)  # the run's; none by default

    def run(self, sql: str, what: str, cleanup: bool = False) -> str:
        """Run one statement to completion; return its query id. Raises QueryFailed or QueryTimeout.

        `cleanup` statements (dropping a temporary table) may run a short grace past the run's deadline."""
        limit = self._limit(cleanup)
        if limit <= 0:
            raise DeadlineExceeded(f"the run's deadline passed before {what}; the next run does it")
        query_id = self.client.start_query_execution(
            QueryString=sql, WorkGroup=self.workgroup, QueryExecutionContext={"Database": self.database}
        )["QueryExecutionId"]
        self.wait(query_id, what, limit)
        return query_id

    def _limit(self, cleanup: bool) -> float:
        """Seconds this statement may take: its own timeout, cut to what is left of the run's deadline."""
        return min(self.timeout_s, self.deadline.remaining() + (CLEANUP_GRACE_S if cleanup else 0.0))

    def wait(self, query_id: str, what: str, limit: float | None = None) -> None:
        limit = self.timeout_s if limit is None else limit
        deadline = self.clock() + limit
        delay = self.backoff.initial_s
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
            state = status["State"]
            if state == SUCCEEDED:
                return
            if state in (FAILED, CANCELLED):
                reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage", "")
                raise QueryFailed(f"{what} {state.lower()}: {reason or 'no reason given'} (query {query_id})")
            remaining = deadline - self.clock()
            if remaining <= 0:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                if limit < self.timeout_s:
                    raise QueryTimeout(
                        f"{what} still {state.lower()} at the run's deadline ({limit:.0f} s left for it); stopped it "
                        f"(query {query_id}); the next run does it"
                    )
                raise QueryTimeout(
                    f"{what} still {state.lower()} after {self.timeout_s:.0f} s; stopped it (query {query_id}); "
                    "raise QUERY_TIMEOUT_SECONDS if the hour is that large"
                )
            self.sleep(min(delay, remaining))
            delay = min(delay * self.backoff.factor, self.backoff.maximum_s)

    def scalar(self, sql: str, what: str) -> str:
        """Run a query returning one value; return it as text."""
        query_id = self.run(sql, what)
        rows = self.client.get_query_results(QueryExecutionId=query_id, MaxResults=2)["ResultSet"]["Rows"]
        if len(rows) < 2 or not rows[1].get("Data"):
            raise QueryFailed(f"{what} returned no row (query {query_id})")
        return rows[1]["Data"][0].get("VarCharValue", "")
