"""The data contract as the ingest function validates it: required, date and typed fields.

Generated from contract/record.schema.json by `make contract` (tools/contract.py): do not edit, change the schema and
regenerate. docs/data-contract.md explains the fields."""

from __future__ import annotations

# The record's keys, in contract order.
FIELDS = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer_ID", "Country")
# Fields the function refuses when missing, null or empty (the REQUIRED_FIELDS default).
REQUIRED_FIELDS = ("Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Country")
# `YYYY-MM-DD HH:MM:SS` strings in UTC, indexed as ISO-8601 dates (the DATE_FIELDS default).
DATE_FIELDS = ("InvoiceDate",)
STRING_FIELDS = ("Invoice", "StockCode", "Description", "Customer_ID", "Country")
INTEGER_FIELDS = ("Quantity",)
NUMBER_FIELDS = ("Price",)
# The fields that identify an invoice line, in the order they are hashed into the document id.
IDENTITY_FIELDS = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer_ID", "Country")
