"""Exit codes and the errors the user can act on (their message says what failed and what to do)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # a stage failed, or the numbers do not reconcile
    USAGE = 2  # bad flags or configuration (unknown ENV, ENV=aws, missing input file)
    INTERRUPTED = 130


class DemoError(Exception):
    """A stage failed; the message says what and what to do."""


class UsageError(DemoError):
    """The demo cannot run as configured (flags, ENV, input file)."""
