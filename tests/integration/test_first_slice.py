"""The data lake, the stream and Firehose applied on the emulator: records put in arrive in S3, intact, from plain
PutRecords calls and from the producer's CLI (the sample's first rows, read independently with the csv module). The
Direct PUT topology is applied and checked in test_producer_emulator.py."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest

from tests.delivery import SAMPLE_COUNT, as_multiset, produce, wait_for_records
from tests.harness import left_behind, log_groups_named, random_prefix
from tests.sample_records import sample_records

pytestmark = pytest.mark.integration

PARTITION = re.compile(r"^00-retail-trans/year=(\d{4})/month=(\d{2})/day=(\d{2})/hour=(\d{2})/[^/]+$")


def plain_records(run: str, count: int) -> list[dict]:
    return [
        {
            "Invoice": f"{run}{i}",
            "StockCode": "85048",
            "Description": f'GLASS BALL, {i} "LIGHTS"',
            "Quantity": i,
            "InvoiceDate": "2009-12-01 07:45:00",
            "Price": 6.95,
            "Customer_ID": "13085.0" if i % 2 else "",
            "Country": "United Kingdom",
        }
        for i in range(count)
    ]


def encode(record: dict) -> bytes:
    return (json.dumps(record) + "\n").encode()


def assert_hour_partitions(keys: list[str], started: datetime) -> None:
    finished = datetime.now(UTC)
    for key in keys:
        match = PARTITION.match(key)
        assert match, f"got key {key}, expected 00-retail-trans/year=YYYY/month=MM/day=DD/hour=HH/<object>"
        hour = datetime(*map(int, match.groups()), tzinfo=UTC)
        assert started.replace(minute=0, second=0, microsecond=0) <= hour <= finished, (
            f"got partition {hour:%Y-%m-%d %H}h, expected the UTC arrival hour ({started:%Y-%m-%d %H}h)"
        )


@pytest.fixture(scope="module")
def kinesis_stack(make_stack):
    stack = make_stack("terraform", tf_vars={"name_prefix": random_prefix()}, var_files=["env/local.tfvars"])
    outputs = stack.apply()
    yield stack, outputs
    if not getattr(stack, "destroyed", False):
        stack.discard()


def test_apply_outputs_name_every_piece(kinesis_stack):
    _, outputs = kinesis_stack
    for name in ("bucket_name", "kinesis_stream_name", "kinesis_stream_arn", "firehose_name", "firehose_arn"):
        assert outputs.get(name), f"got no output {name}; outputs: {sorted(outputs)}"
    assert outputs["firehose_source"] == "kinesis"


def test_sample_through_kinesis_arrives_in_s3_equal_to_the_input(kinesis_stack, endpoint, target, aws_client, capsys):
    _, outputs = kinesis_stack
    # when
    code, stderr = produce(
        capsys,
        "--service-name", "kinesis",
        "--stream-name", outputs["kinesis_stream_name"],
        "--endpoint-url", endpoint,
        "--region-name", target.region,
        "--max-count", str(SAMPLE_COUNT),
    )  # fmt: skip
    # then
    assert code == 0, f"got exit {code}, expected 0; stderr: {stderr}"
    assert f"sent {SAMPLE_COUNT} of {SAMPLE_COUNT} records" in stderr, f"got {stderr!r}"
    got = [record for _, record in wait_for_records(aws_client, outputs, SAMPLE_COUNT)]
    assert as_multiset(got) == as_multiset(sample_records(SAMPLE_COUNT)), "S3 holds different records than the sample's"


def test_firehose_fed_by_kinesis_refuses_direct_puts_with_a_clear_error(kinesis_stack, endpoint, target, capsys):
    code, stderr = produce(
        capsys,
        "--service-name", "firehose",
        "--stream-name", kinesis_stack[1]["firehose_name"],
        "--endpoint-url", endpoint,
        "--region-name", target.region,
        "--max-count", "5",
    )  # fmt: skip
    assert code == 1, f"got exit {code}, expected 1; stderr: {stderr}"
    assert "reads from a Kinesis stream and takes no direct puts; send to that stream with --service-name kinesis" in (
        stderr
    ), f"got {stderr!r}"


def test_records_put_into_kinesis_arrive_in_s3_under_the_hour_prefix(kinesis_stack, aws_client):
    """Plain PutRecords, without the producer. After the producer's tests on this stack, counting its own records only
    (the producer's records are the sample's, with other invoice numbers)."""
    _, outputs = kinesis_stack
    run = uuid.uuid4().hex[:8]
    records = plain_records(run, 25)
    started = datetime.now(UTC)
    response = aws_client("kinesis").put_records(
        StreamName=outputs["kinesis_stream_name"],
        Records=[{"Data": encode(r), "PartitionKey": r["Invoice"]} for r in records],
    )
    assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} failed records"
    mine = lambda record: str(record.get("Invoice", "")).startswith(run)  # noqa: E731
    arrived = wait_for_records(aws_client, outputs, len(records), keep=mine)
    assert as_multiset([r for _, r in arrived]) == as_multiset(records), "S3 holds different records than were sent"
    assert_hour_partitions([key for key, _ in arrived], started)


def test_objects_are_encrypted_with_the_lake_key(kinesis_stack, aws_client):
    _, outputs = kinesis_stack
    s3 = aws_client("s3")
    key = s3.list_objects_v2(Bucket=outputs["bucket_name"], Prefix=outputs["data_prefix"])["Contents"][0]["Key"]
    head = s3.head_object(Bucket=outputs["bucket_name"], Key=key)
    assert head.get("ServerSideEncryption") == "aws:kms", f"got {head.get('ServerSideEncryption')}"
    assert head.get("SSEKMSKeyId") == outputs["bucket_kms_key_arn"], f"got {head.get('SSEKMSKeyId')}"


def test_bucket_policy_refuses_uploads_without_the_lake_key(kinesis_stack, aws_client):
    # MiniStack stores the bucket policy but does not enforce it: the plan tests and this read-back are the guard
    _, outputs = kinesis_stack
    policy = json.loads(aws_client("s3").get_bucket_policy(Bucket=outputs["bucket_name"])["Policy"])
    denials = {
        s["Sid"]: s["Condition"]["StringNotEquals"] for s in policy["Statement"] if s["Sid"].startswith("DenyUploads")
    }
    expected = {
        "DenyUploadsWithoutBucketEncryption": {"s3:x-amz-server-side-encryption": "aws:kms"},
        "DenyUploadsWithAnotherKmsKey": {
            "s3:x-amz-server-side-encryption-aws-kms-key-id": outputs["bucket_kms_key_arn"]
        },
    }
    assert denials == expected, f"got {denials}, expected {expected}"


def test_stream_is_encrypted_with_its_own_customer_managed_key(kinesis_stack, aws_client):
    _, outputs = kinesis_stack
    summary = aws_client("kinesis").describe_stream_summary(StreamName=outputs["kinesis_stream_name"])
    got = (summary["StreamDescriptionSummary"]["EncryptionType"], summary["StreamDescriptionSummary"].get("KeyId"))
    assert got == ("KMS", outputs["kinesis_stream_kms_key_arn"]), f"got {got}, expected the stream's key"
    key = aws_client("kms").describe_key(KeyId=outputs["kinesis_stream_kms_key_arn"])["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER", f"got {key['KeyManager']}, expected a customer managed key"
    assert outputs["kinesis_stream_kms_key_arn"] != outputs["bucket_kms_key_arn"], "expected a key of its own"


def test_firehose_role_decrypts_the_stream_only_through_kinesis(kinesis_stack, aws_client):
    _, outputs = kinesis_stack
    iam = aws_client("iam")
    role = outputs["firehose_role_arn"].rsplit("/", 1)[1]
    document = iam.get_role_policy(RoleName=role, PolicyName="delivery")["PolicyDocument"]
    statements = {s["Sid"]: s for s in (json.loads(document) if isinstance(document, str) else document)["Statement"]}
    decrypt = statements["DecryptSourceStream"]
    got = (decrypt["Action"], decrypt["Resource"], decrypt["Condition"]["StringEquals"]["kms:ViaService"])
    expected = ("kms:Decrypt", outputs["kinesis_stream_kms_key_arn"], f"kinesis.{outputs['region']}.amazonaws.com")
    assert got == expected, f"got {got}, expected {expected}"


def test_firehose_log_group_is_encrypted_with_the_operations_key(kinesis_stack, aws_client):
    _, outputs = kinesis_stack
    groups = aws_client("logs").describe_log_groups(logGroupNamePrefix=outputs["firehose_log_group"])["logGroups"]
    got = [(g["logGroupName"], g.get("kmsKeyId")) for g in groups]
    assert got == [(outputs["firehose_log_group"], outputs["operations_kms_key_arn"])], f"got {got}"


def test_second_plan_after_apply_shows_no_changes(kinesis_stack):
    stack, _ = kinesis_stack
    text = stack.plan_text()
    assert "No changes." in text, f"expected no changes after apply, got:\n{text[-2000:]}"


def test_destroy_leaves_no_bucket_stream_or_delivery_stream(kinesis_stack, aws_client):
    stack, outputs = kinesis_stack
    stack.destroy()
    stack.destroyed = True
    not_found = ("ResourceNotFoundException",)
    checks = {
        "bucket": (lambda: aws_client("s3").head_bucket(Bucket=outputs["bucket_name"]), ("404", "NoSuchBucket")),
        "stream": (
            lambda: aws_client("kinesis").describe_stream_summary(StreamName=outputs["kinesis_stream_name"]),
            not_found,
        ),
        "delivery stream": (
            lambda: aws_client("firehose").describe_delivery_stream(DeliveryStreamName=outputs["firehose_name"]),
            not_found,
        ),
        "log group": (lambda: log_groups_named(aws_client("logs"), outputs["firehose_log_group"]), ()),
    }
    left = left_behind(checks)
    assert not left, f"destroy left behind: {left}"
