"""Each row of the README's capacity guide is expressible with the stack's variables: its tfvars plans, with the
settings the guide names (terraform/env/capacity/<rate>.tfvars on top of env/aws.tfvars)."""

from __future__ import annotations

import pytest

from tests.harness import planned, planned_resources, random_prefix

pytestmark = pytest.mark.plan

ROWS = {
    "1k": {
        "stream": ("ON_DEMAND", None),
        "buffering": (64, 300),
        "esm": (1000, 5, 1),
        "memory": 512,
        "domain": ("r6g.large.search", 3, False),
    },
    "10k": {
        "stream": ("PROVISIONED", 12),
        "buffering": (128, 300),
        "esm": (1000, 1, 1),
        "memory": 1024,
        "domain": ("r6g.xlarge.search", 6, True),
    },
    "100k": {
        "stream": ("PROVISIONED", 120),
        "buffering": (128, 60),
        "esm": (5000, 1, 1),
        "memory": 1769,
        "domain": ("r6g.2xlarge.search", 15, True),
    },
}


@pytest.fixture(scope="module", params=list(ROWS))
def row(request, make_stack):
    stack = make_stack(
        "terraform",
        var_files=["env/aws.tfvars", f"env/capacity/{request.param}.tfvars"],
        tf_vars={"name_prefix": random_prefix()},
    )
    return ROWS[request.param], stack.plan()


def test_stream_capacity_follows_the_row(row):
    expected, plan = row
    stream = planned(plan, "module.kinesis_stream.aws_kinesis_stream.this")
    got = (stream["stream_mode_details"][0]["stream_mode"], stream.get("shard_count"))
    assert got == expected["stream"], f"got {got}, expected {expected['stream']}"


def test_firehose_buffering_follows_the_row(row):
    expected, plan = row
    s3 = planned(plan, "module.firehose.aws_kinesis_firehose_delivery_stream.this")["extended_s3_configuration"][0]
    got = (s3["buffering_size"], s3["buffering_interval"])
    assert got == expected["buffering"], f"got {got}, expected {expected['buffering']}"


def test_ingest_trigger_and_memory_follow_the_row(row):
    expected, plan = row
    mapping = planned(plan, "module.ingest_lambda[0].aws_lambda_event_source_mapping.kinesis[0]")
    got = (mapping["batch_size"], mapping["maximum_batching_window_in_seconds"], mapping["parallelization_factor"])
    assert got == expected["esm"], f"got {got}, expected {expected['esm']}"
    memory = planned(plan, "module.ingest_lambda[0].aws_lambda_function.this")["memory_size"]
    assert memory == expected["memory"], f"got {memory} MB, expected {expected['memory']}"


def test_domain_follows_the_row_over_three_zones(row):
    expected, plan = row
    cluster = planned(plan, "module.opensearch[0].aws_opensearch_domain.this")["cluster_config"][0]
    got = (cluster["instance_type"], cluster["instance_count"], cluster["dedicated_master_enabled"])
    assert got == expected["domain"], f"got {got}, expected {expected['domain']}"
    assert cluster["zone_awareness_enabled"] is True
    assert cluster["zone_awareness_config"][0]["availability_zone_count"] == 3


def test_parquet_conversion_replaces_compaction_at_the_top_row(row):
    expected, plan = row
    compaction = [a for a in planned_resources(plan) if a.startswith("module.compaction_lambda")]
    if expected["stream"][1] == 120:
        assert compaction == [], f"got {compaction}: Firehose writes Parquet itself at 100k records/s"
    else:
        assert compaction, "expected the hourly compaction function below 100k records/s"
