"""Exit codes and the errors the user can act on (their message says what failed and what to do)."""

from __future__ import annotations

from tools.cli_base import Exit as ExitCode  # the shared exit codes; PARTIAL: some rows or records not delivered

__all__ = ["DestinationError", "ExitCode", "InputError", "ProducerError"]


class ProducerError(Exception):
    """A failure the user can act on; the message reads `<what failed>; <what to do>`."""


class InputError(ProducerError):
    """The input file cannot be read as an Online Retail II CSV."""


class DestinationError(ProducerError):
    """The stream or delivery stream cannot take records (missing, unreachable, access denied...)."""
