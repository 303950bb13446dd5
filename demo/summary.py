"""The report's numbers, read from the saved queries' results by column name, and the reconciliation:
Athena's numbers against the totals of the records the demo sent.

The saved queries bucket by InvoiceDate (the sale's own time, UTC), not by the arrival-time partitions.
A query missing from the stack, or failed, leaves its part of the summary empty (None).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from demo.athena import QueryRun
from demo.errors import DemoError
from demo.totals import Bucket, Totals, cents

REPORT_QUERIES = ("revenue_by_month", "revenue_by_hour", "top_countries", "top_products", "distinct_customers")


class ResultShapeError(DemoError):
    """A query's result does not have the columns the report reads."""


@dataclass(frozen=True)
class Month:
    month: str  # "2010-01"
    lines: int
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class HourOfDay:
    hour: int  # 0-23, InvoiceDate's hour (UTC)
    lines: int
    revenue: Decimal


@dataclass(frozen=True)
class Country:
    country: str
    lines: int
    invoices: int
    revenue: Decimal


@dataclass(frozen=True)
class Product:
    stockcode: str
    description: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class Customers:
    customers: int
    invoices: int
    lines: int


@dataclass(frozen=True)
class Summary:
    months: list[Month] | None = None
    hours_of_day: list[HourOfDay] | None = None
    countries: list[Country] | None = None
    products: list[Product] | None = None
    customers: Customers | None = None

    @property
    def revenue(self) -> Decimal | None:
        """Total revenue: the sum of the monthly revenues."""
        return sum((m.revenue for m in self.months), Decimal(0)) if self.months is not None else None

    @classmethod
    def from_queries(cls, queries: Mapping[str, QueryRun]) -> Summary:
        def rows(name: str) -> list[dict[str, str | None]] | None:
            run = queries.get(name)
            return run.records() if run is not None and run.ok else None

        return cls(
            months=_maybe(parse_months, rows("revenue_by_month")),
            hours_of_day=_maybe(parse_hours_of_day, rows("revenue_by_hour")),
            countries=_maybe(parse_countries, rows("top_countries")),
            products=_maybe(parse_products, rows("top_products")),
            customers=_maybe(parse_customers, rows("distinct_customers")),
        )


def _maybe(parse: Any, rows: list[dict[str, str | None]] | None) -> Any:
    return None if rows is None else parse(rows)


def _field(row: Mapping[str, str | None], column: str) -> str:
    if column not in row:
        raise ResultShapeError(f"expected a column {column!r}, got {sorted(row)}")
    return row[column] or ""


def _int(row: Mapping[str, str | None], column: str) -> int:
    text = _field(row, column) or "0"
    try:
        return int(Decimal(text))
    except InvalidOperation:
        raise ResultShapeError(f"column {column!r} holds {text!r}, expected a whole number") from None


def _decimal(row: Mapping[str, str | None], column: str) -> Decimal:
    text = _field(row, column) or "0"
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ResultShapeError(f"column {column!r} holds {text!r}, expected a number") from None


def parse_months(rows: list[dict[str, str | None]]) -> list[Month]:
    """revenue_by_month: invoice_month is a timestamp (`2010-01-01 00:00:00`, `.000` on Athena)."""
    return [
        Month(_field(r, "invoice_month")[:7], _int(r, "lines"), _int(r, "units"), _decimal(r, "revenue")) for r in rows
    ]


def parse_hours_of_day(rows: list[dict[str, str | None]]) -> list[HourOfDay]:
    """revenue_by_hour, folded into the 24 hours of the day: when in the day the sales happen."""
    hours: dict[int, Bucket] = {}
    for row in rows:
        stamp = _field(row, "invoice_hour")
        if len(stamp) < 13 or not stamp[11:13].isdigit():
            raise ResultShapeError(f"invoice_hour {stamp!r} is not a timestamp like 2010-01-04 09:00:00")
        hours.setdefault(int(stamp[11:13]), Bucket()).add(
            _int(row, "units"), _decimal(row, "revenue"), _int(row, "lines")
        )
    return [HourOfDay(hour, bucket.lines, bucket.revenue) for hour, bucket in sorted(hours.items())]


def parse_countries(rows: list[dict[str, str | None]]) -> list[Country]:
    return [Country(_field(r, "country"), _int(r, "lines"), _int(r, "invoices"), _decimal(r, "revenue")) for r in rows]


def parse_products(rows: list[dict[str, str | None]]) -> list[Product]:
    return [
        Product(_field(r, "stockcode"), _field(r, "description"), _int(r, "units"), _decimal(r, "revenue"))
        for r in rows
    ]


def parse_customers(rows: list[dict[str, str | None]]) -> Customers | None:
    if not rows:
        return None
    row = rows[0]
    return Customers(_int(row, "customers"), _int(row, "invoices"), _int(row, "lines"))


# --- reconciliation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    name: str
    ok: bool
    got: Any
    expected: Any


@dataclass
class Check:
    items: list[CheckItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(item.ok for item in self.items)

    def add(self, name: str, got: Any, expected: Any) -> None:
        self.items.append(CheckItem(name, got == expected, got, expected))

    def failures(self) -> list[CheckItem]:
        return [item for item in self.items if not item.ok]


def expected_months(totals: Totals) -> list[Month]:
    return [Month(m, b.lines, b.units, cents(b.revenue)) for m, b in sorted(totals.months.items())]


def reconcile(check: Check, sent: Totals, summary: Summary) -> None:
    """Athena's counts and monthly revenue against the records sent (a query that did not run fails its check)."""
    expected = Customers(len(sent.customers), len(sent.invoices), sent.all.lines)
    check.add("customers, invoices, lines (distinct_customers)", summary.customers, expected)
    check.add("lines, units, revenue per month (revenue_by_month)", summary.months, expected_months(sent))
