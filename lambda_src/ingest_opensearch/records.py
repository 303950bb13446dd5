"""From a Kinesis record's bytes to an OpenSearch document: decode, validate, convert, identify.

The data contract (contract/record.schema.json, explained in docs/data-contract.md; its field lists reach
this package as the generated ingest_opensearch/contract.py): one UTF-8 JSON object per record with Invoice,
StockCode, Description, Customer_ID and Country as strings, Quantity an integer, Price a number and InvoiceDate
a `YYYY-MM-DD HH:MM:SS` string in UTC. Anything else raises InvalidRecord, whose reason goes to the
dead-letter queue with the record.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest_opensearch.contract import DATE_FIELDS, IDENTITY_FIELDS, INTEGER_FIELDS, NUMBER_FIELDS, STRING_FIELDS

_NUMBERS = tuple(IDENTITY_FIELDS.index(name) for name in NUMBER_FIELDS if name in IDENTITY_FIELDS)
# One encoder for every id: json.dumps(...) with options builds a new encoder on each call.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# `YYYY-MM-DD HH:MM:SS` (the contract), also accepted with a `T`, fractional seconds and an offset or `Z`.
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?")


class InvalidRecord(ValueError):
    """The record does not match the data contract; it goes to the dead-letter queue with this reason."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Document:
    """A validated record ready for the bulk request."""

    doc_id: str
    source: dict[str, Any]


def decode(data: bytes) -> dict[str, Any]:
    """The JSON object a record carries (one object, optionally newline-terminated)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecord("not_utf8", f"the record is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.strip():
            raise InvalidRecord("empty", "the record is empty") from None
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidRecord("not_json", f"the record is not JSON ({exc.msg} at {where})") from None
    if not isinstance(value, dict):
        raise InvalidRecord("not_object", f"the record is a JSON {type(value).__name__}, expected an object")
    return value


def validate(record: Mapping[str, Any], required: Iterable[str], date_fields: Iterable[str]) -> dict[str, str]:
    """Raise InvalidRecord unless the record meets the contract; absent or null optional fields are allowed.

    Returns the date fields converted to UTC ISO-8601.
    """
    for name in required:
        value = record.get(name)
        if value is None or value == "":
            raise InvalidRecord("missing_field", f"required field {name!r} is missing or empty")
    get = record.get
    # Exact type checks: JSON decoding gives exactly these types, and bool is not an int here.
    for name in STRING_FIELDS:
        value = get(name)
        if value is not None and type(value) is not str:
            raise InvalidRecord("wrong_type", f"field {name!r} is {_describe(value)}, expected a string")
    for name in INTEGER_FIELDS:
        value = get(name)
        if value is not None and type(value) is not int:
            raise InvalidRecord("wrong_type", f"field {name!r} is {_describe(value)}, expected an integer")
    for name in NUMBER_FIELDS:
        value = get(name)
        if value is None or type(value) is int:
            continue
        if type(value) is not float:
            raise InvalidRecord("wrong_type", f"field {name!r} is {_describe(value)}, expected a number")
        if not math.isfinite(value):
            raise InvalidRecord("wrong_type", f"field {name!r} is {value}, expected a finite number")
    return {name: to_utc_iso(record[name], name) for name in date_fields if record.get(name) is not None}


def to_utc_iso(value: Any, name: str = "InvoiceDate") -> str:
    """`2009-12-01 07:45:00` (UTC by contract) -> `2009-12-01T07:45:00Z`; an explicit offset is converted."""
    if not isinstance(value, str) or not DATE_PATTERN.fullmatch(value):
        raise InvalidRecord("bad_date", f"field {name!r} is {_describe(value)}, expected 'YYYY-MM-DD HH:MM:SS'")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRecord("bad_date", f"field {name!r} is {value!r}, not a calendar date and time") from None
    if moment.tzinfo is None and len(value) == 19:  # the contract's form, already UTC: only the separators change
        return f"{value[:10]}T{value[11:]}Z"
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds").replace("+00:00", "Z")


def document_id(record: Mapping[str, Any], date_fields: Iterable[str] = DATE_FIELDS) -> str:
    """Full SHA-256 (64 hex) of the identifying fields, so a redelivered record overwrites its document.

    The fields are encoded as a JSON array (no separator ambiguity: "a:b"+"c" differs from "a"+"b:c"),
    absent fields as null (distinct from ""), Price as a float (7 and 7.0 are one price) and dates in
    their UTC ISO form (the same instant written two ways is one line).
    """
    dates = [name for name in date_fields if name in IDENTITY_FIELDS and record.get(name) is not None]
    normalized = {name: to_utc_iso(record[name], name) for name in dates}
    return _identity_hash({**record, **normalized})


def _identity_hash(record: Mapping[str, Any]) -> str:
    """document_id over a record whose date fields are already in UTC ISO form."""
    values = [record.get(name) for name in IDENTITY_FIELDS]
    for position in _NUMBERS:  # 7 and 7.0 are one price
        if values[position] is not None:
            values[position] = float(values[position])
    return hashlib.sha256(_CANONICAL.encode(values).encode("utf-8")).hexdigest()


def to_document(data: bytes, required: Iterable[str], date_fields: tuple[str, ...]) -> Document:
    """Decode, validate and convert one record; raises InvalidRecord."""
    record = decode(data)
    source = record | validate(record, required, date_fields)
    return Document(doc_id=_identity_hash(source), source=source)


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"
