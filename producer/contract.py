"""The data contract as the producer reads and writes it: fields, kinds, CSV names, the encoder.

Generated from contract/record.schema.json by `make contract` (tools/contract.py): do not edit, change the schema and
regenerate. docs/data-contract.md explains the fields."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

# The record's keys, in wire order.
FIELDS = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer_ID", "Country")
# Fields that must not be empty; the others may be "".
REQUIRED_FIELDS = ("Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Country")
# How each field is parsed and written: string, integer, number or datetime (YYYY-MM-DD HH:MM:SS, UTC).
KINDS = {
    "Invoice": "string",
    "StockCode": "string",
    "Description": "string",
    "Quantity": "integer",
    "InvoiceDate": "datetime",
    "Price": "number",
    "Customer_ID": "string",
    "Country": "string",
}
# The source CSV's header (Online Retail II).
CSV_HEADER = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country")
# Every header name accepted for each field (matched ignoring case, spaces and underscores).
CSV_NAMES = {
    "Invoice": ("Invoice", "InvoiceNo"),
    "StockCode": ("StockCode",),
    "Description": ("Description",),
    "Quantity": ("Quantity",),
    "InvoiceDate": ("InvoiceDate",),
    "Price": ("Price", "UnitPrice"),
    "Customer_ID": ("Customer ID", "Customer_ID", "CustomerID"),
    "Country": ("Country",),
}


def record_from(
    values: Sequence[str],
    integer: Callable[[str, str], int],
    number: Callable[[str, str], float],
    datetime: Callable[[str, str], str],
    error: type[Exception],
) -> dict[str, Any]:
    """The record of one CSV row from its values in FIELDS order: strings stripped (a required one
    raising `error` when empty), integers, numbers and datetimes converted by the callables given, which
    take the text and the field's name.

    Written out field by field, as the reader's hot loop would be by hand.
    """
    invoice, stockcode, description, quantity, invoicedate, price, customer_id, country = values
    invoice = invoice.strip()
    if not invoice:
        raise error("Invoice is empty")
    stockcode = stockcode.strip()
    if not stockcode:
        raise error("StockCode is empty")
    country = country.strip()
    if not country:
        raise error("Country is empty")
    return {
        "Invoice": invoice,
        "StockCode": stockcode,
        "Description": description.strip(),
        "Quantity": integer(quantity, "Quantity"),
        "InvoiceDate": datetime(invoicedate, "InvoiceDate"),
        "Price": number(price, "Price"),
        "Customer_ID": customer_id.strip(),
        "Country": country,
    }


def encode_json(record: dict[str, Any]) -> bytes:
    """The record as compact UTF-8 JSON, keys in contract order, `\\n`-terminated.

    Byte for byte what `json.dumps(record, ensure_ascii=False, separators=(",", ":"))` writes (the tests
    check it), assembled from the json module's own string escaper: the keys and value types are fixed
    by the contract, and this is 3x faster than the generic encoder, which the producer's throughput
    feels. Numbers must be finite (the reader guarantees it); JSON has no NaN.
    """
    quote = encode_basestring
    return (
        f'{{"Invoice":{quote(record["Invoice"])},'
        f'"StockCode":{quote(record["StockCode"])},'
        f'"Description":{quote(record["Description"])},'
        f'"Quantity":{int(record["Quantity"])},'
        f'"InvoiceDate":{quote(record["InvoiceDate"])},'
        f'"Price":{float(record["Price"])!r},'
        f'"Customer_ID":{quote(record["Customer_ID"])},'
        f'"Country":{quote(record["Country"])}}}\n'
    ).encode()
