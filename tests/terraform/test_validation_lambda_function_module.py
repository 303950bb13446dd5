"""Each input validation of the lambda_function module rejects a bad value at plan with its own message."""

from __future__ import annotations

import pytest

from tests.module_probe import probe_factory

pytestmark = pytest.mark.plan

REQUIRED = {
    "name": "probe-fn",
    "filename": "../../../dist/compact_parquet.zip",
    "handler": "compact_parquet.handler.lambda_handler",
}
STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"

CASES = {
    "name": ({"name": "bad name!"}, "name must be 1 to 64 characters"),
    "description": ({"description": "x" * 257}, "description must be at most 256 characters"),
    "filename": ({"filename": "../../../dist/compact_parquet.tar"}, "filename must be the path of a .zip"),
    "handler": ({"handler": "lambda_handler"}, "handler must be a dotted Python path"),
    "runtime": ({"runtime": "python2.7"}, "runtime must be one of python3.10"),
    "architecture": ({"architecture": "sparc"}, 'architecture must be "x86_64" or "arm64"'),
    "timeout": ({"timeout": 901}, "timeout must be a whole number of seconds from 1 to 900"),
    "memory_size": ({"memory_size": 64}, "memory_size must be a whole number of MB from 128 to 10240"),
    "reserved_concurrency": ({"reserved_concurrent_executions": -1}, "reserved_concurrent_executions must be"),
    "environment_key": ({"environment_variables": {"1BAD": "x"}}, "environment_variables keys must start with"),
    "environment_reserved_key": (
        {"environment_variables": {"AWS_REGION": "x"}},
        "environment_variables keys must not start with AWS_ or LAMBDA_",
    ),
    "environment_kms_key": ({"environment_kms_key_arn": "alias/x"}, "environment_kms_key_arn must be a KMS key ARN"),
    "policy_json": ({"policy_json": "{not json"}, "policy_json must be an IAM policy document in JSON"),
    "attach_policy_json": ({"attach_policy_json": True}, "attach_policy_json needs policy_json"),
    "log_retention_days": ({"log_retention_days": -1}, "log_retention_days must be one of the values"),
    "log_kms_key": ({"log_kms_key_arn": "key-1"}, "log_kms_key_arn must be a KMS key ARN"),
    "tracing_mode": ({"tracing_mode": "On"}, 'tracing_mode must be "PassThrough" or "Active"'),
    "vpc_subnets": (
        {"vpc_config": {"subnet_ids": [], "security_group_ids": ["sg-1"]}},
        "vpc_config.subnet_ids must list at least one subnet ID",
    ),
    "vpc_security_groups": (
        {"vpc_config": {"subnet_ids": ["subnet-1"], "security_group_ids": ["default"]}},
        "vpc_config.security_group_ids must list at least one security group ID",
    ),
    "stream_arn": (
        {"kinesis_event_source": {"stream_arn": "retail-trans"}},
        "kinesis_event_source.stream_arn must be a Kinesis stream ARN",
    ),
    "batch_size": (
        {"kinesis_event_source": {"stream_arn": STREAM, "batch_size": 10001}},
        "kinesis_event_source.batch_size must be between 1 and 10000",
    ),
    "batching_window": (
        {"kinesis_event_source": {"stream_arn": STREAM, "maximum_batching_window_in_seconds": 301}},
        "kinesis_event_source.maximum_batching_window_in_seconds must be between 0 and 300",
    ),
    "parallelization_factor": (
        {"kinesis_event_source": {"stream_arn": STREAM, "parallelization_factor": 11}},
        "kinesis_event_source.parallelization_factor must be between 1 and 10",
    ),
    "starting_position": (
        {"kinesis_event_source": {"stream_arn": STREAM, "starting_position": "EARLIEST"}},
        "kinesis_event_source.starting_position must be TRIM_HORIZON, LATEST or AT_TIMESTAMP",
    ),
    "starting_position_timestamp": (
        {"kinesis_event_source": {"stream_arn": STREAM, "starting_position": "AT_TIMESTAMP"}},
        "kinesis_event_source.starting_position_timestamp must be set exactly when",
    ),
    "maximum_retry_attempts": (
        {"kinesis_event_source": {"stream_arn": STREAM, "maximum_retry_attempts": 10001}},
        "kinesis_event_source.maximum_retry_attempts must be between 0 and 10000",
    ),
    "maximum_record_age": (
        {"kinesis_event_source": {"stream_arn": STREAM, "maximum_record_age_in_seconds": 30}},
        "kinesis_event_source.maximum_record_age_in_seconds must be between 60 and 604800",
    ),
    "dead_letter_queue_url_env_name": (
        {"dead_letter_queue_url_env_name": "dlq-url"},
        "dead_letter_queue_url_env_name must start with a letter",
    ),
    "dead_letter_queue_retention": (
        {"dead_letter_queue_message_retention_seconds": 1209601},
        "dead_letter_queue_message_retention_seconds must be between 60 and 1209600",
    ),
    "dead_letter_queue_kms_key": (
        {"dead_letter_queue_kms_key_arn": "alias/aws/sqs"},
        "dead_letter_queue_kms_key_arn must be a KMS key ARN",
    ),
    "async_retries": ({"async_maximum_retry_attempts": 3}, "async_maximum_retry_attempts must be 0, 1 or 2"),
    "async_event_age": (
        {"async_maximum_event_age_seconds": 30},
        "async_maximum_event_age_seconds must be between 60 and 21600",
    ),
    "schedule_expression": ({"schedule_expression": "every hour"}, "schedule_expression must be cron(<6 fields>)"),
}


@pytest.fixture(scope="module")
def probe(make_stack):
    return probe_factory(make_stack)("lambda_function", REQUIRED)


def test_probe_with_valid_inputs_plans(probe):
    plan = probe.plan()
    assert "module.probe.aws_lambda_function.this" in plan.resource_changes, "expected the probe to plan a function"


@pytest.mark.parametrize(("inputs", "message"), CASES.values(), ids=CASES.keys())
def test_invalid_input_fails_with_its_message(probe, inputs, message):
    error = probe.plan_error(**inputs)
    assert message in error, f"got:\n{error[-1500:]}\nexpected the message: {message}"
