"""The emulator's gaps that tools/ministack_shim.py fixes, called directly (no Terraform): each test fails on a plain
MiniStack 1.5.33, and each fix is what lets a plan after an apply show no changes without any override in modules/.

On ENV=localstack (an emulator the user runs) the gaps are whatever that emulator has: these tests are skipped.
"""

from __future__ import annotations

import pytest

from tests.harness import random_prefix

pytestmark = pytest.mark.integration

ROLE = "arn:aws:iam::000000000000:role/firehose"


@pytest.fixture(autouse=True)
def embedded_only(target):
    if not target.manages_emulator:
        pytest.skip(f"ENV={target.name}: the fixes are in the embedded emulator only")


def test_firehose_describes_the_time_zone_and_file_extension_it_stored(aws_client):
    name = random_prefix("fh")
    aws_client("s3").create_bucket(Bucket=name)
    aws_client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE,
            "BucketARN": f"arn:aws:s3:::{name}",
            "Prefix": "data/!{timestamp:yyyy}/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
            "CustomTimeZone": "UTC",
            "FileExtension": ".json",
        },
    )
    stream = aws_client("firehose").describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    destination = stream["Destinations"][0]["ExtendedS3DestinationDescription"]
    got = (destination.get("CustomTimeZone"), destination.get("FileExtension"))
    assert got == ("UTC", ".json"), f"got {got}, expected what CreateDeliveryStream stored"


def test_kinesis_create_stream_keeps_its_tags(aws_client):
    name = random_prefix("ks")
    kinesis = aws_client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"project": "retail", "owner": "data"})
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
    assert tags == {"owner": "data", "project": "retail"}, f"got {tags}, expected the tags of CreateStream"


def test_opensearch_domain_returns_the_log_publishing_options_of_create_and_update(aws_client):
    name = random_prefix("os")
    opensearch = aws_client("opensearch")
    group = f"arn:aws:logs:us-east-1:000000000000:log-group:/aws/opensearch/{name}"
    created = {"AUDIT_LOGS": {"CloudWatchLogsLogGroupArn": f"{group}/audit", "Enabled": True}}
    opensearch.create_domain(DomainName=name, EngineVersion="OpenSearch_2.19", LogPublishingOptions=created)
    got = opensearch.describe_domain(DomainName=name)["DomainStatus"].get("LogPublishingOptions")
    assert got == created, f"got {got} after create"

    updated = created | {"ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": f"{group}/app", "Enabled": True}}
    opensearch.update_domain_config(DomainName=name, LogPublishingOptions=updated)
    got = opensearch.describe_domain(DomainName=name)["DomainStatus"].get("LogPublishingOptions")
    assert got == updated, f"got {got} after update"
    opensearch.delete_domain(DomainName=name)
