"""Plan-level checks of the root stack's compute, search and monitoring parts (Lambda, OpenSearch, alarms,
QuickSight)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import planned, planned_resources, random_prefix, the_only

pytestmark = pytest.mark.plan

INGEST = "module.ingest_lambda[0]"
M_QUICKSIGHT = "module.quicksight[0]"
COMPACTION = "module.compaction_lambda[0]"


# The ENV=aws plan of test_security_baseline's sse_s3_plan (the same inputs: plan_of makes it once for both).
AWS_SSE_S3 = {
    "bucket_sse_algorithm": "AES256",
    "enable_quicksight": "true",
    "quicksight_principal_arns": ["arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"],
}
LOCAL_ENDPOINT = "http://127.0.0.1:9200"  # what `make apply` passes locally: the search stand-in's URL


@pytest.fixture(scope="module")
def prefix(plan_prefix) -> str:
    return plan_prefix


@pytest.fixture(scope="module")
def plan(plan_of):
    """The stack as ENV=aws deploys it (QuickSight on too). SSE-S3 keeps the compaction policy known at plan time
    (with the default SSE-KMS it holds the key created in the same apply; the integration test reads that policy once
    deployed)."""
    return plan_of("terraform", var_files=["env/aws.tfvars"], **AWS_SSE_S3)


@pytest.fixture(scope="module")
def local_plan(plan_of):
    return plan_of("terraform", var_files=["env/local.tfvars"])


def statements(policy_json: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy_json)["Statement"]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def addresses(plan) -> list[str]:
    return list(planned_resources(plan))


def test_ingest_function_runs_the_ingest_handler_from_its_zip(plan, prefix):
    function = planned(plan, f"{INGEST}.aws_lambda_function.this")
    got = (function["function_name"], function["handler"], function["runtime"], function["timeout"])
    assert got == (f"{prefix}-ingest-opensearch", "ingest_opensearch.handler.lambda_handler", "python3.12", 300), (
        f"got {got}"
    )
    assert function["filename"].endswith("/dist/ingest_opensearch.zip"), f"got {function['filename']}"


def test_ingest_reads_the_stream_in_batches_of_1000_reporting_item_failures(plan):
    mapping = planned(plan, f"{INGEST}.aws_lambda_event_source_mapping.kinesis[0]")
    got = {k: mapping[k] for k in ("batch_size", "bisect_batch_on_function_error", "function_response_types")}
    expected = {"batch_size": 1000, "bisect_batch_on_function_error": True,
                "function_response_types": ["ReportBatchItemFailures"]}  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"


def test_ingest_retries_until_a_record_age_that_ends_an_hour_inside_the_stream_retention(plan):
    mapping = planned(plan, f"{INGEST}.aws_lambda_event_source_mapping.kinesis[0]")
    retention_s = planned(plan, "module.kinesis_stream.aws_kinesis_stream.this")["retention_period"] * 3600
    got = (mapping["maximum_retry_attempts"], mapping["maximum_record_age_in_seconds"])
    assert got == (-1, 21600), f"got (retries, max age) {got}, expected (-1, 21600): retried for 6 h"
    assert got[1] <= retention_s - 3600, f"got a max age of {got[1]} s for a stream keeping records {retention_s} s"


def test_ingest_failed_batches_are_kept_whole_in_the_lake_bucket(plan):
    mapping = planned(plan, f"{INGEST}.aws_lambda_event_source_mapping.kinesis[0]")
    destination = mapping["destination_config"][0]["on_failure"][0]["destination_arn"]
    bucket = planned(plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    assert destination == f"arn:aws:s3:::{bucket}", f"got {destination}, expected the lake bucket (whole records)"


def test_ingest_failure_store_expires_after_its_retention(plan):
    lifecycle = planned(plan, "module.data_lake.aws_s3_bucket_lifecycle_configuration.this")
    rules = {r["id"]: r for r in lifecycle["rule"]}
    rule = rules.get("ingest-failed-batches")
    assert rule, f"got rules {sorted(rules)}, expected ingest-failed-batches"
    got = (rule["filter"][0]["prefix"], rule["expiration"][0]["days"], rule["status"])
    assert got == ("aws/lambda/", 30, "Enabled"), f"got (prefix, days, status) {got}"


def test_ingest_runs_one_batch_per_shard_unreserved_by_default(plan):
    mapping = planned(plan, f"{INGEST}.aws_lambda_event_source_mapping.kinesis[0]")
    function = planned(plan, f"{INGEST}.aws_lambda_function.this")
    got = (mapping["parallelization_factor"], function["reserved_concurrent_executions"])
    assert got == (1, -1), f"got (parallelization factor, reserved concurrency) {got}, expected (1, -1)"


def test_ingest_keeps_its_own_dead_letter_queue_for_poison_records(plan, prefix):
    # the function's environment holds the queue's URL (known after apply: tests/integration/test_compute_stack.py)
    queue = planned(plan, f"{INGEST}.aws_sqs_queue.dead_letter[0]")
    assert queue["name"] == f"{prefix}-ingest-opensearch-dlq", f"got {queue['name']}"


def test_ingest_may_only_post_bulk_requests_to_the_domain(plan, prefix):
    function_policy = statements(planned(plan, f"{INGEST}.aws_iam_role_policy.function[0]")["policy"])
    assert list(function_policy) == ["BulkIndex"], f"got {list(function_policy)}"
    statement = function_policy["BulkIndex"]
    assert as_list(statement["Action"]) == ["es:ESHttpPost"], f"got {statement['Action']}"
    resources = sorted(r.split(":domain/", 1)[1] for r in as_list(statement["Resource"]))
    assert resources == [f"{prefix}/_bulk", f"{prefix}/retail/_bulk"], f"got {resources}"


def test_compaction_runs_hourly_at_minute_five(plan):
    rule = planned(plan, f"{COMPACTION}.aws_cloudwatch_event_rule.schedule[0]")
    assert rule["schedule_expression"] == "cron(5 * * * ? *)", f"got {rule['schedule_expression']}"


def test_compaction_environment_names_the_analytics_resources(plan, prefix):
    function = planned(plan, f"{COMPACTION}.aws_lambda_function.this")
    variables = function["environment"][0]["variables"]
    bucket = planned(plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    expected = {
        "ATHENA_WORKGROUP": f"{prefix}-analytics",
        "GLUE_DATABASE": f"{prefix}_db",
        "SOURCE_TABLE": "retail_trans_json",
        "TARGET_TABLE": "ctas_retail_trans_parquet",
        "TARGET_LOCATION": f"s3://{bucket}/parquet-retail-trans/",
        "STATE_LOCATION": f"s3://{bucket}/compaction/",
        "COMPACTION_ENGINE": "athena",
        "LATE_DATA_WINDOW_HOURS": "48",
        "QUERY_TIMEOUT_SECONDS": "600",
        "POWERTOOLS_SERVICE_NAME": "compact-parquet",
        "POWERTOOLS_METRICS_NAMESPACE": "RetailPipeline",
        "LOG_LEVEL": "INFO",
    }  # no LAKE_KMS_KEY_ARN: this plan's lake is SSE-S3
    assert variables == expected, f"got {variables}, expected {expected}"
    assert (function["handler"], function["timeout"]) == ("compact_parquet.handler.lambda_handler", 900)


def test_compaction_queries_only_in_its_workgroup(plan, prefix):
    statement = statements(planned(plan, f"{COMPACTION}.aws_iam_role_policy.function[0]")["policy"])[
        "RunQueriesInWorkgroup"
    ]
    resource = the_only(as_list(statement["Resource"]), "resource")
    assert resource.endswith(f":workgroup/{prefix}-analytics"), f"got {resource}"


def test_compaction_reads_its_two_tables_and_manages_only_its_temporary_ctas_tables(plan, prefix):
    policy = statements(planned(plan, f"{COMPACTION}.aws_iam_role_policy.function[0]")["policy"])
    tables = sorted(r.split(":table/", 1)[1] for r in as_list(policy["ReadCatalog"]["Resource"]) if ":table/" in r)
    db = f"{prefix}_db"
    assert tables == [f"{db}/ctas_retail_trans_parquet", f"{db}/retail_trans_json"], f"got {tables}"
    temporary = the_only([r for r in as_list(policy["ManageTemporaryCtasTables"]["Resource"]) if ":table/" in r])
    assert temporary.endswith(f":table/{db}/ctas_retail_trans_parquet__ctas_*"), f"got {temporary}"
    partitions = the_only([r for r in as_list(policy["RegisterCompactedHours"]["Resource"]) if ":table/" in r])
    assert partitions.endswith(f":table/{db}/ctas_retail_trans_parquet"), f"got {partitions}"


def test_compaction_lists_only_the_lake_folders_it_uses(plan):
    statement = statements(planned(plan, f"{COMPACTION}.aws_iam_role_policy.function[0]")["policy"])["ListLakeFolders"]
    prefixes = sorted(as_list(statement["Condition"]["StringLike"]["s3:prefix"]))
    expected = ["00-retail-trans/*", "athena-results/*", "compaction/*", "parquet-retail-trans/*"]
    assert prefixes == expected, f"got {prefixes}"


def test_compaction_keeps_its_state_under_its_own_folder_only(plan):
    policy = statements(planned(plan, f"{COMPACTION}.aws_iam_role_policy.function[0]")["policy"])
    bucket = planned(plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    state = policy["KeepLockManifestsAndStagedFiles"]
    assert as_list(state["Resource"]) == [f"arn:aws:s3:::{bucket}/compaction/*"], f"got {state['Resource']}"


def test_local_stack_compacts_with_duckdb(local_plan):
    # Its environment holds the lake's key, created in the same apply: the whole map is unknown at plan time; the
    # deployed values are checked by tests/integration/test_compute_stack.py.
    engine = local_plan.variables["compaction_engine"]
    assert engine == "duckdb", f"got compaction_engine {engine!r} in env/local.tfvars, expected duckdb"


def test_compaction_reads_json_and_writes_only_parquet_and_query_results(plan):
    policy = statements(planned(plan, f"{COMPACTION}.aws_iam_role_policy.function[0]")["policy"])
    bucket = planned(plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    read = as_list(policy["ReadJsonRecords"]["Resource"])
    write = sorted(as_list(policy["WriteParquetAndQueryResults"]["Resource"]))
    assert read == [f"arn:aws:s3:::{bucket}/00-retail-trans/*"], f"got {read}"
    expected = [f"arn:aws:s3:::{bucket}/athena-results/*", f"arn:aws:s3:::{bucket}/parquet-retail-trans/*"]
    assert write == expected, f"got {write}, expected {expected}"


def test_function_policies_have_no_wildcard_actions(plan):
    for address in (f"{INGEST}.aws_iam_role_policy.function[0]", f"{COMPACTION}.aws_iam_role_policy.function[0]"):
        actions = [a for s in statements(planned(plan, address)["policy"]).values() for a in as_list(s["Action"])]
        assert not [a for a in actions if "*" in a], f"{address}: got {actions}"


def test_opensearch_domain_is_named_after_the_prefix_with_https_and_fgac(plan, prefix):
    domain = planned(plan, "module.opensearch[0].aws_opensearch_domain.this")
    assert domain["domain_name"] == prefix, f"got {domain['domain_name']}"
    assert domain["domain_endpoint_options"][0]["tls_security_policy"] == "Policy-Min-TLS-1-2-PFS-2023-10"
    assert domain["advanced_security_options"][0]["enabled"] is True


def test_alarms_watch_firehose_its_error_prefix_kinesis_both_functions_and_both_queues(plan, prefix):
    names = sorted(v["alarm_name"] for a, v in planned_resources(plan).items() if "metric_alarm" in a)
    expected = sorted(
        f"{prefix}-{n}"
        for n in (
            "firehose-delivery-freshness",
            "firehose-error-objects",
            "kinesis-write-throttles",
            "ingest-lambda-errors",
            "compaction-lambda-errors",
            "ingest-iterator-age",
            "ingest-dlq-depth",
            "compaction-dlq-depth",
        )
    )
    assert names == expected, f"got {names}, expected {expected}"


def test_local_stack_has_no_domain_no_ingest_and_no_alarms(local_plan):
    unexpected = [
        a for a in addresses(local_plan) if a.startswith(("module.opensearch", "module.ingest", "module.alarms"))
    ]
    assert not unexpected, f"got {unexpected}"
    assert f"{COMPACTION}.aws_lambda_function.this" in addresses(local_plan), "expected the compaction function"


def test_ingest_toward_an_endpoint_without_domain_arn_gets_no_opensearch_grant(plan_of):
    plan = plan_of("terraform", var_files=["env/local.tfvars"], ingest_opensearch_endpoint=LOCAL_ENDPOINT)
    assert f"{INGEST}.aws_lambda_function.this" in addresses(plan), "expected the ingest function"
    assert f"{INGEST}.aws_iam_role_policy.function[0]" not in addresses(plan), "expected no OpenSearch grant"
    assert plan.outputs["ingest_opensearch_endpoint"] == LOCAL_ENDPOINT
    bucket = planned(plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    assert plan.outputs["ingest_failure_bucket"] == bucket, f"got {plan.outputs['ingest_failure_bucket']}"


def test_quicksight_is_planned_only_when_enabled(make_stack, local_plan):
    assert not [a for a in addresses(local_plan) if "quicksight" in a], "expected no QuickSight by default"
    principal = "arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"
    tf_vars = {"name_prefix": random_prefix(), "enable_quicksight": "true", "quicksight_principal_arns": [principal]}
    plan = make_stack("terraform", var_files=["env/local.tfvars"], tf_vars=tf_vars).plan()
    template = json.loads(planned(plan, f"{M_QUICKSIGHT}.aws_cloudformation_stack.data_source[0]")["template_body"])
    athena = template["Resources"]["DataSource"]["Properties"]["DataSourceParameters"]["AthenaParameters"]
    assert athena["WorkGroup"] == f"{tf_vars['name_prefix']}-analytics", f"got {athena}"
    assert f"{M_QUICKSIGHT}.aws_quicksight_dashboard.this[0]" in addresses(plan), "expected the lab's dashboard"


def test_bootstrap_runs_on_apply_with_the_domain_the_ingest_role_and_the_master_role(make_stack):
    # given: a literal bootstrap endpoint, so the invocation's input is known at plan (with the domain's own
    # endpoint it is known only once the domain exists)
    prefix, endpoint = random_prefix(), "https://search-retail-test.us-east-1.es.amazonaws.com"
    tf_vars = {"name_prefix": prefix, "bucket_sse_algorithm": "AES256", "opensearch_bootstrap_endpoint": endpoint}
    # when
    plan = make_stack("terraform", var_files=["env/aws.tfvars"], tf_vars=tf_vars).plan()
    # then
    invocation = planned(plan, "aws_lambda_invocation.opensearch_bootstrap[0]")
    assert invocation["lifecycle_scope"] == "CRUD", f"got {invocation['lifecycle_scope']}"
    assert "input" in invocation, f"got the invocation's input unknown at plan: {sorted(invocation)}"
    event = json.loads(invocation["input"])
    assert event["endpoint"] == endpoint, f"got {event['endpoint']}, expected {endpoint}"
    assert event["ingest_role_arn"].endswith(f":role/{prefix}-ingest-opensearch"), f"got {event}"
    assert str(event["master_role_arn"]).endswith(f":role/{prefix}-opensearch-master"), f"got {event}"
    assert event["session_policy_arn"].endswith(f":policy/{prefix}-opensearch-bootstrap-session"), f"got {event}"
    assert (event["access_control"], event["index"]) == ("fine_grained", "retail"), f"got {event}"


def test_bootstrap_role_may_only_assume_the_master_role(plan, prefix):
    policy = statements(
        planned(plan, "module.opensearch_bootstrap_lambda[0].aws_iam_role_policy.function[0]")["policy"]
    )
    master = the_only(as_list(policy["SignAsMaster"]["Resource"]), "master role")
    assert master.endswith(f":role/{prefix}-opensearch-master"), f"got {master}"
    domain_actions = sorted(a for s in policy.values() for a in as_list(s["Action"]) if a.startswith("es:"))
    assert domain_actions == [], f"got {domain_actions}: the role itself may send nothing to the domain"


def test_bootstrap_session_may_send_only_its_requests_to_its_domain(plan, prefix):
    policy = statements(planned(plan, "aws_iam_policy.opensearch_bootstrap_session[0]")["policy"])
    actions = sorted(a for s in policy.values() for a in as_list(s["Action"]))
    assert actions == ["es:ESHttpGet", "es:ESHttpPost", "es:ESHttpPut"], f"got {actions}"
    resources = [r for s in policy.values() for r in as_list(s["Resource"])]
    outside = [r for r in resources if not r.split(":domain/", 1)[-1].startswith(f"{prefix}/")]
    assert resources, "got no resource in the session policy"
    assert not outside, f"got {outside} outside the domain {prefix} (of {len(resources)})"
    wildcards = [r for r in resources if "*" in r]
    assert wildcards == [], f"got {wildcards}: the session names each API path"


def test_master_role_trusts_only_the_bootstrap_role_by_arn(plan, prefix):
    trust = json.loads(planned(plan, "module.opensearch[0].aws_iam_role.master[0]")["assume_role_policy"])
    for statement in trust["Statement"]:
        principals = as_list(statement["Principal"]["AWS"])
        assert all(p.endswith(":root") for p in principals), f"got {principals}: accounts, narrowed by condition"
        condition = statement["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        assert [c.rsplit(":", 1)[1] for c in as_list(condition)] == [f"role/{prefix}-opensearch-bootstrap"], (
            f"got {condition}: without opensearch_admin_role_arn only the bootstrap role may assume the master"
        )


def test_parquet_conversion_leaves_no_compaction_function(make_stack):
    plan = make_stack(
        "terraform",
        var_files=["env/local.tfvars"],
        tf_vars={"name_prefix": random_prefix(), "enable_parquet_conversion": "true"},
    ).plan()
    compaction = [a for a in addresses(plan) if a.startswith("module.compaction_lambda")]
    assert compaction == [], f"got {compaction}: Firehose already writes Parquet into the compaction's folders"


# --- Operations dashboard ------------------------------------------------------------------------

DASHBOARD = "module.operations_dashboard[0].aws_cloudwatch_dashboard.this"


def dashboard_metrics(plan) -> dict[str, list[tuple[str, str, dict[str, str]]]]:
    """Each graph of the planned dashboard by title: its metrics as (namespace, name, {dimension: value})."""
    body = json.loads(planned(plan, DASHBOARD)["dashboard_body"])
    graphs = {}
    for widget in body["widgets"]:
        if widget["type"] == "metric":
            metrics = [m[:-1] for m in widget["properties"]["metrics"]]  # the last item holds rendering options
            graphs[widget["properties"]["title"]] = [(ns, name, dict(zip(d[::2], d[1::2], strict=True)))
                                                     for ns, name, *d in metrics]  # fmt: skip
    return graphs


def dimension_values(plan, dimension: str) -> set[str]:
    return {d[dimension] for metrics in dashboard_metrics(plan).values() for _, _, d in metrics if dimension in d}


def test_dashboard_graphs_this_stacks_stream_firehose_and_functions(plan):
    resources = planned_resources(plan)
    functions = {v["function_name"] for a, v in resources.items() if a.endswith("aws_lambda_function.this")}
    functions.discard(planned(plan, "module.opensearch_bootstrap_lambda[0].aws_lambda_function.this")["function_name"])
    got = (dimension_values(plan, "StreamName"), dimension_values(plan, "DeliveryStreamName"),
           dimension_values(plan, "FunctionName"))  # fmt: skip
    expected = (
        {planned(plan, "module.kinesis_stream.aws_kinesis_stream.this")["name"]},
        {planned(plan, "module.firehose.aws_kinesis_firehose_delivery_stream.this")["name"]},
        functions,
    )
    assert got == expected, f"got {got}, expected {expected}"


def test_dashboard_graphs_both_dead_letter_queues(plan):
    queues = {v["name"] for a, v in planned_resources(plan).items() if a.endswith("aws_sqs_queue.dead_letter[0]")}
    assert len(queues) == 2, f"got {queues}, expected the ingest and compaction dead-letter queues"
    assert dimension_values(plan, "QueueName") == queues, f"got {dimension_values(plan, 'QueueName')}"


def test_dashboard_reads_rows_compacted_where_the_compaction_environment_sends_it(plan):
    # The ingest function's environment is unknown at plan (the domain's endpoint); the integration test
    # tests/integration/test_compute_stack.py compares it with the applied dashboard.
    variables = planned(plan, f"{COMPACTION}.aws_lambda_function.this")["environment"][0]["variables"]
    emitted = {(variables["POWERTOOLS_METRICS_NAMESPACE"], variables["POWERTOOLS_SERVICE_NAME"])}
    graphed = {(ns, d.get("service")) for ns, _, d in dashboard_metrics(plan)["Rows compacted"]}
    assert graphed == emitted, f"got {graphed}, expected {emitted} (the function's environment)"


def test_error_prefix_is_watched_through_a_request_metrics_filter_on_firehoses_error_folder(plan, prefix):
    metric = planned(plan, "aws_s3_bucket_metric.error_output[0]")  # its bucket is the lake's ID, known after apply
    bucket = planned(plan, "module.data_lake.aws_s3_bucket.this")["bucket"]
    assert metric["filter"][0]["prefix"] == "00-error/", f"got {metric['filter']}, expected Firehose's error folder"
    watched = {"BucketName": bucket, "FilterId": metric["name"]}
    alarm = planned(plan, "module.alarms[0].aws_cloudwatch_metric_alarm.firehose_error_objects[0]")
    graphed = dashboard_metrics(plan)["New objects in the error prefix"]
    assert alarm["dimensions"] == watched, f"got {alarm['dimensions']}, expected {watched}"
    assert graphed == [("AWS/S3", "PutRequests", watched)], f"got {graphed}, expected {watched}"


def test_dashboard_shows_the_state_of_every_alarm(plan):
    body = json.loads(planned(plan, DASHBOARD)["dashboard_body"])
    shown = sorted(a.rsplit(":alarm:", 1)[1] for a in body["widgets"][0]["properties"]["alarms"])
    names = sorted(v["alarm_name"] for a, v in planned_resources(plan).items() if "metric_alarm" in a)
    assert shown == names, f"got {shown}, expected {names}"


def test_local_stack_has_the_dashboard_without_alarms(local_plan):
    body = json.loads(planned(local_plan, DASHBOARD)["dashboard_body"])
    kinds = {w["type"] for w in body["widgets"]}
    assert kinds == {"text", "metric"}, f"got {kinds}, expected graphs and headers without an alarm widget"
