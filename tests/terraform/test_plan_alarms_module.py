"""Plan-level checks of the alarms module (tests/fixtures/alarms): thresholds, metrics, topic encryption."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import planned, planned_resources, random_prefix

pytestmark = pytest.mark.plan

M = "module.alarms"


@pytest.fixture(scope="module")
def prefix() -> str:
    return random_prefix()


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    return make_stack("tests/fixtures/alarms", tf_vars={"name_prefix": prefix}).plan()


def alarm(plan, address: str) -> dict[str, Any]:
    return planned(plan, f"{M}.aws_cloudwatch_metric_alarm.{address}")


def rule(values: dict[str, Any]) -> tuple:
    return (
        values["namespace"],
        values["metric_name"],
        values["statistic"],
        values["comparison_operator"],
        values["threshold"],
        values["period"],
    )


def test_firehose_alarm_fires_when_records_wait_more_than_15_minutes(plan, prefix):
    values = alarm(plan, "firehose_freshness[0]")
    expected = ("AWS/Firehose", "DeliveryToS3.DataFreshness", "Maximum", "GreaterThanThreshold", 900, 300)
    assert rule(values) == expected, f"got {rule(values)}, expected {expected}"
    assert values["dimensions"] == {"DeliveryStreamName": f"{prefix}-delivery"}, f"got {values['dimensions']}"


def test_kinesis_alarm_fires_on_any_write_throttle(plan, prefix):
    values = alarm(plan, "kinesis_write_throttles[0]")
    expected = ("AWS/Kinesis", "WriteProvisionedThroughputExceeded", "Sum", "GreaterThanThreshold", 0, 300)
    assert rule(values) == expected, f"got {rule(values)}, expected {expected}"
    assert values["dimensions"] == {"StreamName": f"{prefix}-trans"}, f"got {values['dimensions']}"


def test_error_prefix_alarm_fires_on_the_first_new_error_object(plan, prefix):
    values = alarm(plan, "firehose_error_objects[0]")
    expected = ("AWS/S3", "PutRequests", "Sum", "GreaterThanThreshold", 0, 300)
    assert rule(values) == expected, f"got {rule(values)}, expected {expected}"
    expected_dimensions = {"BucketName": f"{prefix}-lake", "FilterId": "firehose-errors"}
    assert values["dimensions"] == expected_dimensions, f"got {values['dimensions']}, expected {expected_dimensions}"
    assert values["evaluation_periods"] == 1, f"got {values['evaluation_periods']}, expected 1"


def test_every_function_has_an_errors_alarm_firing_on_any_error(plan, prefix):
    for key, name in (("ingest", f"{prefix}-ingest"), ("compaction", f"{prefix}-compact")):
        values = alarm(plan, f'lambda_errors["{key}"]')
        expected = ("AWS/Lambda", "Errors", "Sum", "GreaterThanThreshold", 0, 300)
        assert rule(values) == expected, f"{key}: got {rule(values)}, expected {expected}"
        assert values["dimensions"] == {"FunctionName": name}, f"got {values['dimensions']}"


def test_iterator_age_alarm_fires_one_minute_behind(plan):
    values = alarm(plan, 'iterator_age["ingest"]')
    expected = ("AWS/Lambda", "IteratorAge", "Maximum", "GreaterThanThreshold", 60000, 300)
    assert rule(values) == expected, f"got {rule(values)}, expected {expected}"


def test_dead_letter_queue_alarm_fires_on_the_first_message(plan, prefix):
    values = alarm(plan, 'dead_letter_queue_depth["ingest"]')
    expected = ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanThreshold", 0, 300)
    assert rule(values) == expected, f"got {rule(values)}, expected {expected}"
    assert values["dimensions"] == {"QueueName": f"{prefix}-ingest-dlq"}, f"got {values['dimensions']}"


def test_alarms_treat_missing_data_as_healthy(plan):
    alarms = {a: v for a, v in planned_resources(plan).items() if "aws_cloudwatch_metric_alarm" in a}
    assert len(alarms) == 7, f"got {sorted(alarms)}"
    treatments = {a: v["treat_missing_data"] for a, v in alarms.items()}
    assert set(treatments.values()) == {"notBreaching"}, f"got {treatments}"


def test_alarms_notify_the_topic_on_alarm_and_recovery(plan):
    change = plan.resource_changes[f"{M}.aws_cloudwatch_metric_alarm.firehose_freshness[0]"]["change"]
    unknown = change["after_unknown"]
    assert unknown.get("alarm_actions"), "expected the topic as alarm action (known after apply)"
    assert unknown.get("ok_actions"), "expected the topic as OK action (known after apply)"


def test_topic_is_encrypted_with_a_rotating_customer_managed_key(plan):
    key = planned(plan, f"{M}.module.kms_key[0].aws_kms_key.this")
    assert key["enable_key_rotation"] is True
    change = plan.resource_changes[f"{M}.aws_sns_topic.this"]["change"]
    assert change["after_unknown"].get("kms_master_key_id") is True, "expected the created key (known after apply)"


def test_key_policy_lets_cloudwatch_encrypt_for_this_account_only(plan):
    policy = json.loads(planned(plan, f"{M}.module.kms_key[0].aws_kms_key.this")["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    cloudwatch = statements["CloudWatchAlarmsEncryptNotifications"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}, f"got {cloudwatch['Principal']}"
    assert sorted(cloudwatch["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"], f"got {cloudwatch['Action']}"
    assert "aws:SourceAccount" in cloudwatch["Condition"]["StringEquals"], f"got {cloudwatch['Condition']}"


def test_topic_policy_admits_this_stacks_alarms_and_requires_tls(plan, prefix):
    policy = json.loads(planned(plan, f"{M}.aws_sns_topic_policy.this")["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    publish = statements["CloudWatchAlarmsPublish"]
    assert publish["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":alarm:{prefix}-*"), f"got {publish}"
    deny = statements["DenyInsecureTransport"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}}), f"got {deny}"


def test_email_addresses_are_subscribed(plan):
    subscription = planned(plan, f'{M}.aws_sns_topic_subscription.email["oncall@example.com"]')
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "oncall@example.com"), (
        f"got {subscription}"
    )
