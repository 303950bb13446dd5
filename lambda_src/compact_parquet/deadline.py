"""One deadline for a whole run: every Athena statement and every step of every hour finishes before it.

The function's deadline is its remaining time minus a safety margin (handler.py); the CLI has one only with
--time-limit. Clean-up statements (dropping a temporary table) may run a short grace past it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CLEANUP_GRACE_S = 10.0  # a DROP TABLE after the deadline still gets this long (inside the handler's margin)


class DeadlineExceeded(RuntimeError):
    """The run's deadline passed before a step could start or finish; what is not done is left for the next run."""


@dataclass
class Deadline:
    end: float = math.inf  # on `clock`'s scale; inf: no deadline
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    @classmethod
    def after(cls, seconds: float | None, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """A deadline `seconds` from now (None: none)."""
        return cls(math.inf if seconds is None else clock() + max(seconds, 0.0), clock)

    @property
    def is_set(self) -> bool:
        return self.end != math.inf

    def remaining(self) -> float:
        return self.end - self.clock()

    def check(self, before: str) -> None:
        """Raise DeadlineExceeded when no time is left to start `before`."""
        if self.remaining() <= 0:
            raise DeadlineExceeded(f"the run's deadline passed before {before}; the next run does it")
