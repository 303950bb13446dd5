"""Exact sums of records: lines, units, revenue (sum of price * quantity in decimal), invoices and customers.

The demo computes them from the records it sends and from the objects Firehose delivered, and compares both
with what Athena returns. Revenue is decimal, as the saved queries compute it (CAST(price AS DECIMAL)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent, half away from zero (Athena's and DuckDB's round())."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_revenue(price: Any, quantity: Any) -> Decimal:
    """price * quantity of one invoice line, exact: a float price is read as the decimal it prints as."""
    return Decimal(str(price)) * int(quantity)


@dataclass
class Bucket:
    """Lines, units and revenue of a group of records."""

    lines: int = 0
    units: int = 0
    revenue: Decimal = Decimal(0)

    def add(self, quantity: int, revenue: Decimal, lines: int = 1) -> None:
        self.lines += lines
        self.units += quantity
        self.revenue += revenue

    def merge(self, other: Bucket) -> None:
        self.add(other.units, other.revenue, other.lines)


@dataclass
class Totals:
    """Everything the reconciliation needs from a set of data-contract records."""

    all: Bucket = field(default_factory=Bucket)
    months: dict[str, Bucket] = field(default_factory=dict)  # "2010-01" (InvoiceDate's month) -> bucket
    invoices: set[str] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)  # non-empty Customer_ID values
    first: str | None = None  # earliest InvoiceDate
    last: str | None = None

    def add(self, record: Mapping[str, Any]) -> None:
        quantity = int(record["Quantity"])
        revenue = line_revenue(record["Price"], quantity)
        when = str(record["InvoiceDate"])
        self.all.add(quantity, revenue)
        self.months.setdefault(when[:7], Bucket()).add(quantity, revenue)
        self.invoices.add(str(record["Invoice"]))
        if record.get("Customer_ID"):
            self.customers.add(str(record["Customer_ID"]))
        self.first = when if self.first is None or when < self.first else self.first
        self.last = when if self.last is None or when > self.last else self.last
