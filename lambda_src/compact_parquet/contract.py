"""The data contract as the compaction writes it: the Parquet table's columns and DuckDB's casts.

Generated from contract/record.schema.json by `make contract` (tools/contract.py): do not edit, change the schema and
regenerate. docs/data-contract.md explains the fields."""

from __future__ import annotations

# The Parquet table's columns, in order; the partition columns live in the folder names.
COLUMNS = ("invoice", "stockcode", "description", "quantity", "invoicedate", "price", "customer_id", "country")
# The JSON record keys and how DuckDB reads them before the casts below.
JSON_COLUMNS = {
    "Invoice": "VARCHAR",
    "StockCode": "VARCHAR",
    "Description": "VARCHAR",
    "Quantity": "BIGINT",
    "InvoiceDate": "VARCHAR",
    "Price": "DOUBLE",
    "Customer_ID": "VARCHAR",
    "Country": "VARCHAR",
}
# The Parquet columns, typed as the Athena table declares them.
PARQUET_SELECT = (
    'CAST("Invoice" AS VARCHAR) AS invoice',
    'CAST("StockCode" AS VARCHAR) AS stockcode',
    'CAST("Description" AS VARCHAR) AS description',
    'CAST("Quantity" AS INTEGER) AS quantity',
    'CAST("InvoiceDate" AS TIMESTAMP) AS invoicedate',
    'CAST("Price" AS FLOAT) AS price',
    'CAST("Customer_ID" AS VARCHAR) AS customer_id',
    'CAST("Country" AS VARCHAR) AS country',
)
# A stable row order for the Parquet files: the dates first, then every other column.
ORDER_BY = ("invoicedate", "invoice", "stockcode", "description", "quantity", "price", "customer_id", "country")
