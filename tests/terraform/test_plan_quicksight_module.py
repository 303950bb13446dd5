"""Plan-level checks of the quicksight module (tests/fixtures/quicksight). Plan only: MiniStack has no QuickSight.

By default the data source runs its queries as a role of its own (made through a CloudFormation stack: provider
5.100 cannot set AthenaParameters.RoleArn); `service_plan` is the module on QuickSight's account-wide service role.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import planned, planned_resources, random_prefix, the_only
from tests.record_contract import quicksight_columns

pytestmark = pytest.mark.plan

M = "module.quicksight"
FIXTURE = "tests/fixtures/quicksight"
OWNER = "user/default/analyst"
VIEWER = "group/default/readers"


@pytest.fixture(scope="module")
def prefix(plan_prefix) -> str:
    return plan_prefix


@pytest.fixture(scope="module")
def plan(plan_of):
    return plan_of("tests/fixtures/quicksight")  # shared with test_security_baseline


@pytest.fixture(scope="module")
def service_plan(make_stack):
    return make_stack(FIXTURE, tf_vars={"name_prefix": random_prefix(), "create_data_source_role": "false"}).plan()


def permissions(values: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {p["principal"].split(":", 5)[5]: sorted(p["actions"]) for p in values}


def statements(policy_json: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy_json)["Statement"]}


def role_policy(plan) -> dict[str, dict[str, Any]]:
    return statements(planned(plan, f"{M}.aws_iam_role_policy.data_source[0]")["policy"])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def stack_data_source(plan) -> dict[str, Any]:
    """The AWS::QuickSight::DataSource properties of the CloudFormation stack."""
    template = json.loads(planned(plan, f"{M}.aws_cloudformation_stack.data_source[0]")["template_body"])
    resource = template["Resources"]["DataSource"]
    assert resource["Type"] == "AWS::QuickSight::DataSource", f"got {resource['Type']}"
    return resource["Properties"]


def definition(plan) -> dict[str, Any]:
    return planned(plan, f"{M}.aws_quicksight_template.this[0]")["definition"][0]


def visuals(plan) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each visual of the template's sheet by id: (kind, its values)."""
    found = {}
    for visual in the_only(definition(plan)["sheets"], "sheet")["visuals"]:
        kind, values = the_only([(k, v[0]) for k, v in visual.items() if v], "visual kind")
        found[values["visual_id"]] = (kind, values)
    return found


def wells(values: dict[str, Any], kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the category field, the value field) of a bar or line chart."""
    field_wells = values["chart_configuration"][0]["field_wells"][0][f"{kind}_aggregated_field_wells"][0]
    category = {k: v[0] for k, v in field_wells["category"][0].items() if v}
    value = the_only(field_wells["values"], "value")["numerical_measure_field"][0]
    return category, value


def column(field: dict[str, Any]) -> tuple[str, str]:
    return field["column"][0]["data_set_identifier"], field["column"][0]["column_name"]


# --- The data source and the role it runs as -----------------------------------------------------


def test_data_source_queries_athena_in_the_workgroup_as_its_own_role_over_tls(plan, prefix):
    source = stack_data_source(plan)
    athena = source["DataSourceParameters"]["AthenaParameters"]
    got = (source["Type"], athena["WorkGroup"], athena["RoleArn"].split(":role/")[1], source["SslProperties"])
    expected = ("ATHENA", f"{prefix}-analytics", f"{prefix}-quicksight-athena", {"DisableSsl": False})
    assert got == expected, f"got {got}, expected {expected}"


def test_data_source_role_is_assumable_by_quicksight_of_this_account_only(plan, prefix):
    role = planned(plan, f"{M}.aws_iam_role.data_source[0]")
    trust = the_only(json.loads(role["assume_role_policy"])["Statement"], "trust statement")
    got = (role["name"], trust["Principal"], trust["Action"], list(trust["Condition"]["StringEquals"]))
    expected = (f"{prefix}-quicksight-athena", {"Service": "quicksight.amazonaws.com"}, "sts:AssumeRole",
                ["aws:SourceAccount"])  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_nothing_is_granted_to_the_account_wide_service_role(plan):
    granted = [a for a in planned_resources(plan) if ".aws_iam_role_policy.service_role" in a]
    assert not granted, f"got {granted}: every QuickSight author would reach the lake through the service role"


def test_owner_may_manage_and_viewer_may_only_use_the_data_source(plan):
    granted = {p["Principal"].split(":", 5)[5]: sorted(p["Actions"]) for p in stack_data_source(plan)["Permissions"]}
    assert "quicksight:UpdateDataSourcePermissions" in granted[OWNER], f"got {granted[OWNER]}"
    expected = [
        "quicksight:DescribeDataSource",
        "quicksight:DescribeDataSourcePermissions",
        "quicksight:PassDataSource",
    ]
    assert granted[VIEWER] == expected, f"got {granted[VIEWER]}"


def test_role_policy_has_no_wildcard_actions(plan):
    actions = [a for s in role_policy(plan).values() for a in as_list(s["Action"])]
    assert not [a for a in actions if "*" in a], f"got {actions}"


def test_role_reads_only_the_data_prefix_and_writes_only_results(plan, prefix):
    policy = role_policy(plan)
    read, write = as_list(policy["ReadData"]["Resource"]), as_list(policy["WriteQueryResults"]["Resource"])
    expected = ([f"arn:aws:s3:::{prefix}-lake/00-retail-trans/*"], [f"arn:aws:s3:::{prefix}-lake/athena-results/*"])
    assert (read, write) == expected, f"got {(read, write)}"


def test_role_lists_only_the_data_and_results_folders(plan):
    condition = role_policy(plan)["ListDataAndResults"]["Condition"]
    got = sorted(as_list(condition["StringLike"]["s3:prefix"]))
    assert got == ["00-retail-trans/*", "athena-results/*"], f"got {got}"


def test_role_runs_queries_in_the_workgroup_only(plan, prefix):
    resource = the_only(as_list(role_policy(plan)["RunQueriesInWorkgroup"]["Resource"]), "resource")
    assert resource.endswith(f":workgroup/{prefix}-analytics"), f"got {resource}"


def test_role_uses_the_bucket_key_through_s3_only(plan):
    statement = role_policy(plan)["UseBucketKeyThroughS3"]
    assert statement["Condition"]["StringEquals"]["kms:ViaService"].startswith("s3."), f"got {statement['Condition']}"


def test_without_its_own_role_the_data_source_uses_the_service_role(service_plan):
    addresses = list(planned_resources(service_plan))
    own = [a for a in addresses if "aws_cloudformation_stack" in a or "aws_iam_role.data_source" in a]
    assert not own, f"got {own}"
    source = planned(service_plan, f"{M}.aws_quicksight_data_source.this[0]")
    assert (source["type"], source["ssl_properties"][0]["disable_ssl"]) == ("ATHENA", False), f"got {source}"
    attachment = planned(service_plan, f"{M}.aws_iam_role_policy.service_role[0]")
    assert attachment["role"] == "aws-quicksight-service-role-v0", f"got {attachment['role']}"
    sids = sorted(statements(attachment["policy"]))
    assert sids == sorted(role_policy_sids()), f"got {sids}, expected the same narrow policy as the data source role"


def role_policy_sids() -> list[str]:
    return ["RunQueriesInWorkgroup", "ReadTableMetadata", "LocateBucket", "ListDataAndResults", "ReadData",
            "WriteQueryResults", "UseBucketKeyThroughS3"]  # fmt: skip


# --- The dataset ---------------------------------------------------------------------------------


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


def test_default_columns_are_the_contract_columns_and_the_partitions(plan):
    table = planned(plan, f"{M}.aws_quicksight_data_set.this")["physical_table_map"][0]["relational_table"][0]
    got = [{"name": c["name"], "type": c["type"]} for c in table["input_columns"]]
    assert got == quicksight_columns(), f"got {got}, expected the contract's {quicksight_columns()}"


def test_data_set_queries_athena_directly_by_default(plan):
    assert planned(plan, f"{M}.aws_quicksight_data_set.this")["import_mode"] == "DIRECT_QUERY"


def test_owner_may_manage_and_viewer_may_only_use_the_data_set(plan):
    granted = permissions(planned(plan, f"{M}.aws_quicksight_data_set.this")["permissions"])
    assert "quicksight:DeleteDataSet" in granted[OWNER], f"got {granted[OWNER]}"
    writes = [a for a in granted[VIEWER] if a.split(":")[1].startswith(("Update", "Delete", "Create", "Cancel"))]
    assert not writes, f"got {writes} for a viewer"


# --- The analysis and the dashboard --------------------------------------------------------------


def test_revenue_is_quantity_times_price(plan):
    field = the_only(definition(plan)["calculated_fields"], "calculated field")
    got = (field["data_set_identifier"], field["name"], field["expression"])
    assert got == ("retail", "revenue", "{quantity} * {price}"), f"got {got}"


def test_template_declares_the_columns_the_visuals_use(plan):
    configuration = the_only(definition(plan)["data_set_configuration"], "dataset configuration")
    schema = {c["name"]: c["data_type"] for c in configuration["data_set_schema"][0]["column_schema_list"]}
    expected = {"invoicedate": "DATETIME", "quantity": "INTEGER", "price": "DECIMAL", "country": "STRING",
                "description": "STRING"}  # fmt: skip
    assert (configuration["placeholder"], schema) == ("retail", expected), f"got {configuration}"


def test_sheet_has_the_three_lab_visuals(plan):
    got = {visual_id: kind for visual_id, (kind, _) in visuals(plan).items()}
    expected = {"revenue-by-month": "line_chart_visual", "revenue-by-country": "bar_chart_visual",
                "top-products": "bar_chart_visual"}  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_revenue_by_month_sums_revenue_per_month_of_invoice_date(plan):
    _, values = visuals(plan)["revenue-by-month"]
    category, value = wells(values, "line_chart")
    date = category["date_dimension_field"]
    aggregation = value["aggregation_function"][0]["simple_numerical_aggregation"]
    got = (column(date), date["date_granularity"], column(value), aggregation)
    expected = (("retail", "invoicedate"), "MONTH", ("retail", "revenue"), "SUM")
    assert got == expected, f"got {got}, expected {expected}"


def test_revenue_by_country_sums_revenue_per_country_largest_first(plan):
    _, values = visuals(plan)["revenue-by-country"]
    category, value = wells(values, "bar_chart")
    sort = values["chart_configuration"][0]["sort_configuration"][0]
    got = (column(category["categorical_dimension_field"]), column(value), sort["category_sort"][0]["field_sort"][0])
    expected = (("retail", "country"), ("retail", "revenue"),
                {"field_id": value["field_id"], "direction": "DESC"})  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"
    assert sort["category_items_limit"] == [], f"got {sort['category_items_limit']}, expected every country"


def test_top_products_shows_the_ten_products_with_most_revenue(plan):
    _, values = visuals(plan)["top-products"]
    category, value = wells(values, "bar_chart")
    sort = values["chart_configuration"][0]["sort_configuration"][0]
    got = (column(category["categorical_dimension_field"]), column(value), sort["category_sort"][0]["field_sort"][0],
           sort["category_items_limit"][0])  # fmt: skip
    expected = (("retail", "description"), ("retail", "revenue"), {"field_id": value["field_id"], "direction": "DESC"},
                {"items_limit": 10, "other_categories": "EXCLUDE"})  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_layout_places_every_visual_once(plan):
    sheet = the_only(definition(plan)["sheets"], "sheet")
    elements = sheet["layouts"][0]["configuration"][0]["grid_layout"][0]["elements"]
    assert sorted(e["element_id"] for e in elements) == sorted(visuals(plan)), f"got {elements}"


@pytest.mark.parametrize("kind", ["analysis", "dashboard"])
def test_analysis_and_dashboard_are_made_from_the_template_on_the_data_set(plan, kind):
    values = planned(plan, f"{M}.aws_quicksight_{kind}.this[0]")
    reference = the_only(values["source_entity"][0]["source_template"][0]["data_set_references"], "reference")
    assert reference["data_set_placeholder"] == "retail", f"got {reference}"
    change = plan.resource_changes[f"{M}.aws_quicksight_{kind}.this[0]"]["change"]["after_unknown"]
    template = change["source_entity"][0]["source_template"][0]
    assert template.get("arn") is True, f"got {template}, expected the template's ARN (known after apply)"
    assert reference.get("data_set_arn") is None, f"got {reference}, expected the dataset's ARN (known after apply)"


def test_only_owners_may_edit_the_analysis(plan):
    granted = permissions(planned(plan, f"{M}.aws_quicksight_analysis.this[0]")["permissions"])
    assert list(granted) == [OWNER], f"got {sorted(granted)}"
    assert "quicksight:UpdateAnalysis" in granted[OWNER], f"got {granted[OWNER]}"


def test_viewers_may_only_read_the_dashboard(plan):
    granted = permissions(planned(plan, f"{M}.aws_quicksight_dashboard.this[0]")["permissions"])
    assert "quicksight:UpdateDashboardPublishedVersion" in granted[OWNER], f"got {granted[OWNER]}"
    expected = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"]
    assert granted[VIEWER] == expected, f"got {granted[VIEWER]}, expected {expected}"
