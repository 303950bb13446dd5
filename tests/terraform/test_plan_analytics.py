"""Plan-level checks of the analytics wiring in the root stack: Glue tables and Firehose agree for every flag."""

from __future__ import annotations

import re

import pytest

from tests.harness import planned, planned_resources, random_prefix
from tests.record_contract import DATE_FIELDS, glue_columns

pytestmark = pytest.mark.plan

FIREHOSE = "module.firehose.aws_kinesis_firehose_delivery_stream.this"
JSON_TABLE = "module.glue_catalog.aws_glue_catalog_table.json"
PARQUET_TABLE = "module.glue_catalog.aws_glue_catalog_table.parquet[0]"
WORKGROUP = "module.athena.aws_athena_workgroup.this"
ARRIVAL = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
EVENT = (
    "year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/"
    "day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/"
)
# What each Firehose expression becomes in a table's storage.location.template.
AS_PROJECTED = {
    "!{timestamp:yyyy}": "${year}",
    "!{timestamp:MM}": "${month}",
    "!{timestamp:dd}": "${day}",
    "!{timestamp:HH}": "${hour}",
    "!{partitionKeyFromQuery:year}": "${year}",
    "!{partitionKeyFromQuery:month}": "${month}",
    "!{partitionKeyFromQuery:day}": "${day}",
    "!{partitionKeyFromQuery:hour}": "${hour}",
}
FLAGS = {
    "default": {},
    "parquet": {"enable_parquet_conversion": "true"},
    "event_time": {"enable_event_time_partitioning": "true"},
    "both": {"enable_parquet_conversion": "true", "enable_event_time_partitioning": "true"},
}


@pytest.fixture(scope="module")
def prefix(plan_prefix):
    return plan_prefix


@pytest.fixture(scope="module")
def plans(plan_of):
    """One plan per flag combination, made on first use (the default one is shared with test_plan_first_slice; the
    stack's glue_database_name is the prefix's own, <prefix>_db)."""
    return lambda name: plan_of("terraform", **FLAGS[name])


def s3_config(plan) -> dict:
    return planned(plan, FIREHOSE)["extended_s3_configuration"][0]


def projected(firehose_prefix: str) -> str:
    for expression, variable in AS_PROJECTED.items():
        firehose_prefix = firehose_prefix.replace(expression, variable)
    return firehose_prefix


def template_key(plan, table: str) -> str:
    """The table's location template without s3://bucket/."""
    template = planned(plan, table)["parameters"]["storage.location.template"]
    return template.split("/", 3)[3]


@pytest.mark.parametrize(
    ("flags", "expected_prefix", "table"),
    [
        ("default", "00-retail-trans/" + ARRIVAL, JSON_TABLE),
        ("parquet", "parquet-retail-trans/" + ARRIVAL, PARQUET_TABLE),
        ("event_time", "00-retail-trans/" + EVENT, JSON_TABLE),
        ("both", "parquet-retail-trans/" + EVENT, PARQUET_TABLE),
    ],
)
def test_firehose_writes_where_the_table_projects_partitions(plans, flags, expected_prefix, table):
    plan = plans(flags)
    prefix = s3_config(plan)["prefix"]
    assert prefix == expected_prefix, f"{flags}: got prefix {prefix}, expected {expected_prefix}"
    assert template_key(plan, table) == projected(prefix), (
        f"{flags}: got template {template_key(plan, table)}, expected it to match Firehose's {prefix}"
    )


def test_default_delivery_is_plain_json_with_the_lab_buffering(plans):
    s3 = s3_config(plans("default"))
    assert s3["data_format_conversion_configuration"] == [], "got a format conversion, expected plain JSON"
    assert s3["dynamic_partitioning_configuration"] == [], "got dynamic partitioning, expected arrival time"
    assert s3["buffering_size"] == 1, f"got {s3['buffering_size']} MiB, expected the lab's 1 MiB"


@pytest.mark.parametrize("flags", ["parquet", "event_time", "both"])
def test_flags_raise_buffering_to_the_aws_minimum(plans, flags):
    size = s3_config(plans(flags))["buffering_size"]
    assert size == 64, f"{flags}: got {size} MiB, expected 64 (AWS minimum with conversion or dynamic partitioning)"


def test_parquet_conversion_takes_the_schema_of_the_parquet_table(plans, prefix):
    conversion = s3_config(plans("parquet"))["data_format_conversion_configuration"][0]
    schema = conversion["schema_configuration"][0]
    got = (schema["database_name"], schema["table_name"])
    assert got == (f"{prefix}_db", "ctas_retail_trans_parquet"), f"got {got}"


def processors(s3: dict) -> dict[str, dict[str, str]]:
    """Firehose's processors by type, each as {parameter: value}."""
    found = s3["processing_configuration"][0]["processors"]
    return {p["type"]: {x["parameter_name"]: x["parameter_value"] for x in p.get("parameters", [])} for p in found}


def test_event_time_partitioning_extracts_invoice_date(plans):
    s3 = s3_config(plans("event_time"))
    assert s3["dynamic_partitioning_configuration"][0]["enabled"] is True
    query = processors(s3)["MetadataExtraction"]["MetadataExtractionQuery"]
    assert f".{DATE_FIELDS[0]}[0:4]" in query, f"got {query}"


@pytest.mark.parametrize("table", [JSON_TABLE, PARQUET_TABLE])
def test_tables_have_the_contract_columns(plans, table):
    columns = planned(plans("default"), table)["storage_descriptor"][0]["columns"]
    got = [(c["name"], c["type"], c["comment"]) for c in columns]
    expected = [(c["name"], c["type"], c["comment"]) for c in glue_columns()]
    assert got == expected, f"got {got}, expected the contract's {expected}"


@pytest.mark.parametrize("flags", sorted(FLAGS))
def test_every_record_goes_through_the_validating_lambda_first(plans, prefix, flags):
    s3 = s3_config(plans(flags))
    found = s3["processing_configuration"][0]["processors"]
    lambda_arn = processors(s3)["Lambda"]["LambdaArn"]
    assert found[0]["type"] == "Lambda", f"{flags}: got processors {[p['type'] for p in found]}, Lambda first"
    assert lambda_arn.endswith(f":function:{prefix}-validate-records"), f"{flags}: got {lambda_arn}"
    assert s3["error_output_prefix"].endswith("!{firehose:error-output-type}"), f"got {s3['error_output_prefix']}"


@pytest.mark.parametrize(
    ("flags", "table"), [("default", "retail_trans_json"), ("parquet", "ctas_retail_trans_parquet")]
)
def test_named_queries_read_the_table_firehose_fills(plans, prefix, flags, table):
    plan = plans(flags)
    queries = {a: v for a, v in planned_resources(plan).items() if a.startswith("module.athena.aws_athena_named_query")}
    assert len(queries) == 7, f"got {len(queries)} named queries, expected 7"
    for address, query in queries.items():
        assert f'"{prefix}_db"."{table}"' in query["query"], f"{flags}: {address} does not read {table}"


def test_workgroup_encrypts_results_with_the_lake_key(plans):
    plan = plans("default")
    result = planned(plan, WORKGROUP)["configuration"][0]["result_configuration"][0]
    assert result["encryption_configuration"][0]["encryption_option"] == "SSE_KMS"
    after_unknown = plan.resource_changes[WORKGROUP]["change"]["after_unknown"]
    key_unknown = after_unknown["configuration"][0]["result_configuration"][0]["encryption_configuration"][0]
    assert key_unknown.get("kms_key_arn") is True, "expected the lake's key, created in the same apply"


def test_workgroup_writes_results_under_the_lake_results_prefix(plans, prefix):
    result = planned(plans("default"), WORKGROUP)["configuration"][0]["result_configuration"][0]
    location = result["output_location"]
    assert re.fullmatch(rf"s3://{prefix}-[a-z0-9-]+/athena-results/", location), f"got {location}"


def test_workgroup_without_kms_uses_sse_s3(plan_of):
    plan = plan_of("terraform", bucket_sse_algorithm="AES256")  # shared with test_plan_first_slice
    result = planned(plan, WORKGROUP)["configuration"][0]["result_configuration"][0]
    option = result["encryption_configuration"][0]["encryption_option"]
    assert option == "SSE_S3", f"got {option}, expected SSE_S3 for an AES256 lake"


def test_workgroup_settings_follow_the_root_variables(make_stack):
    tf_vars = {
        "name_prefix": random_prefix(),
        "athena_bytes_scanned_cutoff_per_query": 104857600,
        "athena_enforce_workgroup_configuration": "false",
        "athena_publish_cloudwatch_metrics": "false",
    }
    config = planned(make_stack("terraform", tf_vars=tf_vars).plan(), WORKGROUP)["configuration"][0]
    got = (
        config["bytes_scanned_cutoff_per_query"],
        config["enforce_workgroup_configuration"],
        config["publish_cloudwatch_metrics_enabled"],
    )
    assert got == (104857600, False, False), f"got {got}"


def test_outputs_name_the_analytics_pieces(plans, prefix):
    outputs = plans("default").outputs
    expected = {
        "glue_database_name": f"{prefix}_db",
        "json_table_name": "retail_trans_json",
        "parquet_table_name": "ctas_retail_trans_parquet",
        "query_table_name": "retail_trans_json",
        "athena_workgroup_name": f"{prefix}-analytics",
        "delivery_prefix": "00-retail-trans/",
    }
    got = {name: outputs[name] for name in expected}
    assert got == expected, f"got {got}"
    names = outputs["athena_named_query_names"]
    assert len(names) == 7, f"got {names}"
