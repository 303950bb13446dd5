"""Drill: the producer streams into the deployed stack while Kinesis throttles and fails under it.

The producer runs for real (`producer.app.run` with the client its CLI makes) against the stack on the emulator;
botocore hooks on that client (tests/drills/faults.py) refuse ~30% of the records of each PutRecords call with
ProvisionedThroughputExceededException and fail one call in five whole (throttled, 500, 503, connection
dropped, response lost after delivery). Then the records Firehose wrote to S3 are counted against the input.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from producer.app import RunConfig, make_client, run
from producer.errors import ExitCode
from producer.pipeline import Options
from tests import sample_records
from tests.drills.conftest import (
    DrillResult,
    data_root,
    delivered_records,
    lake_delivery,
    producer_summary,
    sample_sent,
)
from tests.drills.faults import RESPONSE_LOST, KinesisFaults

pytestmark = [pytest.mark.drill, pytest.mark.integration]

RECORDS = 2000
OPTIONS = Options(max_count=RECORDS, batch_size=100, concurrency=4)  # 20 batches: enough calls for every fault


def config(stack, reject_file: Path | None = None) -> RunConfig:
    return RunConfig(
        reject_file=reject_file,
        service="kinesis",
        stream_name=stack.outputs["kinesis_stream_name"],
        input_file=data_root() / "online_retail_sample.csv",
        region=stack.target.region,
        endpoint_url=stack.target.endpoint_url,
        options=OPTIONS,
    )


def reported_records(reject_file: Path) -> Counter[str]:
    """The records the producer reported as not delivered, read back from its reject file with the csv module."""
    names = sample_records.header()
    with reject_file.open(encoding="utf-8", newline="") as rejects:
        rows = [row["row"] for row in csv.DictReader(rejects)]
    return Counter(
        sample_records.canonical(sample_records.record_of(dict(zip(names, next(csv.reader([row])), strict=True))))
        for row in rows
    )


def test_producer_under_throttling_and_partial_failures_loses_no_record(drill_stack, record_drill, tmp_path):
    # given: an empty lake, and the producer's client answering with faults
    drill_stack.empty_data()
    expected = sample_sent(RECORDS)
    faults = KinesisFaults(record_fail_ratio=0.3, call_fault_every=5)
    client = faults.attach(make_client("kinesis", drill_stack.target.region, drill_stack.target.endpoint_url, 4))

    # when
    stderr = io.StringIO()
    code = run(config(drill_stack, tmp_path / "rejects.csv"), client=client, stderr=stderr)

    # then: every record the producer did not report as failed is in S3
    summary = producer_summary(stderr.getvalue())
    failed, retried = summary["failed"], summary["retried"]
    s3, outputs = drill_stack.client("s3"), drill_stack.outputs
    reported = reported_records(tmp_path / "rejects.csv")
    assert sum(reported.values()) == failed, f"got {sum(reported.values())} rows in the reject file, {failed} reported"
    arrived, duplicates, foreign = lake_delivery(s3, outputs, expected, failed, reported)
    # A batch whose response was lost may have been delivered although the producer, out of retries, reported it:
    # such a record arrived *and* was reported. It is a false alarm, not a loss: counted apart, never twice.
    found = delivered_records(s3, outputs["bucket_name"], outputs["data_prefix"])
    false_alarms = sum((reported & found & expected).values())
    record_drill(
        DrillResult(
            drill="producer: 30% records throttled, 1 call in 5 failed",
            unit="records",
            sent=sum(expected.values()),
            arrived=arrived,
            reported=failed - false_alarms,
            duplicates=duplicates,
            note=f"exit {int(code)}; {faults.summary()}; {retried} records resent; duplicates: lost responses"
            + (f"; {false_alarms} reported yet delivered (response lost)" if false_alarms else "")
            + (f"; {foreign} records in S3 that were never sent" if foreign else ""),
        )
    )
    assert code in (ExitCode.OK, ExitCode.PARTIAL), f"got exit {code}, expected 0 or 3:\n{stderr.getvalue()}"
    assert faults.refused_records > 0.2 * RECORDS, f"got {faults.refused_records} refusals: the drill was too gentle"
    assert len(faults.call_faults) == 5, f"got call faults {dict(faults.call_faults)}, expected all five kinds"
    assert false_alarms <= faults.lost_responses_records, (
        f"got {false_alarms} records reported as failed yet delivered, expected at most the "
        f"{faults.lost_responses_records} whose response was lost"
    )
    assert duplicates <= faults.lost_responses_records, (
        f"got {duplicates} duplicates, expected at most the {faults.lost_responses_records} records whose "
        f"response was lost ({RESPONSE_LOST}): only those may be sent twice"
    )
