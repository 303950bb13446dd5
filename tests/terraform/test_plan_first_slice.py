"""Plan-level checks of the data lake, the stream and Firehose as the root stack wires them (no apply)."""

from __future__ import annotations

import json

import pytest

from tests.harness import planned as resource
from tests.harness import random_prefix

pytestmark = pytest.mark.plan

LAB_PREFIX = "00-retail-trans/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
LAB_ERROR_PREFIX = (
    "00-error/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
    "!{firehose:error-output-type}"
)


@pytest.fixture(scope="module")
def plan(plan_of):
    return plan_of("terraform")  # shared with test_plan_analytics


@pytest.fixture(scope="module")
def sse_s3_plan(plan_of):
    """With SSE-S3 the lake's bucket policy is known at plan (with the default SSE-KMS it names the key created in
    the same apply, so the whole policy is known only after it)."""
    return plan_of("terraform", bucket_sse_algorithm="AES256")


@pytest.fixture(scope="module")
def default_plan(make_stack):
    """The stack with every default, as `make plan` would see it (the lab's names)."""
    return make_stack("terraform").plan()


def test_default_names_follow_the_lab(default_plan):
    stream = resource(default_plan, "module.kinesis_stream.aws_kinesis_stream.this")
    firehose = resource(default_plan, "module.firehose.aws_kinesis_firehose_delivery_stream.this")
    assert stream["name"] == "retail-trans", f"got {stream['name']}, expected retail-trans"
    assert firehose["name"] == "uk-online-retail-trans", f"got {firehose['name']}, expected uk-online-retail-trans"


def test_bucket_encrypts_with_a_customer_managed_key(plan):
    sse = resource(plan, "module.data_lake.aws_s3_bucket_server_side_encryption_configuration.this")
    default = sse["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "aws:kms", f"got {default['sse_algorithm']}, expected aws:kms"
    key = resource(plan, "module.data_lake.module.kms_key[0].aws_kms_key.this")
    assert key["enable_key_rotation"] is True, "got rotation off, expected the bucket key to rotate"


def test_bucket_blocks_every_kind_of_public_access(plan):
    block = resource(plan, "module.data_lake.aws_s3_bucket_public_access_block.this")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    assert all(block[f] is True for f in flags), f"got {block}, expected all four flags true"


def test_bucket_policy_denies_requests_without_tls(sse_s3_plan):
    policy = json.loads(resource(sse_s3_plan, "module.data_lake.aws_s3_bucket_policy.this")["policy"])
    denies = {s["Sid"]: s for s in policy["Statement"] if s["Effect"] == "Deny"}
    tls = denies.get("DenyInsecureTransport")
    assert tls, f"got statements {list(denies)}, expected DenyInsecureTransport"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, f"got {tls['Condition']}"


def test_bucket_versioning_is_enabled(plan):
    versioning = resource(plan, "module.data_lake.aws_s3_bucket_versioning.this")
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"


def test_lifecycle_expires_errors_failed_batches_staging_and_athena_results(plan):
    rules = resource(plan, "module.data_lake.aws_s3_bucket_lifecycle_configuration.this")["rule"]
    expiring = {r["filter"][0]["prefix"]: r["expiration"][0]["days"] for r in rules if r["expiration"]}
    expected = {"00-error/": 30, "aws/lambda/": 30, "compaction/staging/": 7, "athena-results/": 7}
    assert expiring == expected, f"got {expiring}, expected {expected}"


def test_stream_is_on_demand_and_encrypted(plan):
    stream = resource(plan, "module.kinesis_stream.aws_kinesis_stream.this")
    assert stream["stream_mode_details"][0]["stream_mode"] == "ON_DEMAND"
    assert stream["encryption_type"] == "KMS", f"got {stream['encryption_type']}, expected KMS"


def test_stream_has_a_rotating_key_of_its_own(plan):
    key = resource(plan, "module.kinesis_stream.module.kms_key[0].aws_kms_key.this")
    alias = resource(plan, "module.kinesis_stream.module.kms_key[0].aws_kms_alias.this")
    stream = resource(plan, "module.kinesis_stream.aws_kinesis_stream.this")
    assert key["enable_key_rotation"] is True, "got rotation off, expected the stream key to rotate"
    assert alias["name"] == f"alias/kinesis-{stream['name']}", f"got {alias['name']}"


def test_firehose_reads_the_stream_and_uses_the_lab_prefixes(plan):
    firehose = resource(plan, "module.firehose.aws_kinesis_firehose_delivery_stream.this")
    s3 = firehose["extended_s3_configuration"][0]
    # The stream's ARN is only known after apply, so the source block is planned as unknown.
    change = plan.resource_changes["module.firehose.aws_kinesis_firehose_delivery_stream.this"]["change"]
    source = firehose.get("kinesis_source_configuration") or change["after_unknown"].get("kinesis_source_configuration")
    assert source, "got no Kinesis source, expected the stream to feed Firehose"
    assert s3["prefix"] == LAB_PREFIX, f"got {s3['prefix']}"
    assert s3["error_output_prefix"] == LAB_ERROR_PREFIX, f"got {s3['error_output_prefix']}"
    assert (s3["buffering_size"], s3["buffering_interval"]) == (1, 60), "expected the lab's 1 MB / 60 s buffering"
    assert s3["compression_format"] == "UNCOMPRESSED"
    assert s3["cloudwatch_logging_options"][0]["enabled"] is True


def test_firehose_log_group_and_stream_are_created(plan):
    group = resource(plan, "module.firehose.aws_cloudwatch_log_group.this")
    assert group["name"].startswith("/aws/kinesisfirehose/"), f"got {group['name']}"
    assert group["retention_in_days"] == 365, f"got {group['retention_in_days']}, expected a year"
    assert resource(plan, "module.firehose.aws_cloudwatch_log_stream.destination")["name"] == "DestinationDelivery"


def test_direct_put_variant_encrypts_inside_firehose(make_stack):
    plan = make_stack("terraform", tf_vars={"name_prefix": random_prefix(), "firehose_source": "direct_put"}).plan()
    firehose = resource(plan, "module.firehose.aws_kinesis_firehose_delivery_stream.this")
    assert firehose["kinesis_source_configuration"] == [], "got a Kinesis source, expected Direct PUT"
    assert firehose["server_side_encryption"][0]["enabled"] is True
