"""Contract of the ingest handler, in-process: the OpenSearch bulk API is the local test double
(OpenSearch cannot run here), the dead-letter queue is a real SQS queue on the emulator.

Kinesis is simulated faithfully: after a response with batchItemFailures, the next invocation
re-delivers the batch from the lowest failed sequence number onwards (records after it included).
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from ingest_opensearch import bulk, handler
from ingest_opensearch.config import settings
from ingest_opensearch.records import InvalidRecord, document_id
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble, combine, rejected_429_first
from tests.harness import random_prefix
from tests.lambda_support import POISON, FakeContext, drain_queue, encode, kinesis_event, sample_record

pytestmark = pytest.mark.integration

SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=test/\d{8}/us-east-1/es/aws4_request, "
    r"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}"
)


@pytest.fixture
def dlq(aws_client):
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName=random_prefix("ingest-dlq"))["QueueUrl"]
    yield url
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def double():
    with OpenSearchBulkDouble(credentials={"test": ("test", None)}) as server:
        yield server


@pytest.fixture
def wired(monkeypatch, endpoint, target, dlq, double):
    env = {
        "AWS_ENDPOINT_URL": endpoint,  # the dead-letter queue on the emulator
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": target.region,
        "AWS_DEFAULT_REGION": target.region,
        "OPENSEARCH_ENDPOINT": double.url,
        "DEAD_LETTER_QUEUE_URL": dlq,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setattr(handler.metrics, "namespace", "RetailPipeline")
    for cached in (settings, bulk.client, handler.sqs_client):
        cached.cache_clear()
    yield
    for cached in (settings, bulk.client, handler.sqs_client):
        cached.cache_clear()


def redelivery(event: dict, response: dict) -> dict | None:
    """What Kinesis sends next: the records from the lowest failed sequence number on, or None."""
    failed = [int(f["itemIdentifier"]) for f in response["batchItemFailures"]]
    if not failed:
        return None
    lowest = min(failed)
    return {"Records": [r for r in event["Records"] if int(r["kinesis"]["sequenceNumber"]) >= lowest]}


def test_contract_bulk_request_is_exact_signed_ndjson_without_refresh(wired, double):
    # given
    records = [sample_record(i, "nd") for i in range(3)]
    # when
    response = handler.lambda_handler(kinesis_event([encode(r) for r in records]), FakeContext())
    # then
    (request,) = double.bulk_requests()
    expected = b"".join(
        json.dumps({"index": {"_id": document_id(r)}}, separators=(",", ":")).encode()
        + b"\n"
        + json.dumps(r | {"InvoiceDate": r["InvoiceDate"].replace(" ", "T") + "Z"}, ensure_ascii=False,
                     separators=(",", ":")).encode()
        + b"\n"
        for r in records
    )  # fmt: skip
    assert response == {"batchItemFailures": []}, f"got {response}"
    assert (request.method, request.path, request.query) == ("POST", "/retail/_bulk", {}), f"got {request}"
    assert request.body == expected, f"got body\n{request.body!r}\nexpected\n{expected!r}"
    assert SIGV4.fullmatch(request.headers["authorization"]), f"got {request.headers['authorization']!r}"
    assert request.signature == "valid", f"got signature check {request.signature!r}"


def test_contract_429s_retry_poison_dead_letters_and_nothing_is_lost(wired, double, aws_client, dlq):
    # given: 200 valid records (20% answered 429 once), 3 OpenSearch rejects, 7 that break the contract
    valid = [sample_record(i, "ct") for i in range(200)]
    throttled = {document_id(r) for r in valid[::5]}
    unmappable = [sample_record(1000 + i, "ct") | {"StockCode": "UNMAPPABLE"} for i in range(3)]
    mapping_error = {"type": "mapper_parsing_exception", "reason": "failed to parse field [StockCode]"}
    double.policy = combine(
        lambda doc_id, source, attempt: (400, mapping_error) if source["StockCode"] == "UNMAPPABLE" else (201, None),
        rejected_429_first(throttled),
    )
    payloads = [encode(r) for r in valid]
    for offset, data in enumerate([encode(r) for r in unmappable] + [data for data, _ in POISON]):
        payloads.insert(17 + offset * 19, data)
    event = kinesis_event(payloads)
    by_sequence = {r["kinesis"]["sequenceNumber"]: r for r in event["Records"]}

    # when: the first delivery, then Kinesis' redeliveries until nothing fails
    first = handler.lambda_handler(event, FakeContext())
    failed_first = {f["itemIdentifier"] for f in first["batchItemFailures"]}
    invocations, response, current = 1, first, event
    while (current := redelivery(current, response)) is not None:
        response = handler.lambda_handler(current, FakeContext())
        invocations += 1
        assert invocations <= 3, f"got {invocations} invocations, expected the 429s to pass on the first retry"

    # then: every record is indexed (its exact document, found in what the double holds) or dead-lettered...
    indexed = double.documents["retail"]
    sent_records = {sequence: decoded(r["kinesis"]["data"]) for sequence, r in by_sequence.items()}
    indexed_sequences = {
        sequence
        for sequence, record in sent_records.items()
        if record is not None and indexed.get(id_of(record)) == as_document(record)
    }
    letters = [json.loads(m["Body"]) for m in drain_queue(aws_client("sqs"), dlq)]
    reasons = {letter["sequenceNumber"]: letter["reason"] for letter in letters}
    lost = set(by_sequence) - indexed_sequences - set(reasons)
    assert not lost, f"got {len(lost)} records neither indexed nor dead-lettered"
    both = indexed_sequences & set(reasons)
    assert not both, f"got {len(both)} records both indexed and dead-lettered"
    # ...exactly the throttled records failed the first time, and each was retried once after its 429...
    throttled_data = {base64.b64encode(encode(r)).decode() for r in valid[::5]}
    throttled_sequences = {s for s, r in by_sequence.items() if r["kinesis"]["data"] in throttled_data}
    assert failed_first == throttled_sequences, (
        f"got {len(failed_first)} batch item failures, expected the {len(throttled_sequences)} throttled records"
    )
    assert all(double.attempts[i] == 2 for i in throttled), "got a throttled document not retried exactly once"
    # ...the valid records are the indexed ones, and every other record was dead-lettered with its reason.
    assert set(indexed) == {document_id(r) for r in valid}, f"got {len(indexed)} documents, expected {len(valid)}"
    assert len(indexed_sequences) == len(valid), f"got {len(indexed_sequences)} indexed records, expected 200"
    expected_reasons = sorted(["mapper_parsing_exception"] * 3 + [code for _, code in POISON])
    assert sorted(reasons.values()) == expected_reasons, f"got reasons {sorted(reasons.values())}"


def decoded(data: str) -> dict | None:
    """The record a Kinesis payload carries, or None when it is not a JSON object (poison)."""
    try:
        record = json.loads(base64.b64decode(data))
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def id_of(record: dict) -> str | None:
    """The record's document id, or None when the contract refuses the record (it cannot have been indexed)."""
    try:
        return document_id(record)
    except InvalidRecord:
        return None


def as_document(record: dict) -> dict:
    """The document the contract says OpenSearch must hold for a record: InvoiceDate in ISO-8601 UTC."""
    date = record.get("InvoiceDate")
    return record | {"InvoiceDate": date.replace(" ", "T") + "Z"} if isinstance(date, str) else record


def test_contract_dead_letter_message_has_reason_and_original_data(wired, aws_client, dlq):
    # given
    event = kinesis_event([b'{"Invoice": "1", "Quantity": "twelve"}\n'])
    # when
    handler.lambda_handler(event, FakeContext())
    # then
    (message,) = drain_queue(aws_client("sqs"), dlq)
    body = json.loads(message["Body"])
    attributes = {k: v["StringValue"] for k, v in message.get("MessageAttributes", {}).items()}
    assert attributes == {"source": "ingest-opensearch", "stage": "validation", "reason": "missing_field"}, attributes
    assert body["data"] == event["Records"][0]["kinesis"]["data"], "got the record's data altered in the letter"
    assert body["eventSourceARN"] == event["Records"][0]["eventSourceARN"], f"got {body['eventSourceARN']}"
