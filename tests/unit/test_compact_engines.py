"""The compaction engines' steps with in-memory fakes of S3, Glue and Athena (order, idempotency, cleanup),
and the DuckDB conversion on local files."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from compact_parquet import sql, storage
from compact_parquet.athena import QueryFailed
from compact_parquet.config import S3Uri, Settings
from compact_parquet.engines import AthenaEngine, convert
from compact_parquet.hours import Hour
from tests.lambda_support import sample_record

pytestmark = pytest.mark.unit

HOUR = Hour.parse("2026-11-28T10")
SETTINGS = Settings(
    glue_database="mydatabase",
    source_table="retail_trans_json",
    target_table="ctas_retail_trans_parquet",
    target_location=S3Uri("bucket", "parquet-retail-trans/"),
    athena_workgroup="retail-analytics",
    query_timeout_s=60,
    engine="athena",
)
FOLDER = "parquet-retail-trans/year=2026/month=11/day=28/hour=10/"


class NotFound(Exception):
    pass


class AlreadyExists(Exception):
    pass


class Log(list):
    pass


class FakeS3:
    def __init__(self, log: Log, keys: list[str]) -> None:
        self.log, self.keys = log, list(keys)

    def get_paginator(self, name: str) -> Any:
        outer = self

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict]:
                return [{"Contents": [{"Key": k} for k in outer.keys if k.startswith(Prefix)]}]

        return Paginator()

    def delete_objects(self, Bucket: str, Delete: dict) -> dict:
        gone = [o["Key"] for o in Delete["Objects"]]
        self.log.append(("s3.delete", tuple(gone)))
        self.keys = [k for k in self.keys if k not in gone]
        return {}


class FakeGlue:
    class exceptions:
        EntityNotFoundException = NotFound
        AlreadyExistsException = AlreadyExists

    def __init__(self, log: Log, parameters: dict | None = None, partitions: set | None = None) -> None:
        self.log, self.parameters = log, parameters or {}
        self.partitions = partitions if partitions is not None else set()

    def get_table(self, DatabaseName: str, Name: str) -> dict:
        return {
            "Table": {
                "Name": Name,
                "DatabaseName": DatabaseName,
                "Parameters": self.parameters,
                "PartitionKeys": [{"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")],
                "StorageDescriptor": {"Location": "s3://bucket/parquet-retail-trans/", "Columns": []},
            }
        }

    def create_partition(self, DatabaseName: str, TableName: str, PartitionInput: dict) -> dict:
        values = tuple(PartitionInput["Values"])
        self.log.append(("glue.create_partition", values, PartitionInput["StorageDescriptor"]["Location"]))
        if values in self.partitions:
            raise AlreadyExists
        self.partitions.add(values)
        return {}


class FakeAthena:
    def __init__(self, log: Log, rows: int, fail: str | None = None) -> None:
        self.log, self.rows, self.fail = log, rows, fail

    def scalar(self, statement: str, what: str) -> str:
        self.log.append(("athena", statement.split()[0]))
        return str(self.rows)

    def run(self, statement: str, what: str) -> str:
        self.log.append(("athena", " ".join(statement.split()[:2])))
        if self.fail and statement.startswith(self.fail):
            raise QueryFailed(f"{what} failed: boom")
        return "qid"


def engine(log: Log, rows: int = 5, keys: tuple[str, ...] = (), fail: str | None = None, **glue: Any) -> AthenaEngine:
    return AthenaEngine(SETTINGS, FakeAthena(log, rows, fail), FakeS3(log, list(keys)), FakeGlue(log, **glue))


def test_athena_engine_runs_steps_in_order():
    log = Log()
    result = engine(log, keys=(FOLDER + "old-1", FOLDER + "old-2")).compact(HOUR)
    expected = [
        ("athena", "SELECT"),
        ("s3.delete", (FOLDER + "old-1", FOLDER + "old-2")),
        ("athena", "DROP TABLE"),
        ("athena", "CREATE TABLE"),
        ("athena", "DROP TABLE"),
        ("glue.create_partition", ("2026", "11", "28", "10"), "s3://bucket/" + FOLDER),
    ]
    assert log == expected, f"got steps {log}, expected {expected}"
    assert (result.status, result.rows, result.replaced_objects) == ("compacted", 5, 2), f"got {result}"


def test_athena_engine_empty_hour_changes_nothing():
    log = Log()
    result = engine(log, rows=0, keys=(FOLDER + "kept",)).compact(HOUR)
    assert log == [("athena", "SELECT")], f"got steps {log}, expected only the count"
    assert result.status == "empty", f"got status {result.status}, expected empty"


def test_athena_engine_failed_ctas_still_drops_temporary_table():
    log = Log()
    with pytest.raises(QueryFailed, match="CTAS of 2026-11-28T10 failed"):
        engine(log, fail="CREATE TABLE").compact(HOUR)
    assert log[-2:] == [("athena", "CREATE TABLE"), ("athena", "DROP TABLE")], f"got last steps {log[-2:]}"


def test_athena_engine_rerun_keeps_one_partition():
    log = Log()
    glue_partitions: set = set()
    engine(log, partitions=glue_partitions).compact(HOUR)
    second = engine(log, partitions=glue_partitions).compact(HOUR)
    assert glue_partitions == {("2026", "11", "28", "10")}, f"got partitions {glue_partitions}"
    assert second.partition_added is False, "got a second partition added on re-run"


def test_athena_engine_projected_table_gets_no_partition():
    log = Log()
    result = engine(log, parameters={"projection.enabled": "true"}).compact(HOUR)
    assert not [step for step in log if step[0] == "glue.create_partition"], f"got steps {log}"
    assert result.partition_added is False, "got a partition added to a projected table"


def test_athena_engine_dry_run_lists_statements_and_calls_nothing():
    log = Log()
    result = engine(log).compact(HOUR, dry_run=True)
    ctas = sql.ctas("mydatabase", "retail_trans_json", "ctas_retail_trans_parquet", SETTINGS.target_location, HOUR)
    assert log == [], f"got calls {log}, expected none"
    assert ctas in result.statements, f"got statements {result.statements}, expected the CTAS"


def write_json_lines(path, records: list[dict], trailer: str = "\n") -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + trailer for r in records), encoding="utf-8")


def test_convert_writes_typed_snappy_parquet(tmp_path):
    records = [sample_record(i, "cv") for i in range(25)]
    write_json_lines(tmp_path / "a.json", records[:10])
    write_json_lines(tmp_path / "b.json", records[10:], trailer="\n\n")  # the lab's double-terminated records
    output = tmp_path / "out.parquet"
    rows = convert([tmp_path / "a.json", tmp_path / "b.json"], output)
    with duckdb.connect() as db:
        types = dict(db.execute(f"DESCRIBE SELECT * FROM read_parquet('{output}')").fetchall()[i][:2] for i in range(8))
        codecs = {c for (c,) in db.execute(f"SELECT DISTINCT compression FROM parquet_metadata('{output}')").fetchall()}
    assert rows == 25, f"got {rows} rows, expected 25"
    expected = {
        "invoice": "VARCHAR",
        "stockcode": "VARCHAR",
        "description": "VARCHAR",
        "quantity": "INTEGER",
        "invoicedate": "TIMESTAMP",
        "price": "FLOAT",
        "customer_id": "VARCHAR",
        "country": "VARCHAR",
    }
    assert types == expected, f"got columns {types}, expected {expected}"
    assert codecs == {"SNAPPY"}, f"got codecs {codecs}, expected SNAPPY"


def test_convert_keeps_values_intact(tmp_path):
    record = sample_record(0, "cv") | {"Description": 'GLASS, "BALL" ', "Customer_ID": ""}
    write_json_lines(tmp_path / "a.json", [record])
    convert([tmp_path / "a.json"], tmp_path / "out.parquet")
    with duckdb.connect() as db:
        got = db.execute(
            f"SELECT invoice, description, customer_id, quantity, strftime(invoicedate, '%Y-%m-%d %H:%M:%S') "
            f"FROM read_parquet('{tmp_path / 'out.parquet'}')"
        ).fetchone()
    expected = (record["Invoice"], 'GLASS, "BALL" ', "", record["Quantity"], record["InvoiceDate"])
    assert got == expected, f"got {got}, expected {expected}"


def test_convert_same_input_gives_identical_file(tmp_path):
    write_json_lines(tmp_path / "a.json", [sample_record(i, "det") for i in range(50)])
    convert([tmp_path / "a.json"], tmp_path / "one.parquet")
    convert([tmp_path / "a.json"], tmp_path / "two.parquet")
    one, two = (tmp_path / "one.parquet").read_bytes(), (tmp_path / "two.parquet").read_bytes()
    assert one == two, "got different Parquet bytes for the same input, expected a deterministic file"


def test_hour_folder_follows_hive_layout_under_location():
    table = FakeGlue(Log()).get_table("mydatabase", "retail_trans_json")["Table"]
    got = str(storage.hour_folder(table, HOUR))
    assert got == "s3://bucket/parquet-retail-trans/year=2026/month=11/day=28/hour=10/", f"got {got}"


def test_hour_folder_follows_projection_template():
    template = "s3://bucket/json-data/year=${year}/month=${month}/day=${day}/hour=${hour}"
    table = FakeGlue(Log(), parameters={"storage.location.template": template}).get_table("db", "t")["Table"]
    got = str(storage.hour_folder(table, HOUR))
    assert got == "s3://bucket/json-data/year=2026/month=11/day=28/hour=10/", f"got {got}"
