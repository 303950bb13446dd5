"""Plan-level checks of the lambda_function module with literal inputs (tests/fixtures/lambda_function)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from tests.harness import planned, the_only
from tools.build_lambdas import DIST_DIR

pytestmark = pytest.mark.plan

MODULES = ("stream_consumer", "batch_keeper", "scheduled", "minimal")


@pytest.fixture(scope="module")
def prefix(plan_prefix) -> str:
    return plan_prefix


@pytest.fixture(scope="module")
def plan(plan_of):
    return plan_of("tests/fixtures/lambda_function")  # shared with test_security_baseline


def policy(plan, address: str) -> dict[str, dict[str, Any]]:
    document = json.loads(planned(plan, address)["policy"])
    return {s["Sid"]: s for s in document["Statement"]}


def module_policy(plan, module: str) -> dict[str, dict[str, Any]]:
    return policy(plan, f"module.{module}.aws_iam_role_policy.module")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_function_code_hash_is_the_sha256_of_the_built_zip(plan):
    function = planned(plan, "module.minimal.aws_lambda_function.this")
    expected = base64.b64encode(hashlib.sha256((DIST_DIR / "compact_parquet.zip").read_bytes()).digest()).decode()
    assert function["source_code_hash"] == expected, f"got {function['source_code_hash']}, expected {expected}"


def test_function_defaults_are_python_312_on_x86(plan):
    function = planned(plan, "module.minimal.aws_lambda_function.this")
    got = (function["runtime"], function["architectures"], function["timeout"], function["memory_size"])
    assert got == ("python3.12", ["x86_64"], 60, 256), f"got {got}"


def test_reserved_concurrency_is_unreserved_unless_given(plan):
    minimal = planned(plan, "module.minimal.aws_lambda_function.this")["reserved_concurrent_executions"]
    consumer = planned(plan, "module.stream_consumer.aws_lambda_function.this")["reserved_concurrent_executions"]
    assert (minimal, consumer) == (-1, 5), f"got {(minimal, consumer)}, expected (-1, 5)"


def test_log_group_is_the_functions_own_with_retention(plan, prefix):
    group = planned(plan, "module.minimal.aws_cloudwatch_log_group.this")
    assert group["name"] == f"/aws/lambda/{prefix}-minimal", f"got {group['name']}"
    assert group["retention_in_days"] == 365, f"got {group['retention_in_days']}, expected 365"


def test_role_writes_only_to_its_own_log_group(plan, prefix):
    statement = module_policy(plan, "minimal")["WriteOwnLogs"]
    resource = the_only(as_list(statement["Resource"]), "log group")
    assert resource.endswith(f":log-group:/aws/lambda/{prefix}-minimal:*"), f"got {resource}"
    assert "logs:CreateLogGroup" not in as_list(statement["Action"]), "the module creates the group; the role must not"


def test_role_actions_are_never_wildcards(plan):
    for module in MODULES:
        actions = [a for s in module_policy(plan, module).values() for a in as_list(s["Action"])]
        assert not [a for a in actions if "*" in a], f"{module}: got wildcard actions in {actions}"


def test_only_network_interfaces_and_traces_use_any_resource(plan):
    statements = module_policy(plan, "stream_consumer")
    starred = sorted(sid for sid, s in statements.items() if "*" in as_list(s["Resource"]))
    assert starred == ["ManageVpcNetworkInterfaces", "WriteTraces"], f"got {starred}"


def test_role_reads_exactly_the_source_stream(plan, prefix):
    statement = module_policy(plan, "stream_consumer")["ReadSourceStream"]
    resource = the_only(as_list(statement["Resource"]), "resource")
    assert resource.endswith(f":stream/{prefix}-trans"), f"got {resource}"
    writes = [a for a in as_list(statement["Action"]) if a.startswith("kinesis:Put")]
    assert not writes, f"got write actions {writes}, expected read-only"


def test_kms_grants_are_limited_to_their_service(plan):
    statements = module_policy(plan, "stream_consumer")
    kinesis = statements["DecryptSourceStream"]["Condition"]["StringEquals"]["kms:ViaService"]
    sqs = statements["EncryptDeadLetters"]["Condition"]["StringEquals"]["kms:ViaService"]
    assert kinesis.startswith("kinesis."), f"got {kinesis}"
    assert sqs.startswith("sqs."), f"got {sqs}"


def test_role_sends_only_to_its_own_dead_letter_queue(plan, prefix):
    statement = module_policy(plan, "stream_consumer")["SendToDeadLetterQueue"]
    assert as_list(statement["Action"]) == ["sqs:SendMessage"], f"got {statement['Action']}"
    resource = the_only(as_list(statement["Resource"]), "resource")
    assert resource.endswith(f":{prefix}-consumer-dlq"), f"got {resource}"


def test_code_policy_is_attached_verbatim_as_its_own_inline_policy(plan):
    statements = policy(plan, "module.stream_consumer.aws_iam_role_policy.function[0]")
    assert list(statements) == ["ReadOneBucket"], f"got {list(statements)}"


def test_role_is_assumable_only_by_lambda(plan):
    role = planned(plan, "module.minimal.aws_iam_role.this")
    statements = json.loads(role["assume_role_policy"])["Statement"]
    principals = [s["Principal"] for s in statements]
    assert principals == [{"Service": "lambda.amazonaws.com"}], f"got {principals}"


def test_minimal_function_has_no_queue_trigger_schedule_or_code_policy(plan):
    addresses = [a for a in plan.resource_changes if a.startswith("module.minimal.")]
    extra = [a for a in addresses if any(k in a for k in ("sqs", "event_source", "event_rule", "role_policy.function"))]
    assert not extra, f"got {extra}"
    assert sorted(module_policy(plan, "minimal")) == ["WriteOwnLogs"]


def test_event_source_mapping_passes_every_setting(plan):
    mapping = planned(plan, "module.stream_consumer.aws_lambda_event_source_mapping.kinesis[0]")
    got = {k: mapping[k] for k in ("batch_size", "maximum_batching_window_in_seconds", "parallelization_factor")}
    got |= {k: mapping[k] for k in ("maximum_retry_attempts", "maximum_record_age_in_seconds", "starting_position")}
    expected = {
        "batch_size": 1000,
        "maximum_batching_window_in_seconds": 5,
        "parallelization_factor": 2,
        "maximum_retry_attempts": 4,
        "maximum_record_age_in_seconds": 7200,
        "starting_position": "TRIM_HORIZON",
    }
    assert got == expected, f"got {got}, expected {expected}"


def test_event_source_mapping_reports_item_failures_and_bisects(plan):
    mapping = planned(plan, "module.stream_consumer.aws_lambda_event_source_mapping.kinesis[0]")
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"], (
        f"got {mapping['function_response_types']}"
    )
    assert mapping["bisect_batch_on_function_error"] is True


def test_failed_batches_go_to_the_dead_letter_queue(plan, prefix):
    mapping = planned(plan, "module.stream_consumer.aws_lambda_event_source_mapping.kinesis[0]")
    destination = mapping["destination_config"][0]["on_failure"][0]["destination_arn"]
    assert destination.split(":")[2] == "sqs", f"got {destination}"
    assert destination.endswith(f":{prefix}-consumer-dlq"), f"got {destination}"


def test_failed_batches_are_kept_whole_in_the_failure_bucket(plan, prefix):
    mapping = planned(plan, "module.batch_keeper.aws_lambda_event_source_mapping.kinesis[0]")
    destination = mapping["destination_config"][0]["on_failure"][0]["destination_arn"]
    assert destination == f"arn:aws:s3:::{prefix}-lake", f"got {destination}, expected the bucket (whole records)"
    got = (mapping["maximum_retry_attempts"], mapping["maximum_record_age_in_seconds"])
    assert got == (-1, 21600), f"got (retries, age) {got}, expected (-1, 21600)"


def test_role_writes_failed_batches_only_under_lambdas_prefix_in_its_own_account(plan, prefix):
    statements = module_policy(plan, "batch_keeper")
    write, check = statements["KeepFailedBatches"], statements["CheckFailureBucket"]
    got = (as_list(write["Action"]), as_list(write["Resource"]), as_list(check["Action"]), as_list(check["Resource"]))
    expected = (["s3:PutObject"], [f"arn:aws:s3:::{prefix}-lake/aws/lambda/*"], ["s3:ListBucket"],
                [f"arn:aws:s3:::{prefix}-lake"])  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"
    for statement in (write, check):
        account = statement["Condition"]["StringEquals"]["s3:ResourceAccount"]
        assert account == "000000000000", f"got {account}, expected the writes kept in this account"


def test_role_encrypts_failed_batches_with_the_bucket_key_only_through_s3(plan):
    statement = module_policy(plan, "batch_keeper")["EncryptFailedBatches"]
    got = (as_list(statement["Action"]), the_only(as_list(statement["Resource"]), "key"))
    assert got[0] == ["kms:GenerateDataKey"], f"got {got[0]}"
    assert got[1].endswith("key/77777777-8888-9999-0000-111111111111"), f"got {got[1]}, expected the bucket's key"
    service = statement["Condition"]["StringEquals"]["kms:ViaService"]
    assert service.startswith("s3."), f"got {service}"


def test_without_a_failure_bucket_the_role_gets_no_s3_access(plan):
    statements = module_policy(plan, "stream_consumer")
    extra = sorted(set(statements) & {"KeepFailedBatches", "CheckFailureBucket", "EncryptFailedBatches"})
    assert not extra, f"got {extra}"


def test_dead_letter_queue_uses_sqs_managed_encryption_by_default(plan):
    queue = planned(plan, "module.scheduled.aws_sqs_queue.dead_letter[0]")
    assert queue["sqs_managed_sse_enabled"] is True, f"got {queue['sqs_managed_sse_enabled']}"
    assert queue["message_retention_seconds"] == 1209600, f"got {queue['message_retention_seconds']}"


def test_dead_letter_queue_uses_the_given_key(plan):
    queue = planned(plan, "module.stream_consumer.aws_sqs_queue.dead_letter[0]")
    assert queue["kms_master_key_id"].endswith("key/66666666-7777-8888-9999-000000000000"), f"got {queue}"


def test_dead_letter_queue_policy_denies_requests_without_tls(plan):
    statement = policy(plan, "module.scheduled.aws_sqs_queue_policy.dead_letter[0]")["DenyInsecureTransport"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, f"got {statement['Condition']}"


def test_failed_async_invocations_go_to_the_dead_letter_queue(plan, prefix):
    config = planned(plan, "module.scheduled.aws_lambda_function_event_invoke_config.this[0]")
    destination = config["destination_config"][0]["on_failure"][0]["destination"]
    assert destination.endswith(f":{prefix}-scheduled-dlq"), f"got {destination}"
    assert (config["maximum_retry_attempts"], config["maximum_event_age_in_seconds"]) == (2, 21600)


def test_schedule_invokes_the_function_hourly_at_minute_five(plan):
    rule = planned(plan, "module.scheduled.aws_cloudwatch_event_rule.schedule[0]")
    assert rule["schedule_expression"] == "cron(5 * * * ? *)", f"got {rule['schedule_expression']}"
    permission = planned(plan, "module.scheduled.aws_lambda_permission.schedule[0]")
    assert (permission["principal"], permission["action"]) == ("events.amazonaws.com", "lambda:InvokeFunction")


def test_environment_is_passed_verbatim(plan):
    function = planned(plan, "module.minimal.aws_lambda_function.this")
    variables = function["environment"][0]["variables"]
    assert variables == {"LOG_LEVEL": "INFO"}, f"got {variables}"


def test_environment_waits_for_the_dead_letter_queue_url_when_asked(plan):
    # The queue URL is only known after apply; the integration test reads the deployed environment.
    change = plan.resource_changes["module.stream_consumer.aws_lambda_function.this"]["change"]
    unknown = change["after_unknown"]["environment"][0]
    assert unknown.get("variables"), f"got {unknown}, expected the environment to include the queue URL"


def test_environment_is_omitted_when_empty(plan):
    function = planned(plan, "module.scheduled.aws_lambda_function.this")
    assert function["environment"] == [], f"got {function['environment']}"


def test_vpc_config_and_tracing_are_passed(plan):
    function = planned(plan, "module.stream_consumer.aws_lambda_function.this")
    vpc = function["vpc_config"][0]
    assert (vpc["subnet_ids"], vpc["security_group_ids"]) == (["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"])
    assert function["tracing_config"][0]["mode"] == "Active"
