"""The Firehose processing Lambda: contract JSON passes (newline-terminated), anything else is marked
ProcessingFailed with its data unchanged, so Firehose writes it under the error prefix; counts as metrics."""

from __future__ import annotations

import base64
import json

import pytest

from firehose_validate import handler
from tests.lambda_support import FakeContext, encode, sample_record

pytestmark = pytest.mark.unit

CSV_LINE = b"489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085,United Kingdom\n"
TSV_LINE = CSV_LINE.replace(b",", b"\t")
NOT_CONTRACT = {
    "csv": CSV_LINE,
    "tsv": TSV_LINE,
    "garbage": b"\x00\xff\xfegarbage",
    "array": b'["an", "array"]\n',
    "missing field": json.dumps({"Invoice": "1"}).encode() + b"\n",
    "wrong type": json.dumps(sample_record(3, "fv") | {"Quantity": "many"}).encode() + b"\n",
    "two objects": encode(sample_record(1, "fv")) + encode(sample_record(2, "fv")),
    "empty": b"",
}


def Context() -> FakeContext:
    return FakeContext(function_name="firehose-validate")


@pytest.fixture(autouse=True)
def powertools(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "firehose-validate")
    monkeypatch.setattr(handler.metrics, "namespace", "RetailPipeline")  # read at import, before this fixture


def event(*payloads: bytes) -> dict:
    return {
        "invocationId": "inv-1",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/uk-online-retail-trans",
        "region": "us-east-1",
        "records": [
            {"recordId": f"r{i}", "approximateArrivalTimestamp": 1796421665000, "data": base64.b64encode(p).decode()}
            for i, p in enumerate(payloads)
        ],
    }


def test_contract_json_passes_newline_terminated():
    with_newline, without = encode(sample_record(1, "fv")), json.dumps(sample_record(2, "fv")).encode()
    got = handler.lambda_handler(event(with_newline, without), Context())["records"]
    data = [base64.b64decode(r["data"]) for r in got]
    assert [r["result"] for r in got] == ["Ok", "Ok"], f"got {got}"
    assert data == [with_newline, without + b"\n"], f"got {data}"


@pytest.mark.parametrize("kind", sorted(NOT_CONTRACT))
def test_record_that_is_not_contract_json_fails_processing_with_its_data_intact(kind):
    payload = NOT_CONTRACT[kind]
    (got,) = handler.lambda_handler(event(payload), Context())["records"]
    assert (got["recordId"], got["result"]) == ("r0", "ProcessingFailed"), f"{kind}: got {got}"
    assert base64.b64decode(got["data"]) == payload, f"{kind}: got the data changed"


def test_counts_are_published_as_metrics(capsys):
    handler.lambda_handler(event(encode(sample_record(1, "fv")), CSV_LINE, b"\x00garbage"), Context())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert lines, "got no EMF metrics line"
    values = {k: lines[-1][k] for k in ("RecordsChecked", "RecordsPassed", "RecordsQuarantined")}
    metrics = {k: sum(v) if isinstance(v, list) else v for k, v in values.items()}
    assert metrics == {"RecordsChecked": 3.0, "RecordsPassed": 1.0, "RecordsQuarantined": 2.0}, f"got {metrics}"


def test_every_record_gets_exactly_one_answer_with_its_id():
    payloads = [encode(sample_record(i, "fv")) if i % 2 else CSV_LINE for i in range(10)]
    got = handler.lambda_handler(event(*payloads), Context())["records"]
    assert [r["recordId"] for r in got] == [f"r{i}" for i in range(10)], f"got {[r['recordId'] for r in got]}"
