"""What the lake drills share: records the drill builds itself, putting them through the stack's stream, reading
the lake back (JSON rows and Parquet rows per hour), running the compaction CLI in-process, the saved queries.

Every count a drill reports as "sent" comes from the records the drill built, never from what the pipeline wrote.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from compact_parquet import cli
from demo.athena import QueryRun, load_named_query, run_query
from tests.delivery import ObjectCache
from tests.drills.conftest import DrillStack, empty_prefix, poll, read_objects, settled
from tests.lambda_support import sample_record

HOUR_PATH = re.compile(r"year=(\d{4})/month=(\d\d)/day=(\d\d)/hour=(\d\d)/")
Row = tuple[Any, ...]


def build_records(count: int, tag: str, start: int = 0) -> list[dict[str, Any]]:
    """`count` distinct contract records (the dataset's mess: commas, quotes, accents, cancellations), their
    Invoice tagged with the drill's run so that only the drill's own rows are counted."""
    return [sample_record(i, tag) for i in range(start, start + count)]


def encode(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


def put_records(stack: DrillStack, payloads: list[bytes]) -> None:
    """Into the stack's Kinesis stream (Firehose reads it), 100 per call; every record must be accepted."""
    kinesis = stack.client("kinesis")
    for start in range(0, len(payloads), 100):
        chunk = payloads[start : start + 100]
        response = kinesis.put_records(
            StreamName=stack.outputs["kinesis_stream_name"],
            Records=[{"Data": data, "PartitionKey": f"lake-{start + i}"} for i, data in enumerate(chunk)],
        )
        assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} records refused by Kinesis"


def float32(value: float) -> float:
    """The value as the Parquet table's `price float` column stores it."""
    return struct.unpack("f", struct.pack("f", float(value)))[0]


def row_of(record: dict[str, Any]) -> Row:
    """A contract record as the Parquet table's row (invoice ... country)."""
    r = record
    return (r["Invoice"], r["StockCode"], r["Description"], int(r["Quantity"]), r["InvoiceDate"], float32(r["Price"]),
            r["Customer_ID"], r["Country"])  # fmt: skip


def hour_of(key: str) -> str:
    year, month, day, hour = HOUR_PATH.search(key).groups()
    return f"{year}-{month}-{day}T{hour}"


def json_rows(stack: DrillStack, cache: ObjectCache | None = None) -> dict[str, Counter[Row]]:
    """Rows of the JSON under data_prefix, by hour (`2026-11-28T10`); `cache` as for read_objects."""
    hours: dict[str, Counter[Row]] = {}
    objects = read_objects(stack.client("s3"), stack.outputs["bucket_name"], stack.outputs["data_prefix"], cache)
    for key, body in objects.items():
        rows = hours.setdefault(hour_of(key), Counter())
        rows.update(row_of(json.loads(line)) for line in body.splitlines() if line.strip())
    return hours


def parquet_rows(stack: DrillStack) -> tuple[dict[str, Counter[Row]], Counter[str]]:
    """Rows of the Parquet files under parquet_prefix by hour, and the number of objects in each hour's folder."""
    s3, bucket = stack.client("s3"), stack.outputs["bucket_name"]
    hours: dict[str, Counter[Row]] = {}
    objects: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as scratch:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=stack.outputs["parquet_prefix"]):
            for i, item in enumerate(page.get("Contents", [])):
                hour = hour_of(item["Key"])
                objects[hour] += 1
                path = Path(scratch) / f"{i}.parquet"
                s3.download_file(bucket, item["Key"], str(path))
                for row in duckdb.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall():
                    *head, invoicedate, price, customer, country = row
                    hours.setdefault(hour, Counter())[
                        (*head, invoicedate.strftime("%Y-%m-%d %H:%M:%S"), price, customer, country)
                    ] += 1
    return hours, objects


def compare(expected: Counter[Row], found: Counter[Row]) -> tuple[int, int]:
    """(arrived, duplicates): expected rows found, and extra copies of them."""
    return sum((expected & found).values()), sum(max(found[row] - n, 0) for row, n in expected.items())


def wait_delivered(stack: DrillStack, rows: Counter[Row]) -> dict[str, Counter[Row]]:
    """Wait until the JSON under data_prefix holds every row (or 120 s pass with no new row), let late copies land;
    by hour."""

    cache: ObjectCache = {}

    def found() -> Counter[Row]:
        return sum(json_rows(stack, cache).values(), Counter())

    poll(found, lambda got: not (rows - got), timeout_s=120, progress=lambda got: sum(got.values()))
    settled(found)
    return json_rows(stack, cache)


def reset_lake(stack: DrillStack) -> None:
    """Delete the delivered JSON, the Parquet and the compaction's state (lock, manifests): a drill counts only
    what it sent itself."""
    stack.empty_data()
    state = stack.outputs["compaction_state_location"].removeprefix(f"s3://{stack.outputs['bucket_name']}/")
    empty_prefix(stack.client("s3"), stack.outputs["bucket_name"], state)


@contextmanager
def schedule_paused(stack: DrillStack) -> Iterator[None]:
    """The stack's hourly compaction rule disabled for the drill (a run at minute 5 would take the lock the drill's
    own runs need), enabled again afterwards."""
    events, rule = stack.client("events"), stack.outputs["compaction_schedule_rule"]
    events.disable_rule(Name=rule)
    try:
        yield
    finally:
        events.enable_rule(Name=rule)


def compaction_env(stack: DrillStack) -> dict[str, str]:
    """The compaction function's settings, for the CLI run in-process against the drills' emulator."""
    outputs = stack.outputs
    return {
        "AWS_ENDPOINT_URL": stack.target.endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": stack.target.region,
        "GLUE_DATABASE": outputs["glue_database_name"],
        "SOURCE_TABLE": outputs["json_table_name"],
        "TARGET_TABLE": outputs["parquet_table_name"],
        "TARGET_LOCATION": outputs["parquet_location"],
        "STATE_LOCATION": outputs["compaction_state_location"],
        "LAKE_KMS_KEY_ARN": outputs["bucket_kms_key_arn"] or "",
        "ATHENA_WORKGROUP": outputs["athena_workgroup_name"],
    }


def compact(capsys: Any, *args: str) -> tuple[int, str]:
    """`python -m compact_parquet <args> --engine duckdb`, in-process: (exit code, what it printed)."""
    code = cli.main([*args, "--engine", "duckdb"])
    out, err = capsys.readouterr()
    return code, out + err


def hour_count_sql(stack: DrillStack, table: str, hour: str) -> str:
    year, month, day, hh = hour[0:4], hour[5:7], hour[8:10], hour[11:13]
    database = stack.outputs["glue_database_name"]
    # Values come from S3 keys matched by \d patterns; names from the stack's outputs.
    return (
        f'SELECT count(*) FROM "{database}"."{table}" '
        f"WHERE year = '{year}' AND month = '{month}' AND day = '{day}' AND hour = '{hh}'"
    )


def athena(stack: DrillStack, name: str, sql: str) -> QueryRun:
    outputs = stack.outputs
    run = QueryRun(name, sql)
    return run_query(stack.client("athena"), run, outputs["glue_database_name"], outputs["athena_workgroup_name"], 60)


def saved_queries(stack: DrillStack) -> dict[str, QueryRun]:
    """Every saved query of the stack, run through Athena (the emulator's runs SQL with DuckDB)."""
    client, outputs = stack.client("athena"), stack.outputs
    runs = {}
    for name, query_id in sorted(outputs["athena_named_query_ids"].items()):
        run, database = load_named_query(client, name, query_id)
        runs[name] = run_query(client, run, database, outputs["athena_workgroup_name"], 60)
    return runs


def quarantined(stack: DrillStack) -> list[dict[str, Any]]:
    """The error documents Firehose wrote for ProcessingFailed records (the error prefix ends in the error type, so
    their names start with `processing-failed`), each with `raw` (rawData decoded)."""
    s3, outputs = stack.client("s3"), stack.outputs
    documents = []
    for key, body in read_objects(s3, outputs["bucket_name"], outputs["error_prefix"]).items():
        if not key.rsplit("/", 1)[-1].startswith("processing-failed"):  # `...hour=HH/processing-failed<object>`
            continue
        for line in filter(str.strip, body.splitlines()):
            document = json.loads(line)
            documents.append(document | {"raw": base64.b64decode(document.get("rawData", "")), "key": key})
    return documents
