"""The demo's stages on a deployed stack: empty the lake, produce, wait for delivery, reconcile the search branch,
query, compact, report.

`make demo` runs them after starting the emulator and applying the stack (demo.cli); the end-to-end test runs
them on a private stack of its own.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.config import Config

from demo import athena, chart, delivery, report, search
from demo.compaction import Compaction, compact_hour, hour_totals_sql, make_engine
from demo.produce import Produced, produce
from demo.progress import Progress
from demo.stack import StackOutputs
from demo.summary import REPORT_QUERIES, Check, Summary, reconcile
from demo.totals import cents

PIPELINE_STAGES = ("reset", "produce", "deliver", "search", "query", "compact", "report")
JSON_NAME = "demo.json"
CHART_NAME = "demo.png"
SEARCH_CHART_NAME = "demo-search.png"
# Emulators accept any credentials; these are the conventional dummies.
EMULATOR_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@dataclass
class Connection:
    """boto3 clients for one target: an emulator endpoint (dummy credentials) or AWS (the default chain)."""

    region: str
    endpoint_url: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def session(self) -> boto3.Session:
        credentials = EMULATOR_CREDENTIALS if self.endpoint_url else {}
        return boto3.Session(region_name=self.region, **credentials)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            config = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=16)
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url, config=config)
        return self._clients[service]


@dataclass(frozen=True)
class RunOptions:
    input_file: Path
    reports_dir: Path
    delivery_timeout_s: float = 300.0
    query_timeout_s: float = athena.QUERY_TIMEOUT_S
    target_name: str = "local"
    started_at: datetime | None = None  # when the run began (before the emulator and apply stages); None: now
    stderr: TextIO = field(default=sys.stderr)
    search_documents: Path | None = None  # the search stand-in's data directory (None: no search stage)


def run_id(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def run_pipeline(
    outputs: StackOutputs, connection: Connection, options: RunOptions, progress: Progress
) -> report.DemoResult:
    """Every stage after the deployment; returns the result with the JSON and the chart written."""
    started = options.started_at or datetime.now(UTC)
    searching = search_target(outputs, options)
    removed, search_reset = reset_stage(outputs, connection, progress, searching)
    produced = produce_stage(outputs, connection, options, progress)
    delivered = deliver_stage(outputs, connection, options, progress, produced.stats.sent)
    searched = search_stage(searching, produced, connection, options, progress, search_reset)
    queries = query_stage(outputs, connection, options, progress)
    skipped, compactions = compact_stage(outputs, connection, options, progress, sorted(delivered.hours))
    with progress.stage("report") as stage:
        summary = Summary.from_queries(queries)
        result = report.DemoResult(
            run_id=run_id(started),
            started_at=started.isoformat(timespec="seconds"),
            input_file=str(options.input_file),
            target={"name": options.target_name, "endpoint": connection.endpoint_url, "region": connection.region},
            stack=stack_facts(outputs),
            removed_objects=removed,
            produced=produced,
            delivery=delivered,
            queries=queries,
            compactions=compactions,
            compaction_skipped=skipped,
            summary=summary,
            check=build_check(produced, delivered, queries, summary, compactions),
            stages=progress.timings,
            search=searched,
        )
        search_check(result.check, searched)
        png = chart.write_chart(summary, options.reports_dir / CHART_NAME, chart_title(result))
        result.files = {"json": str(options.reports_dir / JSON_NAME), "chart": str(png)}
        if not searched.skipped:
            searched.chart = str(chart.write_search_chart(searched.buckets, options.reports_dir / SEARCH_CHART_NAME,
                                                          search_chart_title(searched)))  # fmt: skip
            result.files["search_chart"] = searched.chart
        stage.detail = f"check {'OK' if result.check.ok else 'FAILED'}; chart {png}"
    report.write_json(result, options.reports_dir / JSON_NAME)  # after the stage, so its timing is in the file
    return result


def reset_stage(
    outputs: StackOutputs, connection: Connection, progress: Progress, searching: search.SearchTarget | str
) -> tuple[int, search.Reset | None]:
    folders = [outputs.delivery_prefix, outputs.parquet_prefix]
    with progress.stage("reset") as stage:
        removed = delivery.empty_folders(connection.client("s3"), outputs.bucket, folders)
        stage.detail = (
            f"removed {removed:,} objects earlier runs left under {' and '.join(dict.fromkeys(folders))}: "
            "the report covers this run only"
        )
        if isinstance(searching, str):
            return removed, None
        cleared = search.reset(searching, connection.client("sqs"), connection.client("s3"))
        stage.detail += (
            f"; the search stand-in forgot {cleared.documents:,} documents, the dead-letter queue "
            f"{cleared.letters:,} letters, the failure store {cleared.kept:,} objects"
        )
    return removed, cleared


def search_target(outputs: StackOutputs, options: RunOptions) -> search.SearchTarget | str:
    """Where the search branch writes, or why the demo has no search stage."""
    values = outputs.values
    if not values.get("ingest_function_name"):
        return "no ingest function in this stack (it needs the Kinesis topology and a search endpoint)"
    endpoint = str(values.get("ingest_opensearch_endpoint") or "")
    if options.search_documents is None or not search.is_standin(endpoint):
        return f"the ingest function writes to {endpoint or 'no endpoint'}, not to the local search stand-in"
    return search.SearchTarget(
        endpoint=endpoint,
        index=str(values.get("opensearch_index") or "retail"),
        documents_dir=options.search_documents,
        queue_url=outputs.text("ingest_dead_letter_queue_url"),
        bucket=str(values.get("ingest_failure_bucket") or outputs.bucket),
        failure_prefix=str(values.get("ingest_failure_prefix") or "aws/lambda/"),
    )


def search_stage(
    searching: search.SearchTarget | str,
    produced: Produced,
    connection: Connection,
    options: RunOptions,
    progress: Progress,
    cleared: search.Reset | None,
) -> search.SearchResult:
    with progress.stage("search") as stage:
        if isinstance(searching, str):
            stage.detail = f"skipped: {searching}"
            return search.SearchResult(skipped=searching)
        if produced.service != "kinesis":
            stage.detail = "skipped: the producer sent to Firehose (Direct PUT): nothing went through the stream"
            return search.SearchResult(skipped="the producer sent to Firehose directly, not through the stream")
        result = search.settle(
            searching, produced.records, connection.client("sqs"), connection.client("s3"),
            options.delivery_timeout_s, cleared.requests_seen if cleared else 0, progress.note,
        )  # fmt: skip
        stage.detail = (
            f"{result.sent:,} records sent = {result.indexed:,} indexed + {result.dead_lettered:,} dead-lettered + "
            f"{result.kept:,} in the failure store ({result.missing:,} missing); {result.bulk_requests:,} bulk "
            f"requests, {result.signed_requests:,} SigV4-signed; {search.REAL}, {search.STAND_IN}"
        )
    return result


def search_check(check: Check, result: search.SearchResult) -> None:
    """Sent = indexed + dead-lettered + kept, every bulk request signed, and the chart adds up what was sent."""
    if result.skipped:
        return
    check.add(
        "search: records sent = indexed + dead-lettered + in the failure store",
        (result.indexed, result.dead_lettered, result.kept, result.accounted),
        (result.indexed, result.dead_lettered, result.kept, result.sent),
    )
    check.add("search: bulk requests signed with SigV4", result.signed_requests, result.bulk_requests)
    check.add("search: sum of Quantity in the index (the chart) = the distinct records sent", result.quantity,
              result.expected_quantity)  # fmt: skip


def search_chart_title(result: search.SearchResult) -> str:
    return (
        f"The lab's Dashboards chart from the {result.documents:,} documents the deployed ingest Lambda indexed\n"
        f"real: {search.REAL}; {search.STAND_IN}"
    )


def produce_stage(outputs: StackOutputs, connection: Connection, options: RunOptions, progress: Progress) -> Produced:
    with progress.stage("produce") as stage:
        service, stream = outputs.destination()
        produced = produce(
            options.input_file, service, stream, connection.region, connection.endpoint_url, options.stderr
        )
        stats = produced.stats
        stage.detail = (
            f"sent {stats.sent:,} records from {options.input_file} to {service} {stream!r} "
            f"({stats.rate:,.0f}/s, {stats.rejected} rejected rows, InvoiceDate kept)"
        )
    return produced


def deliver_stage(
    outputs: StackOutputs, connection: Connection, options: RunOptions, progress: Progress, sent: int
) -> delivery.Delivery:
    with progress.stage("deliver") as stage:
        s3 = connection.client("s3")
        found = delivery.wait_for_records(
            s3, outputs.bucket, outputs.delivery_prefix, sent, options.delivery_timeout_s, progress.note
        )
        stage.detail = (
            f"{found.records:,} of {sent:,} records in S3 ({found.objects:,} objects under "
            f"{found.location}, arrival hour {', '.join(sorted(found.hours))} UTC)"
        )
    return found


def query_stage(
    outputs: StackOutputs, connection: Connection, options: RunOptions, progress: Progress
) -> dict[str, athena.QueryRun]:
    with progress.stage("query") as stage:
        queries = run_named_queries(connection.client("athena"), outputs, options.query_timeout_s)
        failed = [name for name, run in queries.items() if not run.ok]
        slowest = max(queries.values(), key=lambda run: run.seconds, default=None)
        stage.detail = (
            f"{len(queries) - len(failed)} of {len(queries)} saved queries succeeded in workgroup {outputs.workgroup}"
            + (f" (slowest: {slowest.name} {slowest.seconds:.1f} s)" if slowest else "")
            + (f"; FAILED: {', '.join(failed)}" if failed else "")
        )
    return queries


def compact_stage(
    outputs: StackOutputs, connection: Connection, options: RunOptions, progress: Progress, hours: list[str]
) -> tuple[str | None, list[Compaction]]:
    with progress.stage("compact") as stage:
        skipped, compactions = compact(outputs, connection, hours, options.query_timeout_s)
        stage.detail = skipped or "; ".join(
            f"{c.result['hour']}: {c.result['status']}, {c.result['rows'] or 0:,} rows (engine: {c.engine})"
            for c in compactions
        )
    return skipped, compactions


def run_named_queries(client: Any, outputs: StackOutputs, timeout: float) -> dict[str, athena.QueryRun]:
    """Every saved query of the stack (by its id from the outputs), the report's first, then any others."""
    ids = outputs.named_query_ids
    runs: dict[str, athena.QueryRun] = {}
    for name in athena.query_order(ids, ("sample_rows", *REPORT_QUERIES)):
        run, database = athena.load_named_query(client, name, ids[name])
        runs[name] = athena.run_query(client, run, database, outputs.workgroup, timeout)
    return runs


def compact(
    outputs: StackOutputs, connection: Connection, hours: list[str], timeout: float
) -> tuple[str | None, list[Compaction]]:
    """Compact each delivered hour, then read it back from the JSON and the Parquet table through Athena."""
    if outputs.firehose_converts_to_parquet:
        return "Firehose already writes Parquet (enable_parquet_conversion): nothing to compact", []
    if "unpartitioned" in hours:
        return "the delivery prefix has no year=/month=/day=/hour= partitions", []
    json_table, parquet_table = outputs.text("json_table_name"), outputs.text("parquet_table_name")
    engine = make_engine(
        outputs.database,
        json_table,
        parquet_table,
        f"s3://{outputs.bucket}/{outputs.parquet_prefix}",
        outputs.workgroup,
        connection,
    )
    client = connection.client("athena")
    done = []
    for hour in hours:
        compaction = compact_hour(engine, hour)
        for kind, table in (("json", json_table), ("parquet", parquet_table)):
            run = athena.QueryRun(f"{kind}_hour_totals", hour_totals_sql(outputs.database, table, hour))
            compaction.reads[kind] = athena.run_query(client, run, outputs.database, outputs.workgroup, timeout)
        done.append(compaction)
    return None, done


def build_check(
    produced: Produced,
    delivered: delivery.Delivery,
    queries: dict[str, athena.QueryRun],
    summary: Summary,
    compactions: list[Compaction],
) -> Check:
    """Sent = delivered = Athena, and Parquet = JSON for every compacted hour."""
    check = Check()
    sent = produced.sent
    delivered_revenue = cents(sum((b.revenue for b in delivered.hours.values()), Decimal(0)))
    check.add(
        "records and revenue delivered to S3",
        (delivered.records, delivered_revenue),
        (produced.stats.sent, cents(sent.all.revenue)),
    )
    for name in REPORT_QUERIES:
        if name in queries:
            check.add(f"saved query {name} succeeded", queries[name].state, "SUCCEEDED")
    reconcile(check, sent, summary)
    for c in compactions:
        reads = {kind: run.rows[0] if run.ok and run.rows else run.state for kind, run in c.reads.items()}
        hour = c.result["hour"]
        check.add(f"{hour}: rows compacted", c.result["rows"], delivered.hours[hour].lines)
        check.add(
            f"{hour}: lines and revenue of the Parquet table equal the JSON table's",
            reads.get("parquet"),
            reads.get("json"),
        )
    return check


def stack_facts(outputs: StackOutputs) -> dict[str, Any]:
    service, stream = outputs.destination()
    return {
        "bucket": outputs.bucket,
        "delivery_prefix": outputs.delivery_prefix,
        "parquet_prefix": outputs.parquet_prefix,
        "producer_destination": f"{service}:{stream}",
        "firehose": outputs.values.get("firehose_name"),
        "glue_database": outputs.database,
        "query_table": outputs.values.get("query_table_name"),
        "athena_workgroup": outputs.workgroup,
    }


def chart_title(result: report.DemoResult) -> str:
    s = result.summary
    records = f"{result.produced.stats.sent:,} records"
    path = "Kinesis → Firehose → S3 → Athena" if result.produced.service == "kinesis" else "Firehose → S3 → Athena"
    revenue = f", revenue {report.money(s.revenue)}" if s.revenue is not None else ""
    return f"Retail pipeline demo: {records} through {path}{revenue} (run {result.run_id})"
