"""The producer's real CLI against the stack on the emulator: the sample's records arrive in S3 as sent.

Kinesis -> Firehose -> S3 (the default stack) and Direct PUT Firehose -> S3 (firehose_source = direct_put), the
latter also with plain PutRecordBatch calls (one applied stack per topology for the whole module).
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

from producer.cli import main
from tests.harness import random_prefix, wait_for
from tests.sample_records import sample_records

pytestmark = pytest.mark.integration

COUNT = 600  # the first 600 rows of the sample: cancellations, quotes, commas, unicode, empty ids among them
PARTITION = re.compile(r"year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/")


def canonical(records: list[dict]) -> list[str]:
    """Records as sorted JSON texts: equal lists mean the same multiset of records."""
    return sorted(json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records)


def delivered(s3, bucket: str, prefix: str) -> list[tuple[str, dict]]:
    """(key, record) for every JSON line of every object under the prefix, however Firehose grouped them."""
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("utf-8")
            found += [(obj["Key"], json.loads(line)) for line in body.splitlines() if line.strip()]
    return found


def wait_for_records(aws_client, outputs: dict, count: int, keep=lambda record: True) -> list[tuple[str, dict]]:
    def arrived():
        got = [
            (key, record)
            for key, record in delivered(aws_client("s3"), outputs["bucket_name"], outputs["data_prefix"])
            if keep(record)
        ]
        return got if len(got) >= count else None

    return wait_for(arrived, timeout=180, interval=2, what=f"{count} records in s3://{outputs['bucket_name']}")


def produce(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


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
def kinesis_stack(make_stack):
    stack = make_stack("terraform", tf_vars={"name_prefix": random_prefix()}, var_files=["env/local.tfvars"])
    outputs = stack.apply()
    yield outputs
    stack.destroy()


@pytest.fixture(scope="module")
def direct_put_stack(make_stack):
    stack = make_stack(
        "terraform",
        tf_vars={"name_prefix": random_prefix(), "firehose_source": "direct_put"},
        var_files=["env/local.tfvars"],
    )
    outputs = stack.apply()
    yield outputs
    stack.destroy()


def test_sample_through_kinesis_arrives_in_s3_equal_to_the_input(kinesis_stack, endpoint, target, aws_client, capsys):
    outputs = kinesis_stack
    # when
    code, stderr = produce(
        capsys,
        "--service-name", "kinesis",
        "--stream-name", outputs["kinesis_stream_name"],
        "--endpoint-url", endpoint,
        "--region-name", target.region,
        "--max-count", str(COUNT),
    )  # fmt: skip
    # then
    assert code == 0, f"got exit {code}, expected 0; stderr: {stderr}"
    assert f"sent {COUNT} of {COUNT} records" in stderr, f"got {stderr!r}"
    got = [record for _, record in wait_for_records(aws_client, outputs, COUNT)]
    assert canonical(got) == canonical(sample_records(COUNT)), "S3 holds different records than the sample's"


def test_firehose_fed_by_kinesis_refuses_direct_puts_with_a_clear_error(kinesis_stack, endpoint, target, capsys):
    code, stderr = produce(
        capsys,
        "--service-name", "firehose",
        "--stream-name", kinesis_stack["firehose_name"],
        "--endpoint-url", endpoint,
        "--region-name", target.region,
        "--max-count", "5",
    )  # fmt: skip
    assert code == 1, f"got exit {code}, expected 1; stderr: {stderr}"
    assert "reads from a Kinesis stream and takes no direct puts; send to that stream with --service-name kinesis" in (
        stderr
    ), f"got {stderr!r}"


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
    assert canonical(got) == canonical(sample_records(COUNT)), "S3 holds different records than the sample's"


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
    assert canonical([r for _, r in arrived]) == canonical(records), "S3 holds different records than were sent"
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
