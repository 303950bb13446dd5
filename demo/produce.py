"""Stream the input through the stack with the producer (its library, the same code as `make produce`),
and total what was sent, for the reconciliation.

InvoiceDate is kept as it is in the file (`--time-mode keep`): the saved queries bucket by InvoiceDate, so the
report shows the dataset's own months and hours. Firehose still partitions by arrival time (UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from demo.errors import DemoError
from demo.totals import Totals
from producer.app import make_client
from producer.errors import ExitCode as ProducerExit
from producer.pipeline import Options, send
from producer.reader import Reject, Row, open_input, read_rows
from producer.records import EntryBuilder
from producer.report import Problems, Progress, Stats, summary_lines
from producer.sender import Sender, destination_for

TIME_MODE = "keep"


@dataclass
class Produced:
    service: str
    stream: str
    stats: Stats
    sent: Totals  # totals of the records handed to the sender
    records: list[dict[str, Any]] = field(default_factory=list)  # the records themselves (the search reconciliation)

    def as_dict(self) -> dict[str, Any]:
        s = self.stats
        return {
            "service": self.service,
            "stream": self.stream,
            "time_mode": TIME_MODE,
            "rows": s.rows,
            "sent": s.sent,
            "rejected": s.rejected,
            "failed": s.failed,
            "oversized": s.oversized,
            "retried": s.retried,
            "calls": s.calls,
            "seconds": round(s.elapsed, 3),
        }


def tap(rows: Iterable[Row | Reject], totals: Totals, records: list[dict[str, Any]]) -> Iterator[Row | Reject]:
    """Pass the rows through, adding each parsed record to the totals and the list (rejected rows are not sent)."""
    for item in rows:
        if isinstance(item, Row):
            totals.add(item.record)
            records.append(item.record)
        yield item


def produce(
    input_file: Path,
    service: str,
    stream: str,
    region: str,
    endpoint_url: str | None,
    stderr: TextIO,
) -> Produced:
    """Send every row of the file; DemoError when a record could not be delivered (rejected rows are reported)."""
    options = Options(time_mode=TIME_MODE)
    totals, records = Totals(), []
    with open_input(input_file, options.encoding) as stream_in:
        _, rows = read_rows(stream_in, str(input_file))
        client = make_client(service, region, endpoint_url, options.concurrency)
        destination = destination_for(service, client, stream)
        destination.check()
        problems = Problems(Stats())
        builder = EntryBuilder(options.out_format, options.partition_key, options.time_mode)
        progress = Progress(stderr, enabled=True)
        stats = send(tap(rows, totals, records), builder, Sender(destination), options, problems, progress)
    code = stats.exit_code()
    if code == ProducerExit.INTERRUPTED:
        raise KeyboardInterrupt
    if stats.aborted or stats.failed or stats.oversized:
        lines = summary_lines(stats, f"{service} {stream!r}", dry_run=False)
        raise DemoError("the producer did not deliver every record:\n" + "\n".join(lines))
    if stats.rejected:
        for line in summary_lines(stats, f"{service} {stream!r}", dry_run=False):
            print(line, file=stderr)
    return Produced(service, stream, stats, totals, records)
