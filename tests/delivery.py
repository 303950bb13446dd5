"""What arrived in the lake, read back record by record (however Firehose grouped the records into objects), and
the producer's CLI run in-process, for the tests that send through an applied stack."""

from __future__ import annotations

import json
from collections.abc import Callable
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


def delivered(
    s3: Any, bucket: str, prefix: str, cache: dict[tuple[str, str], list[dict[str, Any]]] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(key, record) for every JSON line of every object under the prefix. With a cache (key and ETag -> records),
    an object already read is not fetched again (Firehose writes a new object each time; on the emulator, one per
    record, so a poll would otherwise fetch every one of them again)."""
    known = {} if cache is None else cache
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            entry = (obj["Key"], obj.get("ETag", ""))
            if entry not in known:
                body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("utf-8")
                known[entry] = [json.loads(line) for line in body.splitlines() if line.strip()]
            found += [(obj["Key"], record) for record in known[entry]]
    return found


def wait_for_records(
    aws_client: Callable[[str], Any],
    outputs: dict[str, Any],
    count: int,
    keep: Callable[[dict[str, Any]], bool] = lambda record: True,
) -> list[tuple[str, dict[str, Any]]]:
    """The (key, record) pairs `keep` selects under the stack's data prefix, once there are at least `count`."""
    cache: dict[tuple[str, str], list[dict[str, Any]]] = {}

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
