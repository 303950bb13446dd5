"""Indexing into a real OpenSearch, when one is given: OPENSEARCH_URL (an https domain endpoint signed with
SigV4 from the usual AWS credentials, or an http endpoint such as LocalStack's). No OpenSearch can run
here, so without OPENSEARCH_URL this module is skipped with that reason."""

from __future__ import annotations

import os

import boto3
import pytest

from ingest_opensearch import bulk, handler
from ingest_opensearch.config import parse_endpoint, settings
from ingest_opensearch.records import document_id
from ingest_opensearch.template import put_index_template
from tests.harness import random_prefix
from tests.lambda_support import FakeContext, encode, kinesis_event, sample_record

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "").strip()
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not OPENSEARCH_URL, reason="OPENSEARCH_URL is not set: no real OpenSearch to index into"),
]


@pytest.fixture
def real_index(monkeypatch):
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    index = random_prefix("retail-it-")
    client = bulk.build_client(parse_endpoint(OPENSEARCH_URL), region, 30.0, boto3.Session())
    put_index_template(client, name=index, index_patterns=[index])
    env = {
        "OPENSEARCH_ENDPOINT": OPENSEARCH_URL,
        "OPENSEARCH_INDEX": index,
        "AWS_REGION": region,
        "DEAD_LETTER_QUEUE_URL": "https://sqs.invalid/unused-when-every-record-is-valid",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(handler.metrics, "namespace", "RetailPipelineTest")
    for cached in (settings, bulk.client):
        cached.cache_clear()
    yield client, index
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.delete_index_template(name=index)
    for cached in (settings, bulk.client):
        cached.cache_clear()


def test_real_opensearch_indexes_and_finds_the_documents(real_index):
    # given
    client, index = real_index
    records = [sample_record(i, "real") for i in range(25)]
    # when
    response = handler.lambda_handler(kinesis_event([encode(r) for r in records]), FakeContext())
    client.indices.refresh(index=index)  # the function never refreshes; the test does, to read its writes
    # then
    assert response == {"batchItemFailures": []}, f"got {response}"
    count = client.count(index=index)["count"]
    assert count == 25, f"got {count} documents, expected 25"
    found = client.get(index=index, id=document_id(records[3]))["_source"]
    assert found["InvoiceDate"] == records[3]["InvoiceDate"].replace(" ", "T") + "Z", f"got {found}"
    mapping = client.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    assert mapping["InvoiceDate"]["type"] == "date", f"got mapping {mapping['InvoiceDate']}, expected date"
