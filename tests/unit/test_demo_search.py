"""The demo's search stage without the emulator: matching records to documents, the 10-minute buckets of the lab's
chart, the reconciliation check, the report lines and the chart file."""

from __future__ import annotations

from collections import Counter

import pytest

from demo import search
from demo.chart import write_search_chart
from demo.pipeline import search_check
from demo.report import _search
from demo.summary import Check

pytestmark = pytest.mark.unit

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SENT = {
    "Invoice": "489434",
    "StockCode": "85048",
    "Description": "GLASS BALL",
    "Quantity": 12,
    "InvoiceDate": "2009-12-01 07:45:00",
    "Price": 6.95,
    "Customer_ID": "13085.0",
    "Country": "United Kingdom",
}


def test_record_key_matches_the_indexed_document_of_a_record():
    indexed = SENT | {"InvoiceDate": "2009-12-01T07:45:00Z"}
    assert search.record_key(indexed) == search.record_key(SENT), "got the indexed document not matching its record"


def test_record_key_tells_records_apart_by_any_field():
    assert search.record_key(SENT | {"Quantity": 13}) != search.record_key(SENT)


def test_quantity_buckets_sum_per_ten_minutes_of_invoice_date():
    sources = [
        SENT | {"InvoiceDate": "2009-12-01T07:45:00Z", "Quantity": 12},
        SENT | {"InvoiceDate": "2009-12-01T07:49:59Z", "Quantity": -2},
        SENT | {"InvoiceDate": "2009-12-01T07:50:00Z", "Quantity": 5},
    ]
    got = search.quantity_buckets(sources)
    assert got == [("2009-12-01T07:40", 10), ("2009-12-01T07:50", 5)], f"got {got}"


def test_classify_puts_each_record_in_one_place_and_counts_identical_lines():
    a, b, c, d = (search.record_key(SENT | {"Quantity": q}) for q in (1, 2, 3, 4))
    got = search._classify(Counter({a: 2, b: 1, c: 1, d: 1}), indexed={a}, letters={b}, kept={c})
    assert got == {"indexed": 2, "dead_lettered": 1, "kept": 1, "missing": 1}, f"got {got}"


def result(**changes) -> search.SearchResult:
    values = {"sent": 5, "indexed": 4, "dead_lettered": 1, "kept": 0, "missing": 0, "documents": 3,
              "bulk_requests": 2, "signed_requests": 2, "quantity": 20, "expected_quantity": 20,
              "endpoint": "http://127.0.0.1:4691"}  # fmt: skip
    return search.SearchResult(**(values | changes))


def test_search_check_passes_when_everything_is_accounted_for():
    check = Check()
    search_check(check, result())
    assert check.ok, f"got failures {check.failures()}"


@pytest.mark.parametrize(
    "changes",
    [{"indexed": 3, "missing": 1}, {"signed_requests": 1}, {"quantity": 19}],
    ids=["a-record-missing", "an-unsigned-request", "chart-total-off"],
)
def test_search_check_fails_naming_what_differs(changes):
    check = Check()
    search_check(check, result(**changes))
    assert len(check.failures()) == 1, f"got {check.failures()}"


def test_search_check_adds_nothing_when_the_stage_was_skipped():
    check = Check()
    search_check(check, search.SearchResult(skipped="no ingest function"))
    assert check.items == [], f"got {check.items}"


def test_report_says_which_parts_are_real_and_which_is_a_standin():
    lines = _search(result())
    assert lines[0].startswith("  search      5 records through the stream: 4 indexed"), f"got {lines[0]!r}"
    assert "real: the mapping, Lambda, signed client, bulk protocol and item outcomes are real" in lines[1]
    assert "the search engine is a local stand-in" in lines[1], f"got {lines[1]!r}"


def test_report_says_why_the_stage_was_skipped():
    assert _search(search.SearchResult(skipped="no ingest function")) == ["  search      skipped: no ingest function"]


def test_search_chart_is_a_png(tmp_path):
    buckets = [("2009-12-01T07:40", 10), ("2009-12-01T07:50", 5), ("2010-01-05T16:10", -1)]
    path = write_search_chart(buckets, tmp_path / "demo-search.png", "title")
    assert path.read_bytes()[:8] == PNG_SIGNATURE, "got no PNG"


def test_search_chart_without_documents_says_so(tmp_path):
    path = write_search_chart([], tmp_path / "empty.png", "title")
    assert path.read_bytes()[:8] == PNG_SIGNATURE, "got no PNG"
