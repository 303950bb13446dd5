"""Each input validation of the alarms module rejects a bad value at plan with its own message."""

from __future__ import annotations

import pytest

from tests.module_probe import probe_factory

pytestmark = pytest.mark.plan

REQUIRED = {"name_prefix": "probe"}

CASES = {
    "name_prefix": ({"name_prefix": "bad prefix"}, "name_prefix must be 1 to 200 characters"),
    "kms_key_arn": ({"kms_key_arn": "alias/aws/sns"}, "kms_key_arn must be a KMS key ARN"),
    "email_addresses": ({"email_addresses": ["oncall"]}, "email_addresses must contain email addresses"),
    "period_seconds": ({"period_seconds": 90}, "period_seconds must be a multiple of 60 between 60 and 86400"),
    "evaluation_periods": ({"evaluation_periods": 0}, "evaluation_periods must be a whole number from 1 to 100"),
    "firehose_freshness_threshold": (
        {"firehose_freshness_threshold_seconds": 30},
        "firehose_freshness_threshold_seconds must be at least 60 seconds",
    ),
    "kinesis_write_throttle_threshold": (
        {"kinesis_write_throttle_threshold": -1},
        "kinesis_write_throttle_threshold must be 0 or more",
    ),
    "lambda_function_names": (
        {"lambda_function_names": {"Ingest Fn": "retail-ingest"}},
        "lambda_function_names keys must be 1 to 32 lowercase letters",
    ),
    "lambda_error_threshold": ({"lambda_error_threshold": -1}, "lambda_error_threshold must be 0 or more"),
    "stream_consumer_function_names": (
        {"stream_consumer_function_names": {"INGEST": "retail-ingest"}},
        "stream_consumer_function_names keys must be 1 to 32 lowercase letters",
    ),
    "iterator_age_threshold_ms": (
        {"iterator_age_threshold_ms": 10},
        "iterator_age_threshold_ms must be at least 1000 milliseconds",
    ),
    "dead_letter_queue_names": (
        {"dead_letter_queue_names": {"dlq_1": "retail-dlq"}},
        "dead_letter_queue_names keys must be 1 to 32 lowercase letters",
    ),
    "dead_letter_queue_depth_threshold": (
        {"dead_letter_queue_depth_threshold": -5},
        "dead_letter_queue_depth_threshold must be 0 or more",
    ),
}


@pytest.fixture(scope="module")
def probe(make_stack):
    return probe_factory(make_stack)("alarms", REQUIRED)


def test_probe_with_valid_inputs_plans(probe):
    plan = probe.plan()
    assert "module.probe.aws_sns_topic.this" in plan.resource_changes, "expected the probe to plan the topic"


@pytest.mark.parametrize(("inputs", "message"), CASES.values(), ids=CASES.keys())
def test_invalid_input_fails_with_its_message(probe, inputs, message):
    error = probe.plan_error(**inputs)
    assert message in error, f"got:\n{error[-1500:]}\nexpected the message: {message}"
