"""The data contract (contract/record.schema.json) and every place that restates it.

Expectations are read from the schema's JSON directly, not from tools/contract.py, so a consumer that drifts
(a hand-edited field list, a stale generated view) fails here whichever way it drifted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from compact_parquet import engines, sql
from firehose_validate import handler as validate_handler
from ingest_opensearch import config, records, template
from ingest_opensearch.records import InvalidRecord, to_document
from producer import reader
from producer.app import DEFAULT_INPUT
from producer.records import EntryBuilder
from tests.lambda_support import POISON
from tests.record_contract import DATE_FIELDS, FIELDS, PROPERTIES, SCHEMA, glue_columns, quicksight_columns
from tools import contract
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.unit


LINE = {
    "Invoice": "489434",
    "StockCode": "85048",
    "Description": "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
    "Quantity": 12,
    "InvoiceDate": "2009-12-01 07:45:00",
    "Price": 6.95,
    "Customer_ID": "13085.0",
    "Country": "United Kingdom",
}
# Records the ingest function refuses (tests/unit/test_ingest_records.py): the schema must refuse them too.
WRONG = [
    ("Quantity", "12"),
    ("Quantity", 1.5),
    ("Quantity", True),
    ("Price", "6.95"),
    ("Price", False),
    ("Invoice", 489434),
    ("Customer_ID", 13085.0),
    ("Description", ["a"]),
    ("Invoice", ""),
    ("Country", ""),
    ("InvoiceDate", "01/12/2009 07:45"),
    ("InvoiceDate", "2009-13-01 07:45:00"),
    ("InvoiceDate", "2009-12-01"),
    ("InvoiceDate", 5),
]


def wire(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def sample_entries() -> list[bytes]:
    """Every record the producer emits for the shipped sample, as the bytes it sends."""
    build = EntryBuilder("json")
    with reader.open_input(DEFAULT_INPUT) as stream:
        _, rows = reader.read_rows(stream)
        entries = [build(row.record, row.line, row.fields).data for row in rows if isinstance(row, reader.Row)]
    assert len(entries) == 5000, f"got {len(entries)} records from the sample, expected 5000"
    return entries


# --- the schema and its generated views ----------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema", f"got {SCHEMA['$schema']}"


def test_generated_views_are_current():
    stale = contract.stale_views()
    assert not stale, f"got stale views {stale}; run `make contract` after changing contract/record.schema.json"


@pytest.fixture
def copy_root(tmp_path) -> Path:
    """A copy of the schema and its views, to change without touching the repository."""
    for name in [contract.SCHEMA_NAME, *contract.VIEWS]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def test_field_added_to_the_schema_only_makes_every_view_stale(copy_root):
    # given: one field more in the schema, and no regeneration
    schema = json.loads((copy_root / contract.SCHEMA_NAME).read_text(encoding="utf-8"))
    schema["properties"]["SalesChannel"] = {
        "description": "Sales channel.",
        "type": "string",
        "x-csv-header": "Sales Channel",
        "x-athena-column": "sales_channel",
        "x-athena-type": "string",
        "x-opensearch-mapping": {"type": "keyword"},
        "examples": ["web"],
    }
    (copy_root / contract.SCHEMA_NAME).write_text(json.dumps(schema), encoding="utf-8")
    # when
    stale = contract.stale_views(copy_root)
    # then
    assert stale == list(contract.VIEWS), f"got stale {stale}, expected every view {list(contract.VIEWS)}"


def test_check_fails_on_a_hand_edited_view_and_regeneration_restores_it(copy_root, capsys):
    # given: the index template's mapping of Country edited by hand
    view = copy_root / "lambda_src/ingest_opensearch/index_template.json"
    original = view.read_text(encoding="utf-8")
    view.write_text(original.replace('"Country": { "type": "keyword" }', '"Country": { "type": "text" }'))
    # when / then
    assert contract.main(["--check"], root=copy_root) == contract.Exit.ERROR, "got --check passing a stale view"
    assert "lambda_src/ingest_opensearch/index_template.json out of date" in capsys.readouterr().err
    assert contract.main([], root=copy_root) == contract.Exit.OK
    assert view.read_text(encoding="utf-8") == original, "got a template that regeneration did not restore"
    assert contract.main(["--check"], root=copy_root) == contract.Exit.OK


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "boolean"}, "type must be one of string, integer, number"),
        ({"x-athena-type": "map<string,int>"}, "x-athena-type must be one of"),
        ({"x-athena-column": "Country"}, "must be lowercase letters, digits, _"),
        ({"x-date-field": True, "type": "integer"}, "an x-date-field must be of type string"),
    ],
)
def test_schema_with_a_bad_annotation_is_refused_with_the_reason(tmp_path, change, message):
    schema = json.loads(json.dumps(SCHEMA))
    schema["properties"]["Country"] |= change
    path = tmp_path / "record.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(contract.ContractError) as failure:
        contract.load(path)
    assert message in str(failure.value), f"got {failure.value}"


# --- records on the wire ---------------------------------------------------------------------------------


def test_every_record_the_producer_emits_for_the_sample_meets_the_schema(sample_entries):
    validator = Draft202012Validator(SCHEMA)
    broken = [(data, contract.validate_record(data, validator)) for data in sample_entries]
    broken = [(data, reason) for data, reason in broken if reason is not None]
    assert not broken, f"got {len(broken)} records breaking the schema, e.g. {broken[:2]}"


def test_producer_writes_every_contract_key_in_contract_order(sample_entries):
    orders = {tuple(json.loads(data)) for data in sample_entries}
    assert orders == {FIELDS}, f"got key orders {orders}, expected {FIELDS}"


def test_ingest_indexes_every_record_the_producer_emits_for_the_sample(sample_entries):
    refused = []
    for data in sample_entries:
        try:
            to_document(data, config.DEFAULT_REQUIRED_FIELDS, config.DEFAULT_DATE_FIELDS)
        except InvalidRecord as exc:
            refused.append(f"{exc}: {data!r}")
    assert not refused, f"got {len(refused)} refused, e.g. {refused[:2]}"


@pytest.mark.parametrize(("data", "code"), POISON, ids=[code for _, code in POISON])
def test_poison_record_of_the_ingest_tests_breaks_the_schema(data, code):
    reason = contract.validate_record(data if data.endswith(b"\n") else data + b"\n")
    assert reason is not None, f"got a {code} poison record {data!r} that meets the schema"


@pytest.mark.parametrize(("field", "value"), WRONG, ids=[f"{f}={v!r}" for f, v in WRONG])
def test_record_the_ingest_refuses_breaks_the_schema(field, value):
    data = wire(LINE | {field: value})
    with pytest.raises(InvalidRecord):
        to_document(data, config.DEFAULT_REQUIRED_FIELDS, config.DEFAULT_DATE_FIELDS)
    assert contract.validate_record(data) is not None, f"got {field}={value!r} meeting the schema"


@pytest.mark.parametrize("field", SCHEMA["required"])
def test_record_without_a_required_field_breaks_the_schema_and_is_refused(field):
    data = wire({k: v for k, v in LINE.items() if k != field})
    assert contract.validate_record(data) is not None, f"got a record without {field} meeting the schema"
    with pytest.raises(InvalidRecord):
        to_document(data, config.DEFAULT_REQUIRED_FIELDS, config.DEFAULT_DATE_FIELDS)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (wire(LINE)[:-1], "exactly one newline"),
        (wire(LINE) + b"\n", "exactly one newline"),
        (wire(LINE).replace(b"6.95", b"NaN"), "NaN is not JSON"),
        (wire(LINE | {"Extra": 1}), "'Extra' was unexpected"),
    ],
)
def test_record_off_the_wire_format_breaks_the_contract(data, reason):
    got = contract.validate_record(data)
    assert got is not None, f"got {data!r} meeting the contract"
    assert reason in got, f"got {got!r}, expected a reason with {reason!r}"


def test_validate_command_counts_the_records_that_break_the_schema(tmp_path):
    path = tmp_path / "records.json"
    path.write_bytes(wire(LINE) + wire(LINE | {"Quantity": "12"}) + wire(LINE))
    result = subprocess.run(
        [sys.executable, "-m", "tools.contract", "--validate", str(path)],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1, f"got exit {result.returncode}: {result.stderr}"
    assert f"{path}:2: Quantity: '12' is not of type 'integer'" in result.stderr, f"got {result.stderr}"
    assert "1 of 3 records break contract/record.schema.json" in result.stderr, f"got {result.stderr}"


# --- every place that restates the field list ----------------------------------------------------------


def test_producer_reads_the_contract_fields_from_the_csv_header():
    assert reader.FIELDS == FIELDS, f"got {reader.FIELDS}, expected {FIELDS}"
    header = ",".join(spec["x-csv-header"] for spec in PROPERTIES.values())
    assert header == reader.REAL_HEADER, f"got {reader.REAL_HEADER!r}, expected {header!r}"
    for name, spec in PROPERTIES.items():
        for alias in [spec["x-csv-header"], *spec.get("x-csv-aliases", [])]:
            got = reader.HEADER_ALIASES.get(reader.normalise_name(alias))
            assert got == name, f"got header {alias!r} -> {got}, expected {name}"


@pytest.mark.parametrize(
    "field", [n for n in SCHEMA["required"] if PROPERTIES[n]["type"] == "string" and n not in DATE_FIELDS]
)
def test_producer_rejects_a_row_whose_required_string_is_empty(field):
    values = {name: str(spec["examples"][0]) for name, spec in PROPERTIES.items()} | {field: " "}
    parse = reader.RowParser(reader.resolve_header(list(FIELDS)))
    with pytest.raises(reader.RowError) as failure:
        parse([values[name] for name in FIELDS])
    assert str(failure.value) == f"{field} is empty", f"got {failure.value}"


def test_producer_passes_optional_fields_through_empty():
    optional = [name for name in FIELDS if name not in SCHEMA["required"]]
    values = {name: str(spec["examples"][0]) for name, spec in PROPERTIES.items()} | dict.fromkeys(optional, "")
    record = reader.RowParser(reader.resolve_header(list(FIELDS)))([values[name] for name in FIELDS])
    assert {name: record[name] for name in optional} == dict.fromkeys(optional, ""), f"got {record}"


def test_ingest_defaults_are_the_contract_required_and_date_fields():
    got = (config.DEFAULT_REQUIRED_FIELDS, config.DEFAULT_DATE_FIELDS)
    assert got == (tuple(SCHEMA["required"]), DATE_FIELDS), f"got {got}"


def test_firehose_validation_defaults_are_the_contract_required_and_date_fields():
    got = (validate_handler.DEFAULT_REQUIRED_FIELDS, validate_handler.DEFAULT_DATE_FIELDS)
    assert got == (tuple(SCHEMA["required"]), DATE_FIELDS), f"got {got}"


def test_every_function_the_stack_configures_takes_its_fields_from_the_contract_view():
    settings = {}
    for path in sorted((REPO_ROOT / "terraform").glob("*.tf")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            name, _, value = line.strip().partition("=")
            if name.strip() in ("REQUIRED_FIELDS", "DATE_FIELDS"):
                settings[f"{path.name}:{number}"] = value.split("#")[0].strip()
    assert len(settings) >= 4, f"got {settings}: expected the ingest and validation functions' two settings each"
    expected = {
        "REQUIRED_FIELDS": "local.record_contract.required_fields",
        "DATE_FIELDS": "local.record_contract.date_fields",
    }
    literal = {where: value for where, value in settings.items() if not any(e in value for e in expected.values())}
    assert not literal, f"got {literal}: a field list written out instead of read from contract.tf.json"


def test_ingest_checks_every_field_by_its_contract_type():
    by_type = {
        "string": tuple(n for n, s in PROPERTIES.items() if s["type"] == "string" and n not in DATE_FIELDS),
        "integer": tuple(n for n, s in PROPERTIES.items() if s["type"] == "integer"),
        "number": tuple(n for n, s in PROPERTIES.items() if s["type"] == "number"),
    }
    got = {"string": records.STRING_FIELDS, "integer": records.INTEGER_FIELDS, "number": records.NUMBER_FIELDS}
    assert got == by_type, f"got {got}, expected {by_type}"
    assert records.IDENTITY_FIELDS == FIELDS, f"got identity {records.IDENTITY_FIELDS}, expected {FIELDS}"


def test_index_template_maps_every_contract_field():
    got = template.load_template()["template"]["mappings"]["properties"]
    expected = {name: spec["x-opensearch-mapping"] for name, spec in PROPERTIES.items()}
    assert got == expected, f"got {got}, expected {expected}"


def test_compaction_writes_the_contract_columns():
    columns = tuple(spec["x-athena-column"] for spec in PROPERTIES.values())
    assert columns == sql.COLUMNS, f"got {sql.COLUMNS}, expected {columns}"
    assert tuple(engines.JSON_COLUMNS) == FIELDS, f"got {tuple(engines.JSON_COLUMNS)}, expected {FIELDS}"
    aliases = tuple(select.rsplit(" AS ", 1)[1] for select in engines.PARQUET_SELECT)
    assert aliases == columns, f"got {aliases}, expected {columns}"
    copy = engines.copy_sql(["in.json"], "out.parquet")
    order = copy.split("ORDER BY ", 1)[1].split("\n", 1)[0].split(", ")
    assert sorted(order) == sorted(columns), f"got ORDER BY {order}, expected every column once"


def test_terraform_view_holds_the_contract_columns_and_fields():
    view = json.loads((REPO_ROOT / "terraform" / "contract.tf.json").read_text(encoding="utf-8"))
    local = view["locals"]["record_contract"]
    assert local["columns"] == glue_columns(), f"got {local['columns']}, expected {glue_columns()}"
    assert local["quicksight_columns"] == quicksight_columns(), f"got {local['quicksight_columns']}"
    assert local["required_fields"] == SCHEMA["required"], f"got {local['required_fields']}"
    assert local["date_fields"] == list(DATE_FIELDS), f"got {local['date_fields']}"
    assert local["event_time_field"] == DATE_FIELDS[0], f"got {local['event_time_field']}"
