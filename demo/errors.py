"""Exit codes and the errors the user can act on (their message says what failed and what to do)."""

from __future__ import annotations

from tools.cli_base import Exit as ExitCode  # the shared exit codes: ERROR also when the numbers do not reconcile

__all__ = ["DemoError", "ExitCode", "UsageError"]


class DemoError(Exception):
    """A stage failed; the message says what and what to do."""


class UsageError(DemoError):
    """The demo cannot run as configured (flags, ENV, input file)."""
