"""What Firehose delivered: empty the lake's folders before a run, then poll S3 until every sent record is there.

Records are counted, not objects: real Firehose concatenates many records per object, MiniStack writes one
object per record. Each object is read once (keys never change), so a poll only reads what is new.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from demo.errors import DemoError
from demo.totals import Bucket, line_revenue

HOUR_IN_KEY = re.compile(r"year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/")
PARQUET_MAGIC = b"PAR1"
READ_THREADS = 8
POLL_INTERVAL_S = 1.0
NOTE_EVERY_S = 5.0


@dataclass
class Delivery:
    """The records found under the delivery folder, by the hour partition they landed in."""

    location: str
    hours: dict[str, Bucket] = field(default_factory=dict)  # "2026-11-28T19" -> records in that partition
    keys: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return sum(bucket.lines for bucket in self.hours.values())

    @property
    def objects(self) -> int:
        return len(self.keys)


def hour_of(key: str) -> str:
    """The hour partition of an object key, e.g. `2026-11-28T19`; `unpartitioned` when it has none."""
    match = HOUR_IN_KEY.search(key)
    return f"{match[1]}-{match[2]}-{match[3]}T{match[4]}" if match else "unpartitioned"


def tally(body: bytes) -> Bucket:
    """Lines, units and revenue of one delivered object: newline-delimited JSON records, or Parquet."""
    if body[:4] == PARQUET_MAGIC:
        return _tally_parquet(body)
    bucket = Bucket()
    for line in body.splitlines():
        if line.strip():
            record = json.loads(line)
            bucket.add(int(record["Quantity"]), line_revenue(record["Price"], record["Quantity"]))
    return bucket


def _tally_parquet(body: bytes) -> Bucket:
    import duckdb  # only for Firehose's Parquet conversion

    with tempfile.NamedTemporaryFile(suffix=".parquet") as file:
        file.write(body)
        file.flush()
        row = (
            duckdb.connect()
            .execute(
                "SELECT count(*), coalesce(sum(quantity), 0), "
                "coalesce(sum(CAST(price AS DECIMAL(18, 4)) * quantity), 0) FROM read_parquet(?)",
                [file.name],
            )
            .fetchone()
        )
    assert row is not None
    return Bucket(int(row[0]), int(row[1]), row[2])


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    return [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if not item["Key"].endswith("/")
    ]


def empty_folders(s3: Any, bucket: str, prefixes: Iterable[str]) -> int:
    """Delete every object under the prefixes (what earlier runs left); return how many."""
    removed = 0
    for prefix in dict.fromkeys(prefixes):
        keys = list_keys(s3, bucket, prefix)
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
            if response.get("Errors"):
                first = response["Errors"][0]
                raise DemoError(f"could not delete s3://{bucket}/{first.get('Key')}: {first.get('Message')}")
        removed += len(keys)
    return removed


def read_new(s3: Any, bucket: str, keys: list[str], delivery: Delivery) -> None:
    """Read the objects not seen yet and add their records to the delivery."""
    new = [key for key in keys if key not in delivery.keys]

    def read(key: str) -> tuple[str, Bucket]:
        return key, tally(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        for key, found in pool.map(read, new):
            delivery.hours.setdefault(hour_of(key), Bucket()).merge(found)
            delivery.keys.add(key)


def wait_for_records(
    s3: Any,
    bucket: str,
    prefix: str,
    expected: int,
    timeout: float,
    note: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Poll until `expected` records are under the prefix; DemoError after `timeout` seconds."""
    delivery = Delivery(f"s3://{bucket}/{prefix}")
    started = clock()
    next_note = started + NOTE_EVERY_S
    while True:
        read_new(s3, bucket, list_keys(s3, bucket, prefix), delivery)
        now = clock()
        delivery.seconds = now - started
        if delivery.records >= expected:
            return delivery
        if now - started >= timeout:
            raise DemoError(
                f"only {delivery.records:,} of {expected:,} records arrived under {delivery.location} within "
                f"{timeout:.0f} s; Firehose's errors go to its log group and the error prefix (make outputs), "
                "or raise --delivery-timeout"
            )
        if now >= next_note:
            next_note = now + NOTE_EVERY_S
            note(
                f"waiting for Firehose: {delivery.records:,} of {expected:,} records in S3 after {now - started:.0f} s"
            )
        sleep(POLL_INTERVAL_S)
