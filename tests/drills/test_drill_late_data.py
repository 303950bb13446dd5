"""Drill: objects arrive in an hour after it was compacted (Firehose delivers an hour's last buffer up to 15
minutes after the hour; a re-drive writes into past hours); the next scheduled run of the deployed compaction
function must find the hour changed and compact it again, so that its Parquet equals its JSON.

The drill builds its records, puts them into the stack's Kinesis stream (Firehose lands them in S3), invokes the
deployed function as the hourly schedule does (`{"time": ...}`: the previous hour and the late-data window
before it), then writes late objects into the first hour's folder as Firehose names them, and invokes the next
hourly run. The function runs on the emulator with the DuckDB engine (`compaction_engine` in env/local.tfvars:
MiniStack's Athena has no CTAS).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.drills.conftest import DrillResult
from tests.drills.lake import (
    build_records,
    compare,
    encode,
    json_rows,
    parquet_rows,
    put_records,
    reset_lake,
    row_of,
    schedule_paused,
    wait_delivered,
)

pytestmark = [pytest.mark.drill, pytest.mark.integration]

ON_TIME, LATE = 50, 7


def scheduled_event(hour: str, later_by: int) -> dict[str, Any]:
    """The event the hourly schedule sends at minute 5, `later_by` hours after `hour` began."""
    moment = datetime.strptime(hour, "%Y-%m-%dT%H") + timedelta(hours=later_by, minutes=5)
    return {"source": "aws.events", "detail-type": "Scheduled Event", "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def invoke(stack, event: dict[str, Any]) -> dict[str, Any]:
    response = stack.client("lambda").invoke(
        FunctionName=stack.outputs["compaction_function_name"], Payload=json.dumps(event).encode()
    )
    payload = json.loads(response["Payload"].read() or b"null")
    assert "FunctionError" not in response, f"got {response['FunctionError']}: {payload}"
    return payload


def write_late(stack, hour: str, records: list[dict[str, Any]]) -> None:
    """One object per record in the hour's JSON folder, named and encrypted as Firehose writes them."""
    outputs, s3 = stack.outputs, stack.client("s3")
    folder = f"{outputs['data_prefix']}year={hour[0:4]}/month={hour[5:7]}/day={hour[8:10]}/hour={hour[11:13]}/"
    for record in records:
        stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
        s3.put_object(
            Bucket=outputs["bucket_name"],
            Key=f"{folder}{outputs['firehose_name']}-1-{stamp}-{uuid.uuid4()}",
            Body=encode(record),
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=outputs["bucket_kms_key_arn"],
        )


def test_late_objects_into_a_compacted_hour_are_recompacted_by_the_next_scheduled_run(drill_stack, record_drill):
    tag = uuid.uuid4().hex[:6]
    with schedule_paused(drill_stack):
        # given: the drill's records delivered and compacted by the scheduled function
        reset_lake(drill_stack)
        on_time = build_records(ON_TIME, tag)
        put_records(drill_stack, [encode(r) for r in on_time])
        hours = sorted(wait_delivered(drill_stack, Counter(map(row_of, on_time))))
        first = invoke(drill_stack, scheduled_event(hours[-1], 1))
        # when: late objects land in the first hour, then the next hourly run comes
        late = build_records(LATE, tag, start=ON_TIME)
        write_late(drill_stack, hours[0], late)
        second = invoke(drill_stack, scheduled_event(hours[-1], 2))

    # then: the late hour was compacted again, and every hour's Parquet equals its JSON
    records = on_time + late
    compacted, objects = parquet_rows(drill_stack)
    arrived, duplicates = compare(Counter(map(row_of, records)), sum(compacted.values(), Counter()))
    rerun = {h["hour"]: h for h in second["hours"]}
    late_hour = rerun.get(hours[0], {})
    record_drill(
        DrillResult(
            drill="late objects into a compacted hour, then the next scheduled run",
            unit="rows",
            sent=len(records),
            arrived=arrived,
            reported=0,
            duplicates=duplicates,
            note=f"{ON_TIME} rows compacted by the deployed function ({first['summary']}); {LATE} late objects "
            f"into {hours[0]}; the next run: {second['summary']}",
        )
    )
    first_hours = {h["hour"]: h["status"] for h in first["hours"] if h["hour"] in hours}
    assert first_hours == dict.fromkeys(hours, "compacted"), f"got {first_hours}, expected every hour compacted"
    got = (late_hour.get("status"), late_hour.get("trigger"), late_hour.get("late_objects"))
    assert got == ("compacted", "changed", LATE), f"got {got} for {hours[0]}, expected it recompacted for late data"
    assert compacted == json_rows(drill_stack), "got Parquet rows different from the JSON rows of some hour"
    assert set(objects.values()) == {1}, f"got Parquet objects per hour {dict(objects)}, expected one per hour"
