"""The ingest handler end to end in-process, with the OpenSearch double and an in-memory SQS stand-in:
the response, the metrics, and the dead-letter fallbacks. (With real SQS: tests/integration.)"""

from __future__ import annotations

import json

import pytest

from ingest_opensearch import bulk, handler
from ingest_opensearch.config import settings
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.lambda_support import POISON, FakeContext, encode, kinesis_event, load_event, sample_record

pytestmark = pytest.mark.unit


class MemorySQS:
    """Accepts messages unless told to fail; enough to test the handler's use of SendMessageBatch."""

    def __init__(self, fail_ids: set[str] | None = None, raise_error: bool = False) -> None:
        self.messages: list[dict] = []
        self.fail_ids, self.raise_error = fail_ids or set(), raise_error

    def send_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        if self.raise_error:
            raise RuntimeError("queue unavailable")
        failed = [{"Id": e["Id"], "Code": "InternalError", "Message": "x", "SenderFault": False}
                  for e in Entries if e["Id"] in self.fail_ids]  # fmt: skip
        self.messages += [json.loads(e["MessageBody"]) for e in Entries if e["Id"] not in self.fail_ids]
        return {"Successful": [], "Failed": failed}


@pytest.fixture
def double():
    with OpenSearchBulkDouble() as server:
        yield server


@pytest.fixture
def wired(double, monkeypatch):
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", double.url)
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/dlq")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "RetailPipeline")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "ingest-opensearch")
    # Powertools reads POWERTOOLS_* when the module is imported (collection time here, cold start in Lambda).
    monkeypatch.setattr(handler.metrics, "namespace", "RetailPipeline")
    sqs = MemorySQS()
    for cached in (settings, bulk.client, handler.sqs_client):
        cached.cache_clear()
    monkeypatch.setattr(handler, "sqs_client", lambda: sqs)
    yield sqs
    for cached in (settings, bulk.client):
        cached.cache_clear()


def test_handler_event_file_indexes_every_record(wired, double):
    response = handler.lambda_handler(load_event("kinesis_three_records.json"), FakeContext())
    assert response == {"batchItemFailures": []}, f"got {response}, expected no failures"
    assert len(double.documents["retail"]) == 3, f"got {len(double.documents['retail'])} documents, expected 3"


def test_handler_poison_goes_to_dead_letter_not_failures(wired, double):
    payloads = [encode(sample_record(0, "h")), *(data for data, _ in POISON)]
    response = handler.lambda_handler(kinesis_event(payloads), FakeContext())
    reasons = sorted(m["reason"] for m in wired.messages)
    assert response == {"batchItemFailures": []}, f"got {response}, expected poison not to block the shard"
    assert reasons == sorted(code for _, code in POISON), f"got dead-letter reasons {reasons}"


def test_handler_dead_letter_carries_the_original_record(wired):
    event = kinesis_event([b"not json\n"])
    handler.lambda_handler(event, FakeContext())
    (message,) = wired.messages
    record = event["Records"][0]
    got = (message["data"], message["sequenceNumber"], message["stage"], message["source"])
    expected = (record["kinesis"]["data"], record["kinesis"]["sequenceNumber"], "validation", "ingest-opensearch")
    assert got == expected, f"got {got}, expected {expected}"


def test_handler_rejected_document_is_dead_lettered_with_opensearch_reason(wired, double):
    error = {"type": "mapper_parsing_exception", "reason": "failed to parse field [Quantity]"}
    double.policy = lambda doc_id, source, attempt: (400, error) if source["Country"] == "France" else (201, None)
    handler.lambda_handler(kinesis_event([encode(sample_record(i, "rj")) for i in range(3)]), FakeContext())
    got = [(m["stage"], m["reason"], m["status"]) for m in wired.messages]
    assert got == [("indexing", "mapper_parsing_exception", 400)], f"got {got}"


def test_handler_dead_letter_refused_makes_record_a_failure(wired):
    wired.fail_ids = {"0"}
    event = kinesis_event([b"not json\n", b"[1]\n"])
    response = handler.lambda_handler(event, FakeContext())
    expected = [{"itemIdentifier": event["Records"][0]["kinesis"]["sequenceNumber"]}]
    assert response["batchItemFailures"] == expected, f"got {response}, expected the refused record retried"


def test_handler_dead_letter_outage_fails_every_poison_record(wired):
    wired.raise_error = True
    event = kinesis_event([encode(sample_record(0, "o")), b"not json\n"])
    response = handler.lambda_handler(event, FakeContext())
    expected = [{"itemIdentifier": event["Records"][1]["kinesis"]["sequenceNumber"]}]
    assert response["batchItemFailures"] == expected, f"got {response}, expected the poison record retried"


def test_handler_all_records_retryable_reports_all_without_raising(wired, double):
    double.policy = lambda doc_id, source, attempt: (503, {"type": "unavailable", "reason": "x"})
    event = kinesis_event([encode(sample_record(i, "all")) for i in range(4)])
    response = handler.lambda_handler(event, FakeContext())
    got = len(response["batchItemFailures"])
    assert got == 4, f"got {got} failures, expected all 4 reported"


def test_handler_emits_metrics_per_outcome(wired, double, capsys):
    double.policy = lambda doc_id, source, attempt: (429, None) if source["Country"] == "EIRE" else (201, None)
    payloads = [encode(sample_record(i, "m")) for i in range(6)] + [b"not json\n"]
    handler.lambda_handler(kinesis_event(payloads), FakeContext())
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    got = {name: emf[-1][name] for name in ("RecordsReceived", "RecordsIndexed", "RecordsRetried", "RecordsInvalid",
                                           "RecordsRejected", "RecordsDeadLettered", "RecordsDeferred")}  # fmt: skip
    # the poison record comes after the retried ones: Kinesis redelivers it, its letter waits for that delivery
    expected = {"RecordsReceived": [7.0], "RecordsIndexed": [4.0], "RecordsRetried": [2.0], "RecordsInvalid": [1.0],
                "RecordsRejected": [0.0], "RecordsDeadLettered": [0.0], "RecordsDeferred": [1.0]}  # fmt: skip
    assert got == expected, f"got metrics {got}, expected {expected}"


def test_handler_poison_after_a_retried_record_is_dead_lettered_once_on_the_redelivery(wired, double):
    # given: a throttled record, then a poison one (Kinesis redelivers both: it resumes from the throttled one)
    double.policy = lambda doc_id, source, attempt: (429, None) if attempt == 1 else (201, None)
    event = kinesis_event([encode(sample_record(0, "df")), b"not json\n", encode(sample_record(2, "df"))])
    # when
    first = handler.lambda_handler(event, FakeContext())
    letters_after_first = len(wired.messages)
    second = handler.lambda_handler(event, FakeContext())  # the redelivery, from the lowest failure on
    # then
    got = (letters_after_first, len(wired.messages), second["batchItemFailures"])
    assert got == (0, 1, []), f"got (letters after 1st, after 2nd, failures of 2nd) {got}, expected (0, 1, [])"
    assert len(first["batchItemFailures"]) == 2, f"got {first}, expected both valid records retried"


def test_handler_poison_before_a_retried_record_is_dead_lettered_at_once(wired, double):
    # given: a poison record, then a throttled one (Kinesis checkpoints past the poison record)
    double.policy = lambda doc_id, source, attempt: (429, None)
    event = kinesis_event([b"not json\n", encode(sample_record(1, "dn"))])
    # when
    response = handler.lambda_handler(event, FakeContext())
    # then
    expected = [{"itemIdentifier": event["Records"][1]["kinesis"]["sequenceNumber"]}]
    assert response["batchItemFailures"] == expected, f"got {response}, expected only the throttled record"
    assert [m["reason"] for m in wired.messages] == ["not_json"], f"got {wired.messages}"


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_handler_missing_endpoint_fails_invocation_naming_it(wired, monkeypatch):
    monkeypatch.delenv("OPENSEARCH_ENDPOINT")
    settings.cache_clear()
    with pytest.raises(ValueError, match="OPENSEARCH_ENDPOINT is not set"):
        handler.lambda_handler(kinesis_event([encode(sample_record(0, "c"))]), FakeContext())
