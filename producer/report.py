"""Run statistics, the summary on stderr, the reject file, and progress (a bar on a terminal, plain lines otherwise)."""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from producer.errors import ExitCode, InputError

SHOWN_PROBLEMS = 10  # problems listed in the summary; the reject file keeps them all
# A spreadsheet reads a cell that starts with one of these as a formula (=, + and - compute, @ calls a function;
# a leading tab or carriage return hides one): CSV injection, as OWASP calls it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Stats:
    """Counters of one run; only the main thread updates them."""

    rows: int = 0  # data rows read (parsed or rejected)
    records: int = 0  # records built and handed to the sender (or printed, in a dry run)
    sent: int = 0
    retried: int = 0
    throttled_calls: int = 0
    calls: int = 0
    batches: int = 0
    failed: int = 0  # records not delivered
    rejected: int = 0  # rows that could not become records
    oversized: int = 0  # records over the service's size limit, never sent
    skipped: int = 0  # cancellations and returns left out on request
    elapsed: float = 0.0
    interrupted: bool = False
    aborted: str | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), the first SHOWN_PROBLEMS

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def undelivered(self) -> int:
        return self.failed + self.rejected + self.oversized

    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.INTERRUPTED
        if self.aborted:
            return ExitCode.ERROR
        if self.undelivered:
            return ExitCode.PARTIAL
        return ExitCode.OK


class Problems:
    """Rows and records that were not delivered: counted, kept for the summary, written to the reject file.

    The reject file is meant to be opened in a spreadsheet, and its rows come from untrusted input: every cell
    that a spreadsheet would run as a formula is written with a leading single quote (neutralised).
    """

    HEADER = ("line", "reason", "row")

    def __init__(self, stats: Stats, reject_file: TextIO | None = None) -> None:
        self.stats = stats
        self._writer = csv.writer(reject_file, lineterminator="\n") if reject_file else None
        if self._writer:
            self._writer.writerow(self.HEADER)

    def add(self, line: int, reason: str, fields: list[str]) -> None:
        if len(self.stats.problems) < SHOWN_PROBLEMS:
            self.stats.problems.append((line, reason))
        if self._writer:
            row = _csv_line(fields)
            self._writer.writerow((line, neutralised(reason), neutralised(row)))


def neutralised(cell: str) -> str:
    """The cell, prefixed with a single quote when it starts like a formula (OWASP's advice against CSV injection).

    Spreadsheets show the quote-prefixed cell as plain text (and hide the quote); the raw value is the cell without
    its first character. Cells that cannot be read as a formula are returned unchanged.
    """
    return f"'{cell}" if cell.startswith(FORMULA_TRIGGERS) else cell


def _csv_line(fields: list[str]) -> str:
    """The raw fields as one CSV line (what the input row held), undecodable bytes shown escaped."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue().encode("utf-8", "backslashreplace").decode("utf-8")


def open_reject_file(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write the reject file {str(path)!r}: {exc.strerror or exc}") from None


class Progress:
    """Progress on stderr: a tqdm bar on a terminal, a plain line every `interval` seconds otherwise."""

    def __init__(
        self,
        stream: TextIO = sys.stderr,
        total: int | None = None,
        enabled: bool = True,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._enabled = enabled
        self._interval = interval
        self._clock = clock
        self._bar: Any = None
        self._next = clock() + interval
        self._started = clock()
        if enabled and _is_terminal(stream):
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="rec", unit_scale=True, file=stream, leave=False, desc="sent")

    def update(self, stats: Stats, delivered: int) -> None:
        if not self._enabled:
            return
        if self._bar is not None:
            self._bar.update(delivered)
            return
        now = self._clock()
        if now >= self._next:
            self._next = now + self._interval
            rate = stats.sent / (now - self._started) if now > self._started else 0.0
            print(
                f"producer: {stats.sent} records sent, {stats.failed} failed, {stats.retried} retried ({rate:.0f}/s)",
                file=self._stream,
                flush=True,
            )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def summary_lines(stats: Stats, destination: str, dry_run: bool) -> list[str]:
    """The end-of-run report: what was sent, retried, failed, rejected, and the first problems with line numbers."""
    counts = (
        f"{stats.retried} retried, {stats.failed} failed, {stats.rejected} rejected rows, "
        f"{stats.oversized} oversized, {stats.skipped} skipped"
    )
    if stats.throttled_calls:
        counts += f" ({stats.throttled_calls} whole calls throttled or unavailable)"
    if dry_run:
        head = (
            f"producer: dry run: {stats.records} records in {stats.batches} batch{'' if stats.batches == 1 else 'es'} "
            f"would go to {destination}; "
            f"nothing was sent ({stats.rejected} rejected rows, {stats.oversized} oversized, {stats.skipped} skipped)"
        )
    else:
        head = (
            f"producer: sent {stats.sent} of {stats.records} records to {destination} in {stats.elapsed:.1f} s "
            f"({stats.rate:.0f} records/s, {stats.calls} call{'' if stats.calls == 1 else 's'}); {counts}"
        )
    lines = [head]
    for line, reason in stats.problems:
        lines.append(f"producer: line {line}: {reason}")
    hidden = stats.undelivered - len(stats.problems)
    if hidden > 0:
        lines.append(f"producer: ... and {hidden} more (--reject-file keeps them all)")
    if stats.interrupted:
        lines.append("producer: interrupted; records not listed as sent may not have been delivered")
    if stats.aborted:
        lines.append(f"producer: error: {stats.aborted}")
    elif stats.undelivered and not dry_run:
        lines.append(f"producer: error: {stats.undelivered} rows or records were not delivered (listed above)")
    return lines
