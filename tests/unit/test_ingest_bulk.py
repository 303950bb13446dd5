"""Bulk indexing: chunking, the exact request, per-item classification, signing — against the local
OpenSearch bulk test double (tests/doubles: OpenSearch itself cannot run here)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.credentials import RefreshableCredentials

from ingest_opensearch.bulk import Outcome, build_client, classify, index_documents
from ingest_opensearch.config import parse_endpoint
from ingest_opensearch.records import Document, document_id
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.lambda_support import sample_record

pytestmark = pytest.mark.unit

CREDENTIALS = {"AKIDTEST": ("secret-test", None)}


def documents(count: int) -> list[Document]:
    records = [sample_record(i, "bulk") for i in range(count)]
    return [Document(document_id(r), r) for r in records]


def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="AKIDTEST", aws_secret_access_key="secret-test", region_name="us-east-1")


@pytest.fixture
def double():
    with OpenSearchBulkDouble(credentials=CREDENTIALS) as server:
        yield server


def client_for(double: OpenSearchBulkDouble, timeout_s: float = 10.0):
    return build_client(parse_endpoint(double.url), "us-east-1", timeout_s, session())


@pytest.mark.parametrize("status", [200, 201])
def test_classify_2xx_is_indexed(status):
    got = classify(status).outcome
    assert got is Outcome.INDEXED, f"got {got} for {status}, expected INDEXED"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 401, 403, 404, 409, "N/A", "TIMEOUT", None])
def test_classify_transient_or_not_the_documents_fault_is_retryable(status):
    got = classify(status, {"type": "x", "reason": "y"}).outcome
    assert got is Outcome.RETRYABLE, f"got {got} for {status!r}, expected RETRYABLE"


@pytest.mark.parametrize("status", [400, 413, 422])
def test_classify_document_errors_are_rejected(status):
    got = classify(status, {"type": "mapper_parsing_exception", "reason": "failed to parse field [Quantity]"})
    assert got.outcome is Outcome.REJECTED, f"got {got.outcome} for {status}, expected REJECTED"
    assert got.code == "mapper_parsing_exception", f"got code {got.code}, expected OpenSearch's error type"


def test_classify_reason_includes_cause():
    error = {"type": "mapper_parsing_exception", "reason": "bad", "caused_by": {"type": "number_format", "reason": "x"}}
    got = classify(400, error).reason
    assert got == "mapper_parsing_exception: bad (caused by number_format: x)", f"got {got!r}"


def test_index_documents_sends_exact_ndjson_to_index_bulk_path(double):
    docs = documents(3)
    index_documents(client_for(double), "retail", docs, 500, 5 * 1024 * 1024)
    (request,) = double.bulk_requests()
    expected = "".join(
        json.dumps({"index": {"_id": d.doc_id}}, separators=(",", ":"))
        + "\n"
        + json.dumps(d.source, ensure_ascii=False, separators=(",", ":"))
        + "\n"
        for d in docs
    ).encode("utf-8")
    assert (request.method, request.path) == ("POST", "/retail/_bulk"), f"got {request.method} {request.path}"
    assert request.body == expected, f"got body\n{request.body!r}\nexpected\n{expected!r}"


def test_index_documents_never_asks_for_refresh(double):
    index_documents(client_for(double), "retail", documents(600), 500, 5 * 1024 * 1024)
    queries = [r.query for r in double.bulk_requests()]
    assert all("refresh" not in q for q in queries), f"got query strings {queries}, expected no refresh"


def test_index_documents_signs_with_sigv4_for_es(double):
    index_documents(client_for(double), "retail", documents(2), 500, 5 * 1024 * 1024)
    (request,) = double.bulk_requests()
    for header in ("authorization", "x-amz-date", "x-amz-content-sha256"):
        assert header in request.headers, f"got headers {sorted(request.headers)}, expected {header}"
    assert "/us-east-1/es/aws4_request" in request.headers["authorization"], request.headers["authorization"]
    assert request.signature == "valid", f"got signature check {request.signature!r}, expected valid"


def test_index_documents_chunks_by_count(double):
    results = index_documents(client_for(double), "retail", documents(1200), 500, 50 * 1024 * 1024)
    sizes = [len(r.statuses) for r in double.bulk_requests()]
    assert sizes == [500, 500, 200], f"got chunks of {sizes}, expected [500, 500, 200]"
    assert [r.outcome for r in results] == [Outcome.INDEXED] * 1200, "got a document not indexed"


def test_index_documents_chunks_by_bytes(double):
    limit = 16 * 1024
    docs = documents(300)
    index_documents(client_for(double), "retail", docs, 500, limit)
    bodies = [len(r.body) for r in double.bulk_requests()]
    assert len(bodies) > 1, f"got {len(bodies)} request, expected the batch split by size"
    assert max(bodies) <= limit, f"got a {max(bodies)}-byte request, expected at most {limit}"
    assert len(double.documents["retail"]) == 300, f"got {len(double.documents['retail'])} documents, expected 300"


def test_index_documents_oversized_single_document_goes_alone(double):
    big = Document("big", sample_record(1, "big") | {"Description": "x" * 5000})
    index_documents(client_for(double), "retail", [*documents(2), big], 500, 4096)
    sizes = [len(r.statuses) for r in double.bulk_requests()]
    assert sizes == [2, 1], f"got chunks of {sizes}, expected [2, 1]"


def test_index_documents_maps_item_failures_to_their_documents(double):
    docs = documents(10)
    bad = {docs[2].doc_id: 429, docs[5].doc_id: 400, docs[7].doc_id: 503}
    double.policy = lambda doc_id, source, attempt: (
        bad.get(doc_id, 201),
        {"type": f"t{bad.get(doc_id)}", "reason": "r"},
    )
    results = index_documents(client_for(double), "retail", docs, 500, 5 * 1024 * 1024)
    got = {i: r.outcome for i, r in enumerate(results) if r.outcome is not Outcome.INDEXED}
    expected = {2: Outcome.RETRYABLE, 5: Outcome.REJECTED, 7: Outcome.RETRYABLE}
    assert got == expected, f"got {got}, expected {expected}"


def test_index_documents_whole_request_503_makes_its_chunk_retryable(double):
    double.request_fault = lambda request: (503, "cluster overloaded") if len(double.bulk_requests()) == 2 else None
    results = index_documents(client_for(double), "retail", documents(8), 4, 5 * 1024 * 1024)
    got = [r.outcome for r in results]
    expected = [Outcome.INDEXED] * 4 + [Outcome.RETRYABLE] * 4
    assert got == expected, f"got {got}, expected the second chunk retryable"


def test_index_documents_timeout_is_retryable(double):
    double.delay_s = 1.0
    results = index_documents(client_for(double, timeout_s=0.2), "retail", documents(3), 500, 5 * 1024 * 1024)
    got = {(r.outcome, r.code) for r in results}
    assert got == {(Outcome.RETRYABLE, "no_response")}, f"got {got}, expected every item retryable, no_response"


def test_index_documents_refreshes_expiring_credentials(double):
    keys = iter(["AKIDONE", "AKIDTWO", "AKIDTHREE"])

    def refresh() -> dict[str, str]:
        # Each set of keys expires within botocore's mandatory refresh window, so every use refreshes.
        expiry = datetime.now(UTC) + timedelta(minutes=5)
        return {"access_key": next(keys), "secret_key": "rotating", "token": "tok", "expiry_time": expiry.isoformat()}

    credentials = RefreshableCredentials.create_from_metadata(refresh(), refresh, "test-rotation")
    double.credentials = {key: ("rotating", "tok") for key in ("AKIDONE", "AKIDTWO", "AKIDTHREE")}
    fake = type("S", (), {"get_credentials": lambda self: credentials})()
    opensearch = build_client(parse_endpoint(double.url), "us-east-1", 10.0, fake)
    for _ in range(2):
        index_documents(opensearch, "retail", documents(1), 500, 5 * 1024 * 1024)
        time.sleep(0.01)
    used = [r.headers["authorization"].split("Credential=")[1].split("/")[0] for r in double.bulk_requests()]
    assert used == ["AKIDTWO", "AKIDTHREE"], f"got keys {used}, expected fresh keys on each request"
    assert all(r.signature == "valid" for r in double.bulk_requests()), "got an invalid signature"
