"""The demo's numbers: totals of records, the saved queries' results read by column name, and the reconciliation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from demo.athena import QueryRun, query_order
from demo.summary import Check, Customers, Month, ResultShapeError, Summary, reconcile
from demo.totals import Totals, cents, line_revenue

pytestmark = pytest.mark.unit


def record(invoice="489434", quantity=12, price=6.95, when="2009-12-01 07:45:00", customer="13085.0"):
    return {"Invoice": invoice, "Quantity": quantity, "Price": price, "InvoiceDate": when, "Customer_ID": customer}


def done(name: str, columns: list[str], rows: list[list[str | None]]) -> QueryRun:
    return QueryRun(name=name, sql="SELECT 1", state="SUCCEEDED", columns=columns, rows=rows)


def test_line_revenue_is_exact_for_float_prices():
    got = sum((line_revenue(0.1, 3) for _ in range(10)), Decimal(0))
    assert got == Decimal("3.0"), f"got {got}, expected 3.0 exactly (binary floats would drift)"


def test_cents_round_half_away_from_zero_like_athena():
    got = (cents(Decimal("2.345")), cents(Decimal("-2.345")))
    assert got == (Decimal("2.35"), Decimal("-2.35")), f"got {got}"


def test_totals_count_invoices_customers_and_months():
    totals = Totals()
    for r in [record(), record(customer=""), record(invoice="C489435", quantity=-2, when="2010-01-05 10:00:00")]:
        totals.add(r)
    got = (totals.all.lines, totals.all.units, totals.all.revenue, len(totals.invoices), len(totals.customers))
    assert got == (3, 22, Decimal("152.90"), 2, 1), f"got {got}"
    assert sorted(totals.months) == ["2009-12", "2010-01"], f"got {sorted(totals.months)}"
    assert (totals.first, totals.last) == ("2009-12-01 07:45:00", "2010-01-05 10:00:00")


def test_months_parse_emulator_and_athena_timestamps():
    run = done(
        "revenue_by_month",
        ["invoice_month", "lines", "units", "revenue"],
        [["2009-12-01 00:00:00", "2", "24", "166.80"], ["2010-01-01 00:00:00.000", "1", "-2", "-13.90"]],
    )
    got = Summary.from_queries({"revenue_by_month": run}).months
    expected = [Month("2009-12", 2, 24, Decimal("166.80")), Month("2010-01", 1, -2, Decimal("-13.90"))]
    assert got == expected, f"got {got}, expected {expected}"


def test_hours_of_day_fold_every_day_into_24_hours():
    run = done(
        "revenue_by_hour",
        ["invoice_hour", "lines", "units", "revenue"],
        [
            ["2009-12-01 07:00:00", "2", "10", "10.00"],
            ["2009-12-02 07:00:00.000", "1", "5", "2.50"],
            ["2009-12-02 16:00:00", "4", "1", "1.00"],
        ],
    )
    got = [(h.hour, h.lines, h.revenue) for h in Summary.from_queries({"revenue_by_hour": run}).hours_of_day]
    assert got == [(7, 3, Decimal("12.50")), (16, 4, Decimal("1.00"))], f"got {got}"


def test_summary_revenue_is_the_sum_of_the_months():
    rows = [["2009-12-01 00:00:00", "2", "24", "166.80"], ["2010-01-01 00:00:00", "1", "-2", "-13.90"]]
    run = done("revenue_by_month", ["invoice_month", "lines", "units", "revenue"], rows)
    got = Summary.from_queries({"revenue_by_month": run}).revenue
    assert got == Decimal("152.90"), f"got {got}, expected 152.90"


def test_failed_or_missing_query_leaves_its_part_empty():
    failed = QueryRun(name="top_countries", sql="SELECT 1", state="FAILED", reason="boom")
    summary = Summary.from_queries({"top_countries": failed})
    got = (summary.countries, summary.months, summary.customers, summary.revenue)
    assert got == (None, None, None, None), f"got {got}"


def test_result_without_an_expected_column_is_a_clear_error():
    run = done("distinct_customers", ["customers", "invoices"], [["3", "2"]])
    with pytest.raises(ResultShapeError, match="expected a column 'lines'"):
        Summary.from_queries({"distinct_customers": run})


def test_reconcile_passes_when_athena_equals_the_records_sent():
    # given: three lines sent, and what Athena answers for them, written out by hand (not derived with the helpers
    # reconcile compares with): 2 x 12 x 6.95 in 2009-12, a -2 x 6.95 cancellation in 2010-01
    totals = Totals()
    for r in [record(), record(customer=""), record(invoice="C489435", quantity=-2, when="2010-01-05 10:00:00")]:
        totals.add(r)
    months = [Month("2009-12", 2, 24, Decimal("166.80")), Month("2010-01", 1, -2, Decimal("-13.90"))]
    summary = Summary(months=months, customers=Customers(1, 2, 3))
    check = Check()
    reconcile(check, totals, summary)
    assert check.ok, f"got failures {check.failures()}"


def test_reconcile_names_the_number_that_differs():
    totals = Totals()
    totals.add(record())
    summary = Summary(months=[Month("2009-12", 1, 12, Decimal("83.41"))], customers=Customers(1, 1, 1))
    check = Check()
    reconcile(check, totals, summary)
    names = [item.name for item in check.failures()]
    assert names == ["lines, units, revenue per month (revenue_by_month)"], f"got {names}"


def test_reconcile_fails_when_a_query_did_not_run():
    totals = Totals()
    totals.add(record())
    check = Check()
    reconcile(check, totals, Summary())
    assert len(check.failures()) == 2, f"got {check.failures()}, expected both checks to fail"


def test_empty_check_is_not_ok():
    assert not Check().ok, "got ok for a check with no items, expected not ok"


def test_query_order_puts_the_report_queries_first_then_extras_sorted():
    got = query_order(
        {"zeta", "top_countries", "alpha", "sample_rows"}, ("sample_rows", "revenue_by_month", "top_countries")
    )
    assert got == ["sample_rows", "top_countries", "alpha", "zeta"], f"got {got}"
