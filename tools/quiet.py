"""Terraform without the wall of text: its whole output goes to a log file beside the state, and the terminal gets
a progress indication while it works, a spinner and counter on a terminal, otherwise a line every 10 s for a
minute and every 30 s after that (CI logs, `make apply > file`).

A fresh stack's plan is ~1,700 lines; `make apply` shows what changed and what to do next instead
(tools/summary.py), and the log keeps everything for when something fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tools import local_state, terraform

LINE_EVERY_S = 10.0  # without a terminal: one progress line this often in the first minute,
LINE_EVERY_LATER_S = 30.0  # then this often (a slow machine's apply still fits on a screen)
SPIN_EVERY_S = 0.2  # on a terminal: the spinner's speed
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
INTERRUPT_GRACE_S = 120.0  # Terraform got the same Ctrl-C: time it gets to stop cleanly and save its state

_DONE = re.compile(r"^\S.*: (?:Creation|Modifications|Destruction) complete after", re.MULTILINE)
_REFRESHED = re.compile(r"^\S.*: (?:Refreshing state|Reading)\.\.\.", re.MULTILINE)
_PLANNED = re.compile(r"^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    """A finished Terraform command: exit code, its whole output (also in `log`) and its wall time."""

    args: tuple[str, ...]
    code: int
    output: str
    seconds: float
    log: Path


def progress_text(command: str, output: str, elapsed: float, total: int | None = None) -> str:
    """`apply: 20 s, 12 of 41 resources done` (apply, destroy; `planning, 30 resources read` before that),
    `plan: 8 s, 30 resources read` (plan), `init: 3 s`."""
    read = f"{len(_REFRESHED.findall(output))} resources read"
    if command in ("apply", "destroy"):
        planned = _PLANNED.search(output)
        if planned:
            total = sum(int(n) for n in planned.groups())
        if not total:
            return f"{command}: {elapsed:.0f} s, planning, {read}"
        return f"{command}: {elapsed:.0f} s, {len(_DONE.findall(output))} of {total} resources done"
    if command == "plan":
        return f"{command}: {elapsed:.0f} s, {read}"
    return f"{command}: {elapsed:.0f} s"


def run_logged(
    args: Sequence[str],
    workdir: Path,
    env: Mapping[str, str],
    log: Path,
    total: int | None = None,
    stream: TextIO | None = None,
) -> Run:
    """Run one Terraform command (plain text, no prompts) with its output in `log`, showing progress on `stream`."""
    stream = stream or sys.stderr
    args = (args[0], "-no-color", *args[1:])
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("w") as sink:
        process = subprocess.Popen(  # noqa: S603 - Terraform with arguments we build
            [terraform.binary(env), *args],
            cwd=workdir,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        ticker = _Ticker(args[0], log, stream, total)
        try:
            code = ticker.follow(process, started)
        except KeyboardInterrupt:
            ticker.clear()
            shown = local_state.display(log)
            stream.write(f"{args[0]}: interrupted; letting Terraform stop cleanly and save its state (log {shown})\n")
            try:
                process.wait(timeout=INTERRUPT_GRACE_S)
            except subprocess.TimeoutExpired:
                process.terminate()
            raise
        ticker.clear()
    return Run(tuple(args), code, log.read_text(errors="replace"), time.monotonic() - started, log)


class _Ticker:
    """Shows how far the command got: a spinner line rewritten in place on a terminal, else a line now and then."""

    def __init__(self, command: str, log: Path, stream: TextIO, total: int | None) -> None:
        self.command, self.log, self.stream, self.total = command, log, stream, total
        self.terminal = stream.isatty()
        self.shown = False

    def follow(self, process: subprocess.Popen[bytes], started: float) -> int:
        ticks = 0
        while True:
            if self.terminal:
                every = SPIN_EVERY_S
            else:
                every = LINE_EVERY_S if time.monotonic() - started < 60 else LINE_EVERY_LATER_S
            try:
                return process.wait(timeout=every)
            except subprocess.TimeoutExpired:
                ticks += 1
                text = progress_text(
                    self.command, self.log.read_text(errors="replace"), time.monotonic() - started, self.total
                )
                if self.terminal:
                    self.stream.write(f"\r\033[K{SPINNER[ticks % len(SPINNER)]} {text}")
                    self.shown = True
                else:
                    self.stream.write(f"{text} (log {local_state.display(self.log)})\n" if ticks == 1 else f"{text}\n")
                self.stream.flush()

    def clear(self) -> None:
        if self.terminal and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def confirmed(question: str) -> bool:
    """Ask on stderr, read one line from stdin (a terminal or a pipe): only `yes` is yes."""
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer:
        print(file=sys.stderr)
    return answer.strip() == "yes"
