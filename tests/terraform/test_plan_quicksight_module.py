"""Plan-level checks of the quicksight module (tests/fixtures/quicksight). Plan only: MiniStack has no QuickSight."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import planned, the_only

pytestmark = pytest.mark.plan

M = "module.quicksight"
OWNER = "user/default/analyst"
VIEWER = "group/default/readers"


@pytest.fixture(scope="module")
def prefix(plan_prefix) -> str:
    return plan_prefix


@pytest.fixture(scope="module")
def plan(plan_of):
    return plan_of("tests/fixtures/quicksight")  # shared with test_security_baseline


def permissions(values: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {p["principal"].split(":", 5)[5]: sorted(p["actions"]) for p in values}


def service_role_policy(plan) -> dict[str, dict[str, Any]]:
    document = json.loads(planned(plan, f"{M}.aws_iam_role_policy.service_role[0]")["policy"])
    return {s["Sid"]: s for s in document["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_data_source_queries_athena_in_the_workgroup_over_tls(plan, prefix):
    source = planned(plan, f"{M}.aws_quicksight_data_source.this")
    assert source["type"] == "ATHENA", f"got {source['type']}"
    assert source["parameters"][0]["athena"][0]["work_group"] == f"{prefix}-analytics"
    assert source["ssl_properties"][0]["disable_ssl"] is False


def test_data_set_reads_the_json_table_from_the_glue_catalog(plan):
    table = planned(plan, f"{M}.aws_quicksight_data_set.this")["physical_table_map"][0]["relational_table"][0]
    got = (table["catalog"], table["schema"], table["name"])
    assert got == ("AwsDataCatalog", "mydatabase", "retail_trans_json"), f"got {got}"


def test_data_set_has_the_lab_columns_with_their_types(plan):
    table = planned(plan, f"{M}.aws_quicksight_data_set.this")["physical_table_map"][0]["relational_table"][0]
    columns = {c["name"]: c["type"] for c in table["input_columns"]}
    expected = {"quantity": "INTEGER", "invoicedate": "DATETIME", "price": "DECIMAL", "country": "STRING"}
    assert {k: columns.get(k) for k in expected} == expected, f"got {columns}"
    assert len(columns) == 12, f"got {sorted(columns)}, expected the 8 lab columns and 4 partition columns"


def test_data_set_queries_athena_directly_by_default(plan):
    assert planned(plan, f"{M}.aws_quicksight_data_set.this")["import_mode"] == "DIRECT_QUERY"


def test_owner_may_manage_and_viewer_may_only_use_the_data_source(plan):
    granted = permissions(planned(plan, f"{M}.aws_quicksight_data_source.this")["permission"])
    assert "quicksight:UpdateDataSourcePermissions" in granted[OWNER], f"got {granted[OWNER]}"
    expected = [
        "quicksight:DescribeDataSource",
        "quicksight:DescribeDataSourcePermissions",
        "quicksight:PassDataSource",
    ]
    assert granted[VIEWER] == expected, f"got {granted[VIEWER]}"


def test_owner_may_manage_and_viewer_may_only_use_the_data_set(plan):
    granted = permissions(planned(plan, f"{M}.aws_quicksight_data_set.this")["permissions"])
    assert "quicksight:DeleteDataSet" in granted[OWNER], f"got {granted[OWNER]}"
    writes = [a for a in granted[VIEWER] if a.split(":")[1].startswith(("Update", "Delete", "Create", "Cancel"))]
    assert not writes, f"got {writes} for a viewer"


def test_service_role_policy_has_no_wildcard_actions(plan):
    actions = [a for s in service_role_policy(plan).values() for a in as_list(s["Action"])]
    assert not [a for a in actions if "*" in a], f"got {actions}"


def test_service_role_reads_only_the_data_prefix_and_writes_only_results(plan, prefix):
    statements = service_role_policy(plan)
    read = as_list(statements["ReadData"]["Resource"])
    write = as_list(statements["WriteQueryResults"]["Resource"])
    expected = ([f"arn:aws:s3:::{prefix}-lake/00-retail-trans/*"], [f"arn:aws:s3:::{prefix}-lake/athena-results/*"])
    assert (read, write) == expected, f"got {(read, write)}"


def test_service_role_runs_queries_in_the_workgroup_only(plan, prefix):
    resource = the_only(as_list(service_role_policy(plan)["RunQueriesInWorkgroup"]["Resource"]), "resource")
    assert resource.endswith(f":workgroup/{prefix}-analytics"), f"got {resource}"


def test_service_role_uses_the_bucket_key_through_s3_only(plan):
    statement = service_role_policy(plan)["UseBucketKeyThroughS3"]
    assert statement["Condition"]["StringEquals"]["kms:ViaService"].startswith("s3."), f"got {statement['Condition']}"


def test_policy_is_attached_to_the_quicksight_service_role(plan):
    attachment = planned(plan, f"{M}.aws_iam_role_policy.service_role[0]")
    assert attachment["role"] == "aws-quicksight-service-role-v0", f"got {attachment['role']}"
