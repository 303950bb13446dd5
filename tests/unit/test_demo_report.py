"""The demo's outputs: the JSON document, the text report and the PNG chart, from a result built here."""

from __future__ import annotations

import json
import struct
from decimal import Decimal

import pytest

from demo.athena import QueryRun
from demo.chart import write_chart
from demo.compaction import Compaction
from demo.delivery import Delivery
from demo.produce import Produced
from demo.progress import StageTiming
from demo.report import DemoResult, text_lines, to_json, write_json
from demo.summary import Check, Country, Customers, HourOfDay, Month, Product, Summary, reconcile
from demo.totals import Bucket, Totals
from producer.report import Stats

pytestmark = pytest.mark.unit

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RECORDS = [
    {
        "Invoice": "489434",
        "Quantity": 12,
        "Price": 6.95,
        "InvoiceDate": "2009-12-01 07:45:00",
        "Customer_ID": "13085.0",
    },
    {"Invoice": "489434", "Quantity": 2, "Price": 1.25, "InvoiceDate": "2009-12-01 07:45:00", "Customer_ID": "13085.0"},
    {"Invoice": "C489435", "Quantity": -1, "Price": 6.95, "InvoiceDate": "2010-01-05 16:10:00", "Customer_ID": ""},
]


def summary() -> Summary:
    return Summary(
        months=[Month("2009-12", 2, 14, Decimal("85.90")), Month("2010-01", 1, -1, Decimal("-6.95"))],
        hours_of_day=[HourOfDay(7, 2, Decimal("85.90")), HourOfDay(16, 1, Decimal("-6.95"))],
        countries=[Country("United Kingdom", 2, 1, Decimal("85.90")), Country("France", 1, 1, Decimal("-6.95"))],
        products=[Product("85048", "15CM CHRISTMAS GLASS BALL 20 LIGHTS", 11, Decimal("76.45"))],
        customers=Customers(1, 2, 3),
    )


@pytest.fixture
def result() -> DemoResult:
    sent = Totals()
    for r in RECORDS:
        sent.add(r)
    check = Check()
    reconcile(check, sent, summary())
    hour = "2026-11-28T19"
    reads = {
        "json": QueryRun("json_hour_totals", "SELECT …", "e1", "SUCCEEDED", seconds=4.2, columns=["lines", "revenue"],
                         rows=[["3", "78.95"]]),
        "parquet": QueryRun("parquet_hour_totals", "SELECT …", "e2", "SUCCEEDED", seconds=0.1,
                            columns=["lines", "revenue"], rows=[["3", "78.95"]]),
    }  # fmt: skip
    compaction = Compaction(
        {"hour": hour, "engine": "duckdb", "status": "compacted", "rows": 3, "source_objects": 3},
        f"{hour}: compacted 3 rows from 3 objects into s3://b/parquet-retail-trans/ (engine: duckdb, 0.1 s)",
        reads,
    )
    return DemoResult(
        run_id="20261128T193704Z",
        started_at="2026-11-28T19:37:04+00:00",
        input_file="producer/data/online_retail_sample.csv",
        target={"name": "local", "endpoint": "http://127.0.0.1:4566", "region": "us-east-1"},
        stack={"bucket": "b"},
        removed_objects=0,
        produced=Produced("kinesis", "retail-trans", Stats(rows=3, records=3, sent=3, elapsed=0.5), sent),
        delivery=Delivery("s3://b/00-retail-trans/", {hour: Bucket(3, 13, Decimal("78.95"))}, {"k1", "k2", "k3"}, 1.0),
        queries={"revenue_by_month": QueryRun("revenue_by_month", "SELECT 1", "e0", "SUCCEEDED", seconds=1.5)},
        compactions=[compaction],
        compaction_skipped=None,
        summary=summary(),
        check=check,
        stages=[StageTiming("produce", 0.5, "sent 3 records", True), StageTiming("deliver", 1.0, "3 of 3", True)],
        files={"json": "reports/demo.json", "chart": "reports/demo.png"},
    )


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk follows the signature
    return width, height


def test_to_json_is_plain_json_with_exact_revenue(result):
    document = to_json(result)
    got = (document["summary"]["revenue"], document["sent"]["revenue"], document["summary"]["customers"])
    assert got == (78.95, 78.95, {"customers": 1, "invoices": 2, "lines": 3}), f"got {got}"


def test_to_json_has_every_section(result):
    got = sorted(to_json(result))
    expected = sorted(["schema_version", "run", "stack", "reset", "stages", "producer", "sent", "delivery", "queries",
                       "compaction", "search", "summary", "check", "files"])  # fmt: skip
    assert got == expected, f"got {got}"


def test_to_json_records_stage_timings_and_total(result):
    document = to_json(result)
    got = ([s["name"] for s in document["stages"]], document["run"]["seconds"])
    assert got == (["produce", "deliver"], 1.5), f"got {got}"


def test_to_json_keeps_the_check_items_with_got_and_expected(result):
    items = to_json(result)["check"]["items"]
    months = next(i for i in items if "per month" in i["name"])
    assert months["ok"], f"got {months}"
    assert months["got"] == months["expected"], f"got {months}"
    assert months["got"][0] == {"month": "2009-12", "lines": 2, "units": 14, "revenue": 85.9}, f"got {months['got']}"


def test_write_json_writes_a_parseable_file(result, tmp_path):
    path = write_json(result, tmp_path / "reports" / "demo.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["run"]["id"] == "20261128T193704Z", f"got {document['run']}"


def test_write_chart_writes_a_png(result, tmp_path):
    path = write_chart(result.summary, tmp_path / "reports" / "demo.png", "title")
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"got {data[:8]!r}, expected the PNG signature"
    assert png_size(data) == (1650, 506), f"got {png_size(data)}, expected 1650x506 (15x4.6 in at 110 dpi)"


def test_write_chart_draws_panels_for_queries_that_did_not_run(tmp_path):
    path = write_chart(Summary(), tmp_path / "demo.png", "nothing ran")
    assert path.read_bytes()[:8] == PNG_SIGNATURE, "got no PNG for an empty summary"


def test_write_chart_handles_negative_country_revenue(tmp_path):
    countries = [Country("United Kingdom", 2, 1, Decimal("85.90")), Country("France", 1, 1, Decimal("-6.95"))]
    path = write_chart(Summary(countries=countries), tmp_path / "demo.png", "t")
    assert path.stat().st_size > 0, "got an empty chart file"


def test_text_report_shows_totals_ranking_compaction_and_check(result):
    text = "\n".join(text_lines(result))
    for expected in (
        "revenue 78.95 from 3 invoice lines, 2 invoices, 1 known customers",
        "United Kingdom",
        "(engine: duckdb",
        "parquet table 3 lines, revenue 78.95 in 0.1 s",
        "check       OK: 2 of 2 checks equal",
        "reports/demo.json  reports/demo.png",
    ):
        assert expected in text, f"got report:\n{text}\nexpected it to contain {expected!r}"


def test_text_report_lists_the_checks_that_failed(result):
    result.check.add("records and revenue delivered to S3", (2, Decimal("1.00")), (3, Decimal("78.95")))
    text = "\n".join(text_lines(result))
    assert "FAILED: 1 of 3 checks differ" in text, f"got:\n{text}"
    assert "records and revenue delivered to S3: got (2, Decimal('1.00'))" in text, f"got:\n{text}"


def test_text_report_says_when_compaction_was_skipped(result):
    result.compactions, result.compaction_skipped = [], "Firehose already writes Parquet"
    text = "\n".join(text_lines(result))
    assert "compaction  skipped: Firehose already writes Parquet" in text, f"got:\n{text}"
