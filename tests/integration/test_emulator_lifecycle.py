"""The embedded emulator's lifecycle on a private port: start, health, graceful stop that keeps state."""

from __future__ import annotations

import boto3
import pytest

from tests import workers
from tests.harness import wait_for
from tools import emulator

pytestmark = pytest.mark.integration


@pytest.fixture
def instance():
    """An emulator on a private port of this worker (tests/workers.py), not started: the tests start it."""
    with workers.private_emulator(start=False) as ministack:
        yield ministack


def s3_client(instance: emulator.MiniStack):
    return boto3.client(
        "s3",
        endpoint_url=instance.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_start_brings_up_a_healthy_emulator_on_loopback(instance):
    assert instance.start(quiet=True) is True, "expected this call to start the emulator"
    health = emulator.health(instance.endpoint_url)
    assert health, "got no health answer after start"
    assert health.version == "1.5.33", f"got version {health.version}, expected the pinned 1.5.33"
    assert instance.pid(), "expected a PID file naming the running emulator"


def test_start_reuses_a_healthy_emulator(instance):
    instance.start(quiet=True)
    pid = instance.pid()
    assert instance.start(quiet=True) is False, "a second start must reuse the running emulator"
    assert instance.pid() == pid


def test_graceful_stop_keeps_state_across_a_restart(instance):
    instance.start(quiet=True)
    s3_client(instance).create_bucket(Bucket="survives-restart")
    s3_client(instance).put_object(Bucket="survives-restart", Key="k", Body=b"v")
    assert instance.stop(quiet=True) is True
    assert emulator.health(instance.endpoint_url) is None, "the emulator still answers after stop"
    instance.start(quiet=True)
    body = s3_client(instance).get_object(Bucket="survives-restart", Key="k")["Body"].read()
    assert body == b"v", f"got {body!r} after restart, expected the object written before the stop"


def test_stop_without_a_running_emulator_is_a_no_op(instance):
    assert instance.stop(quiet=True) is False


def test_athena_survives_a_restart_after_a_decimal_query(instance):
    # MiniStack alone loses Athena's state here (its encoder knows no Decimal); tools/ministack_shim.py fixes it.
    instance.start(quiet=True)
    kw = {
        "endpoint_url": instance.endpoint_url,
        "region_name": "us-east-1",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }
    athena = boto3.client("athena", **kw)
    boto3.client("s3", **kw).create_bucket(Bucket="athena-results-restart")
    athena.create_work_group(
        Name="wg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results-restart/r/"}}
    )
    query = athena.start_query_execution(
        QueryString="SELECT CAST(1.5 AS DECIMAL(18, 4)) * 2 AS revenue", WorkGroup="wg"
    )["QueryExecutionId"]
    state = wait_for(
        lambda: (
            athena.get_query_execution(QueryExecutionId=query)["QueryExecution"]["Status"]["State"]
            not in ("QUEUED", "RUNNING")
            and athena.get_query_execution(QueryExecutionId=query)["QueryExecution"]["Status"]["State"]
        ),
        timeout=30,
        what="the query to finish",
    )
    assert state == "SUCCEEDED", f"got {state}"
    instance.stop(quiet=True)
    instance.start(quiet=True)
    names = [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
    assert "wg" in names, f"got workgroups {names} after the restart, expected wg to survive"
