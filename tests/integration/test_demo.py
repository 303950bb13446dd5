"""End to end, what `make demo` does, on a private stack and a smaller input (every 17th row of the shipped sample,
294 rows): producer -> Kinesis -> Firehose -> S3, Kinesis -> the deployed ingest Lambda -> the search stand-in
(tools/search_standin.py, started here as `make up` starts it: no OpenSearch engine runs here), the saved Athena
queries, compaction with the local engine, the JSON and the charts. The query results and the indexed documents are
compared with totals computed here, straight from the input CSV, with nothing from the demo's own code; then a second
run on the same stack must report the same numbers.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from demo.delivery import wait_for_records
from demo.errors import DemoError
from demo.pipeline import Connection, RunOptions, run_pipeline
from demo.progress import Progress
from demo.stack import StackOutputs
from tests.harness import random_prefix
from tools.search_standin import StandInServer, documents
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.integration

SAMPLE = REPO_ROOT / "producer" / "data" / "online_retail_sample.csv"
EVERY_NTH_ROW = 17
CENT = Decimal("0.01")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- the input and what it must add up to ------------------------------------------------------------


@pytest.fixture(scope="module")
def small_input(tmp_path_factory) -> Path:
    """Every 17th row of the sample: a few hundred rows spread over all its months, hours and countries."""
    with SAMPLE.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    path = tmp_path_factory.mktemp("input") / "online_retail_small.csv"
    with path.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows([rows[0], *rows[1::EVERY_NTH_ROW]])
    return path


@pytest.fixture(scope="module")
def lines(small_input) -> list[dict]:
    """The input rows as plain values, read with the csv module only."""
    with small_input.open(encoding="utf-8", newline="") as source:
        return [
            {
                "invoice": row["Invoice"].strip(),
                "quantity": int(row["Quantity"]),
                "price": Decimal(row["Price"]),
                "hour": row["InvoiceDate"].strip()[:13],  # YYYY-MM-DD HH
                "customer": row["Customer ID"].strip(),
                "country": row["Country"].strip(),
            }
            for row in csv.DictReader(source)
        ]


def revenue(rows: list[dict]) -> Decimal:
    return sum((r["price"] * r["quantity"] for r in rows), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


# --- the stack and the runs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    """The search stand-in, as `make up` starts it beside the emulator (here on a free port, in this process)."""
    with StandInServer(tmp_path_factory.mktemp("search-standin")) as server:
        yield server


@pytest.fixture(scope="module")
def outputs(make_stack, standin):
    prefix = random_prefix("demo")
    stack = make_stack(
        "terraform",
        tf_vars={
            "name_prefix": prefix,
            "glue_database_name": f"{prefix}_db",
            "ingest_opensearch_endpoint": standin.url,  # what the harness passes for ENV=local
        },
        var_files=["env/local.tfvars"],
    )
    try:
        yield StackOutputs(stack.apply())
    finally:
        stack.discard()


def run_demo(outputs, target, endpoint, small_input, reports: Path, standin):
    options = RunOptions(input_file=small_input, reports_dir=reports, delivery_timeout_s=120, target_name=target.name,
                         search_documents=standin.store.directory)  # fmt: skip
    return run_pipeline(outputs, Connection(target.region, endpoint), options, Progress(total=7))


@pytest.fixture(scope="module")
def first(outputs, target, endpoint, small_input, tmp_path_factory, standin):
    return run_demo(outputs, target, endpoint, small_input, tmp_path_factory.mktemp("reports"), standin)


@pytest.fixture(scope="module")
def second(first, outputs, target, endpoint, small_input, tmp_path_factory, standin):
    """The same demo again on the same stack (what re-running `make demo` does)."""
    return run_demo(outputs, target, endpoint, small_input, tmp_path_factory.mktemp("reports-again"), standin)


# --- delivery -------------------------------------------------------------------------------------------


def test_demo_sends_and_delivers_every_row(first, lines):
    got = (first.produced.stats.sent, first.delivery.records)
    assert got == (len(lines), len(lines)), f"got (sent, delivered) {got}, expected {len(lines)} each"


def test_demo_delivery_wait_fails_clearly_when_records_are_missing(first, outputs, aws_client, lines):
    with pytest.raises(DemoError, match=rf"only {len(lines)} of {len(lines) + 1} records arrived under s3://"):
        wait_for_records(aws_client("s3"), outputs.bucket, outputs.delivery_prefix, len(lines) + 1, 2.0, print)


# --- the search branch against the input file --------------------------------------------------------


@pytest.fixture(scope="module")
def distinct_rows(small_input) -> set[tuple]:
    """The input's distinct rows (identical lines are one document in the index), read with the csv module only."""
    with small_input.open(encoding="utf-8", newline="") as source:
        return {
            (row["Invoice"].strip(), row["StockCode"].strip(), row["Description"].strip(), int(row["Quantity"]),
             Decimal(row["Price"]), row["InvoiceDate"].strip(), row["Customer ID"].strip(), row["Country"].strip())
            for row in csv.DictReader(source)
        }  # fmt: skip


def document_row(d: dict) -> tuple:
    return (d["Invoice"], d["StockCode"], d["Description"], d["Quantity"], Decimal(str(d["Price"])),
            d["InvoiceDate"][:19].replace("T", " "), d["Customer_ID"], d["Country"])  # fmt: skip


def test_demo_search_stage_indexes_every_row_sent(first, lines):
    s = first.search
    got = (s.skipped, s.sent, s.indexed, s.dead_lettered, s.kept, s.missing)
    assert got == (None, len(lines), len(lines), 0, 0, 0), f"got (skipped, sent, indexed, dlq, kept, missing) {got}"


def test_demo_search_documents_are_the_input_rows(first, standin, distinct_rows):
    got = {document_row(d) for d in documents(standin.store.directory, "retail").values()}
    assert got == distinct_rows, f"got {len(got)} documents, expected the {len(distinct_rows)} distinct input rows"
    assert first.search.documents == len(distinct_rows), f"got {first.search.documents} documents reported"


def test_demo_search_chart_sums_quantity_per_ten_minutes_of_invoice_date(first, distinct_rows):
    sums: Counter[str] = Counter()
    for _, _, _, quantity, _, date, _, _ in distinct_rows:
        moment = datetime.fromisoformat(date)
        sums[f"{moment:%Y-%m-%dT%H}:{moment.minute // 10 * 10:02d}"] += quantity
    assert first.search.buckets == sorted(sums.items()), f"got {first.search.buckets[:5]}..."
    png = Path(first.files["search_chart"]).read_bytes()
    assert png[:8] == PNG_SIGNATURE, f"got {png[:8]!r}, expected a PNG"


def test_demo_search_bulk_requests_are_all_signed(first):
    got = (first.search.signed_requests, first.search.bulk_requests)
    assert got[0] == got[1] > 0, f"got (signed, bulk requests) {got}, expected every request signed"


def test_demo_rerun_reconciles_the_search_branch_again(first, second):
    got = (second.search.indexed, second.search.documents, second.search.missing)
    expected = (first.search.indexed, first.search.documents, 0)
    assert got == expected, f"got (indexed, documents, missing) {got}, expected {expected}"


# --- the saved queries against the input file ---------------------------------------------------------


def test_demo_revenue_by_hour_equals_price_times_quantity_per_hour(first, lines):
    run = first.queries["revenue_by_hour"]
    got = [(row[0][:13], int(row[1]), Decimal(row[3])) for row in run.rows]
    expected = [(hour, len(rows), revenue(rows)) for hour, rows in sorted(by(lines, "hour").items())]
    assert got == expected, f"got {got[:5]}..., expected {expected[:5]}..."


def test_demo_top_countries_equal_lines_invoices_and_revenue_per_country(first, lines):
    run = first.queries["top_countries"]
    got = [(row[0], int(row[1]), int(row[2]), Decimal(row[3])) for row in run.rows]
    per_country = [
        (country, len(rows), len({r["invoice"] for r in rows}), revenue(rows))
        for country, rows in by(lines, "country").items()
    ]
    expected = sorted(per_country, key=lambda row: (-row[3], row[0]))[:10]
    assert got == expected, f"got {got}, expected {expected}"


def test_demo_distinct_customers_equal_the_input(first, lines):
    got = tuple(int(value) for value in first.queries["distinct_customers"].rows[0])
    expected = (len({r["customer"] for r in lines if r["customer"]}), len({r["invoice"] for r in lines}), len(lines))
    assert got == expected, f"got (customers, invoices, lines) {got}, expected {expected}"


def test_demo_runs_every_saved_query_of_the_stack(first, outputs):
    got = {name: run.state for name, run in first.queries.items()}
    expected = dict.fromkeys(outputs.named_query_ids, "SUCCEEDED")
    assert got == expected, f"got {got}, expected {expected}"


# --- compaction, reconciliation, files -----------------------------------------------------------------


def test_demo_compacts_every_row_with_the_local_engine(first, lines):
    got = [(c.engine, c.result["status"], c.result["rows"]) for c in first.compactions]
    assert sum(rows for _, _, rows in got) == len(lines), f"got {got}, expected {len(lines)} rows in all"
    assert {engine for engine, _, _ in got} == {"duckdb"}, f"got {got}, expected the duckdb engine on the emulator"


def test_demo_parquet_table_reads_the_same_lines_and_revenue_as_the_json(first, lines):
    for c in first.compactions:
        got = {kind: run.rows for kind, run in c.reads.items()}
        assert got["parquet"] == got["json"], f"{c.result['hour']}: got {got}"
    total = sum(int(c.reads["parquet"].rows[0][0]) for c in first.compactions)
    assert total == len(lines), f"got {total} lines in the Parquet table, expected {len(lines)}"


def test_demo_check_passes(first):
    assert first.check.ok, f"got failures {first.check.failures()}"


def test_demo_writes_the_json_and_the_png(first, lines):
    document = json.loads(Path(first.files["json"]).read_text(encoding="utf-8"))
    got = (document["delivery"]["records"], Decimal(str(document["summary"]["revenue"])), document["check"]["ok"])
    assert got == (len(lines), revenue(lines), True), f"got {got}"
    png = Path(first.files["chart"]).read_bytes()
    assert png[:8] == PNG_SIGNATURE, f"got {png[:8]!r}, expected a PNG"


# --- re-running ---------------------------------------------------------------------------------------------


def test_demo_rerun_first_removes_what_the_first_run_left(first, second):
    expected = first.delivery.objects + len(first.compactions)  # JSON objects, one Parquet file per hour
    assert second.removed_objects == expected, f"got {second.removed_objects} removed, expected {expected}"


def test_demo_rerun_reports_the_same_numbers(first, second):
    names = ("revenue_by_hour", "top_countries", "distinct_customers", "revenue_by_month")
    got = {name: second.queries[name].rows for name in names}
    expected = {name: first.queries[name].rows for name in names}
    assert got == expected, "got different query results on the second run"
    assert second.check.ok, f"got failures {second.check.failures()}"
