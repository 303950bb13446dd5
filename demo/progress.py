"""Progress on stderr: one line per stage when it ends (what it did, how long), and notes while a long one runs."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

PROG = "demo"


@dataclass
class Stage:
    """A running stage; the code inside sets `detail`, the line printed when it ends."""

    name: str
    detail: str = ""


@dataclass(frozen=True)
class StageTiming:
    name: str
    seconds: float
    detail: str
    ok: bool


@dataclass
class Progress:
    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], float] = time.monotonic
    timings: list[StageTiming] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Time the stage; print `demo [i/n] name  detail (s)` when it ends, or that it failed."""
        index = len(self.timings) + 1
        current = Stage(name)
        started = self.clock()
        try:
            yield current
        except BaseException:
            seconds = self.clock() - started
            self.timings.append(StageTiming(name, seconds, current.detail or "failed", ok=False))
            self._line(f"[{index}/{self.total}] {name:<9} failed after {seconds:.1f} s")
            raise
        seconds = self.clock() - started
        self.timings.append(StageTiming(name, seconds, current.detail, ok=True))
        self._line(f"[{index}/{self.total}] {name:<9} {current.detail} ({seconds:.1f} s)")

    def note(self, message: str) -> None:
        """An interim line while a stage runs (e.g. a heartbeat of a long apply)."""
        self._line(f"      {message}")

    def _line(self, text: str) -> None:
        print(f"{PROG} {text}", file=self.stream, flush=True)
