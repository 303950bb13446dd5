"""Plan-level checks of the firehose_s3 module's IAM and options, with literal inputs (tests/fixtures/firehose_s3)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.harness import planned

pytestmark = pytest.mark.plan
REGION_ACCOUNT = "<region>:<account>"


@pytest.fixture(scope="module")
def prefix(plan_prefix) -> str:
    return plan_prefix


@pytest.fixture(scope="module")
def plan(plan_of):
    return plan_of("tests/fixtures/firehose_s3")  # shared with test_security_baseline


def role_policy(plan, module: str) -> dict[str, dict[str, Any]]:
    policy = json.loads(planned(plan, f"module.{module}.aws_iam_role_policy.this")["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_role_actions_are_never_wildcards(plan):
    for module in ("from_stream", "direct_put", "event_time_parquet"):
        actions = [a for s in role_policy(plan, module).values() for a in as_list(s["Action"])]
        assert not [a for a in actions if "*" in a], f"{module}: got wildcard actions in {actions}"


def test_role_writes_only_under_the_two_prefixes(plan):
    objects = sorted(as_list(role_policy(plan, "from_stream")["WriteUnderPrefixes"]["Resource"]))
    suffixes = sorted(o.split("-lake/", 1)[1] for o in objects)
    assert suffixes == ["00-error/year=*", "00-retail-trans/year=*"], f"got {suffixes}"


def test_role_reads_exactly_the_source_stream(plan):
    statement = role_policy(plan, "from_stream")["ReadSourceStream"]
    resources = as_list(statement["Resource"])
    assert len(resources) == 1, f"got {resources}, expected only the source stream"
    assert re.fullmatch(r"arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream/t[0-9a-f]{6}-trans", resources[0]), (
        f"got {resources[0]}"
    )
    assert "kinesis:PutRecord" not in as_list(statement["Action"]), "Firehose only reads the stream"


def test_role_invokes_exactly_the_record_processor(plan, prefix):
    statement = role_policy(plan, "from_stream")["InvokeRecordProcessor"]
    arn = f"arn:aws:lambda:{REGION_ACCOUNT}:function:{prefix}-validate"
    anywhere = re.compile(r"lambda:[a-z0-9-]+:\d{12}:")
    resources = [anywhere.sub(f"lambda:{REGION_ACCOUNT}:", r) for r in as_list(statement["Resource"])]
    assert sorted(resources) == [arn, f"{arn}:*"], f"got {resources}"
    assert sorted(as_list(statement["Action"])) == ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"]
    assert "InvokeRecordProcessor" not in role_policy(plan, "direct_put"), "got a Lambda grant without a processor"


def test_record_processor_is_the_only_processor_with_awss_defaults(plan, prefix):
    stream = planned(plan, "module.from_stream.aws_kinesis_firehose_delivery_stream.this")
    (processing,) = stream["extended_s3_configuration"][0]["processing_configuration"]
    (processor,) = processing["processors"]
    parameters = {p["parameter_name"]: p["parameter_value"] for p in processor["parameters"]}
    # Only the ARN: parameters at AWS's defaults (retries, buffering) would show as changes on every plan.
    assert (processor["type"], list(parameters)) == ("Lambda", ["LambdaArn"]), f"got {processor}"
    assert parameters["LambdaArn"].endswith(f":function:{prefix}-validate"), f"got {parameters}"


def test_kms_grants_are_limited_to_their_service(plan):
    statements = role_policy(plan, "from_stream")
    s3_via = statements["EncryptObjects"]["Condition"]["StringEquals"]["kms:ViaService"]
    kinesis_via = statements["DecryptSourceStream"]["Condition"]["StringEquals"]["kms:ViaService"]
    assert s3_via.startswith("s3."), f"got {s3_via}"
    assert kinesis_via.startswith("kinesis."), f"got {kinesis_via}"


def test_bucket_key_is_usable_for_this_bucket_with_or_without_s3_bucket_keys(plan, prefix):
    # S3 Bucket Keys (the data_lake module's default) make the encryption context the bucket's ARN, not the object's.
    condition = role_policy(plan, "from_stream")["EncryptObjects"]["Condition"]["StringLike"]
    got = sorted(as_list(condition["kms:EncryptionContext:aws:s3:arn"]))
    expected = [f"arn:aws:s3:::{prefix}-lake", f"arn:aws:s3:::{prefix}-lake/*"]
    assert got == expected, f"got {got}, expected {expected}"


def test_direct_put_has_no_stream_or_kms_statements(plan):
    sids = set(role_policy(plan, "direct_put"))
    assert sids == {"LocateBucket", "WriteUnderPrefixes", "WriteDeliveryErrors"}, f"got {sorted(sids)}"


def test_role_is_assumable_only_by_firehose_for_this_account(plan):
    role = planned(plan, "module.from_stream.aws_iam_role.this")
    statement = json.loads(role["assume_role_policy"])["Statement"][0]
    assert statement["Principal"] == {"Service": "firehose.amazonaws.com"}, f"got {statement['Principal']}"
    assert "sts:ExternalId" in statement["Condition"]["StringEquals"], "expected a confused-deputy guard"


def test_event_time_partitioning_extracts_zero_padded_parts_of_invoice_date(plan):
    s3 = planned(plan, "module.event_time_parquet.aws_kinesis_firehose_delivery_stream.this")[
        "extended_s3_configuration"
    ][0]
    assert s3["dynamic_partitioning_configuration"][0]["enabled"] is True
    processors = s3["processing_configuration"][0]["processors"]
    query = {p["parameter_name"]: p["parameter_value"] for p in processors[0]["parameters"]}["MetadataExtractionQuery"]
    expected = "{year: .InvoiceDate[0:4], month: .InvoiceDate[5:7], day: .InvoiceDate[8:10], hour: .InvoiceDate[11:13]}"
    assert query == expected, f"got {query}"


def test_parquet_conversion_reads_the_glue_schema(plan):
    s3 = planned(plan, "module.event_time_parquet.aws_kinesis_firehose_delivery_stream.this")[
        "extended_s3_configuration"
    ][0]
    conversion = s3["data_format_conversion_configuration"][0]
    schema = conversion["schema_configuration"][0]
    assert (schema["database_name"], schema["table_name"]) == ("mydatabase", "retail_trans_json")
    serializer = conversion["output_format_configuration"][0]["serializer"][0]["parquet_ser_de"][0]
    assert serializer["compression"] == "SNAPPY", f"got {serializer['compression']}"
    glue = role_policy(plan, "event_time_parquet")["ReadConversionSchema"]
    assert all(":glue:" in r for r in as_list(glue["Resource"]))
