"""Plan-level checks of the glue_catalog module with literal inputs (tests/fixtures/glue_catalog)."""

from __future__ import annotations

import pytest

from tests.harness import planned, random_prefix
from tests.record_contract import PARTITION_KEYS, glue_columns

pytestmark = pytest.mark.plan

# The module's default columns are the data contract's (contract/record.schema.json), which the root also passes.
LAB_COLUMNS = [(c["name"], c["type"]) for c in glue_columns()]
TEMPLATE = "year=${year}/month=${month}/day=${day}/hour=${hour}/"


@pytest.fixture(scope="module")
def prefix():
    return random_prefix()


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    return make_stack("tests/fixtures/glue_catalog", tf_vars={"name_prefix": prefix}).plan()


def table(plan, module: str, name: str) -> dict:
    return planned(plan, f"module.{module}.aws_glue_catalog_table.{name}")


def test_json_table_has_the_lab_schema(plan):
    columns = table(plan, "lab", "json")["storage_descriptor"][0]["columns"]
    got = [(c["name"], c["type"]) for c in columns]
    assert got == LAB_COLUMNS, f"got {got}, expected {LAB_COLUMNS}"


def test_default_columns_are_the_contract_columns_with_their_comments(plan):
    columns = table(plan, "lab", "json")["storage_descriptor"][0]["columns"]
    got = [(c["name"], c["type"], c["comment"]) for c in columns]
    expected = [(c["name"], c["type"], c["comment"]) for c in glue_columns()]
    assert got == expected, f"got {got}, expected the contract's {expected}"


def test_tables_are_partitioned_by_string_hour_columns(plan):
    for name in ("json", "parquet[0]"):
        keys = [(k["name"], k["type"]) for k in table(plan, "lab", name)["partition_keys"]]
        expected = [(key, "string") for key in PARTITION_KEYS]
        assert keys == expected, f"{name}: got {keys}, expected {expected}"


def test_projection_zero_pads_month_day_and_hour(plan):
    params = table(plan, "lab", "json")["parameters"]
    assert params["projection.enabled"] == "true", f"got {params.get('projection.enabled')}"
    expected = {
        "year": ("integer", "2009,2039", None),
        "month": ("integer", "1,12", "2"),
        "day": ("integer", "1,31", "2"),
        "hour": ("integer", "0,23", "2"),
    }
    for key, (kind, value_range, digits) in expected.items():
        got = (
            params[f"projection.{key}.type"],
            params[f"projection.{key}.range"],
            params.get(f"projection.{key}.digits"),
        )
        assert got == (kind, value_range, digits), f"{key}: got {got}, expected {(kind, value_range, digits)}"


def test_projection_template_matches_the_table_location(plan, prefix):
    for name, folder in (("json", "00-retail-trans/"), ("parquet[0]", "parquet-retail-trans/")):
        values = table(plan, "lab", name)
        location = values["storage_descriptor"][0]["location"]
        assert location == f"s3://{prefix}-lake/{folder}", f"{name}: got location {location}"
        template = values["parameters"]["storage.location.template"]
        assert template == location + TEMPLATE, f"{name}: got template {template}, expected {location + TEMPLATE}"


def test_json_table_uses_openx_serde_with_exact_key_mappings(plan):
    serde = table(plan, "lab", "json")["storage_descriptor"][0]["ser_de_info"][0]
    assert serde["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe", (
        f"got {serde['serialization_library']}"
    )
    params = serde["parameters"]
    assert params["case.insensitive"] == "FALSE", f"got case.insensitive={params['case.insensitive']}"
    mappings = {k.removeprefix("mapping."): v for k, v in params.items() if k.startswith("mapping.")}
    expected = {c["name"]: c["json_key"] for c in glue_columns()}
    assert mappings == expected, f"got {mappings}, expected {expected}"


def test_json_table_fails_queries_on_malformed_lines(plan):
    params = table(plan, "lab", "json")["storage_descriptor"][0]["ser_de_info"][0]["parameters"]
    assert params["ignore.malformed.json"] == "FALSE", "malformed records must fail a query, not vanish from it"


def test_parquet_table_reads_parquet_with_the_same_columns(plan):
    values = table(plan, "lab", "parquet[0]")
    storage = values["storage_descriptor"][0]
    assert storage["ser_de_info"][0]["serialization_library"].endswith("ParquetHiveSerDe")
    assert storage["input_format"].endswith("MapredParquetInputFormat"), f"got {storage['input_format']}"
    got = [(c["name"], c["type"]) for c in storage["columns"]]
    assert got == LAB_COLUMNS, f"got {got}"
    assert values["parameters"]["classification"] == "parquet"
    assert values["parameters"]["projection.hour.digits"] == "2"


def test_tables_are_external(plan):
    for name in ("json", "parquet[0]"):
        values = table(plan, "lab", name)
        assert values["table_type"] == "EXTERNAL_TABLE", f"{name}: got {values['table_type']}"


def test_names_and_locations_follow_the_variables(plan, prefix):
    values = table(plan, "json_only", "json")
    assert values["database_name"] == f"{prefix}_json_only", f"got {values['database_name']}"
    assert values["storage_descriptor"][0]["location"] == f"s3://{prefix}-lake/landing/json/"
    assert values["parameters"]["projection.year.range"] == "2020,2030"


def test_parquet_table_is_optional(plan):
    assert "module.json_only.aws_glue_catalog_table.parquet[0]" not in plan.resource_changes
