"""Every input validation of every module and of the root stack: an invalid value fails at plan with its message.

Each module is planned through tests/fixtures/validate_<module>, which passes every validated input through from a
root variable with a valid value; a case overrides one or two of them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import tftest

from tests.harness import random_prefix

pytestmark = pytest.mark.plan

PARQUET = {"database_name": "db", "table_name": "t"}
EVENT_PREFIX = (
    "x/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/"
    "day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/"
)
KEY = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"

# (module, id, invalid inputs, a distinctive part of the module's message)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # data_lake
    ("data_lake", "bucket_name_charset", {"bucket_name": "Bad_Bucket"}, "bucket_name must be 3 to 63 characters"),
    ("data_lake", "bucket_name_dots", {"bucket_name": "bad..bucket"}, "bucket_name must not contain consecutive dots"),
    ("data_lake", "sse_algorithm", {"sse_algorithm": "aws:kms:dsse"}, 'sse_algorithm must be "aws:kms" or "AES256"'),
    ("data_lake", "kms_key_arn", {"kms_key_arn": "my-key"}, "kms_key_arn must be a KMS key ARN"),
    ("data_lake", "kms_deletion_window", {"kms_deletion_window_days": 3}, "kms_deletion_window_days must be between 7"),
    (
        "data_lake",
        "noncurrent_expiration",
        {"noncurrent_version_expiration_days": 0},
        "noncurrent_version_expiration_days must be a positive number",
    ),
    (
        "data_lake",
        "expiration_days",
        {"expiration_rules": [{"id": "a", "prefix": "a/", "days": 0.5}]},
        "expiration_rules[*].days must be whole numbers",
    ),
    (
        "data_lake",
        "expiration_prefix",
        {"expiration_rules": [{"id": "a", "prefix": "/a/", "days": 1}]},
        "expiration_rules[*].prefix must be a non-empty key prefix",
    ),
    (
        "data_lake",
        "expiration_ids",
        {"expiration_rules": [{"id": "a", "prefix": "a/", "days": 1}, {"id": "a", "prefix": "b/", "days": 1}]},
        "expiration_rules[*].id must be unique",
    ),
    (
        "data_lake",
        "abort_multipart",
        {"abort_incomplete_multipart_upload_days": 0},
        "abort_incomplete_multipart_upload_days must be at least 1",
    ),
    # kinesis_stream
    ("kinesis_stream", "name", {"name": "retail trans"}, "name must be 1 to 128 characters"),
    ("kinesis_stream", "stream_mode", {"stream_mode": "PROVISION"}, 'stream_mode must be "ON_DEMAND" or "PROVISIONED"'),
    ("kinesis_stream", "shard_count", {"shard_count": 0}, "shard_count must be a whole number from 1 to 10000"),
    ("kinesis_stream", "retention", {"retention_period_hours": 12}, "retention_period_hours must be between 24"),
    ("kinesis_stream", "kms_key_id", {"kms_key_id": "my-key"}, "kms_key_id must be a KMS alias"),
    (
        "kinesis_stream",
        "kms_deletion_window",
        {"kms_deletion_window_days": 31},
        "kms_deletion_window_days must be between 7 and 30 days",
    ),
    ("kinesis_stream", "metrics", {"shard_level_metrics": ["Bogus"]}, "shard_level_metrics may only contain"),
    # firehose_s3
    ("firehose_s3", "name", {"name": "uk online"}, "name must be 1 to 64 characters"),
    (
        "firehose_s3",
        "kinesis_stream_arn",
        {"kinesis_stream_arn": "arn:aws:sqs:us-east-1:000000000000:queue"},
        "kinesis_stream_arn must be a Kinesis stream ARN",
    ),
    ("firehose_s3", "bucket_arn", {"bucket_arn": "my-bucket"}, "bucket_arn must be an S3 bucket ARN"),
    ("firehose_s3", "prefix", {"prefix": "/data/"}, "must not start with a slash"),
    (
        "firehose_s3",
        "error_output_prefix",
        {"error_output_prefix": "errors/"},
        "error_output_prefix must contain !{firehose:error-output-type}",
    ),
    ("firehose_s3", "buffering_size_range", {"buffering_size": 0}, "buffering_size must be between 1 and 128 MiB"),
    (
        "firehose_s3",
        "buffering_size_minimum",
        {"buffering_size": 1, "parquet_conversion": PARQUET},
        "buffering_size must be at least 64 MiB when parquet_conversion",
    ),
    ("firehose_s3", "buffering_interval", {"buffering_interval": 30}, "buffering_interval must be between 60 and 900"),
    ("firehose_s3", "compression_format", {"compression_format": "LZ4"}, "compression_format must be one of"),
    (
        "firehose_s3",
        "compression_with_parquet",
        {"compression_format": "GZIP", "buffering_size": 64, "parquet_conversion": PARQUET},
        "compression_format must be UNCOMPRESSED when parquet_conversion is enabled",
    ),
    (
        "firehose_s3",
        "parquet_compression",
        {"buffering_size": 64, "parquet_conversion": PARQUET | {"compression": "LZO"}},
        "parquet_conversion.compression must be SNAPPY, GZIP or UNCOMPRESSED",
    ),
    (
        "firehose_s3",
        "timestamp_field",
        {"buffering_size": 64, "prefix": EVENT_PREFIX, "event_time_partitioning": {"timestamp_field": "Invoice Date"}},
        "event_time_partitioning.timestamp_field must be a plain JSON key",
    ),
    (
        "firehose_s3",
        "event_time_prefix",
        {"buffering_size": 64, "event_time_partitioning": {}},
        "prefix must use !{partitionKeyFromQuery:year}",
    ),
    ("firehose_s3", "log_retention", {"log_retention_days": 2}, "log_retention_days must be one of the values"),
    # glue_catalog
    ("glue_catalog", "database_name", {"database_name": "My-DB"}, "database_name must be 1 to 255 characters"),
    ("glue_catalog", "bucket_name", {"bucket_name": "B"}, "bucket_name must be an S3 bucket name"),
    ("glue_catalog", "json_table_name", {"json_table_name": "retail-json"}, "json_table_name must be 1 to 255"),
    ("glue_catalog", "json_prefix", {"json_prefix": "00-retail-trans"}, "json_prefix must be an S3 folder"),
    ("glue_catalog", "parquet_table_name", {"parquet_table_name": "Parquet"}, "parquet_table_name must be 1 to 255"),
    ("glue_catalog", "parquet_prefix", {"parquet_prefix": "/parquet/"}, "parquet_prefix must be an S3 folder"),
    ("glue_catalog", "parquet_compression", {"parquet_compression": "LZO"}, "parquet_compression must be one of"),
    (
        "glue_catalog",
        "column_names",
        {"columns": [{"name": "Invoice", "type": "string"}]},
        "every columns[*].name must be lowercase",
    ),
    (
        "glue_catalog",
        "column_types",
        {"columns": [{"name": "invoice", "type": "text"}]},
        "columns[*].type must be a Hive primitive type",
    ),
    (
        "glue_catalog",
        "column_partition_clash",
        {"columns": [{"name": "year", "type": "string"}]},
        "columns[*].name must be unique and must not be year",
    ),
    (
        "glue_catalog",
        "projection_years_range",
        {"projection_years": {"first": 1900, "last": 2030}},
        "projection_years.first and projection_years.last must be whole years",
    ),
    (
        "glue_catalog",
        "projection_years_order",
        {"projection_years": {"first": 2030, "last": 2020}},
        "projection_years.first must not be after projection_years.last",
    ),
    # athena
    ("athena", "workgroup_name", {"workgroup_name": "primary"}, "workgroup_name must be 1 to 128 characters"),
    ("athena", "results_bucket_name", {"results_bucket_name": "-lake"}, "results_bucket_name must be an S3 bucket"),
    ("athena", "results_prefix", {"results_prefix": "results"}, "results_prefix must be an S3 folder"),
    ("athena", "results_kms_key_arn", {"results_kms_key_arn": "alias/lake"}, "results_kms_key_arn must be a KMS key"),
    ("athena", "expected_bucket_owner", {"expected_bucket_owner": "12345"}, "expected_bucket_owner must be a 12-digit"),
    (
        "athena",
        "bytes_scanned_cutoff",
        {"bytes_scanned_cutoff_per_query": 1024},
        "bytes_scanned_cutoff_per_query must be a whole number of bytes, at least 10485760",
    ),
    ("athena", "engine_version", {"engine_version": "Athena engine version 2"}, "engine_version must be"),
    ("athena", "database_name", {"database_name": "my-db"}, "database_name must be 1 to 255 characters"),
    ("athena", "table_name", {"table_name": "Retail"}, "table_name must be 1 to 255 characters"),
    ("athena", "top_n", {"top_n": 0}, "top_n must be a whole number from 1 to 1000"),
]

ROOT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("aws_region", {"aws_region": "europe"}, "aws_region must look like an AWS region"),
    ("name_prefix", {"name_prefix": "Retail"}, "name_prefix must be 3 to 24 characters"),
    ("firehose_source", {"firehose_source": "sqs"}, 'firehose_source must be "kinesis" or "direct_put"'),
    (
        "firehose_prefix",
        {"firehose_prefix": "00-retail-trans/!{timestamp:yyyy}/!{timestamp:MM}/"},
        "firehose_prefix must be <folder>/year=!{timestamp:yyyy}",
    ),
    ("glue_database_name", {"glue_database_name": "my-db"}, "glue_database_name must be 1 to 255 characters"),
    ("json_table_name", {"json_table_name": "Retail"}, "json_table_name must be 1 to 255 characters"),
    ("parquet_table_name", {"parquet_table_name": "a.b"}, "parquet_table_name must be 1 to 255 characters"),
    (
        "glue_projection_years_range",
        {"glue_projection_years": {"first": 2009, "last": 2039.5}},
        "glue_projection_years.first and glue_projection_years.last must be whole years",
    ),
    (
        "glue_projection_years_order",
        {"glue_projection_years": {"first": 2039, "last": 2009}},
        "glue_projection_years.first must not be after glue_projection_years.last",
    ),
    (
        "athena_cutoff",
        {"athena_bytes_scanned_cutoff_per_query": 1},
        "athena_bytes_scanned_cutoff_per_query must be at least 10485760",
    ),
]


def plan_error(stack, tf_vars: dict[str, Any]) -> str:
    """The plan's error output as one line (Terraform wraps and frames its diagnostics)."""
    with pytest.raises(tftest.TerraformTestError) as failure:
        stack.plan(**tf_vars)
    text = str(failure.value.cmd_error or failure.value)
    return re.sub(r"\s+", " ", re.sub(r"\x1b\[[0-9;]*m|[│╷╵]", " ", text))


@pytest.fixture(scope="module")
def fixtures(make_stack):
    """One working copy per module fixture, made on first use."""
    stacks = {}

    def get(module: str):
        if module not in stacks:
            stacks[module] = make_stack(f"tests/fixtures/validate_{module}")
        return stacks[module]

    return get


@pytest.fixture(scope="module")
def root(make_stack):
    return make_stack("terraform", tf_vars={"name_prefix": random_prefix()})


@pytest.mark.parametrize("module", sorted({case[0] for case in CASES}))
def test_fixture_plans_with_its_valid_values(fixtures, module):
    plan = fixtures(module).plan()
    assert plan.resource_changes, f"{module}: the fixture's valid values planned nothing"


@pytest.mark.parametrize(
    ("module", "inputs", "message"), [(m, i, msg) for m, _, i, msg in CASES], ids=[f"{m}-{n}" for m, n, _, _ in CASES]
)
def test_invalid_module_input_fails_at_plan_with_its_message(fixtures, module, inputs, message):
    error = plan_error(fixtures(module), inputs)
    assert message in error, f"{module} {inputs}: got {error[-600:]!r}, expected the message {message!r}"


@pytest.mark.parametrize(("inputs", "message"), [c[1:] for c in ROOT_CASES], ids=[c[0] for c in ROOT_CASES])
def test_invalid_root_variable_fails_at_plan_with_its_message(root, inputs, message):
    error = plan_error(root, inputs)
    assert message in error, f"{inputs}: got {error[-600:]!r}, expected the message {message!r}"
