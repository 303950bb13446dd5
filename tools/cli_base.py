"""The command-line conventions of tools/, producer/, demo/ and bench/, in one place: exit codes and usage errors.

Every command exits with an `Exit` code and reports a usage error on one line, `<prog>: error: <what>; see
<command> --help`, as the AWS CLI and httpie do. The Lambda packages in lambda_src/ (ingest_opensearch,
compact_parquet, opensearch_bootstrap) are zipped self-contained, without this package, so they keep their own
small copies of these conventions.
"""

from __future__ import annotations

import argparse
import functools
from enum import IntEnum
from typing import Any, NoReturn


class Exit(IntEnum):
    OK = 0
    ERROR = 1  # the operation failed or could not start (the message says why)
    USAGE = 2  # bad flags or configuration, rejected before any work
    PARTIAL = 3  # finished, but some records were not delivered (each one reported); the producer
    INTERRUPTED = 130  # Ctrl-C


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line and exit 2: `<prog>: error: <what>; see <command> --help`.

    `command` is how users run it (default: prog); subcommands report under their parent's prog and command.
    """

    def __init__(self, *args: Any, command: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command = command or self.prog
        self.name = self.prog

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", functools.partial(_Subparser, parent=self))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(Exit.USAGE, f"{self.name}: error: {message}; see {self.command} --help\n")


class _Subparser(Parser):
    def __init__(self, *args: Any, parent: Parser, **kwargs: Any) -> None:
        super().__init__(*args, command=parent.command, **kwargs)
        self.name = parent.name
