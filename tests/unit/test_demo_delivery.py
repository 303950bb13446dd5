"""Counting delivered records: hour partitions from keys, records and revenue from JSON-lines and Parquet objects."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from demo.delivery import hour_of, tally

pytestmark = pytest.mark.unit


def test_hour_of_reads_the_partition_from_the_key():
    key = "00-retail-trans/year=2026/month=11/day=28/hour=09/uk-online-retail-trans-1-2026-11-28-09-32-15-abc"
    assert hour_of(key) == "2026-11-28T09", f"got {hour_of(key)}"


def test_hour_of_a_key_without_partitions_is_unpartitioned():
    assert hour_of("00-retail-trans/file") == "unpartitioned", f"got {hour_of('00-retail-trans/file')}"


def test_tally_counts_every_json_record_of_a_concatenated_object():
    body = (
        b'{"Invoice":"1","Quantity":12,"Price":6.95}\n'
        b'{"Invoice":"2","Quantity":-1,"Price":0.29}\n\n'
        b'{"Invoice":"3","Quantity":3,"Price":0.1}\n'
    )
    got = tally(body)
    assert (got.lines, got.units, got.revenue) == (3, 14, Decimal("83.41")), f"got {got}"


def test_tally_of_an_empty_object_is_zero():
    got = tally(b"")
    assert (got.lines, got.units, got.revenue) == (0, 0, Decimal(0)), f"got {got}"


def test_tally_reads_parquet_objects(tmp_path):
    path = tmp_path / "part.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES (12, CAST(6.95 AS FLOAT)), (-1, CAST(0.29 AS FLOAT))) t(quantity, price)) "
        f"TO '{path}' (FORMAT parquet)"
    )
    got = tally(path.read_bytes())
    assert (got.lines, got.units, got.revenue) == (2, 11, Decimal("83.11")), f"got {got}"
