"""Each input validation of the quicksight module rejects a bad value at plan with its own message."""

from __future__ import annotations

import pytest

from tests.module_probe import probe_factory

pytestmark = pytest.mark.plan

REQUIRED = {
    "name_prefix": "probe",
    "athena_workgroup_name": "probe-analytics",
    "glue_database_name": "mydatabase",
    "table_name": "retail_trans_json",
    "owner_principal_arns": ["arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"],
    "bucket_name": "probe-lake",
    "data_prefix": "00-retail-trans/",
}

CASES = {
    "name_prefix": ({"name_prefix": "bad prefix"}, "name_prefix must be 1 to 64 characters"),
    "athena_workgroup_name": ({"athena_workgroup_name": "bad/group"}, "athena_workgroup_name must be 1 to 128"),
    "glue_database_name": ({"glue_database_name": "MyDatabase"}, "glue_database_name must be 1 to 255 characters"),
    "table_name": ({"table_name": "retail-trans"}, "table_name must be 1 to 255 characters"),
    "columns": ({"columns": [{"name": "price", "type": "FLOAT"}]}, "columns must list at least one column"),
    "import_mode": ({"import_mode": "CACHED"}, 'import_mode must be "DIRECT_QUERY" or "SPICE"'),
    "owner_principal_arns_empty": ({"owner_principal_arns": []}, "owner_principal_arns must name at least one"),
    "owner_principal_arns_format": (
        {"owner_principal_arns": ["analyst"]},
        "owner_principal_arns must contain QuickSight user or group ARNs",
    ),
    "viewer_principal_arns": (
        {"viewer_principal_arns": ["arn:aws:iam::000000000000:user/analyst"]},
        "viewer_principal_arns must contain QuickSight user or group ARNs",
    ),
    "service_role_name": ({"service_role_name": "role/with/slashes"}, "service_role_name must be an IAM role name"),
    "bucket_name": ({"bucket_name": "Bad_Bucket"}, "bucket_name must be an S3 bucket name"),
    "data_prefix": ({"data_prefix": "/00-retail-trans"}, "data_prefix must be a folder such as 00-retail-trans/"),
    "athena_results_prefix": (
        {"athena_results_prefix": "athena-results"},
        "athena_results_prefix must be a folder such as athena-results/",
    ),
}


@pytest.fixture(scope="module")
def probe(make_stack):
    return probe_factory(make_stack)("quicksight", REQUIRED)


def test_probe_with_valid_inputs_plans(probe):
    plan = probe.plan()
    assert "module.probe.aws_quicksight_data_set.this" in plan.resource_changes, "expected the probe to plan a dataset"


@pytest.mark.parametrize(("inputs", "message"), CASES.values(), ids=CASES.keys())
def test_invalid_input_fails_with_its_message(probe, inputs, message):
    error = probe.plan_error(**inputs)
    assert message in error, f"got:\n{error[-1500:]}\nexpected the message: {message}"
