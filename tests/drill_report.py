"""The failure drills' table: each drill attaches its counts to its test report, and the process that prints the
run's summary (the only process in a serial run, the controller under pytest-xdist) gathers them from the reports,
prints one table and writes reports/drills.json.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from tools.targets import REPO_ROOT

PROPERTY = "drill_result"
OUTPUT = REPO_ROOT / "reports" / "drills.json"
_results: list[DrillResult] = []


@dataclass(frozen=True)
class DrillResult:
    drill: str
    unit: str  # what is counted: records, resources, ...
    sent: int
    arrived: int
    reported: int
    duplicates: int = 0
    note: str = ""

    @property
    def lost_silently(self) -> int:
        """sent - arrived - reported: positive is a silent loss, negative an over-count (never clamped: an
        over-count would hide a loss elsewhere)."""
        return self.sent - self.arrived - self.reported


def attach(item: pytest.Item, result: DrillResult) -> None:
    """Put a drill's counts on its test's report (user_properties travel from xdist workers to the controller)."""
    item.user_properties.append((PROPERTY, asdict(result)))


def collect(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    _results.extend(DrillResult(**value) for name, value in report.user_properties if name == PROPERTY)


def summarize(terminalreporter: Any) -> None:
    if not _results or hasattr(terminalreporter.config, "workerinput"):  # a worker's summary is never shown
        return
    results = sorted(_results, key=lambda r: r.drill)
    header = ("drill", "unit", "sent", "arrived", "reported", "duplicates", "lost silently", "note")
    rows = [(r.drill, r.unit, r.sent, r.arrived, r.reported, r.duplicates, r.lost_silently, r.note) for r in results]
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]
    terminalreporter.section("failure drills")
    for line in (header, tuple("-" * w for w in widths), *rows):
        terminalreporter.write_line("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)))
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps([asdict(r) | {"lost_silently": r.lost_silently} for r in results], indent=2) + "\n")
    terminalreporter.write_line(f"written to {OUTPUT.relative_to(REPO_ROOT)}")
