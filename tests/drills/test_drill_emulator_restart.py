"""Drill: the emulator is stopped and started again while the producer is streaming; nothing may be lost.

The producer sees connection errors while the emulator is down and retries them within its budget; MiniStack
saves its state on a graceful stop and restores it on start, so the stack and the delivered objects survive.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import boto3
import pytest

from tests.drills.conftest import DrillResult, data_root
from tests.harness import random_prefix, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration]

RECORDS = 2000
RATE = 400  # records/s: the run lasts ~5 s, long enough to restart the emulator in the middle


def producer_args(endpoint: str, stream: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "producer",
        "-I",
        str(data_root() / "online_retail_sample.csv"),
        "--stream-name",
        stream,
        "--endpoint-url",
        endpoint,
        "--max-count",
        str(RECORDS),
        "--rate",
        str(RATE),
        "--batch-size",
        "100",
        "--concurrency",
        "2",
    ]


def expected_records(endpoint: str, stream: str) -> Counter[str]:
    """What the run sends, from the producer's own dry run (same rows, same encoding)."""
    dry = subprocess.run([*producer_args(endpoint, stream), "--dry-run"], capture_output=True, check=True, timeout=120)
    return Counter(canonical(line) for line in dry.stdout.decode().splitlines() if line.strip())


def canonical(line: str) -> str:
    return json.dumps(json.loads(line), sort_keys=True)


def delivered_records(s3, bucket: str, prefix: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode()
            found.update(canonical(line) for line in body.splitlines() if line.strip())
    return found


def test_emulator_restart_mid_run_loses_no_record(private_emulator, make_private_stack, record_drill):
    stack = make_private_stack("terraform", tf_vars={"name_prefix": random_prefix("d")}, var_files=["env/local.tfvars"])
    outputs = stack.apply()
    endpoint, stream = private_emulator.endpoint_url, outputs["kinesis_stream_name"]
    s3 = _s3(endpoint)
    expected = expected_records(endpoint, stream)

    producer = subprocess.Popen(producer_args(endpoint, stream), stderr=subprocess.PIPE, text=True)
    wait_for(
        lambda: (
            s3.list_objects_v2(Bucket=outputs["bucket_name"], Prefix=outputs["data_prefix"])["KeyCount"] >= RECORDS // 5
        ),
        timeout=60,
        what="a fifth of the records in S3 before the restart",
    )
    assert producer.poll() is None, "the producer finished before the restart: the drill would prove nothing"
    private_emulator.stop(quiet=True)
    private_emulator.start(quiet=True)
    _, stderr = producer.communicate(timeout=300)

    failed, retried = summary_count(stderr, "failed"), summary_count(stderr, "retried")
    delivered = wait_for(
        lambda: _enough(
            delivered_records(_s3(endpoint), outputs["bucket_name"], outputs["data_prefix"]), RECORDS - failed
        ),
        timeout=120,
        what="the delivery of every record the producer reported as sent",
    )
    arrived = sum((expected & delivered).values())
    record_drill(
        DrillResult(
            drill="emulator restarted mid-run (graceful stop + start)",
            unit="records",
            sent=sum(expected.values()),
            arrived=arrived,
            reported=failed,
            duplicates=sum((delivered - expected).values()),
            note=f"producer exit {producer.returncode}, {retried} records retried",
        )
    )
    assert producer.returncode in (0, 3), f"producer crashed (exit {producer.returncode}):\n{stderr}"


def summary_count(stderr: str, word: str) -> int:
    """A count from the producer's summary line, e.g. "12 retried, 0 failed"."""
    match = re.search(rf"(\d+) {word}\b", stderr)
    return int(match.group(1)) if match else 0


def _enough(found: Counter[str], wanted: int) -> Counter[str] | None:
    return found if sum(found.values()) >= wanted else None


def _s3(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
