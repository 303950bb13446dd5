"""The Athena statements of one compaction run. Names are validated (lowercase, digits, underscores), so
they need no quoting; string literals are escaped."""

from __future__ import annotations

from compact_parquet.config import S3Uri
from compact_parquet.contract import COLUMNS  # the Parquet table's columns, from contract/record.schema.json
from compact_parquet.hours import Hour


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def partition_filter(hour: Hour) -> str:
    return " AND ".join(f"{key} = {literal(value)}" for key, value in hour.partition.items())


def temporary_table(target_table: str, hour: Hour) -> str:
    """A fixed name per hour, so a run can drop what a crashed run of the same hour left behind."""
    return f"{target_table}__ctas_{hour.compact}"


def count_rows(database: str, source_table: str, hour: Hour) -> str:
    # Names are validated in config (lowercase, digits, underscores); values go through literal().
    return f"SELECT count(*) AS row_count FROM {database}.{source_table} WHERE {partition_filter(hour)}"  # noqa: S608


def drop_table(database: str, table: str) -> str:
    return f"DROP TABLE IF EXISTS {database}.{table}"


def count_table(database: str, table: str) -> str:
    return f"SELECT count(*) AS row_count FROM {database}.{table}"  # noqa: S608 - validated names


def ctas(database: str, source_table: str, target_table: str, location: S3Uri | None, hour: Hour) -> str:
    """CREATE TABLE AS SELECT of one hour into one Parquet/Snappy file (a single bucket) in a staging folder
    outside the Parquet table: `location`, or, when the workgroup enforces its result location (None), the
    `<results>/tables/<query id>/` folder Athena picks. The compaction then switches the file in."""
    where = f"  external_location = {literal(str(location))},\n" if location else ""
    return (
        f"CREATE TABLE {database}.{temporary_table(target_table, hour)}\n"
        f"WITH (\n"
        f"  format = 'PARQUET',\n"
        f"  write_compression = 'SNAPPY',\n"
        f"{where}"
        f"  bucketed_by = ARRAY['{COLUMNS[0]}'],\n"
        f"  bucket_count = 1\n"
        f") AS\n"
        f"SELECT {', '.join(COLUMNS)}\n"
        f"FROM {database}.{source_table}\n"
        f"WHERE {partition_filter(hour)}"
    )
