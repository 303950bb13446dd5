"""Drill: the emulator is stopped and started again while the producer is streaming; nothing may be lost.

The producer sees connection errors while the emulator is down and retries them within its budget; MiniStack
saves its state on a graceful stop and restores it on start, so the stack and the delivered objects survive.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.drills.conftest import (
    DrillResult,
    data_root,
    lake_delivery,
    producer_summary,
    sample_sent,
)
from tests.harness import wait_for

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


def test_emulator_restart_mid_run_loses_no_record(private_emulator, drill_stack, record_drill):
    outputs = drill_stack.outputs
    drill_stack.empty_data()
    endpoint, stream = private_emulator.endpoint_url, outputs["kinesis_stream_name"]
    s3 = drill_stack.client("s3")
    expected = sample_sent(RECORDS)

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

    summary = producer_summary(stderr)
    failed, retried = summary["failed"], summary["retried"]
    s3 = drill_stack.client("s3")  # a new client: the old one's connections died with the emulator
    arrived, duplicates, foreign = lake_delivery(s3, outputs, expected, failed)
    record_drill(
        DrillResult(
            drill="emulator restarted mid-run (graceful stop + start)",
            unit="records",
            sent=sum(expected.values()),
            arrived=arrived,
            reported=failed,
            duplicates=duplicates,
            note=f"producer exit {producer.returncode}, {retried} records retried"
            + (f"; {foreign} records in S3 that were never sent" if foreign else ""),
        )
    )
    assert producer.returncode in (0, 3), f"producer crashed (exit {producer.returncode}):\n{stderr}"
