"""Plan-level checks of the operations_dashboard module (tests/fixtures/operations_dashboard): which metrics each
widget graphs, with which dimensions, and that an input left out leaves its widgets out."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.harness import planned, random_prefix
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.plan

FIXTURE = "tests/fixtures/operations_dashboard"
DASHBOARD = "module.operations_dashboard.aws_cloudwatch_dashboard.this"
# The metrics the ingest handler emits, read from its source: a new one fails the test until it is graphed.
INGEST_HANDLER = REPO_ROOT / "lambda_src" / "ingest_opensearch" / "handler.py"
EMITTED = sorted(re.findall(r'add_metric\(name="(\w+)"', INGEST_HANDLER.read_text()))
VALIDATION_HANDLER = REPO_ROOT / "lambda_src" / "firehose_validate" / "handler.py"
VALIDATION_EMITTED = sorted(re.findall(r'add_metric\("(\w+)"', VALIDATION_HANDLER.read_text()))


@pytest.fixture(scope="module")
def prefix() -> str:
    return random_prefix()


@pytest.fixture(scope="module")
def plan(make_stack, prefix):
    return make_stack(FIXTURE, tf_vars={"name_prefix": prefix}).plan()


@pytest.fixture(scope="module")
def widgets(plan) -> list[dict[str, Any]]:
    return json.loads(planned(plan, DASHBOARD)["dashboard_body"])["widgets"]


def graphs(widgets: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {w["properties"]["title"]: w["properties"] for w in widgets if w["type"] == "metric"}


def graph(widgets: list[dict[str, Any]], title_start: str) -> dict[str, Any]:
    found = [p for t, p in graphs(widgets).items() if t.startswith(title_start)]
    assert len(found) == 1, f"got {sorted(graphs(widgets))}, expected one graph titled {title_start!r}..."
    return found[0]


def series(properties: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each metric as (namespace, name, {dimension: value}, statistic)."""
    out = []
    for metric in properties["metrics"]:
        *identity, options = metric
        namespace, name, *pairs = identity
        out.append((namespace, name, dict(zip(pairs[::2], pairs[1::2], strict=True)), options["stat"]))
    return out


def test_stream_graphs_records_bytes_iterator_age_and_throttles(widgets, prefix):
    stream = {"StreamName": f"{prefix}-trans"}
    got = series(graph(widgets, "Incoming records and bytes")) + series(graph(widgets, "Iterator age of the oldest"))
    got += series(graph(widgets, "Throttled requests"))
    expected = [
        ("AWS/Kinesis", "IncomingRecords", stream, "Sum"),
        ("AWS/Kinesis", "IncomingBytes", stream, "Sum"),
        ("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", stream, "Maximum"),
        ("AWS/Kinesis", "WriteProvisionedThroughputExceeded", stream, "Sum"),
        ("AWS/Kinesis", "ReadProvisionedThroughputExceeded", stream, "Sum"),
    ]
    assert got == expected, f"got {got}, expected {expected}"


def test_firehose_graphs_freshness_deliveries_and_success(widgets, prefix):
    delivery = {"DeliveryStreamName": f"{prefix}-delivery"}
    got = series(graph(widgets, "Delivery freshness")) + series(graph(widgets, "Records delivered"))
    expected = [
        ("AWS/Firehose", "DeliveryToS3.DataFreshness", delivery, "Maximum"),
        ("AWS/Firehose", "DeliveryToS3.Records", delivery, "Sum"),
        ("AWS/Firehose", "DeliveryToS3.Success", delivery, "Average"),
    ]
    assert got == expected, f"got {got}, expected {expected}"


def test_error_prefix_graph_counts_puts_under_the_request_metrics_filter(widgets, prefix):
    got = series(graph(widgets, "New objects in the error prefix"))
    expected = [("AWS/S3", "PutRequests", {"BucketName": f"{prefix}-lake", "FilterId": "firehose-errors"}, "Sum")]
    assert got == expected, f"got {got}, expected {expected}"


def test_ingest_graphs_lambda_metrics_of_the_function(widgets, prefix):
    function = {"FunctionName": f"{prefix}-ingest"}
    got = series(graph(widgets, "Invocations, errors and throttles")) + series(graph(widgets, "Iterator age (ms)"))
    expected = [
        ("AWS/Lambda", "Invocations", function, "Sum"),
        ("AWS/Lambda", "Errors", function, "Sum"),
        ("AWS/Lambda", "Throttles", function, "Sum"),
        ("AWS/Lambda", "IteratorAge", function, "Maximum"),
    ]
    assert got == expected, f"got {got}, expected {expected}"


def test_ingest_graphs_every_outcome_the_handler_emits(widgets):
    got = series(graph(widgets, "Records by outcome"))
    assert len(EMITTED) == 7, f"got {EMITTED} from {INGEST_HANDLER.name}, expected its seven Records* metrics"
    assert sorted(name for _, name, _, _ in got) == EMITTED, f"got {got}, expected {EMITTED}"
    assert {(ns, tuple(d.items()), stat) for ns, _, d, stat in got} == {
        ("RetailPipeline", (("service", "ingest-opensearch"),), "Sum")
    }, f"got {got}"


def test_validation_graphs_runs_errors_and_every_count_the_handler_emits(widgets, prefix):
    function = {"FunctionName": f"{prefix}-validate"}
    assert len(VALIDATION_EMITTED) == 3, f"got {VALIDATION_EMITTED} from {VALIDATION_HANDLER}, expected three"
    got = series(graph(widgets, "Record validation runs and errors"))
    expected = [("AWS/Lambda", "Invocations", function, "Sum"), ("AWS/Lambda", "Errors", function, "Sum")]
    assert got == expected, f"got {got}, expected {expected}"
    counts = series(graph(widgets, "Records checked, passed and quarantined"))
    assert sorted(name for _, name, _, _ in counts) == VALIDATION_EMITTED, f"got {counts}"
    assert {(ns, tuple(d.items()), stat) for ns, _, d, stat in counts} == {
        ("RetailPipeline", (("service", "firehose-validate"),), "Sum")
    }, f"got {counts}"


def test_compaction_graphs_errors_duration_and_rows(widgets, prefix):
    function = {"FunctionName": f"{prefix}-compact"}
    got = series(graph(widgets, "Runs and errors")) + series(graph(widgets, "Duration (ms)"))
    got += series(graph(widgets, "Rows compacted"))
    expected = [
        ("AWS/Lambda", "Invocations", function, "Sum"),
        ("AWS/Lambda", "Errors", function, "Sum"),
        ("AWS/Lambda", "Duration", function, "Maximum"),
        ("AWS/Lambda", "Duration", function, "Average"),
        ("RetailPipeline", "RowsCompacted", {"service": "compact-parquet"}, "Sum"),
    ]
    assert got == expected, f"got {got}, expected {expected}"


def test_dead_letter_graphs_show_every_queue(widgets, prefix):
    queues = {f"{prefix}-ingest-dlq", f"{prefix}-compact-dlq"}
    for title, metric in (("Dead-letter queue depth", "ApproximateNumberOfMessagesVisible"),
                          ("Age of the oldest dead letter", "ApproximateAgeOfOldestMessage")):  # fmt: skip
        got = series(graph(widgets, title))
        assert {(name, d["QueueName"]) for _, name, d, _ in got} == {(metric, q) for q in queues}, f"got {got}"


def test_failed_batch_graph_counts_puts_in_the_failure_store(widgets, prefix):
    got = series(graph(widgets, "Failed batches"))
    expected = [("AWS/S3", "PutRequests", {"BucketName": f"{prefix}-failures", "FilterId": "failed-batches"}, "Sum")]
    assert got == expected, f"got {got}, expected {expected}"


def test_alarm_widget_shows_the_given_alarms_on_top(widgets, prefix):
    first = widgets[0]
    assert (first["type"], first["y"]) == ("alarm", 0), f"got {first['type']} at y={first['y']}"
    assert [a.rsplit(":", 1)[1] for a in first["properties"]["alarms"]] == [f"{prefix}-ingest-lambda-errors"]


def test_graphs_use_the_stack_region_and_period(widgets):
    settings = {(p["region"], p["period"]) for p in graphs(widgets).values()}
    assert settings == {("us-east-1", 300)}, f"got {settings}"


def test_widgets_do_not_overlap(widgets):
    cells = [(w["x"] + dx, w["y"] + dy) for w in widgets for dx in range(w["width"]) for dy in range(w["height"])]
    assert len(cells) == len(set(cells)), "got overlapping widgets"
    assert max(w["x"] + w["width"] for w in widgets) <= 24, "got a widget beyond the 24-column grid"


def test_inputs_left_out_leave_their_widgets_out(make_stack):
    prefix = random_prefix()
    tf_vars = {"name_prefix": prefix, "everything": "false"}
    body = json.loads(planned(make_stack(FIXTURE, tf_vars=tf_vars).plan(), DASHBOARD)["dashboard_body"])
    got = [
        (w["type"], w["properties"].get("title") or w["properties"]["markdown"].split("\n")[0]) for w in body["widgets"]
    ]
    expected = [
        ("text", "## Stream"),
        ("metric", f"Incoming records and bytes: {prefix}-trans"),
        ("metric", "Iterator age of the oldest unread record (ms)"),
        ("metric", "Throttled requests"),
    ]
    assert got == expected, f"got {got}, expected {expected}"
