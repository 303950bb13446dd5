"""The producer's real CLI against the stack on the emulator: the sample's records arrive in S3 as sent.

Direct PUT Firehose -> S3 (firehose_source = direct_put), also with plain PutRecordBatch calls (one applied stack for
the whole module). The producer through Kinesis -> Firehose -> S3 runs on test_first_slice.py's stack (the same
configuration: one apply instead of two).
S3 contents are compared as parsed records, never as object bytes or counts: MiniStack writes one
object per record, real Firehose concatenates them. The expected records are computed here from the
CSV with the csv module alone, independently of the producer's reader.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest

from tests.delivery import SAMPLE_COUNT, as_multiset, produce, wait_for_records
from tests.harness import random_prefix
from tests.sample_records import sample_records

pytestmark = pytest.mark.integration

COUNT = SAMPLE_COUNT
PARTITION = re.compile(r"year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/")


def test_expected_records_hold_the_mess_the_test_must_prove():
    records = sample_records(COUNT)
    checks = {
        "cancellation": any(r["Invoice"].startswith("C") and r["Quantity"] < 0 for r in records),
        "empty customer": any(r["Customer_ID"] == "" for r in records),
        "comma": any("," in r["Description"] for r in records),
        "quote": any('"' in r["Description"] for r in records),
        "non-ASCII": any(not r["Description"].isascii() for r in records),
        "zero price": any(r["Price"] == 0 for r in records),
    }
    missing = [name for name, present in checks.items() if not present]
    assert not missing, f"the first {COUNT} sample rows lack: {missing}; raise COUNT"


@pytest.fixture(scope="module")
def direct_put_stack(make_stack):
    stack = make_stack(
        "terraform",
        tf_vars={"name_prefix": random_prefix(), "firehose_source": "direct_put"},
        var_files=["env/local.tfvars"],
    )
    outputs = stack.apply()
    yield outputs
    stack.discard()


def test_sample_through_direct_put_arrives_in_s3_equal_to_the_input(
    direct_put_stack, endpoint, target, aws_client, capsys
):
    outputs = direct_put_stack
    code, stderr = produce(
        capsys,
        "--service-name", "firehose",
        "--stream-name", outputs["firehose_name"],
        "--endpoint-url", endpoint,
        "--region-name", target.region,
        "--max-count", str(COUNT),
        "--batch-size", "250",
    )  # fmt: skip
    assert code == 0, f"got exit {code}, expected 0; stderr: {stderr}"
    historical = lambda record: record["InvoiceDate"] < "2012"  # noqa: E731 - the other test sends "now" records
    got = [record for _, record in wait_for_records(aws_client, outputs, COUNT, keep=historical)]
    assert as_multiset(got) == as_multiset(sample_records(COUNT)), "S3 holds different records than the sample's"


def test_time_mode_now_dates_records_in_the_utc_hour_firehose_partitions_them_by(
    direct_put_stack, endpoint, target, aws_client, capsys
):
    outputs = direct_put_stack
    started = datetime.now(UTC)
    code, stderr = produce(
        capsys,
        "--service-name", "firehose",
        "--stream-name", outputs["firehose_name"],
        "--endpoint-url", endpoint,
        "--region-name", target.region,
        "--max-count", "40",
        "--time-mode", "now",
    )  # fmt: skip
    assert code == 0, f"got exit {code}, expected 0; stderr: {stderr}"
    live = lambda record: record["InvoiceDate"] >= f"{started:%Y}"  # noqa: E731
    arrived = wait_for_records(aws_client, outputs, 40, keep=live)
    expected_minutes = sorted(r["InvoiceDate"][14:] for r in sample_records(40))
    assert sorted(r["InvoiceDate"][14:] for _, r in arrived) == expected_minutes, "minutes and seconds were not kept"
    straddled_an_hour = datetime.now(UTC).hour != started.hour
    for key, record in arrived:
        partition_hour = datetime(*map(int, PARTITION.search(key).groups()), tzinfo=UTC)
        record_hour = datetime.strptime(record["InvoiceDate"][:13], "%Y-%m-%d %H").replace(tzinfo=UTC)
        assert record_hour == partition_hour or straddled_an_hour, (
            f"got InvoiceDate {record['InvoiceDate']} under {key}: not the UTC hour Firehose partitioned it by"
        )


def test_records_put_into_direct_put_firehose_arrive_in_s3_under_their_arrival_hour(direct_put_stack, aws_client):
    """PutRecordBatch straight to the delivery stream (the lab's Direct PUT), without the producer. After the
    producer's tests on this stack: their filters (historical dates, this year's) would count these records."""
    outputs = direct_put_stack
    assert outputs["firehose_source"] == "direct_put", f"got {outputs['firehose_source']}"
    run = uuid.uuid4().hex[:8]
    records = [
        {"Invoice": f"{run}{i}", "StockCode": "85048", "Description": f'GLASS BALL, {i} "LIGHTS"', "Quantity": i,
         "InvoiceDate": "2009-12-01 07:45:00", "Price": 6.95, "Customer_ID": "13085.0" if i % 2 else "",
         "Country": "United Kingdom"}
        for i in range(12)
    ]  # fmt: skip
    started = datetime.now(UTC)
    response = aws_client("firehose").put_record_batch(
        DeliveryStreamName=outputs["firehose_name"],
        Records=[{"Data": (json.dumps(r) + "\n").encode()} for r in records],
    )
    assert response["FailedPutCount"] == 0, f"got {response['FailedPutCount']} failed records"
    mine = lambda record: str(record.get("Invoice", "")).startswith(run)  # noqa: E731
    arrived = wait_for_records(aws_client, outputs, len(records), keep=mine)
    assert as_multiset([r for _, r in arrived]) == as_multiset(records), "S3 holds different records than were sent"
    finished = datetime.now(UTC)
    for key, _ in arrived:
        assert key.startswith(outputs["data_prefix"]), f"got key {key} outside {outputs['data_prefix']}"
        assert PARTITION.search(key), f"got key {key}, expected year=YYYY/month=MM/day=DD/hour=HH/ in it"
        hour = datetime(*map(int, PARTITION.search(key).groups()), tzinfo=UTC)
        assert started.replace(minute=0, second=0, microsecond=0) <= hour <= finished, (
            f"got partition {hour:%Y-%m-%d %H}h under {key}, expected the UTC arrival hour ({started:%Y-%m-%d %H}h)"
        )


def test_unknown_stream_on_the_emulator_is_one_clear_error(endpoint, target, capsys):
    name = random_prefix("missing")
    code, stderr = produce(capsys, "--stream-name", name, "--endpoint-url", endpoint, "--region-name", target.region)
    assert code == 1, f"got exit {code}, expected 1; stderr: {stderr}"
    assert stderr.strip() == (
        f"producer: error: kinesis stream '{name}' does not exist in {target.region} at {endpoint}; "
        "check --stream-name (the stack's output kinesis_stream_name)"
    ), f"got {stderr!r}"
