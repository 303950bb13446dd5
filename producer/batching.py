"""Request limits of Kinesis PutRecords and Firehose PutRecordBatch, and batches that respect them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from producer.records import Entry

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """One API's limits. Sizes are of the raw data (before base64), as the AWS documentation states them."""

    service: str
    max_records: int
    max_request_bytes: int
    max_record_bytes: int
    counts_partition_key: bool  # Kinesis counts partition keys toward both size limits

    def size(self, entry: Entry) -> int:
        return entry.size_with_key if self.counts_partition_key else len(entry.data)

    def oversize_reason(self, entry: Entry) -> str | None:
        """Why this record can never be sent, or None when it fits."""
        size = self.size(entry)
        if size > self.max_record_bytes:
            what = " (partition key included)" if self.counts_partition_key else ""
            return f"record of {size} bytes{what} is over the {self.service} limit of {self.max_record_bytes} bytes"
        return None


# PutRecords: up to 500 records, 1 MiB per record and 5 MiB per request, partition keys included.
KINESIS = Limits("kinesis", max_records=500, max_request_bytes=5 * MIB, max_record_bytes=MIB, counts_partition_key=True)
# PutRecordBatch: up to 500 records, 1,000 KiB per record and 4 MiB per request.
FIREHOSE = Limits(
    "firehose", max_records=500, max_request_bytes=4 * MIB, max_record_bytes=1000 * KIB, counts_partition_key=False
)
LIMITS = {"kinesis": KINESIS, "firehose": FIREHOSE}


def batches(entries: Iterable[Entry], limits: Limits, batch_size: int | None = None) -> Iterator[list[Entry]]:
    """Group entries in order into requests within the count and size limits.

    Every entry must fit on its own (check `Limits.oversize_reason` first); a batch closes as soon as the
    next entry would break a limit, so no request is ever refused for its size.
    """
    max_records = min(batch_size or limits.max_records, limits.max_records)
    max_request_bytes, max_record_bytes = limits.max_request_bytes, limits.max_record_bytes
    with_key = limits.counts_partition_key
    batch: list[Entry] = []
    batch_bytes = 0
    for entry in entries:
        size = entry.size_with_key if with_key else len(entry.data)
        if size > max_record_bytes:
            raise ValueError(f"record from line {entry.line} is over the size limit; filter it out first")
        if batch and (len(batch) >= max_records or batch_bytes + size > max_request_bytes):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(entry)
        batch_bytes += size
    if batch:
        yield batch
