"""Drill: the producer streams into the deployed stack while Kinesis throttles and fails under it.

The producer runs for real (`producer.app.run` with the client its CLI makes) against the stack on the emulator;
botocore hooks on that client (tests/drills/faults.py) refuse ~30% of the records of each PutRecords call with
ProvisionedThroughputExceededException and fail one call in five whole (throttled, 500, 503, connection
dropped, response lost after delivery). Then the records Firehose wrote to S3 are counted against the input.
"""

from __future__ import annotations

import io

import pytest

from producer.app import RunConfig, make_client, run
from producer.errors import ExitCode
from producer.pipeline import Options
from tests.drills.conftest import (
    DrillResult,
    data_root,
    lake_delivery,
    producer_summary,
    sample_sent,
)
from tests.drills.faults import RESPONSE_LOST, KinesisFaults

pytestmark = [pytest.mark.drill, pytest.mark.integration]

RECORDS = 2000
OPTIONS = Options(max_count=RECORDS, batch_size=100, concurrency=4)  # 20 batches: enough calls for every fault


def config(stack) -> RunConfig:
    return RunConfig(
        service="kinesis",
        stream_name=stack.outputs["kinesis_stream_name"],
        input_file=data_root() / "online_retail_sample.csv",
        region=stack.target.region,
        endpoint_url=stack.target.endpoint_url,
        options=OPTIONS,
    )


def test_producer_under_throttling_and_partial_failures_loses_no_record(drill_stack, record_drill):
    # given: an empty lake, and the producer's client answering with faults
    drill_stack.empty_data()
    expected = sample_sent(RECORDS)
    faults = KinesisFaults(record_fail_ratio=0.3, call_fault_every=5)
    client = faults.attach(make_client("kinesis", drill_stack.target.region, drill_stack.target.endpoint_url, 4))

    # when
    stderr = io.StringIO()
    code = run(config(drill_stack), client=client, stderr=stderr)

    # then: every record the producer did not report as failed is in S3
    summary = producer_summary(stderr.getvalue())
    failed, retried = summary["failed"], summary["retried"]
    s3, outputs = drill_stack.client("s3"), drill_stack.outputs
    arrived, duplicates, foreign = lake_delivery(s3, outputs, expected, failed)
    record_drill(
        DrillResult(
            drill="producer: 30% records throttled, 1 call in 5 failed",
            unit="records",
            sent=sum(expected.values()),
            arrived=arrived,
            reported=failed,
            duplicates=duplicates,
            note=f"exit {int(code)}; {faults.summary()}; {retried} records resent; duplicates: lost responses"
            + (f"; {foreign} records in S3 that were never sent" if foreign else ""),
        )
    )
    assert code in (ExitCode.OK, ExitCode.PARTIAL), f"got exit {code}, expected 0 or 3:\n{stderr.getvalue()}"
    assert faults.refused_records > 0.2 * RECORDS, f"got {faults.refused_records} refusals: the drill was too gentle"
    assert len(faults.call_faults) == 5, f"got call faults {dict(faults.call_faults)}, expected all five kinds"
    assert duplicates <= faults.lost_responses_records, (
        f"got {duplicates} duplicates, expected at most the {faults.lost_responses_records} records whose "
        f"response was lost ({RESPONSE_LOST}): only those may be sent twice"
    )
