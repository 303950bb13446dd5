"""The ingest Lambda deployed from its built zip on the emulator, invoked by a Kinesis event source
mapping with records put into the stream; OpenSearch is the local bulk test double (OpenSearch cannot run
here), the dead-letter queue a real SQS queue on the emulator.

The mapping is created with boto3 exactly as the Terraform lambda_function module declares it (batch 1000,
ReportBatchItemFailures, bisect on error, bounded retries, on-failure destination = the dead-letter queue).
Emulator gap: MiniStack's Kinesis poller advances past a batch whatever batchItemFailures says, so Kinesis
retries of partial failures are proven by tests/integration/test_ingest_contract.py, not here.
"""

from __future__ import annotations

import json
import re

import pytest

from ingest_opensearch.records import document_id
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.harness import random_prefix, wait_for
from tests.lambda_support import POISON, create_role, deploy_function, drain_queue, encode, sample_record
from tools import build_lambdas

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def double():
    with OpenSearchBulkDouble() as server:  # the function signs with the emulator's per-account keys
        yield server


@pytest.fixture(scope="module")
def deployed(aws_client, double):
    """A stream, a dead-letter queue, the function from dist/ingest_opensearch.zip, and the mapping."""
    name = random_prefix("ingest")
    kinesis, sqs, lam, iam = (aws_client(s) for s in ("kinesis", "sqs", "lambda", "iam"))
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name)
    stream_arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    queue_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    zip_path = build_lambdas.build(build_lambdas.SOURCE_DIR / "ingest_opensearch")
    env = {
        "OPENSEARCH_ENDPOINT": double.url,
        "OPENSEARCH_INDEX": "retail",
        "DEAD_LETTER_QUEUE_URL": queue_url,
        "POWERTOOLS_SERVICE_NAME": "ingest-opensearch",
        "POWERTOOLS_METRICS_NAMESPACE": "RetailPipeline",
        "LOG_LEVEL": "INFO",
    }
    role = create_role(iam, f"{name}-role")
    deploy_function(lam, name, role, zip_path, "ingest_opensearch.handler.lambda_handler", env)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=stream_arn,
        FunctionName=name,
        StartingPosition="TRIM_HORIZON",
        BatchSize=1000,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=3,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )["UUID"]
    yield {"name": name, "stream": name, "queue_url": queue_url, "mapping": mapping}
    lam.delete_event_source_mapping(UUID=mapping)
    lam.delete_function(FunctionName=name)
    iam.delete_role(RoleName=f"{name}-role")
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
    sqs.delete_queue(QueueUrl=queue_url)


def test_mapping_is_configured_as_the_module_declares(aws_client, deployed):
    got = aws_client("lambda").get_event_source_mapping(UUID=deployed["mapping"])
    summary = (got["BatchSize"], got["FunctionResponseTypes"], got["BisectBatchOnFunctionError"],
               got["MaximumRetryAttempts"])  # fmt: skip
    assert summary == (1000, ["ReportBatchItemFailures"], True, 3), f"got {summary}"


def test_records_put_into_kinesis_are_indexed_or_dead_lettered(aws_client, deployed, double):
    # given
    valid = [sample_record(i, "esm") for i in range(60)]
    payloads = [encode(r) for r in valid] + [data for data, _ in POISON]
    # when
    response = aws_client("kinesis").put_records(
        StreamName=deployed["stream"],
        Records=[{"Data": data, "PartitionKey": f"pk-{i}"} for i, data in enumerate(payloads)],
    )
    assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} records refused by Kinesis"
    # then
    expected_ids = {document_id(r) for r in valid}
    wait_for(lambda: set(double.documents["retail"]) >= expected_ids, timeout=60, what="60 documents in the double")
    letters = wait_for(
        lambda: drain_queue(aws_client("sqs"), deployed["queue_url"], idle_polls=1) or None,
        timeout=30,
        what="dead letters",
    )
    letters += drain_queue(aws_client("sqs"), deployed["queue_url"])
    reasons = sorted(json.loads(m["Body"])["reason"] for m in letters)
    assert reasons == sorted(code for _, code in POISON), f"got dead-letter reasons {reasons}"
    assert set(double.documents["retail"]) == expected_ids, f"got {len(double.documents['retail'])} documents"


def test_documents_from_the_lambda_have_utc_dates_and_signed_requests(deployed, double):
    wait_for(lambda: double.bulk_requests(), timeout=60, what="a bulk request from the function")
    request = double.bulk_requests()[0]
    authorization = request.headers.get("authorization", "")
    assert re.fullmatch(r"AWS4-HMAC-SHA256 Credential=[^/]+/\d{8}/us-east-1/es/aws4_request, .+", authorization), (
        f"got Authorization {authorization!r}, expected SigV4 for service es"
    )
    dates = {doc["InvoiceDate"] for doc in double.documents["retail"].values()}
    odd = [d for d in dates if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", d)]
    assert not odd, f"got dates {odd[:3]}, expected ISO-8601 UTC"
