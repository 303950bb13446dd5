"""One compaction run: several hours under one lock and one deadline.

The scheduled function compacts the previous hour and every hour of the late-data window whose JSON changed
since its compaction; the CLI compacts the hours it is given. Hours run newest first; an hour that fails is
reported and the others still run; hours the deadline leaves no time for are deferred to the next run (they
still look changed to it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compact_parquet.deadline import DeadlineExceeded
from compact_parquet.engines import Engine, Result
from compact_parquet.hours import Hour
from compact_parquet.lock import LockHeld, LockLost, S3Lock

MIN_HOUR_S = 30.0  # an hour is not started with less time than this left before the deadline
HOUR_OVERHEAD_S = 300.0  # listing, staging, switching and cleaning one hour, on top of its Athena statements


@dataclass
class RunReport:
    engine: str
    results: list[Result] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # hour -> what went wrong
    deferred: list[str] = field(default_factory=list)
    locked: str | None = None  # why nothing ran: another run holds the lock

    @property
    def ok(self) -> bool:
        return not self.failed and self.locked is None

    @property
    def rows_compacted(self) -> int:
        """Rows written into the Parquet table by this run (hours left unchanged or empty write none)."""
        return sum(r.rows or 0 for r in self.results if r.status == "compacted")

    def counts(self) -> Counter[str]:
        counts = Counter(r.status for r in self.results)
        counts.update(failed=len(self.failed), deferred=len(self.deferred))
        return counts

    def summary(self) -> str:
        if self.locked:
            return f"nothing done: {self.locked}"
        counts = self.counts()
        hours = len(self.results) + len(self.failed) + len(self.deferred)
        parts = [f"{counts[k]} {k}" for k in ("compacted", "unchanged", "empty", "failed", "deferred") if counts[k]]
        late = sum(1 for r in self.results if r.trigger == "changed")
        text = f"{hours} hour(s): {', '.join(parts) or 'nothing to do'}"
        text += f" ({late} recompacted for late data)" if late else ""
        if self.failed:
            text += "; failed: " + "; ".join(f"{hour}: {why}" for hour, why in self.failed.items())
        return text + f" (engine: {self.engine})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "hours": [r.as_dict() for r in self.results],
            "counts": dict(self.counts()),
            "failed": self.failed,
            "deferred": self.deferred,
            "locked": self.locked,
            "summary": self.summary(),
        }


def hour_budget_s(query_timeout_s: float) -> float:
    """The longest one hour may take: its three Athena statements at their timeout, plus the S3 work."""
    return 3 * query_timeout_s + HOUR_OVERHEAD_S


def run_hours(
    engine: Engine,
    hours: list[Hour],
    force: bool,
    lock: S3Lock,
    on_result: Callable[[Result], None] = lambda _: None,
    on_failure: Callable[[Hour, Exception], None] = lambda *_: None,
) -> RunReport:
    """Compact the hours in order under the lock; never raises for one hour's failure (see RunReport)."""
    report = RunReport(engine.name)
    deadline = engine.deadline
    budget = hour_budget_s(engine.settings.query_timeout_s)
    try:
        lock.acquire(min(deadline.remaining(), budget))
    except LockHeld as exc:
        report.locked = str(exc)
        return report
    try:
        for index, hour in enumerate(hours):
            if deadline.is_set and deadline.remaining() < MIN_HOUR_S:
                report.deferred.extend(str(h) for h in hours[index:])
                break
            lock.renew(min(deadline.remaining(), budget))
            try:
                result = engine.compact(hour, force=force)
            except DeadlineExceeded as exc:
                on_failure(hour, exc)
                report.deferred.extend(str(h) for h in hours[index:])
                break
            except LockLost as exc:
                report.failed[str(hour)] = str(exc)
                break
            except Exception as exc:  # one hour's failure must not stop the others: it is reported
                on_failure(hour, exc)
                report.failed[str(hour)] = str(exc)
                continue
            report.results.append(result)
            on_result(result)
    finally:
        lock.release()
    return report
