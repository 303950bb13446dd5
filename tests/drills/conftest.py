"""Failure drills: each drill breaks something on purpose and records what was sent, what arrived and what was
reported; `make drills` prints them as one table (and writes reports/drills.json). A drill fails when anything
was lost silently: sent = arrived + reported, duplicates (at-least-once delivery) counted apart.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.harness import TerraformStack, stack_factory
from tools import emulator
from tools.targets import REPO_ROOT, Target, resolve

RESULTS: list[DrillResult] = []


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
        return max(self.sent - self.arrived - self.reported, 0)


@pytest.fixture
def record_drill() -> Callable[[DrillResult], DrillResult]:
    """Record a drill's outcome for the summary table, and fail it if anything was lost silently."""

    def record(result: DrillResult) -> DrillResult:
        RESULTS.append(result)
        assert result.lost_silently == 0, (
            f"{result.drill}: {result.lost_silently} {result.unit} lost silently "
            f"(sent {result.sent}, arrived {result.arrived}, reported {result.reported})"
        )
        return result

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    header = ("drill", "unit", "sent", "arrived", "reported", "duplicates", "lost silently", "note")
    rows = [(r.drill, r.unit, r.sent, r.arrived, r.reported, r.duplicates, r.lost_silently, r.note) for r in RESULTS]
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]
    terminalreporter.section("failure drills")
    for line in (header, tuple("-" * w for w in widths), *rows):
        terminalreporter.write_line("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)))
    out = REPO_ROOT / "reports" / "drills.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([asdict(r) | {"lost_silently": r.lost_silently} for r in RESULTS], indent=2) + "\n")
    terminalreporter.write_line(f"written to {out.relative_to(REPO_ROOT)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def private_emulator() -> Iterator[emulator.MiniStack]:
    """An emulator of the drill's own, which it may stop and restart without disturbing other tests."""
    instance = emulator.MiniStack(free_port())
    instance.start(quiet=True)
    yield instance
    instance.stop(quiet=True)


@pytest.fixture(scope="module")
def private_target(private_emulator: emulator.MiniStack) -> Target:
    region = resolve().region if resolve().endpoint_url else "us-east-1"
    return Target("local", region, private_emulator.endpoint_url)


@pytest.fixture(scope="module")
def make_private_stack(
    tmp_path_factory: pytest.TempPathFactory, private_target: Target
) -> Callable[..., TerraformStack]:
    return stack_factory(tmp_path_factory.mktemp("drill-stacks"), private_target)


def data_root() -> Path:
    return REPO_ROOT / "producer" / "data"
