"""The root stack with its Lambda functions applied on the emulator (OpenSearch off).

The ingest function is pointed at a tiny HTTP endpoint this test starts: a test double standing in for
OpenSearch, which cannot run here (no engine on PyPI, npm or Debian, no Docker). It answers the bulk API
with success for every item, so the real handler can run against it once it lands.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from botocore.exceptions import ClientError

from tests.harness import random_prefix, wait_for

pytestmark = pytest.mark.integration


class BulkDouble(BaseHTTPRequestHandler):
    """OpenSearch test double: records every request, answers _bulk with one success per action."""

    requests: ClassVar[list[tuple[str, str, bytes]]] = []

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.requests.append((self.command, self.path, body))
        if self.path.split("?")[0].endswith("/_bulk"):
            actions = [json.loads(line) for line in body.decode().splitlines()[::2] if line.strip()]
            items = [{next(iter(a)): {"status": 201, "result": "created"}} for a in actions]
            self._reply(200, {"took": 1, "errors": False, "items": items})
        else:
            self._reply(200, {"acknowledged": True})

    do_GET = do_POST = do_PUT = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reports what matters."""


@pytest.fixture(scope="module")
def opensearch_double() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BulkDouble)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def stack(make_stack, opensearch_double):
    tf_vars = {"name_prefix": random_prefix(), "ingest_opensearch_endpoint": opensearch_double}
    stack = make_stack("terraform", var_files=["env/local.tfvars"], tf_vars=tf_vars)
    stack.outputs_after_apply = stack.apply()
    yield stack
    if not getattr(stack, "destroyed", False):
        stack.destroy()


@pytest.fixture(scope="module")
def outputs(stack) -> dict[str, Any]:
    return stack.outputs_after_apply


def log_messages(logs, group: str) -> list[str]:
    messages = []
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
        messages += [e["message"] for e in events]
    return messages


def invocations(logs, group: str) -> int:
    return sum(1 for m in log_messages(logs, group) if m.startswith("START RequestId:"))


def test_apply_outputs_name_the_functions_and_queues(outputs):
    for name in (
        "ingest_function_name",
        "ingest_dead_letter_queue_url",
        "ingest_event_source_mapping_uuid",
        "ingest_role_arn",
        "compaction_function_name",
        "compaction_dead_letter_queue_url",
        "compaction_schedule_rule",
    ):
        assert outputs.get(name), f"got no output {name}; outputs: {sorted(outputs)}"
    assert outputs.get("opensearch_domain_name") is None, "expected no domain with env/local.tfvars"


def test_ingest_environment_follows_the_contract(outputs, aws_client, opensearch_double):
    config = aws_client("lambda").get_function_configuration(FunctionName=outputs["ingest_function_name"])
    expected = {
        "OPENSEARCH_ENDPOINT": opensearch_double,
        "OPENSEARCH_INDEX": "retail",
        "DEAD_LETTER_QUEUE_URL": outputs["ingest_dead_letter_queue_url"],
        "REQUIRED_FIELDS": "Invoice,StockCode,Quantity,InvoiceDate,Price,Country",
        "DATE_FIELDS": "InvoiceDate",
        "POWERTOOLS_SERVICE_NAME": "ingest-opensearch",
        "POWERTOOLS_METRICS_NAMESPACE": "RetailPipeline",
        "LOG_LEVEL": "INFO",
    }
    got = config["Environment"]["Variables"]
    assert got == expected, f"got {got}, expected {expected}"
    assert (config["Runtime"], config["Handler"]) == ("python3.12", "ingest_opensearch.handler.lambda_handler")


def test_event_source_mapping_sends_failed_batches_to_the_dead_letter_queue(outputs, aws_client):
    mapping = aws_client("lambda").get_event_source_mapping(UUID=outputs["ingest_event_source_mapping_uuid"])
    got = {
        "EventSourceArn": mapping["EventSourceArn"],
        "BatchSize": mapping["BatchSize"],
        "BisectBatchOnFunctionError": mapping["BisectBatchOnFunctionError"],
        "MaximumRetryAttempts": mapping["MaximumRetryAttempts"],
        "FunctionResponseTypes": mapping["FunctionResponseTypes"],
        "OnFailure": mapping["DestinationConfig"]["OnFailure"]["Destination"],
    }
    expected = {
        "EventSourceArn": outputs["kinesis_stream_arn"],
        "BatchSize": 1000,
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "OnFailure": outputs["ingest_dead_letter_queue_arn"],
    }
    assert got == expected, f"got {got}, expected {expected}"


def test_records_put_into_the_stream_invoke_the_ingest_function(outputs, aws_client):
    logs, group = aws_client("logs"), outputs["ingest_log_group"]
    before = invocations(logs, group)
    record = {  # every REQUIRED_FIELDS key: a valid record, which the function indexes (no dead letter)
        "Invoice": uuid.uuid4().hex[:8],
        "StockCode": "85048",
        "Quantity": 1,
        "InvoiceDate": "2009-12-01 07:45:00",
        "Price": 6.95,
        "Country": "United Kingdom",
    }
    response = aws_client("kinesis").put_records(
        StreamName=outputs["kinesis_stream_name"],
        Records=[{"Data": (json.dumps(record) + "\n").encode(), "PartitionKey": record["Invoice"]}],
    )
    assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} failed records"
    after = wait_for(
        lambda: invocations(logs, group) > before and invocations(logs, group),
        timeout=60,
        what="the event source mapping to invoke the ingest function",
    )
    assert after > before, f"got {after} invocations, expected more than {before}"


def test_ingest_dead_letter_queue_stays_empty_when_the_function_succeeds(outputs, aws_client):
    attributes = aws_client("sqs").get_queue_attributes(
        QueueUrl=outputs["ingest_dead_letter_queue_url"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0", f"got {attributes}"


def test_compaction_function_runs_without_error(outputs, aws_client):
    logs, group = aws_client("logs"), outputs["compaction_log_group"]
    # The schedule's event for 2020-01-01 01:05 UTC: the function compacts hour 00 of that day, which has no data.
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "time": "2020-01-01T01:05:00Z", "detail": {}}
    response = aws_client("lambda").invoke(
        FunctionName=outputs["compaction_function_name"], Payload=json.dumps(event).encode()
    )
    assert response["StatusCode"] == 200, f"got status {response['StatusCode']}"
    payload = response["Payload"].read().decode()
    assert "FunctionError" not in response, f"got {response['FunctionError']}: {payload}"
    result = json.loads(payload)
    got = (result["hour"], result["status"])
    assert got == ("2020-01-01T00", "empty"), f"got {result}, expected an empty hour compacted as a no-op"
    assert invocations(logs, group) >= 1, "expected the invocation in the function's log group"


def test_compaction_schedule_targets_the_function(outputs, aws_client):
    events = aws_client("events")
    rule = events.describe_rule(Name=outputs["compaction_schedule_rule"])
    assert rule["ScheduleExpression"] == "cron(5 * * * ? *)", f"got {rule['ScheduleExpression']}"
    targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=outputs["compaction_schedule_rule"])["Targets"]]
    assert targets == [outputs["compaction_function_arn"]], f"got {targets}"


def test_dead_letter_queues_are_encrypted_with_the_operations_key_and_tls_only(outputs, aws_client):
    for url in (outputs["ingest_dead_letter_queue_url"], outputs["compaction_dead_letter_queue_url"]):
        attributes = aws_client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        key = attributes.get("KmsMasterKeyId")
        assert key == outputs["operations_kms_key_arn"], f"{url}: got {key}, expected the operations key"
        sids = [s["Sid"] for s in json.loads(attributes["Policy"])["Statement"]]
        assert sids == ["DenyInsecureTransport"], f"{url}: got {sids}"


def test_function_log_groups_are_encrypted_with_the_operations_key(outputs, aws_client):
    for group in (outputs["ingest_log_group"], outputs["compaction_log_group"]):
        found = aws_client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        got = [(g["logGroupName"], g.get("kmsKeyId"), g.get("retentionInDays")) for g in found]
        assert got == [(group, outputs["operations_kms_key_arn"], 365)], f"got {got}"


def test_ingest_role_decrypts_the_stream_and_its_queue_only_through_their_services(outputs, aws_client):
    policy = aws_client("iam").get_role_policy(RoleName=outputs["ingest_function_name"], PolicyName="module")
    document = policy["PolicyDocument"]
    statements = {s["Sid"]: s for s in (json.loads(document) if isinstance(document, str) else document)["Statement"]}
    got = {
        sid: (statements[sid]["Resource"], statements[sid]["Condition"]["StringEquals"]["kms:ViaService"].split(".")[0])
        for sid in ("DecryptSourceStream", "EncryptDeadLetters")
    }
    expected = {
        "DecryptSourceStream": (outputs["kinesis_stream_kms_key_arn"], "kinesis"),
        "EncryptDeadLetters": (outputs["operations_kms_key_arn"], "sqs"),
    }
    assert got == expected, f"got {got}, expected {expected}"


def test_compaction_role_uses_the_lake_key_only_through_s3(outputs, aws_client):
    role = outputs["compaction_function_name"]
    policy = aws_client("iam").get_role_policy(RoleName=role, PolicyName="function")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    statement = {s["Sid"]: s for s in policy["Statement"]}["UseLakeKeyThroughS3"]
    assert statement["Resource"] == outputs["bucket_kms_key_arn"], f"got {statement['Resource']}"
    assert statement["Condition"]["StringEquals"]["kms:ViaService"].startswith("s3."), f"got {statement}"


def test_second_plan_after_apply_shows_no_changes(stack):
    text = stack.plan_text()
    assert "No changes." in text, f"expected no changes after apply, got:\n{text[-3000:]}"


def test_destroy_leaves_no_function_queue_log_group_role_or_rule(stack, outputs, aws_client):
    stack.destroy()
    stack.destroyed = True
    names = (outputs["ingest_function_name"], outputs["compaction_function_name"])
    probes = {
        **{f"function {n}": lambda n=n: aws_client("lambda").get_function(FunctionName=n) for n in names},
        **{f"role {n}": lambda n=n: aws_client("iam").get_role(RoleName=n) for n in names},
        **{
            f"log group {g}": lambda g=g: _require(
                aws_client("logs").describe_log_groups(logGroupNamePrefix=g)["logGroups"]
            )
            for g in (outputs["ingest_log_group"], outputs["compaction_log_group"])
        },
        **{
            f"queue {u}": lambda u=u: aws_client("sqs").get_queue_attributes(QueueUrl=u)
            for u in (outputs["ingest_dead_letter_queue_url"], outputs["compaction_dead_letter_queue_url"])
        },
        "event source mapping": lambda: aws_client("lambda").get_event_source_mapping(
            UUID=outputs["ingest_event_source_mapping_uuid"]
        ),
        "schedule rule": lambda: aws_client("events").describe_rule(Name=outputs["compaction_schedule_rule"]),
        "stream": lambda: aws_client("kinesis").describe_stream_summary(StreamName=outputs["kinesis_stream_name"]),
        "bucket": lambda: aws_client("s3").head_bucket(Bucket=outputs["bucket_name"]),
    }
    left = []
    for name, probe in probes.items():
        try:
            probe()
            left.append(name)
        except (ClientError, LookupError):
            pass
    assert not left, f"destroy left behind: {left}"


def _require(items: list) -> list:
    if not items:
        raise LookupError("none")
    return items
