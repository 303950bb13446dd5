"""Failure drills: each drill breaks something on purpose and records what was sent, what arrived and what was
reported; `make drills` prints them as one table and writes reports/drills.json (tests/drill_report.py,
worker-safe). A drill fails unless arrived + reported = sent exactly: fewer is a loss nobody reported, more is a
record counted twice (arrived and reported, or reported twice), which would hide a loss elsewhere. Duplicates
(at-least-once delivery) are counted apart. "sent" is counted by the drill itself, independently of the code under
test (the input read with the csv module, or the records the drill built), so a record the code drops before
sending still counts as sent.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest

from tests import drill_report, sample_records, workers
from tests.delivery import ObjectCache, objects_under
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.drill_report import DrillResult
from tests.harness import TerraformStack, random_prefix, stack_factory
from tools import emulator
from tools.targets import REPO_ROOT, Target, resolve

T = TypeVar("T")


@pytest.fixture
def record_drill(request: pytest.FixtureRequest) -> Callable[[DrillResult], DrillResult]:
    """Record a drill's outcome for the summary table, and fail it if anything was lost silently."""

    def record(result: DrillResult) -> DrillResult:
        drill_report.attach(request.node, result)
        counts = f"sent {result.sent}, arrived {result.arrived}, reported {result.reported}"
        assert result.lost_silently >= 0, (
            f"{result.drill}: {-result.lost_silently} {result.unit} counted twice ({counts}): arrived + reported "
            f"must equal sent, expected {result.sent - result.arrived} reported"
        )
        assert result.lost_silently == 0, (
            f"{result.drill}: {result.lost_silently} {result.unit} lost silently ({counts})"
        )
        return result

    return record


def started_emulator() -> Iterator[emulator.MiniStack]:
    with workers.private_emulator() as instance:
        yield instance


def target_of(instance: emulator.MiniStack) -> Target:
    region = resolve().region if resolve().endpoint_url else "us-east-1"
    return Target("local", region, instance.endpoint_url)


@pytest.fixture(scope="package")
def private_emulator() -> Iterator[emulator.MiniStack]:
    """An emulator of the drills' own, which a drill may stop and restart without disturbing other tests.

    Shared by the drills of the package (one emulator, one `drill_stack` apply); removed at the end.
    """
    yield from started_emulator()


@pytest.fixture(scope="package")
def private_target(private_emulator: emulator.MiniStack) -> Target:
    return target_of(private_emulator)


@pytest.fixture(scope="package")
def make_private_stack(
    tmp_path_factory: pytest.TempPathFactory, private_target: Target, lambda_zips: None
) -> Callable[..., TerraformStack]:
    return stack_factory(tmp_path_factory.mktemp("drill-stacks"), private_target)


@pytest.fixture(scope="module")
def isolated_target() -> Iterator[Target]:
    """An emulator for one drill module alone: for a drill whose stack must not meet another one (two stacks
    with the default names share account-wide names, e.g. the Glue database)."""
    for instance in started_emulator():
        yield target_of(instance)


@pytest.fixture(scope="module")
def make_isolated_stack(
    tmp_path_factory: pytest.TempPathFactory, isolated_target: Target, lambda_zips: None
) -> Callable[..., TerraformStack]:
    return stack_factory(tmp_path_factory.mktemp("isolated-stacks"), isolated_target)


@pytest.fixture(scope="package")
def drill_double() -> Iterator[OpenSearchBulkDouble]:
    """The OpenSearch bulk API test double the deployed ingest function writes to (no OpenSearch runs here)."""
    with OpenSearchBulkDouble() as double:
        yield double


@dataclass(frozen=True)
class DrillStack:
    """The root stack applied once on the drills' emulator, with the ingest function writing to the double."""

    outputs: dict[str, Any]
    target: Target
    double: OpenSearchBulkDouble

    def client(self, service: str, **config: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.target.endpoint_url,
            region_name=self.target.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            **config,
        )

    def empty_data(self) -> int:
        """Delete every delivered and compacted object, so a drill counts only what it sent itself."""
        s3 = self.client("s3")
        bucket = self.outputs["bucket_name"]
        return sum(empty_prefix(s3, bucket, self.outputs[name]) for name in ("data_prefix", "parquet_prefix"))


@pytest.fixture(scope="package")
def drill_stack(make_private_stack, private_target: Target, drill_double: OpenSearchBulkDouble) -> DrillStack:
    tf_vars = {"name_prefix": random_prefix("d"), "ingest_opensearch_endpoint": drill_double.url}
    stack = make_private_stack("terraform", tf_vars=tf_vars, var_files=["env/local.tfvars"])
    return DrillStack(stack.apply(), private_target, drill_double)


def empty_prefix(s3: Any, bucket: str, prefix: str) -> int:
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
    ]
    for start in range(0, len(keys), 1000):
        chunk = [{"Key": key} for key in keys[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
    return len(keys)


def canonical(line: str) -> str:
    """One record line as a comparable string (key order and spacing do not matter): `sample_records.canonical`
    of the parsed line."""
    return sample_records.canonical(json.loads(line))


def sample_sent(count: int) -> Counter[str]:
    """What a producer run over the first `count` rows of the sample sends, as a multiset: read from the CSV with
    the csv module (tests/sample_records.py), never from the producer's own reader."""
    return Counter(sample_records.canonical(record) for record in sample_records.sample_records(count))


def read_objects(s3: Any, bucket: str, prefix: str, cache: ObjectCache | None = None) -> dict[str, str]:
    """Every object under the prefix, key -> text (`objects_under`: with a cache, each object is fetched once)."""
    return {key: body.decode() for key, body in objects_under(s3, bucket, prefix, cache)}


def delivered_records(s3: Any, bucket: str, prefix: str, cache: ObjectCache | None = None) -> Counter[str]:
    """Every record line under the prefix, as a multiset."""
    found: Counter[str] = Counter()
    for body in read_objects(s3, bucket, prefix, cache).values():
        found.update(canonical(line) for line in body.splitlines() if line.strip())
    return found


def compare(expected: Counter[str], delivered: Counter[str]) -> tuple[int, int, int]:
    """(arrived, duplicates, foreign): expected records found, extra copies of them, and records never sent."""
    arrived = sum((expected & delivered).values())
    duplicates = sum(max(delivered[key] - count, 0) for key, count in expected.items())
    foreign = sum(count for key, count in delivered.items() if key not in expected)
    return arrived, duplicates, foreign


def lake_delivery(
    s3: Any, outputs: Mapping[str, Any], expected: Counter[str], failed: int, reported: Counter[str] | None = None
) -> tuple[int, int, int]:
    """Wait until the lake holds every record the producer did not report as failed (with `reported`, those very
    records; else as many as were not reported) or no new record has come for 120 s, let late copies land, and
    compare: (arrived, duplicates, foreign) as `compare` counts them. (By count alone, a reported record that was
    delivered anyway, a false alarm, can end the wait while another record is still on its way.)"""
    cache: ObjectCache = {}

    def read() -> Counter[str]:
        return delivered_records(s3, outputs["bucket_name"], outputs["data_prefix"], cache)

    arrived = lambda found: sum((expected & found).values())  # noqa: E731
    if reported is None:
        wanted = sum(expected.values()) - failed
        done = lambda found: arrived(found) >= wanted  # noqa: E731
    else:
        awaited = expected - reported
        done = lambda found: not (awaited - found)  # noqa: E731
    poll(read, done, timeout_s=120, progress=arrived)
    return compare(expected, settled(read))


def poll(
    read: Callable[[], T],
    done: Callable[[T], bool],
    timeout_s: float,
    interval_s: float = 1.0,
    progress: Callable[[T], int] | None = None,
    limit_s: float = 900,
) -> T:
    """Read until `done` says so or the time is up, and return the last read either way: a drill records what it
    found (the table then shows what is missing) rather than stopping at a timeout. With `progress`, the time is up
    only after timeout_s without progress (records still arriving on a loaded machine are waited for), or after
    limit_s in all."""
    started = last_change = time.monotonic()
    last = None
    while True:
        found = read()
        now = time.monotonic()
        if progress is not None and progress(found) != last:
            last, last_change = progress(found), now
        if done(found) or now - last_change >= timeout_s or now - started >= limit_s:
            return found
        time.sleep(interval_s)


def settled(read: Callable[[], T], pause_s: float = 2.0, timeout_s: float = 60.0) -> T:
    """What `read` returns once two reads `pause_s` apart agree (late copies have landed)."""
    previous, deadline = read(), time.monotonic() + timeout_s
    while True:
        time.sleep(pause_s)
        current = read()
        if current == previous or time.monotonic() > deadline:
            return current
        previous = current


SUMMARY = re.compile(r"^producer: sent (\d+) of (\d+) records .*?; (\d+) retried, (\d+) failed", re.MULTILINE)


def producer_summary(stderr: str) -> dict[str, int]:
    """The counts of the producer's end-of-run summary line (not of its progress lines, which come earlier)."""
    match = SUMMARY.search(stderr)
    assert match, f"got no summary line from the producer:\n{stderr[-3000:]}"
    return dict(zip(("sent", "records", "retried", "failed"), map(int, match.groups()), strict=True))


def data_root() -> Path:
    return REPO_ROOT / "producer" / "data"
