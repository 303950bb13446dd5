"""The alarms module applied on the emulator (tests/fixtures/alarms): what CloudWatch and SNS really store.

The root stack's local runs leave alarms off (env/local.tfvars): MiniStack's answer to the provider's
DescribeAlarms omits most fields, so a re-plan is never clean. Apply and destroy work, and are checked here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import random_prefix

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def applied(make_stack):
    prefix = random_prefix()
    stack = make_stack("tests/fixtures/alarms", tf_vars={"name_prefix": prefix})
    outputs = stack.apply()
    yield stack, prefix, outputs
    if not getattr(stack, "destroyed", False):
        stack.discard()


def stored_alarms(aws_client, prefix: str) -> dict[str, dict[str, Any]]:
    alarms = aws_client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{prefix}-")["MetricAlarms"]
    return {a["AlarmName"]: a for a in alarms}


def test_every_alarm_is_stored_with_its_metric_threshold_and_actions(applied, aws_client):
    _, prefix, outputs = applied
    alarms = stored_alarms(aws_client, prefix)
    assert sorted(alarms) == sorted(outputs["alarm_names"].values()), f"got {sorted(alarms)}"
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [outputs["topic_arn"]], f"{name}: got {alarm['AlarmActions']}"
        assert alarm["OKActions"] == [outputs["topic_arn"]], f"{name}: got {alarm['OKActions']}"
        assert alarm["TreatMissingData"] == "notBreaching", f"{name}: got {alarm['TreatMissingData']}"


def test_iterator_age_alarm_watches_the_consumer_function(applied, aws_client):
    _, prefix, _ = applied
    alarm = stored_alarms(aws_client, prefix)[f"{prefix}-ingest-iterator-age"]
    got = (alarm["Namespace"], alarm["MetricName"], alarm["Threshold"], alarm["Dimensions"])
    expected = ("AWS/Lambda", "IteratorAge", 60000.0, [{"Name": "FunctionName", "Value": f"{prefix}-ingest"}])
    assert got == expected, f"got {got}, expected {expected}"


def test_topic_is_encrypted_with_the_created_key(applied, aws_client):
    _, _, outputs = applied
    attributes = aws_client("sns").get_topic_attributes(TopicArn=outputs["topic_arn"])["Attributes"]
    assert attributes.get("KmsMasterKeyId") == outputs["kms_key_arn"], f"got {attributes.get('KmsMasterKeyId')}"
    key = aws_client("kms").describe_key(KeyId=outputs["kms_key_arn"])["KeyMetadata"]
    assert key["KeyState"] == "Enabled", f"got {key['KeyState']}"


def test_topic_policy_lets_cloudwatch_publish(applied, aws_client):
    _, _, outputs = applied
    attributes = aws_client("sns").get_topic_attributes(TopicArn=outputs["topic_arn"])["Attributes"]
    statements = {s["Sid"]: s for s in json.loads(attributes["Policy"])["Statement"]}
    assert statements["CloudWatchAlarmsPublish"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


def test_destroy_removes_the_alarms_and_the_topic(applied, aws_client):
    stack, prefix, outputs = applied
    stack.destroy()
    stack.destroyed = True
    assert not stored_alarms(aws_client, prefix), "destroy left alarms behind"
    with pytest.raises(ClientError) as missing:
        aws_client("sns").get_topic_attributes(TopicArn=outputs["topic_arn"])
    assert missing.value.response["Error"]["Code"] == "NotFound", f"got {missing.value.response['Error']}"
