"""The demo reads the stack's outputs by name: extra outputs are ignored, a missing one is a clear error."""

from __future__ import annotations

import json

import pytest

from demo.stack import LOST_ON_REFRESH, StackError, StackOutputs

pytestmark = pytest.mark.unit

OUTPUTS = {
    "bucket_name": "retail-us-east-1-000000000000",
    "delivery_prefix": "00-retail-trans/",
    "parquet_prefix": "parquet-retail-trans/",
    "firehose_source": "kinesis",
    "kinesis_stream_name": "retail-trans",
    "firehose_name": "uk-online-retail-trans",
    "athena_named_query_ids": {"top_countries": "5f4c8be6"},
}


def terraform_json(values: dict) -> str:
    return json.dumps({name: {"value": value, "type": "string", "sensitive": False} for name, value in values.items()})


def test_outputs_from_terraform_json_ignore_extra_outputs():
    outputs = StackOutputs.from_terraform_json(terraform_json(OUTPUTS | {"opensearch_endpoint": "x", "alarm_arns": []}))
    got = (outputs.bucket, outputs.named_query_ids)
    assert got == ("retail-us-east-1-000000000000", {"top_countries": "5f4c8be6"}), f"got {got}"


def test_missing_output_names_it_and_says_to_apply():
    outputs = StackOutputs.from_terraform_json(terraform_json({}))
    with pytest.raises(StackError, match=r"no output 'bucket_name'; run `make apply`"):
        _ = outputs.bucket


def test_empty_terraform_output_means_nothing_deployed():
    with pytest.raises(StackError, match="no output 'athena_workgroup_name'"):
        _ = StackOutputs.from_terraform_json("{}").workgroup


def test_non_json_terraform_output_is_a_clear_error():
    with pytest.raises(StackError, match="did not print JSON"):
        StackOutputs.from_terraform_json("Warning: no outputs")


@pytest.mark.parametrize(
    ("source", "expected"),
    [("kinesis", ("kinesis", "retail-trans")), ("direct_put", ("firehose", "uk-online-retail-trans"))],
)
def test_destination_follows_firehose_source(source, expected):
    got = StackOutputs(OUTPUTS | {"firehose_source": source}).destination()
    assert got == expected, f"got {got}, expected {expected}"


def test_unknown_firehose_source_is_a_clear_error():
    with pytest.raises(StackError, match="expected 'kinesis' or 'direct_put'"):
        StackOutputs(OUTPUTS | {"firehose_source": "msk"}).destination()


def test_parquet_conversion_is_detected_from_the_delivery_prefix():
    got = (
        StackOutputs(OUTPUTS).firehose_converts_to_parquet,
        StackOutputs(OUTPUTS | {"delivery_prefix": "parquet-retail-trans/"}).firehose_converts_to_parquet,
    )
    assert got == (False, True), f"got {got}"


def test_apply_failure_on_a_resource_the_emulator_lost_is_recognised():
    log = (
        "Error: reading Athena WorkGroup (retail-analytics): operation error Athena: GetWorkGroup, https response "
        "error StatusCode: 400, RequestID: 4781, InvalidRequestException: WorkGroup retail-analytics not found"
    )
    assert LOST_ON_REFRESH.search(log), "got no match for the provider's refresh error on a lost workgroup"


def test_other_apply_failures_get_no_lost_state_hint():
    log = "Error: creating S3 Bucket (retail-x): BucketAlreadyExists\n  with module.data_lake.aws_s3_bucket.this"
    assert not LOST_ON_REFRESH.search(log), "got a lost-state match for an unrelated error"
