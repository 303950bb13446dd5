"""Exit codes and the errors the user can act on (their message says what failed and what to do)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit status, as the AWS CLI and httpie do it."""

    OK = 0
    ERROR = 1  # the run could not start or had to stop: input file, destination, credentials, AWS errors
    USAGE = 2  # bad flags, rejected before any work
    PARTIAL = 3  # the run finished but some rows or records were not delivered (all are reported)
    INTERRUPTED = 130  # Ctrl-C


class ProducerError(Exception):
    """A failure the user can act on; the message reads `<what failed>; <what to do>`."""


class InputError(ProducerError):
    """The input file cannot be read as an Online Retail II CSV."""


class DestinationError(ProducerError):
    """The stream or delivery stream cannot take records (missing, unreachable, access denied...)."""
