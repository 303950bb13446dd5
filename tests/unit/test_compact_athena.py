"""Athena query polling against recorded Athena responses (botocore Stubber): backoff, failures, timeouts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from compact_parquet.athena import Athena, Backoff, QueryFailed, QueryTimeout
from compact_parquet.deadline import Deadline, DeadlineExceeded

pytestmark = pytest.mark.unit

RECORDED = json.loads((Path(__file__).parent / "recorded" / "athena.json").read_text())
QUERY_ID = RECORDED["start_query_execution"]["QueryExecutionId"]


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def recorded(name: str) -> dict:
    return copy.deepcopy(RECORDED[name])


@pytest.fixture
def athena_stub():
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def runner(client, clock: FakeClock, timeout_s: float = 60.0) -> Athena:
    return Athena(client, "retail-analytics", "mydatabase", timeout_s, Backoff(0.25, 2.0, 2.0), clock.sleep, clock)


def expect_start(stub, sql: str) -> None:
    stub.add_response(
        "start_query_execution",
        recorded("start_query_execution"),
        {"QueryString": sql, "WorkGroup": "retail-analytics", "QueryExecutionContext": {"Database": "mydatabase"}},
    )


def expect_states(stub, *names: str) -> None:
    for name in names:
        stub.add_response("get_query_execution", recorded(name), {"QueryExecutionId": QUERY_ID})


def test_run_polls_until_succeeded_with_growing_waits(athena_stub):
    client, stub = athena_stub
    clock = FakeClock()
    expect_start(stub, "SELECT 1")
    expect_states(stub, "queued", "running", "running", "running", "running", "succeeded")
    got = runner(client, clock).run("SELECT 1", "test query")
    assert got == QUERY_ID, f"got {got}, expected {QUERY_ID}"
    assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0], f"got waits {clock.sleeps}, expected doubling capped at 2 s"


def test_run_succeeded_at_once_does_not_sleep(athena_stub):
    client, stub = athena_stub
    clock = FakeClock()
    expect_start(stub, "SELECT 1")
    expect_states(stub, "succeeded")
    runner(client, clock).run("SELECT 1", "test query")
    assert clock.sleeps == [], f"got waits {clock.sleeps}, expected none"


def test_run_failed_raises_with_athena_reason(athena_stub):
    client, stub = athena_stub
    expect_start(stub, "CTAS")
    expect_states(stub, "running", "failed")
    with pytest.raises(QueryFailed, match="CTAS of 2026-11-28T10 failed: HIVE_PATH_ALREADY_EXISTS") as caught:
        runner(client, FakeClock()).run("CTAS", "CTAS of 2026-11-28T10")
    assert not isinstance(caught.value, QueryTimeout), "got a timeout, expected a plain failure"


def test_run_cancelled_raises_query_failed(athena_stub):
    client, stub = athena_stub
    expect_start(stub, "CTAS")
    expect_states(stub, "cancelled")
    with pytest.raises(QueryFailed, match="cancelled: Query was cancelled by user"):
        runner(client, FakeClock()).run("CTAS", "CTAS")


def test_run_past_deadline_stops_query_and_raises_timeout(athena_stub):
    client, stub = athena_stub
    clock = FakeClock()
    expect_start(stub, "CTAS")
    expect_states(stub, "running", "running", "running", "running", "running")  # at 0, 0.25, 0.75, 1.75, 3 s
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QUERY_ID})
    with pytest.raises(QueryTimeout, match="still running after 3 s; stopped it"):
        runner(client, clock, timeout_s=3.0).run("CTAS", "CTAS")
    assert clock.sleeps == [0.25, 0.5, 1.0, 1.25], f"got waits {clock.sleeps}, expected the last cut to the deadline"
    assert sum(clock.sleeps) == 3.0, f"got {sum(clock.sleeps)} s waited, expected exactly the 3 s timeout"


def test_scalar_returns_first_value_after_header(athena_stub):
    client, stub = athena_stub
    expect_start(stub, "SELECT count(*)")
    expect_states(stub, "running", "succeeded")
    stub.add_response("get_query_results", recorded("count_results"), {"QueryExecutionId": QUERY_ID, "MaxResults": 2})
    got = runner(client, FakeClock()).scalar("SELECT count(*)", "count")
    assert got == "1234", f"got {got!r}, expected '1234'"


def test_scalar_without_data_row_raises(athena_stub):
    client, stub = athena_stub
    expect_start(stub, "SELECT count(*)")
    expect_states(stub, "succeeded")
    header_only = recorded("count_results")
    header_only["ResultSet"]["Rows"] = header_only["ResultSet"]["Rows"][:1]
    stub.add_response("get_query_results", header_only, {"QueryExecutionId": QUERY_ID, "MaxResults": 2})
    with pytest.raises(QueryFailed, match="returned no row"):
        runner(client, FakeClock()).scalar("SELECT count(*)", "count")


def test_run_deadline_cuts_a_query_below_its_own_timeout(athena_stub):
    # given: 60 s per query, but only 3 s left of the run's deadline
    client, stub = athena_stub
    clock = FakeClock()
    athena = runner(client, clock, timeout_s=60.0)
    athena.deadline = Deadline(end=3.0, clock=clock)
    expect_start(stub, "SELECT 1")
    expect_states(stub, "running", "running", "running", "running", "running")
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QUERY_ID})
    # when / then
    with pytest.raises(QueryTimeout, match="at the run's deadline"):
        athena.run("SELECT 1", "the query")
    assert clock.now <= 3.0, f"got {clock.now} s waited, expected at most the 3 s left"


def test_run_after_the_deadline_starts_no_query_but_cleanup_gets_a_grace(athena_stub):
    client, stub = athena_stub
    clock = FakeClock()
    athena = runner(client, clock)
    athena.deadline = Deadline(end=-1.0, clock=clock)
    with pytest.raises(DeadlineExceeded):
        athena.run("SELECT 1", "the query")
    expect_start(stub, "DROP TABLE t")
    expect_states(stub, "succeeded")
    athena.run("DROP TABLE t", "dropping", cleanup=True)
