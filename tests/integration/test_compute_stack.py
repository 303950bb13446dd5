"""The root stack with its Lambda functions applied on the emulator (OpenSearch off).

The ingest function is pointed at the OpenSearch bulk-API test double (tests/doubles/opensearch_bulk.py), started
by this test: OpenSearch cannot run here (no engine on PyPI, npm or Debian, no Docker). Records go through the real
stream, event source mapping and deployed function.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.harness import left_behind, log_groups_named, random_prefix, wait_for
from tests.record_contract import DATE_FIELDS, REQUIRED_FIELDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def opensearch_double() -> Iterator[OpenSearchBulkDouble]:
    with OpenSearchBulkDouble() as double:  # every bulk item succeeds; documents are kept per index
        yield double


@pytest.fixture(scope="module")
def stack(make_stack, opensearch_double):
    tf_vars = {"name_prefix": random_prefix(), "ingest_opensearch_endpoint": opensearch_double.url}
    stack = make_stack("terraform", var_files=["env/local.tfvars"], tf_vars=tf_vars)
    stack.outputs_after_apply = stack.apply()
    yield stack
    if not getattr(stack, "destroyed", False):
        stack.discard()


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
        "OPENSEARCH_ENDPOINT": opensearch_double.url,
        "OPENSEARCH_INDEX": "retail",
        "OPENSEARCH_ALLOW_HTTP": "false",  # the double listens on 127.0.0.1: loopback needs no opt-in
        "DEAD_LETTER_QUEUE_URL": outputs["ingest_dead_letter_queue_url"],
        "REQUIRED_FIELDS": ",".join(REQUIRED_FIELDS),
        "DATE_FIELDS": ",".join(DATE_FIELDS),
        "POWERTOOLS_SERVICE_NAME": "ingest-opensearch",
        "POWERTOOLS_METRICS_NAMESPACE": "RetailPipeline",
        "LOG_LEVEL": "INFO",
    }
    got = config["Environment"]["Variables"]
    assert got == expected, f"got {got}, expected {expected}"
    assert (config["Runtime"], config["Handler"]) == ("python3.12", "ingest_opensearch.handler.lambda_handler")


def test_event_source_mapping_keeps_failed_batches_whole_in_the_lake_bucket(outputs, aws_client):
    mapping = aws_client("lambda").get_event_source_mapping(UUID=outputs["ingest_event_source_mapping_uuid"])
    got = {
        "EventSourceArn": mapping["EventSourceArn"],
        "BatchSize": mapping["BatchSize"],
        "BisectBatchOnFunctionError": mapping["BisectBatchOnFunctionError"],
        "MaximumRetryAttempts": mapping["MaximumRetryAttempts"],
        "MaximumRecordAgeInSeconds": mapping["MaximumRecordAgeInSeconds"],
        "FunctionResponseTypes": mapping["FunctionResponseTypes"],
        "OnFailure": mapping["DestinationConfig"]["OnFailure"]["Destination"],
    }
    expected = {
        "EventSourceArn": outputs["kinesis_stream_arn"],
        "BatchSize": 1000,
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": -1,
        "MaximumRecordAgeInSeconds": 21600,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "OnFailure": f"arn:aws:s3:::{outputs['ingest_failure_bucket']}",
    }
    assert got == expected, f"got {got}, expected {expected}"
    prefix = f"aws/lambda/{outputs['ingest_event_source_mapping_uuid']}/"
    assert outputs["ingest_failure_prefix"] == prefix, f"got {outputs['ingest_failure_prefix']}, expected {prefix}"


def test_ingest_role_writes_failed_batches_only_under_aws_lambda_with_the_lake_key_through_s3(outputs, aws_client):
    policy = aws_client("iam").get_role_policy(RoleName=outputs["ingest_function_name"], PolicyName="module")
    document = policy["PolicyDocument"]
    statements = {s["Sid"]: s for s in (json.loads(document) if isinstance(document, str) else document)["Statement"]}
    bucket = outputs["ingest_failure_bucket"]
    got = (statements["KeepFailedBatches"]["Resource"], statements["CheckFailureBucket"]["Resource"],
           statements["EncryptFailedBatches"]["Resource"])  # fmt: skip
    expected = (f"arn:aws:s3:::{bucket}/aws/lambda/*", f"arn:aws:s3:::{bucket}", outputs["bucket_kms_key_arn"])
    assert got == expected, f"got {got}, expected {expected}"


def test_stream_records_are_indexed_or_dead_lettered_with_the_reason(outputs, aws_client, opensearch_double):
    # given one record of the data contract and one missing its Price and Country
    invoice = uuid.uuid4().hex[:8]
    good = {
        "Invoice": invoice,
        "StockCode": "85048",
        "Description": "GLASS BALL",
        "Quantity": 12,
        "InvoiceDate": "2009-12-01 07:45:00",
        "Price": 6.95,
        "Customer_ID": "13085.0",
        "Country": "United Kingdom",
    }
    bad = {"Invoice": f"{invoice}x", "StockCode": "85048", "Quantity": 1, "InvoiceDate": "2009-12-01 07:45:00"}
    # when both go through the stream, the event source mapping and the deployed ingest function
    response = aws_client("kinesis").put_records(
        StreamName=outputs["kinesis_stream_name"],
        Records=[{"Data": (json.dumps(r) + "\n").encode(), "PartitionKey": r["Invoice"]} for r in (good, bad)],
    )
    assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} failed records"
    # then the good one is indexed and the bad one waits in the dead-letter queue, with why
    indexed = wait_for(
        lambda: [d for d in opensearch_double.documents.get("retail", {}).values() if d.get("Invoice") == invoice],
        timeout=60,
        what="the valid record in the OpenSearch double",
    )
    assert indexed[0]["InvoiceDate"].startswith("2009-12-01T07:45:00"), f"got {indexed[0]}"
    letters = wait_for(
        lambda: dead_letters(aws_client("sqs"), outputs["ingest_dead_letter_queue_url"]),
        timeout=60,
        what="the invalid record in the dead-letter queue",
    )
    ours = [letter for letter in letters if json.loads(base64.b64decode(letter["data"]))["Invoice"] == bad["Invoice"]]
    assert len(ours) == 1, f"got {letters}, expected exactly the invalid record"
    got = (ours[0]["stage"], ours[0]["reason"])
    assert got == ("validation", "missing_field"), f"got {got}, expected a validation failure for a missing field"
    assert "Price" in ours[0]["detail"], f"got {ours[0]['detail']}, expected the missing Price named"


def dead_letters(sqs, url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    bodies = [json.loads(m["Body"]) for m in messages]
    return [b for b in bodies if b.get("source") == "ingest-opensearch"]


def test_compaction_function_runs_without_error(outputs, aws_client):
    logs, group = aws_client("logs"), outputs["compaction_log_group"]
    # the event an EventBridge schedule sends; the previous hour of this new stack holds no data
    event = {
        "source": "aws.events",
        "detail-type": "Scheduled Event",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:05:00Z"),
    }
    response = aws_client("lambda").invoke(
        FunctionName=outputs["compaction_function_name"], Payload=json.dumps(event).encode()
    )
    assert response["StatusCode"] == 200, f"got status {response['StatusCode']}"
    payload = response["Payload"].read().decode()
    assert "FunctionError" not in response, f"got {response['FunctionError']}: {payload}"
    statuses = {hour["status"] for hour in json.loads(payload)["hours"]}
    assert statuses == {"empty"}, f"got {payload}, expected a no-op for hours without data"
    assert invocations(logs, group) >= 1, "expected the invocation in the function's log group"


def test_compaction_converts_locally_and_writes_with_the_lake_key(outputs, aws_client):
    config = aws_client("lambda").get_function_configuration(FunctionName=outputs["compaction_function_name"])
    variables = config["Environment"]["Variables"]
    got = (variables.get("COMPACTION_ENGINE"), variables.get("LAKE_KMS_KEY_ARN"), variables.get("STATE_LOCATION"))
    expected = ("duckdb", outputs["bucket_kms_key_arn"], outputs["compaction_state_location"])
    assert got == expected, f"got {got}, expected {expected}"


def test_firehose_runs_the_validating_lambda_before_delivery(outputs, aws_client):
    stream = aws_client("firehose").describe_delivery_stream(DeliveryStreamName=outputs["firehose_name"])
    (destination,) = stream["DeliveryStreamDescription"]["Destinations"]
    processors = destination["ExtendedS3DestinationDescription"]["ProcessingConfiguration"]["Processors"]
    arns = [p["ParameterValue"] for proc in processors for p in proc["Parameters"] if p["ParameterName"] == "LambdaArn"]
    function = aws_client("lambda").get_function_configuration(FunctionName=outputs["record_validation_function_name"])
    assert arns == [function["FunctionArn"]], f"got processor ARNs {arns}, expected {function['FunctionArn']}"


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


def dashboard_graphs(cloudwatch, name: str) -> dict[str, list[list[Any]]]:
    """The graphs of the dashboard as CloudWatch stores it: title -> metrics (each without its rendering options)."""
    body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
    return {w["properties"]["title"]: [m[:-1] for m in w["properties"]["metrics"]]
            for w in body["widgets"] if w["type"] == "metric"}  # fmt: skip


def test_operations_dashboard_graphs_the_deployed_functions_queues_and_stream(outputs, aws_client):
    graphs = dashboard_graphs(aws_client("cloudwatch"), outputs["operations_dashboard_name"])
    pairs = {(m[i], m[i + 1]) for metrics in graphs.values() for m in metrics for i in range(2, len(m), 2)}
    queues = {outputs[f"{f}_dead_letter_queue_url"].rsplit("/", 1)[1] for f in ("ingest", "compaction")}
    expected = {
        ("StreamName", outputs["kinesis_stream_name"]),
        ("DeliveryStreamName", outputs["firehose_name"]),
        ("FunctionName", outputs["ingest_function_name"]),
        ("FunctionName", outputs["compaction_function_name"]),
        *(("QueueName", q) for q in queues),
    }
    assert expected <= pairs, f"got {sorted(pairs)}, missing {sorted(expected - pairs)}"


def test_operations_dashboard_reads_the_ingest_metrics_where_the_function_sends_them(outputs, aws_client):
    config = aws_client("lambda").get_function_configuration(FunctionName=outputs["ingest_function_name"])
    variables = config["Environment"]["Variables"]
    emitted = {(variables["POWERTOOLS_METRICS_NAMESPACE"], "service", variables["POWERTOOLS_SERVICE_NAME"])}
    graphs = dashboard_graphs(aws_client("cloudwatch"), outputs["operations_dashboard_name"])
    graphed = {(m[0], m[2], m[3]) for m in graphs["Records by outcome"]}
    assert graphed == emitted, f"got {graphed}, expected {emitted} (the deployed function's environment)"


def test_second_plan_after_apply_shows_no_changes(stack):
    text = stack.plan_text()
    assert "No changes." in text, f"expected no changes after apply, got:\n{text[-3000:]}"


def test_destroy_leaves_no_function_queue_log_group_role_rule_or_dashboard(stack, outputs, aws_client):
    stack.destroy()
    stack.destroyed = True
    names = (
        outputs["ingest_function_name"],
        outputs["compaction_function_name"],
        outputs["record_validation_function_name"],
    )
    not_found = ("ResourceNotFoundException",)
    logs, lambda_, sqs = aws_client("logs"), aws_client("lambda"), aws_client("sqs")
    probes = {
        **{f"function {n}": (lambda n=n: lambda_.get_function(FunctionName=n), not_found) for n in names},
        **{f"role {n}": (lambda n=n: aws_client("iam").get_role(RoleName=n), ("NoSuchEntity",)) for n in names},
        **{
            f"log group {g}": (lambda g=g: log_groups_named(logs, g), ())
            for g in (outputs[f"{f}_log_group"] for f in ("ingest", "compaction", "record_validation"))
        },
        **{
            f"queue {u}": (
                lambda u=u: sqs.get_queue_attributes(QueueUrl=u),
                ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"),
            )
            for u in (outputs["ingest_dead_letter_queue_url"], outputs["compaction_dead_letter_queue_url"])
        },
        "event source mapping": (
            lambda: lambda_.get_event_source_mapping(UUID=outputs["ingest_event_source_mapping_uuid"]),
            not_found,
        ),
        "schedule rule": (
            lambda: aws_client("events").describe_rule(Name=outputs["compaction_schedule_rule"]),
            not_found,
        ),
        "stream": (
            lambda: aws_client("kinesis").describe_stream_summary(StreamName=outputs["kinesis_stream_name"]),
            not_found,
        ),
        "bucket": (lambda: aws_client("s3").head_bucket(Bucket=outputs["bucket_name"]), ("404", "NoSuchBucket")),
        "dashboard": (
            lambda: aws_client("cloudwatch").get_dashboard(DashboardName=outputs["operations_dashboard_name"]),
            ("ResourceNotFound",),
        ),
    }
    left = left_behind(probes)
    assert not left, f"destroy left behind: {left}"
