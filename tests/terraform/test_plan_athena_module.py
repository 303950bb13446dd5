"""Plan-level checks of the athena module with literal inputs (tests/fixtures/athena)."""

from __future__ import annotations

import re

import pytest
import sqlglot

from tests.harness import planned, planned_resources, random_prefix

pytestmark = pytest.mark.plan

LAB_QUERIES = {
    "sample_rows",
    "revenue_by_month",
    "revenue_by_day",
    "revenue_by_hour",
    "top_products",
    "top_countries",
    "distinct_customers",
}
# Functions the emulator's DuckDB engine lacks (EMULATOR-NOTES.md); a named query using one would not be portable.
NOT_PORTABLE = (
    "date_format",
    "date_parse",
    "from_iso8601_timestamp",
    "approx_distinct",
    "approx_percentile",
    "to_unixtime",
    "day_of_week",
    "format_datetime",
)


@pytest.fixture(scope="module")
def prefix():
    return random_prefix()


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    return make_stack("tests/fixtures/athena", tf_vars={"name_prefix": prefix}).plan()


def configuration(plan, module: str) -> dict:
    return planned(plan, f"module.{module}.aws_athena_workgroup.this")["configuration"][0]


def named_queries(plan, module: str) -> dict[str, dict]:
    head = f"module.{module}.aws_athena_named_query.this["
    return {a[len(head) + 1 : -2]: v for a, v in planned_resources(plan).items() if a.startswith(head)}


def test_workgroup_configuration_is_enforced(plan):
    assert configuration(plan, "kms_results")["enforce_workgroup_configuration"] is True


def test_workgroup_publishes_cloudwatch_metrics(plan):
    assert configuration(plan, "kms_results")["publish_cloudwatch_metrics_enabled"] is True


def test_workgroup_cuts_off_queries_scanning_over_10_gib_by_default(plan):
    cutoff = configuration(plan, "kms_results")["bytes_scanned_cutoff_per_query"]
    assert cutoff == 10 * 1024**3, f"got {cutoff}, expected {10 * 1024**3}"


def test_cutoff_can_be_lifted_with_null(plan):
    cutoff = configuration(plan, "s3_results").get("bytes_scanned_cutoff_per_query")
    assert cutoff is None, f"got {cutoff}, expected no cutoff"


def test_results_are_encrypted_with_the_given_kms_key(plan):
    result = configuration(plan, "kms_results")["result_configuration"][0]
    encryption = result["encryption_configuration"][0]
    assert encryption["encryption_option"] == "SSE_KMS", f"got {encryption['encryption_option']}"
    assert encryption["kms_key_arn"].endswith(":key/11111111-2222-3333-4444-555555555555"), (
        f"got {encryption['kms_key_arn']}"
    )


def test_results_without_a_key_use_sse_s3(plan):
    encryption = configuration(plan, "s3_results")["result_configuration"][0]["encryption_configuration"][0]
    assert encryption["encryption_option"] == "SSE_S3", f"got {encryption['encryption_option']}"


def test_results_land_under_the_results_prefix_of_the_lake(plan, prefix):
    for module, folder in (("kms_results", "athena-results/"), ("s3_results", "queries/out/")):
        location = configuration(plan, module)["result_configuration"][0]["output_location"]
        assert location == f"s3://{prefix}-lake/{folder}", f"{module}: got {location}"


def test_results_bucket_must_belong_to_the_account(plan):
    owner = configuration(plan, "kms_results")["result_configuration"][0]["expected_bucket_owner"]
    assert re.fullmatch(r"\d{12}", owner or ""), f"got expected_bucket_owner={owner}"


def test_workgroup_runs_engine_version_3(plan):
    engine = configuration(plan, "kms_results")["engine_version"][0]["selected_engine_version"]
    assert engine == "Athena engine version 3", f"got {engine}"


def test_the_lab_queries_are_saved_in_the_workgroup(plan, prefix):
    queries = named_queries(plan, "kms_results")
    assert set(queries) == LAB_QUERIES, f"got {sorted(queries)}, expected {sorted(LAB_QUERIES)}"
    for name, query in queries.items():
        assert query["workgroup"] == f"{prefix}-analytics", f"{name}: got workgroup {query['workgroup']}"
        assert query["database"] == "mydatabase", f"{name}: got database {query['database']}"
        assert '"mydatabase"."retail_trans_json"' in query["query"], f"{name} reads another table: {query['query']}"


def test_revenue_is_the_sum_of_price_times_quantity(plan):
    queries = named_queries(plan, "kms_results")
    for name in ("revenue_by_month", "revenue_by_day", "revenue_by_hour", "top_products", "top_countries"):
        sql = " ".join(queries[name]["query"].split())
        assert "sum(CAST(price AS DECIMAL(18, 4)) * quantity)" in sql, f"{name}: got {sql}"


def test_queries_use_no_function_the_emulator_lacks(plan):
    for name, query in named_queries(plan, "kms_results").items():
        used = [f for f in NOT_PORTABLE if re.search(rf"\b{f}\s*\(", query["query"], re.IGNORECASE)]
        assert not used, f"{name} uses {used}, which DuckDB lacks; say so next to the query or rewrite it"


def test_queries_parse_as_trino_sql(plan):
    for name, query in named_queries(plan, "kms_results").items():
        parsed = sqlglot.parse_one(query["query"], read="trino")
        assert parsed.key == "select", f"{name}: got a {parsed.key} statement"


def test_named_queries_are_optional(plan):
    assert named_queries(plan, "s3_results") == {}, "create_named_queries = false must save no query"
