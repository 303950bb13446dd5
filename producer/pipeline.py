"""The run: rows in, entries built and batched, batches sent by a bounded pool of workers, everything counted.

At most two batches per worker are in flight, so memory stays flat however big the input is. Only the
main thread reads input and updates the statistics; workers only send.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import BinaryIO

from producer.batching import Limits, batches
from producer.errors import ProducerError
from producer.reader import Reject, Row, is_cancellation
from producer.records import Entry, EntryBuilder
from producer.report import Problems, Progress, Stats
from producer.sender import DeliveryAborted, Outcome, Sender

IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class Options:
    """How records are built and sent (the CLI's flags, validated)."""

    out_format: str = "json"
    partition_key: str = "random"
    time_mode: str = "keep"
    max_count: int | None = None  # records to send, after skipped and rejected rows; None: the whole input
    batch_size: int = 500
    concurrency: int = 4
    rate: float | None = None  # records per second; None: as fast as the destination takes them
    skip_cancellations: bool = False
    encoding: str = "utf-8"

    def effective_batch_size(self) -> int:
        """With a rate cap, a batch holds at most one second of records, so the cap holds within each second."""
        if self.rate is None:
            return self.batch_size
        return max(1, min(self.batch_size, int(self.rate)))


class Pacer:
    """Spaces batches so that records leave at no more than `rate` per second on average."""

    def __init__(self, rate: float | None, stop: threading.Event, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._stop = stop
        self._clock = clock
        self._start = clock()
        self._count = 0

    def wait(self, records: int) -> None:
        if self._rate is not None:
            delay = self._start + self._count / self._rate - self._clock()
            if delay > 0:
                self._stop.wait(delay)
        self._count += records


def entries(
    rows: Iterable[Row | Reject],
    builder: EntryBuilder,
    limits: Limits,
    options: Options,
    stats: Stats,
    problems: Problems,
) -> Iterator[Entry]:
    """Entries ready to send; rejected rows, skipped cancellations and oversized records are counted instead.

    When the input fails mid-way, the run is marked aborted and this generator ends normally, so what was
    already read is still batched and sent (and reported) rather than dropped with the partial batch.
    """
    built, read = 0, 0
    max_count = options.max_count
    skip_cancellations = options.skip_cancellations
    max_record_bytes, with_key = limits.max_record_bytes, limits.counts_partition_key
    try:
        for item in rows:
            read += 1
            if type(item) is Reject:
                stats.rejected += 1
                problems.add(item.line, f"rejected: {item.reason}", item.fields)
                continue
            if skip_cancellations and is_cancellation(item.record):
                stats.skipped += 1
                continue
            try:
                entry = builder(item.record, item.line, item.fields)
            except UnicodeEncodeError:
                stats.rejected += 1
                problems.add(
                    item.line,
                    f"rejected: bytes that are not valid {options.encoding}; pass the file's --encoding (e.g. latin-1)",
                    item.fields,
                )
                continue
            if (entry.size_with_key if with_key else len(entry.data)) > max_record_bytes:
                stats.oversized += 1
                problems.add(item.line, f"not sent: {limits.oversize_reason(entry)}", item.fields)
                continue
            yield entry
            built += 1
            if max_count is not None and built >= max_count:
                return
    except ProducerError as exc:
        stats.aborted = str(exc)
    finally:
        stats.rows += read


def dry_run(
    rows: Iterable[Row | Reject],
    builder: EntryBuilder,
    limits: Limits,
    options: Options,
    out: BinaryIO,
    problems: Problems,
    clock: Callable[[], float] = time.monotonic,
) -> Stats:
    """Write every record that would be sent to `out`, exactly as it would be sent; send nothing."""
    stats = problems.stats
    started = clock()
    try:
        for batch in batches(entries(rows, builder, limits, options, stats, problems), limits, options.batch_size):
            stats.batches += 1
            stats.records += len(batch)
            out.write(b"".join(entry.data for entry in batch))
    except KeyboardInterrupt:
        stats.interrupted = True
    finally:
        stats.elapsed = clock() - started
    return stats


def send(
    rows: Iterable[Row | Reject],
    builder: EntryBuilder,
    sender: Sender,
    options: Options,
    problems: Problems,
    progress: Progress,
    clock: Callable[[], float] = time.monotonic,
) -> Stats:
    """Send every record; returns the statistics (their exit_code() says how the run went)."""
    stats = problems.stats
    limits = sender.destination.limits
    stop = sender.stop
    pacer = Pacer(options.rate, stop, clock)
    in_flight: dict[Future[Outcome], list[Entry]] = {}
    started = clock()

    def collect(done: Iterable[Future[Outcome]]) -> None:
        for future in done:
            batch = in_flight.pop(future)
            if future.cancelled():
                outcome = Outcome(failed=[(entry, "not sent: the run stopped first") for entry in batch])
            else:
                try:
                    outcome = future.result()
                except DeliveryAborted as exc:
                    outcome = exc.outcome
                    if not stats.aborted:
                        stats.aborted = str(exc)
                    stop.set()
            _account(outcome, stats, problems)
            progress.update(stats, outcome.delivered)

    pool = ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="producer-send")
    held: list[Entry] = []  # a batch taken from the input but not yet handed to a worker
    try:
        for batch in batches(
            entries(rows, builder, limits, options, stats, problems), limits, options.effective_batch_size()
        ):
            held = batch
            stats.records += len(batch)
            while len(in_flight) >= IN_FLIGHT_PER_WORKER * options.concurrency and not stop.is_set():
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                collect(done)
            if stop.is_set():  # a worker hit a fatal error
                break
            pacer.wait(len(batch))
            stats.batches += 1
            in_flight[pool.submit(sender.deliver, batch)] = batch
            held = []
        if stop.is_set():
            _cancel_queued(in_flight)
        collect(wait(in_flight).done)
    except KeyboardInterrupt:
        stats.interrupted = True
        stop.set()
        _cancel_queued(in_flight)
        collect(wait(in_flight).done)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if held:
            _count_unsent(held, stats, problems)
        progress.close()
        stats.elapsed = clock() - started
    return stats


def _cancel_queued(in_flight: dict[Future[Outcome], list[Entry]]) -> None:
    for future in in_flight:
        future.cancel()


def _count_unsent(batch: list[Entry], stats: Stats, problems: Problems) -> None:
    _account(Outcome(failed=[(entry, "not sent: the run stopped first") for entry in batch]), stats, problems)


def _account(outcome: Outcome, stats: Stats, problems: Problems) -> None:
    stats.sent += outcome.delivered
    stats.retried += outcome.retried
    stats.throttled_calls += outcome.throttled_calls
    stats.calls += outcome.calls
    stats.failed += len(outcome.failed)
    for entry, reason in outcome.failed:
        problems.add(entry.line, f"not delivered: {reason}", entry.fields)
