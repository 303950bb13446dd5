"""The shipped sample: what its seeded generator writes, with the real file's header and mess, all parseable."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from producer import samplegen
from producer.app import DEFAULT_INPUT
from producer.reader import REAL_HEADER, Row, open_input, read_rows

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def sample_rows() -> list[dict[str, str]]:
    with DEFAULT_INPUT.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_shipped_sample_is_what_the_seeded_generator_writes(tmp_path):
    regenerated = tmp_path / "sample.csv"
    samplegen.write_sample(regenerated)
    assert regenerated.read_bytes() == DEFAULT_INPUT.read_bytes(), (
        "producer/data/online_retail_sample.csv differs from `python -m producer.samplegen`; regenerate and commit it"
    )


def test_generator_is_deterministic_per_seed_and_differs_across_seeds():
    first = list(samplegen.generate_rows(300, seed=1))
    assert first == list(samplegen.generate_rows(300, seed=1)), "the same seed gave different rows"
    assert first != list(samplegen.generate_rows(300, seed=2)), "different seeds gave the same rows"


def test_generator_writes_exactly_the_rows_asked_for():
    assert sum(1 for _ in samplegen.generate_rows(1234, seed=3)) == 1234


def test_sample_has_the_real_header_and_a_few_thousand_rows(sample_rows):
    header = DEFAULT_INPUT.read_text(encoding="utf-8").splitlines()[0]
    assert header == REAL_HEADER, f"got header {header!r}"
    assert 2000 <= len(sample_rows) <= 10000, f"got {len(sample_rows)} rows"


def test_every_sample_row_parses_into_a_record():
    with open_input(DEFAULT_INPUT) as stream:
        _, rows = read_rows(stream)
        kinds = Counter(type(row).__name__ for row in rows)
    assert kinds == Counter({Row.__name__: 5000}), f"got {kinds}: the sample must be messy but valid"


def share(rows: list[dict[str, str]], predicate) -> float:
    return sum(1 for row in rows if predicate(row)) / len(rows)


def test_about_a_quarter_of_sample_rows_lack_a_customer_id(sample_rows):
    got = share(sample_rows, lambda r: r["Customer ID"] == "")
    assert 0.15 <= got <= 0.35, f"got {got:.0%} without a Customer ID, expected about a quarter"


def test_sample_customer_ids_look_like_floats(sample_rows):
    ids = {row["Customer ID"] for row in sample_rows if row["Customer ID"]}
    assert ids, f"got {sorted(ids)[:3]}"
    assert all(i.endswith(".0") and i[:-2].isdigit() for i in ids), f"got {sorted(ids)[:3]}"


@pytest.mark.parametrize(
    ("mess", "predicate"),
    [
        ("a comma in a description", lambda r: "," in r["Description"]),
        ("a double quote in a description", lambda r: '"' in r["Description"]),
        ("a trailing space in a description", lambda r: r["Description"].endswith(" ")),
        ("an empty description", lambda r: r["Description"] == ""),
        ("non-ASCII text", lambda r: not r["Description"].isascii()),
        ("a cancellation with a negative quantity", lambda r: r["Invoice"].startswith("C") and int(r["Quantity"]) < 0),
        ("a negative quantity outside cancellations", lambda r: r["Invoice"].isdigit() and int(r["Quantity"]) < 0),
        ("a zero price", lambda r: float(r["Price"]) == 0),
        ("a negative price", lambda r: float(r["Price"]) < 0),
        ("a POST stock code", lambda r: r["StockCode"] == "POST"),
        ("an M stock code", lambda r: r["StockCode"] == "M"),
        ("a country other than the UK", lambda r: r["Country"] != "United Kingdom"),
    ],
)
def test_sample_holds_the_real_data_mess(sample_rows, mess, predicate):
    assert any(predicate(row) for row in sample_rows), f"the sample has no row with {mess}"


def test_sample_dates_span_the_real_range(sample_rows):
    dates = sorted(row["InvoiceDate"] for row in sample_rows)
    assert dates[0].startswith("2009-12-01"), f"got {dates[0]} to {dates[-1]}"
    assert "2011-06" <= dates[-1] <= "2011-12-09", f"got {dates[0]} to {dates[-1]}"
