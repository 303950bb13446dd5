"""Decoding, validation, date conversion and document ids of the ingest function."""

from __future__ import annotations

import re

import pytest

from ingest_opensearch.config import DEFAULT_DATE_FIELDS, DEFAULT_REQUIRED_FIELDS
from ingest_opensearch.records import InvalidRecord, decode, document_id, to_document, to_utc_iso, validate
from tests.lambda_support import POISON, encode, sample_record

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


def reason_of(data: bytes) -> str:
    with pytest.raises(InvalidRecord) as caught:
        to_document(data, DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS)
    return caught.value.code


def test_decode_newline_terminated_object_returns_dict():
    got = decode(encode(LINE))
    assert got == LINE, f"got {got}, expected {LINE}"


@pytest.mark.parametrize(("data", "code"), POISON, ids=[code for _, code in POISON])
def test_to_document_poison_record_raises_with_reason(data, code):
    got = reason_of(data)
    assert got == code, f"got reason {got}, expected {code}"


@pytest.mark.parametrize("field", DEFAULT_REQUIRED_FIELDS)
def test_validate_missing_required_field_raises_missing_field(field):
    record = {k: v for k, v in LINE.items() if k != field}
    with pytest.raises(InvalidRecord) as caught:
        validate(record, DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS)
    assert caught.value.code == "missing_field", f"got {caught.value.code}, expected missing_field"
    assert field in caught.value.detail, f"got detail {caught.value.detail!r}, expected it to name {field}"


def test_validate_empty_invoice_raises_missing_field():
    with pytest.raises(InvalidRecord) as caught:
        validate(LINE | {"Invoice": ""}, DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS)
    assert caught.value.code == "missing_field", f"got {caught.value.code}, expected missing_field"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Quantity", "12"),
        ("Quantity", 1.5),
        ("Quantity", True),
        ("Price", "6.95"),
        ("Price", False),
        ("Price", float("nan")),
        ("Invoice", 489434),
        ("Customer_ID", 13085.0),
        ("Description", ["a"]),
    ],
)
def test_validate_wrong_type_raises_wrong_type(field, value):
    with pytest.raises(InvalidRecord) as caught:
        validate(LINE | {field: value}, DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS)
    assert caught.value.code == "wrong_type", f"got {caught.value.code} for {field}={value!r}, expected wrong_type"


def test_validate_messy_but_valid_record_passes():
    record = LINE | {"Description": "", "Customer_ID": "", "Quantity": -12, "Price": 0, "Invoice": "C489434"}
    got = validate(record, DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS)
    assert got == {"InvoiceDate": "2009-12-01T07:45:00Z"}, f"got {got}, expected the converted date only"


def test_validate_custom_required_fields_are_honoured():
    record = {k: v for k, v in LINE.items() if k != "Country"}
    got = validate(record, ("Invoice",), DEFAULT_DATE_FIELDS)
    assert got == {"InvoiceDate": "2009-12-01T07:45:00Z"}, f"got {got}, expected Country to be optional"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2009-12-01 07:45:00", "2009-12-01T07:45:00Z"),
        ("2009-12-01T07:45:00", "2009-12-01T07:45:00Z"),
        ("2009-12-01T07:45:00Z", "2009-12-01T07:45:00Z"),
        ("2009-12-01 16:45:00+09:00", "2009-12-01T07:45:00Z"),
        ("2009-12-31 23:30:00-01:00", "2010-01-01T00:30:00Z"),
        ("2009-12-01 07:45:00.250", "2009-12-01T07:45:00.250000Z"),
        ("2024-02-29 00:00:00", "2024-02-29T00:00:00Z"),
    ],
)
def test_to_utc_iso_converts_to_utc(value, expected):
    got = to_utc_iso(value)
    assert got == expected, f"got {got}, expected {expected}"


@pytest.mark.parametrize("value", ["2009-12-01", "2009-13-01 07:45:00", "2023-02-29 00:00:00", "01/12/2009 07:45", 5])
def test_to_utc_iso_rejects_non_dates(value):
    with pytest.raises(InvalidRecord) as caught:
        to_utc_iso(value)
    assert caught.value.code == "bad_date", f"got {caught.value.code} for {value!r}, expected bad_date"


def test_to_document_converts_date_and_keeps_other_fields():
    document = to_document(encode(LINE | {"Extra": "kept"}), DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS)
    expected = LINE | {"InvoiceDate": "2009-12-01T07:45:00Z", "Extra": "kept"}
    assert document.source == expected, f"got {document.source}, expected {expected}"


def test_document_id_is_full_sha256_hex():
    got = document_id(LINE)
    assert re.fullmatch(r"[0-9a-f]{64}", got), f"got {got!r}, expected 64 lowercase hex digits"


def test_document_id_same_record_same_id():
    first, second = document_id(LINE), document_id(dict(reversed(list(LINE.items()))))
    assert first == second, f"got {first} and {second}, expected one id whatever the key order"


def test_document_id_matches_to_document_id():
    got = to_document(encode(LINE), DEFAULT_REQUIRED_FIELDS, DEFAULT_DATE_FIELDS).doc_id
    assert got == document_id(LINE), f"got {got}, expected {document_id(LINE)}"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Invoice", "489435"),
        ("StockCode", "85049"),
        ("Description", "15CM CHRISTMAS GLASS BALL 20 LIGHTS "),
        ("Quantity", 13),
        ("InvoiceDate", "2009-12-01 07:45:01"),
        ("Price", 6.96),
        ("Customer_ID", ""),
        ("Country", "France"),
    ],
)
def test_document_id_any_identifying_field_changes_id(field, value):
    assert document_id(LINE | {field: value}) != document_id(LINE), f"got the same id after changing {field}"


def test_document_id_separator_ambiguity_gives_distinct_ids():
    # The lab joined fields with ":"; "a:b"+"c" and "a"+"b:c" then collide.
    first = document_id(LINE | {"Invoice": "489434:85048", "StockCode": "X"})
    second = document_id(LINE | {"Invoice": "489434", "StockCode": "85048:X"})
    assert first != second, "got one id for two different lines whose joined text is the same"


def test_document_id_absent_and_empty_customer_differ():
    absent = {k: v for k, v in LINE.items() if k != "Customer_ID"}
    assert document_id(absent) != document_id(LINE | {"Customer_ID": ""}), "got one id for absent and empty"


def test_document_id_equal_prices_and_instants_give_one_id():
    same = LINE | {"Price": 7, "InvoiceDate": "2009-12-01T07:45:00Z"}
    other = LINE | {"Price": 7.0, "InvoiceDate": "2009-12-01 07:45:00"}
    assert document_id(same) == document_id(other), "got two ids for the same price and instant written differently"


def test_document_id_ignores_fields_outside_the_contract():
    assert document_id(LINE | {"Extra": 1}) == document_id(LINE), "got a different id for an extra field"


def test_document_id_distinct_for_thousands_of_sample_lines():
    ids = {document_id(sample_record(i, "run")) for i in range(5000)}
    assert len(ids) == 5000, f"got {len(ids)} distinct ids for 5000 distinct lines, expected 5000"
