"""What arrived in the lake, read back record by record (however Firehose grouped the records into objects), and
the producer's CLI run in-process, for the tests that send through an applied stack."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from producer.cli import main
from tests.harness import wait_for

# What the producer tests send through a stack: the first 600 rows of the sample (cancellations, quotes, commas,
# unicode and empty ids among them: tests/integration/test_producer_emulator.py checks that they are).
SAMPLE_COUNT = 600


def as_multiset(records: list[dict[str, Any]]) -> list[str]:
    """Records as sorted JSON texts: equal lists mean the same multiset of records."""
    return sorted(json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records)


# Objects already read, by key and ETag (an object written again under the same key has another ETag).
ObjectCache = dict[tuple[str, str], bytes]


def objects_under(s3: Any, bucket: str, prefix: str, cache: ObjectCache | None = None) -> list[tuple[str, bytes]]:
    """(key, bytes) of every object under the prefix, fetched by a few threads. With a cache, an object read before
    is not fetched again: Firehose on the emulator writes one object per record, and the tests poll."""
    listed = [
        (item["Key"], item.get("ETag", ""))
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    known = {} if cache is None else cache
    new = [entry for entry in listed if entry not in known]
    with ThreadPoolExecutor(max_workers=8) as pool:
        known.update(zip(new, pool.map(lambda e: s3.get_object(Bucket=bucket, Key=e[0])["Body"].read(), new),
                         strict=True))  # fmt: skip
    return [(key, known[(key, etag)]) for key, etag in listed]


def delivered(s3: Any, bucket: str, prefix: str, cache: ObjectCache | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(key, record) for every JSON line of every object under the prefix."""
    return [
        (key, json.loads(line))
        for key, body in objects_under(s3, bucket, prefix, cache)
        for line in body.decode("utf-8").splitlines()
        if line.strip()
    ]


def wait_for_records(
    aws_client: Callable[[str], Any],
    outputs: dict[str, Any],
    count: int,
    keep: Callable[[dict[str, Any]], bool] = lambda record: True,
) -> list[tuple[str, dict[str, Any]]]:
    """The (key, record) pairs `keep` selects under the stack's data prefix, once there are at least `count`."""
    cache: ObjectCache = {}

    def arrived() -> list[tuple[str, dict[str, Any]]] | None:
        s3 = aws_client("s3")
        got = [(key, record) for key, record in delivered(s3, outputs["bucket_name"], outputs["data_prefix"], cache)
               if keep(record)]  # fmt: skip
        return got if len(got) >= count else None

    return wait_for(arrived, timeout=180, interval=2, what=f"{count} records in s3://{outputs['bucket_name']}")


def produce(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """`retail-producer <argv>` in this process: (exit code, stderr)."""
    code = main(list(argv))
    return code, capsys.readouterr().err
