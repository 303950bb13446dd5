"""Reading the CSV: every kind of real-world mess becomes a contract record or a reject with its line number."""

from __future__ import annotations

import csv
import io

import pytest

from producer.errors import InputError
from producer.reader import REAL_HEADER, Columns, Reject, Row, RowError, RowParser, read_rows, resolve_header

pytestmark = pytest.mark.unit


def read(text: str) -> list[Row | Reject]:
    _, rows = read_rows(io.StringIO(text, newline=""))
    return list(rows)


def record(line: str, header: str = REAL_HEADER) -> dict:
    rows = read(f"{header}\n{line}\n")
    assert len(rows) == 1, f"got {len(rows)} rows, expected 1"
    assert isinstance(rows[0], Row), f"got {rows[0]}, expected a parsed row"
    return rows[0].record


def reject(line: str) -> Reject:
    rows = read(f"{REAL_HEADER}\n{line}\n")
    assert isinstance(rows[0], Reject), f"got {rows[0]}, expected a reject"
    return rows[0]


def test_a_plain_row_becomes_the_contract_record():
    got = record("489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom")
    expected = {
        "Invoice": "489434",
        "StockCode": "85048",
        "Description": "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
        "Quantity": 12,
        "InvoiceDate": "2009-12-01 07:45:00",
        "Price": 6.95,
        "Customer_ID": "13085.0",
        "Country": "United Kingdom",
    }
    assert got == expected, f"got {got}, expected {expected}"
    assert list(got) == list(expected), f"got keys {list(got)}, expected the contract's order"


def test_quoted_commas_stay_in_the_description():
    got = record('489434,22041,"DOG BOWL , CHASING BALL DESIGN",6,2009-12-01 07:45:00,3.75,13085.0,United Kingdom')
    assert got["Description"] == "DOG BOWL , CHASING BALL DESIGN", f"got {got['Description']!r}"


def test_doubled_quotes_become_one_quote():
    got = record('489434,22041,"RECORD FRAME 7"" SINGLE SIZE ",6,2009-12-01 07:45:00,2.55,,United Kingdom')
    assert got["Description"] == 'RECORD FRAME 7" SINGLE SIZE', f"got {got['Description']!r}"


def test_surrounding_spaces_are_trimmed_inner_ones_kept():
    got = record("489434,  22041 ,  SMALL  POPCORN HOLDER   ,6,2009-12-01 07:45:00,2.55,,United Kingdom ")
    assert (got["StockCode"], got["Description"], got["Country"]) == (
        "22041",
        "SMALL  POPCORN HOLDER",
        "United Kingdom",
    )


def test_empty_description_is_an_empty_string():
    got = record("489521,21646,,-50,2009-12-01 11:44:00,0.0,,United Kingdom")
    assert got["Description"] == "", f"got {got['Description']!r}"


def test_unicode_is_kept():
    got = record("490000,gift_0001_20,Dotcomgiftshop Gift Voucher £20.00,1,2009-12-01 07:45:00,20.0,,United Kingdom")
    assert got["Description"] == "Dotcomgiftshop Gift Voucher £20.00", f"got {got['Description']!r}"


def test_cancellation_keeps_its_c_invoice_and_negative_quantity():
    got = record("C489449,22087,PAPER BUNTING WHITE LACE,-12,2009-12-01 10:33:00,2.95,16321.0,Australia")
    assert (got["Invoice"], got["Quantity"]) == ("C489449", -12), f"got {got}"


def test_customer_id_keeps_its_float_look_as_a_string():
    got = record("489434,85048,X,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom")
    assert got["Customer_ID"] == "13085.0", f"got {got['Customer_ID']!r}"


def test_missing_customer_id_is_an_empty_string():
    got = record("489434,85048,X,12,2009-12-01 07:45:00,6.95,,United Kingdom")
    assert got["Customer_ID"] == "", f"got {got['Customer_ID']!r}"


@pytest.mark.parametrize(("price", "expected"), [("0.0", 0.0), ("0", 0.0), ("-53594.36", -53594.36), ("0.001", 0.001)])
def test_zero_and_negative_prices_are_numbers(price, expected):
    got = record(f"A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,{price},,United Kingdom")
    assert got["Price"] == expected, f"got {got['Price']!r}"
    assert isinstance(got["Price"], float), f"got {got['Price']!r}"


@pytest.mark.parametrize(
    "code", ["POST", "M", "D", "C2", "DOT", "BANK CHARGES", "AMAZONFEE", "TEST001", "gift_0001_40"]
)
def test_non_product_stock_codes_are_kept(code):
    got = record(f"489439,{code},SOMETHING,1,2009-12-01 09:28:00,18.0,12682.0,France")
    assert got["StockCode"] == code, f"got {got['StockCode']!r}"


def test_quantity_written_as_a_float_is_an_integer():
    got = record("489434,85048,X,12.0,2009-12-01 07:45:00,6.95,,United Kingdom")
    assert got["Quantity"] == 12, f"got {got['Quantity']!r}"
    assert isinstance(got["Quantity"], int), f"got {got['Quantity']!r}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2009-12-01 07:45:00", "2009-12-01 07:45:00"),
        ("2009-12-01T07:45:00", "2009-12-01 07:45:00"),
        ("2009-12-01 07:45", "2009-12-01 07:45:00"),
        ("12/1/2010 8:26", "2010-12-01 08:26:00"),
    ],
)
def test_known_date_spellings_become_the_contract_format(text, expected):
    got = record(f"489434,85048,X,12,{text},6.95,,United Kingdom")
    assert got["InvoiceDate"] == expected, f"got {got['InvoiceDate']!r}, expected {expected!r}"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("489434,85048,X,abc,2009-12-01 07:45:00,6.95,,UK", "Quantity 'abc' is not an integer"),
        ("489434,85048,X,1.5,2009-12-01 07:45:00,6.95,,UK", "Quantity '1.5' is not an integer"),
        ("489434,85048,X,1_000,2009-12-01 07:45:00,6.95,,UK", "Quantity '1_000' is not an integer"),
        ("489434,85048,X,,2009-12-01 07:45:00,6.95,,UK", "Quantity '' is not an integer"),
        ("489434,85048,X,1,2009-12-01 07:45:00,six,,UK", "Price 'six' is not a number"),
        ("489434,85048,X,1,2009-12-01 07:45:00,nan,,UK", "Price 'nan' is not a number"),
        ("489434,85048,X,1,2009-12-01 07:45:00,inf,,UK", "Price 'inf' is not a number"),
        ("489434,85048,X,1,2009-12-01 07:45:00,,,UK", "Price '' is not a number"),
        ("489434,85048,X,1,2009-13-01 07:45:00,1,,UK", "InvoiceDate '2009-13-01 07:45:00' is not a date"),
        ("489434,85048,X,1,2009-12-01 07:45:00+01:00,1,,UK", "InvoiceDate '2009-12-01 07:45:00+01:00' is not"),
        ("489434,85048,X,1,yesterday,1,,UK", "InvoiceDate 'yesterday' is not a date"),
        (",85048,X,1,2009-12-01 07:45:00,1,,UK", "Invoice is empty"),
        ("489434, ,X,1,2009-12-01 07:45:00,1,,UK", "StockCode is empty"),
        ("489434,85048,X,1,2009-12-01 07:45:00,1,UK", "7 fields, expected 8"),
        ("489434,85048,X,1,2009-12-01 07:45:00,1,,UK,extra", "9 fields, expected 8"),
    ],
)
def test_unparseable_rows_are_rejected_with_the_reason(fields, reason):
    got = reject(fields)
    assert reason in got.reason, f"got reason {got.reason!r}, expected it to contain {reason!r}"
    assert got.line == 2, f"got line {got.line}, expected 2"


def test_rejects_carry_the_raw_fields():
    got = reject("489434,85048,X,abc,2009-12-01 07:45:00,6.95,,UK")
    assert got.fields == ["489434", "85048", "X", "abc", "2009-12-01 07:45:00", "6.95", "", "UK"], f"got {got.fields}"


def test_a_bad_row_does_not_stop_the_rows_after_it():
    good, bad = "1,A,X,1,2009-12-01 07:45:00,1,,UK", "2,B,X,bad,2009-12-01 07:45:00,1,,UK"
    rows = read(f"{REAL_HEADER}\n{good}\n{bad}\n{good}\n")
    kinds = [type(row).__name__ for row in rows]
    assert kinds == ["Row", "Reject", "Row"], f"got {kinds}"


def test_line_numbers_count_blank_lines_and_multiline_fields():
    text = (
        f"{REAL_HEADER}\n"
        "1,A,X,1,2009-12-01 07:45:00,1,,UK\n"
        "\n"
        '2,B,"TWO\nLINES",1,2009-12-01 07:45:00,1,,UK\n'
        "3,C,X,bad,2009-12-01 07:45:00,1,,UK\n"
    )
    rows = read(text)
    got = [(type(row).__name__, row.line) for row in rows]
    assert got == [("Row", 2), ("Row", 4), ("Reject", 6)], f"got {got}"
    assert rows[1].record["Description"] == "TWO\nLINES"


def test_an_unbalanced_quote_is_reported_with_the_lines_it_swallowed():
    text = f'{REAL_HEADER}\n1,A,"OPEN,1,2009-12-01 07:45:00,1,,UK\n2,B,X,1,2009-12-01 07:45:00,1,,UK\n'
    rows = read(text)
    assert len(rows) == 1, f"got {rows}"
    assert isinstance(rows[0], Reject), f"got {rows}"
    assert "the row spans lines 2-3: an unbalanced quote?" in rows[0].reason, f"got {rows[0].reason!r}"


def test_a_runaway_field_over_the_csv_limit_is_rejected_and_reading_goes_on():
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(1000)
        text = f'{REAL_HEADER}\n1,A,"{"x" * 2000},1,2009-12-01 07:45:00,1,,UK\n2,B,X,1,2009-12-01 07:45:00,1,,UK\n'
        rows = read(text)
    finally:
        csv.field_size_limit(limit)
    assert isinstance(rows[0], Reject), f"got {rows[0]}"
    assert "field larger than field limit" in rows[0].reason, f"got {rows[0]}"
    assert isinstance(rows[-1], Row), f"got {rows[-1]}"
    assert rows[-1].record["Invoice"] == "2", f"got {rows[-1]}"


def test_crlf_line_endings_are_read():
    rows = read(f"{REAL_HEADER}\r\n1,A,X,1,2009-12-01 07:45:00,1,,UK\r\n2,B,X,2,2009-12-01 07:45:00,1,,UK\r\n")
    assert [row.record["Country"] for row in rows] == ["UK", "UK"], f"got {rows}"


def test_rows_are_read_lazily():
    # given an input that breaks after the third line
    def lines():
        yield REAL_HEADER + "\n"
        yield "1,A,X,1,2009-12-01 07:45:00,1,,UK\n"
        yield "2,B,X,1,2009-12-01 07:45:00,1,,UK\n"
        raise AssertionError("read past what was asked for")

    _, rows = read_rows(lines())  # type: ignore[arg-type]
    # when / then: asking for two rows never touches the rest
    assert next(rows).line == 2
    assert next(rows).line == 3


@pytest.mark.parametrize(
    "header",
    [
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country",
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer_ID,Country",
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
        "invoice,stockcode,description,quantity,invoicedate,price,customer id,country",
        "\ufeffInvoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country",
    ],
)
def test_header_variants_map_to_the_contract(header):
    columns = resolve_header(next(csv.reader([header])))
    assert columns.index == (0, 1, 2, 3, 4, 5, 6, 7), f"got {columns.index}"


def test_reordered_columns_are_read_by_name():
    got = record(
        "United Kingdom,6.95,13085.0,12,2009-12-01 07:45:00,X,85048,489434",
        header="Country,Price,Customer ID,Quantity,InvoiceDate,Description,StockCode,Invoice",
    )
    assert (got["Invoice"], got["Country"], got["Price"]) == ("489434", "United Kingdom", 6.95), f"got {got}"


def test_extra_columns_are_ignored_and_named():
    columns = resolve_header(
        ["", "Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
    )
    assert columns.ignored == ("",), f"got {columns}"
    assert columns.width == 9, f"got {columns}"


def test_header_missing_columns_is_refused_naming_them():
    with pytest.raises(InputError, match="the header lacks Quantity, Price"):
        resolve_header(["Invoice", "StockCode", "Description", "InvoiceDate", "Customer ID", "Country"])


def test_data_without_a_header_is_refused():
    with pytest.raises(InputError, match="the header lacks"):
        read("489434,85048,X,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n")


def test_header_naming_a_column_twice_is_refused():
    with pytest.raises(InputError, match="the header names Price twice"):
        resolve_header([*REAL_HEADER.split(","), "UnitPrice"])


@pytest.mark.parametrize("text", ["", "\n\n", "  \n"])
def test_empty_input_is_refused(text):
    with pytest.raises(InputError, match="is empty"):
        read(text)


def test_header_only_input_has_no_rows():
    assert read(REAL_HEADER + "\n") == []


def test_row_parser_reuses_the_date_of_the_previous_line_only_when_equal():
    parse = RowParser(Columns(tuple(range(8)), 8, ()))
    first = parse(["1", "A", "X", "1", "2009-12-01 07:45", "1", "", "UK"])
    second = parse(["1", "A", "X", "1", "2009-12-02 08:00:00", "1", "", "UK"])
    assert (first["InvoiceDate"], second["InvoiceDate"]) == ("2009-12-01 07:45:00", "2009-12-02 08:00:00")
    with pytest.raises(RowError, match="InvoiceDate 'soon'"):
        parse(["1", "A", "X", "1", "soon", "1", "", "UK"])
