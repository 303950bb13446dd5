"""Records on the wire: the contract record encoded as JSON, CSV or TSV, each ending in exactly one newline.

JSON is the data contract (one UTF-8 object per record, keys in contract order). CSV and TSV exist for
compatibility with the lab's generator; they are written with the csv module, so commas, tabs, quotes
and newlines inside a field are quoted instead of breaking the record.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from producer.contract import encode_json  # the contract's encoding, generated with the field list
from producer.reader import FIELDS

FORMATS = ("json", "csv", "tsv")
PARTITION_KEYS = ("random", "invoice")
TIME_MODES = ("keep", "now")
MAX_PARTITION_KEY_CHARS = 256  # Kinesis' limit

Encoder = Callable[[dict[str, Any]], bytes]


@dataclass(slots=True)
class Entry:
    """One record ready to send: its bytes, its Kinesis partition key, and where it came from."""

    data: bytes
    key: str
    line: int
    fields: list[str]
    size_with_key: int = -1  # bytes of data and partition key (UTF-8), which Kinesis counts; -1: not computed

    def __post_init__(self) -> None:
        if self.size_with_key < 0:
            self.size_with_key = len(self.data) + len(self.key.encode("utf-8"))


class DelimitedEncoder:
    """CSV or TSV rows in contract field order, quoted by the csv module (QUOTE_MINIMAL), `\\n`-terminated."""

    def __init__(self, delimiter: str) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=delimiter, lineterminator="\n")

    def __call__(self, record: dict[str, Any]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([record[field] for field in FIELDS])
        return self._buffer.getvalue().encode("utf-8")


def encoder_for(out_format: str) -> Encoder:
    """The encoder of one output format; each call returns the bytes of one record."""
    if out_format == "json":
        return encode_json
    if out_format == "csv":
        return DelimitedEncoder(",")
    if out_format == "tsv":
        return DelimitedEncoder("\t")
    raise ValueError(f"unknown output format {out_format!r}; use one of {', '.join(FORMATS)}")


class CurrentHour:
    """The lab's "make the data look live": InvoiceDate moved to the current hour, minutes and seconds kept.

    The clock is UTC, the clock Firehose partitions by (the lab used the host's local time, so its hour
    partitions and its InvoiceDate disagreed everywhere but in UTC). A record can therefore be up to
    59:59 ahead of the wall clock, as in the lab.
    """

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._hour: tuple[int, int, int, int] | None = None
        self._prefix = ""

    def __call__(self, invoice_date: str) -> str:
        now = self._clock()
        if now.tzinfo is not None:
            now = now.astimezone(UTC)
        hour = (now.year, now.month, now.day, now.hour)
        if hour != self._hour:
            self._hour, self._prefix = hour, now.strftime("%Y-%m-%d %H:")
        return self._prefix + invoice_date[14:19]


class EntryBuilder:
    """Turns contract records into entries: optional time rewrite, encoding, partition key."""

    def __init__(
        self,
        out_format: str = "json",
        partition_key: str = "random",
        time_mode: str = "keep",
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if partition_key not in PARTITION_KEYS:
            raise ValueError(f"unknown partition key mode {partition_key!r}; use one of {', '.join(PARTITION_KEYS)}")
        if time_mode not in TIME_MODES:
            raise ValueError(f"unknown time mode {time_mode!r}; use one of {', '.join(TIME_MODES)}")
        self._encode = encoder_for(out_format)
        self._by_invoice = partition_key == "invoice"
        self._rewrite = CurrentHour(clock) if time_mode == "now" else None
        self._random_bits = (rng or random.Random()).getrandbits

    def __call__(self, record: dict[str, Any], line: int, fields: list[str]) -> Entry:
        """The entry; raises UnicodeEncodeError when the row held bytes that were not valid in its encoding."""
        if self._rewrite is not None:
            record["InvoiceDate"] = self._rewrite(record["InvoiceDate"])
        if self._by_invoice:
            key = record["Invoice"][:MAX_PARTITION_KEY_CHARS]
            key_bytes = len(key.encode("utf-8"))
        else:
            key, key_bytes = self._random_bits(64).to_bytes(8, "big").hex(), 16
        data = self._encode(record)
        return Entry(data, key, line, fields, len(data) + key_bytes)
