"""The hour a compaction run picks, and the SQL it generates, across midnight, month and year edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from compact_parquet import sql
from compact_parquet.config import S3Uri
from compact_parquet.handler import hour_from_event
from compact_parquet.hours import BadHour, Hour
from tests.lambda_support import load_event

pytestmark = pytest.mark.unit

LOCATION = S3Uri("retail-us-east-1-000000000000", "parquet-retail-trans/")


@pytest.mark.parametrize(
    ("run_at", "expected"),
    [
        (datetime(2026, 11, 28, 11, 5, tzinfo=UTC), "2026-11-28T10"),
        (datetime(2026, 11, 28, 0, 5, tzinfo=UTC), "2026-11-27T23"),
        (datetime(2026, 12, 1, 0, 5, tzinfo=UTC), "2026-11-30T23"),
        (datetime(2027, 1, 1, 0, 5, tzinfo=UTC), "2026-12-31T23"),
        (datetime(2028, 3, 1, 0, 5, tzinfo=UTC), "2028-02-29T23"),
        (datetime(2027, 3, 1, 0, 5, tzinfo=UTC), "2027-02-28T23"),
        (datetime(2026, 11, 28, 11, 59, 59, 999999, tzinfo=UTC), "2026-11-28T10"),
        (datetime(2026, 11, 28, 9, 5, tzinfo=timezone(timedelta(hours=9))), "2026-11-27T23"),
    ],
)
def test_previous_hour_crosses_day_month_year_edges(run_at, expected):
    got = str(Hour.previous(run_at))
    assert got == expected, f"got {got} for a run at {run_at.isoformat()}, expected {expected}"


def test_previous_hour_rejects_naive_time():
    with pytest.raises(BadHour, match="time zone"):
        Hour.previous(datetime(2026, 11, 28, 11, 5))


def test_hour_partition_values_are_zero_padded():
    got = Hour.parse("2026-01-02T03").partition
    assert got == {"year": "2026", "month": "01", "day": "02", "hour": "03"}, f"got {got}"


def test_hour_path_matches_firehose_prefix():
    got = Hour.parse("2026-01-02T03").path
    assert got == "year=2026/month=01/day=02/hour=03/", f"got {got}"


@pytest.mark.parametrize("text", ["2026-11-28", "2026-11-28 10", "2026-11-28T24", "2026-02-30T10", "yesterday", ""])
def test_hour_parse_rejects_non_hours(text):
    with pytest.raises(BadHour, match="2026-11-28T10"):
        Hour.parse(text)


def test_hour_from_scheduled_event_is_previous_hour():
    got = str(hour_from_event(load_event("scheduled_event.json")))
    assert got == "2026-12-31T23", f"got {got} for the event of 2027-01-01T00:05Z, expected 2026-12-31T23"


def test_hour_from_backfill_event_is_given_hour():
    got = str(hour_from_event({"hour": "2026-11-28T10", "time": "2027-01-01T00:05:00Z"}))
    assert got == "2026-11-28T10", f"got {got}, expected the explicit hour to win"


def test_hour_from_event_without_time_or_hour_raises():
    with pytest.raises(BadHour, match="neither"):
        hour_from_event({"detail": {}})


def test_count_rows_sql_filters_the_hour_partition():
    got = sql.count_rows("mydatabase", "retail_trans_json", Hour.parse("2027-01-01T00"))
    expected = (
        "SELECT count(*) AS row_count FROM mydatabase.retail_trans_json "
        "WHERE year = '2027' AND month = '01' AND day = '01' AND hour = '00'"
    )
    assert got == expected, f"got\n{got}\nexpected\n{expected}"


@pytest.mark.parametrize(
    ("hour", "values"),
    [
        ("2026-11-28T10", ("2026", "11", "28", "10")),
        ("2026-12-31T23", ("2026", "12", "31", "23")),
        ("2027-01-01T00", ("2027", "01", "01", "00")),
        ("2028-02-29T09", ("2028", "02", "29", "09")),
    ],
)
def test_ctas_sql_for_edge_hours(hour, values):
    year, month, day, hh = values
    staging = LOCATION.child(f"staging/{hour}/")
    where = f"year = '{year}' AND month = '{month}' AND day = '{day}' AND hour = '{hh}'"
    parsed = Hour.parse(hour)
    got = sql.ctas("mydatabase", "retail_trans_json", "ctas_retail_trans_parquet", staging, parsed)
    expected = (
        f"CREATE TABLE mydatabase.ctas_retail_trans_parquet__ctas_{parsed.compact}\n"
        "WITH (\n"
        "  format = 'PARQUET',\n"
        "  write_compression = 'SNAPPY',\n"
        f"  external_location = 's3://retail-us-east-1-000000000000/parquet-retail-trans/staging/{hour}/',\n"
        "  bucketed_by = ARRAY['invoice'],\n"
        "  bucket_count = 1\n"
        ") AS\n"
        "SELECT invoice, stockcode, description, quantity, invoicedate, price, customer_id, country\n"
        "FROM mydatabase.retail_trans_json\n"
        f"WHERE {where}"
    )
    assert got == expected, f"got\n{got}\nexpected\n{expected}"


def test_hour_span_is_inclusive_and_newest_first():
    got = [str(h) for h in Hour.span(Hour.parse("2026-12-31T22"), Hour.parse("2027-01-01T01"))]
    assert got == ["2027-01-01T01", "2027-01-01T00", "2026-12-31T23", "2026-12-31T22"], f"got {got}"


def test_temporary_table_name_is_fixed_per_hour():
    first = sql.temporary_table("ctas_retail_trans_parquet", Hour.parse("2026-11-28T10"))
    second = sql.temporary_table("ctas_retail_trans_parquet", Hour.parse("2026-11-28T10"))
    assert first == second == "ctas_retail_trans_parquet__ctas_2026112810", f"got {first}, {second}"


def test_drop_table_sql_tolerates_absence():
    got = sql.drop_table("mydatabase", "t")
    assert got == "DROP TABLE IF EXISTS mydatabase.t", f"got {got}"


def test_literal_escapes_quotes():
    got = sql.literal("s3://b/it's/")
    assert got == "'s3://b/it''s/'", f"got {got}"
