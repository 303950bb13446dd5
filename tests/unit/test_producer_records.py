"""Records on the wire: JSON per the contract, CSV/TSV quoted by the csv module, one trailing newline, UTC time."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from producer.reader import FIELDS
from producer.records import CurrentHour, EntryBuilder, encode_json, encoder_for

pytestmark = pytest.mark.unit

MESSY = {
    "Invoice": "C489449",
    "StockCode": "22087",
    "Description": 'RECORD FRAME 7" SINGLE, SIZE\twith tab\nand newline \\ café £',
    "Quantity": -12,
    "InvoiceDate": "2009-12-01 10:33:00",
    "Price": 0.001,
    "Customer_ID": "",
    "Country": "EIRE",
}
PLAIN = {
    "Invoice": "489434",
    "StockCode": "85048",
    "Description": "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
    "Quantity": 12,
    "InvoiceDate": "2009-12-01 07:45:00",
    "Price": 6.95,
    "Customer_ID": "13085.0",
    "Country": "United Kingdom",
}


@pytest.mark.parametrize("record", [PLAIN, MESSY, {**PLAIN, "Price": -53594.36, "Quantity": 80995}])
def test_json_is_byte_for_byte_what_json_dumps_writes(record):
    expected = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    got = encode_json(record)
    assert got == expected, f"got {got!r}, expected {expected!r}"


def test_json_round_trips_to_the_same_record_with_contract_types():
    got = json.loads(encode_json(MESSY))
    assert got == MESSY, f"got {got}"
    assert isinstance(got["Quantity"], int)
    assert isinstance(got["Price"], float)


def test_json_writes_utf8_not_escapes():
    assert "café £".encode() in encode_json(MESSY), "non-ASCII text was escaped instead of written as UTF-8"


@pytest.mark.parametrize("out_format", ["json", "csv", "tsv"])
@pytest.mark.parametrize("record", [PLAIN, MESSY])
def test_every_format_ends_in_exactly_one_newline(out_format, record):
    data = encoder_for(out_format)(record)
    assert data.endswith(b"\n"), f"got {data[-4:]!r}"
    assert not data.endswith(b"\n\n"), f"got {data[-4:]!r}"


@pytest.mark.parametrize(("out_format", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_delimited_formats_quote_so_the_csv_module_reads_the_record_back(out_format, delimiter):
    data = encoder_for(out_format)(MESSY).decode()
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))
    expected = [str(MESSY[field]) for field in FIELDS]
    assert rows == [expected], f"got {rows}, expected one row {expected}"


def test_csv_quotes_the_comma_and_doubles_the_quote():
    data = encoder_for("csv")({**PLAIN, "Description": 'DOG BOWL , 7" DESIGN'})
    assert b'"DOG BOWL , 7"" DESIGN"' in data, f"got {data!r}"


def test_tsv_leaves_commas_alone_and_quotes_tabs():
    data = encoder_for("tsv")({**PLAIN, "Description": "A, B\tC"})
    assert data.split(b"\t")[2] == b'"A, B', f"got {data!r}"


def test_delimited_formats_keep_field_order_of_the_contract():
    data = encoder_for("csv")(PLAIN).decode()
    assert (
        data == "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
    )


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        encoder_for("xml")


def fixed(moment: datetime):
    return lambda: moment


def test_time_now_moves_the_date_to_the_current_utc_hour_keeping_minutes_and_seconds():
    rewrite = CurrentHour(fixed(datetime(2024, 3, 10, 22, 5, 1, tzinfo=UTC)))
    assert rewrite("2009-12-01 07:45:33") == "2024-03-10 22:45:33"


def test_time_now_uses_utc_whatever_the_clock_zone():
    # given a clock in UTC+9 whose local date is already the next day
    seoul = timezone(timedelta(hours=9))
    rewrite = CurrentHour(fixed(datetime(2024, 3, 11, 7, 5, tzinfo=seoul)))
    # then the hour is UTC's
    got = rewrite("2009-12-01 07:45:33")
    assert got == "2024-03-10 22:45:33", f"got {got}, expected the UTC hour 2024-03-10 22h"


def test_time_now_follows_the_clock_into_the_next_hour():
    moments = iter([datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)])
    rewrite = CurrentHour(lambda: next(moments))
    got = [rewrite("2009-12-01 07:45:33"), rewrite("2009-12-01 07:10:00")]
    assert got == ["2024-12-31 23:45:33", "2025-01-01 00:10:00"], f"got {got}"


def test_time_now_default_clock_is_utc():
    before = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    got = datetime.strptime(CurrentHour()("2009-12-01 07:00:00"), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    after = datetime.now(UTC)
    assert before <= got <= after, f"got {got}, expected the current UTC hour {before:%Y-%m-%d %H}h"


def test_builder_with_time_now_rewrites_the_record_it_sends():
    build = EntryBuilder(time_mode="now", clock=fixed(datetime(2024, 3, 10, 22, 0, tzinfo=UTC)))
    entry = build(dict(PLAIN), 2, [])
    assert json.loads(entry.data)["InvoiceDate"] == "2024-03-10 22:45:00", f"got {entry.data!r}"


def test_builder_with_time_keep_sends_the_date_unchanged():
    entry = EntryBuilder(time_mode="keep")(dict(PLAIN), 2, [])
    assert json.loads(entry.data)["InvoiceDate"] == "2009-12-01 07:45:00"


def test_builder_random_keys_are_16_hex_digits_and_differ():
    build = EntryBuilder(rng=random.Random(1))
    keys = {build(dict(PLAIN), 2, []).key for _ in range(100)}
    assert len(keys) == 100, f"got {sorted(keys)[:3]}"
    assert all(len(k) == 16 and int(k, 16) >= 0 for k in keys), f"got {sorted(keys)[:3]}"


def test_builder_invoice_keys_are_the_invoice_cut_to_kinesis_limit():
    build = EntryBuilder(partition_key="invoice")
    assert build(dict(PLAIN), 2, []).key == "489434"
    assert len(build({**PLAIN, "Invoice": "9" * 300}, 2, []).key) == 256


def test_builder_refuses_unknown_modes():
    with pytest.raises(ValueError, match="unknown partition key mode"):
        EntryBuilder(partition_key="shard")
    with pytest.raises(ValueError, match="unknown time mode"):
        EntryBuilder(time_mode="local")
