"""The shipped sample's records as the data contract says they go on the wire, read with the csv module alone.

Tests that count what was sent (the drills, the producer's emulator test) start from this reading, never from the
producer's own reader or dry run: a row the producer's reader dropped or altered would then be missing on both
sides of the comparison and go unnoticed.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

from tools.targets import REPO_ROOT

SAMPLE = REPO_ROOT / "producer" / "data" / "online_retail_sample.csv"


def sample_records(count: int | None = None, path: Path = SAMPLE) -> list[dict[str, Any]]:
    """The first `count` rows (all when None) as contract records: text trimmed, Quantity an integer, Price a
    number, Customer ID renamed Customer_ID and kept as text."""
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(itertools.islice(csv.DictReader(source), count))
    return [record_of(row) for row in rows]


def record_of(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row of the dataset (by its header's names) as a contract record."""
    return {
        "Invoice": row["Invoice"].strip(),
        "StockCode": row["StockCode"].strip(),
        "Description": row["Description"].strip(),
        "Quantity": int(row["Quantity"]),
        "InvoiceDate": row["InvoiceDate"].strip(),
        "Price": float(row["Price"]),
        "Customer_ID": row["Customer ID"].strip(),
        "Country": row["Country"].strip(),
    }


def header(path: Path = SAMPLE) -> list[str]:
    with path.open(encoding="utf-8", newline="") as source:
        return next(csv.reader(source))


def canonical(record: dict[str, Any]) -> str:
    """One record as a comparable string (key order and spacing do not matter)."""
    return json.dumps(record, sort_keys=True)
