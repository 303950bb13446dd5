"""The compaction's steps with in-memory fakes of S3, Glue and Athena (tests/unit/lake_fakes.py): order, atomic
switch, what a failure at each step leaves, manifests, encryption of every write; and the DuckDB conversion on
local files."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest

from compact_parquet import manifest, sql, storage
from compact_parquet.athena import QueryFailed
from compact_parquet.config import S3Uri, Settings
from compact_parquet.deadline import Deadline, DeadlineExceeded
from compact_parquet.engines import AthenaEngine, DuckDBEngine, VerificationFailed, convert, count_records
from compact_parquet.hours import Hour
from tests.lambda_support import sample_record
from tests.unit.lake_fakes import BUCKET, FakeAthena, FakeGlue, FakeS3

pytestmark = pytest.mark.unit

HOUR = Hour.parse("2026-11-28T10")
KEY = "arn:aws:kms:us-east-1:111122223333:key/0b0e0b0e-1111-2222-3333-444455556666"
SETTINGS = Settings(
    glue_database="mydatabase",
    source_table="retail_trans_json",
    target_table="ctas_retail_trans_parquet",
    target_location=S3Uri(BUCKET, "parquet-retail-trans/"),
    athena_workgroup="retail-analytics",
    query_timeout_s=60,
    engine="athena",
    kms_key_id=KEY,
)
FOLDER = "parquet-retail-trans/year=2026/month=11/day=28/hour=10/"
LIVE = FOLDER + "part-00000-2026112810.snappy.parquet"
SOURCE = "00-retail-trans/year=2026/month=11/day=28/hour=10/"
MANIFEST = "compaction/manifests/year=2026/month=11/day=28/hour=10/manifest.json"
SSE = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KEY}


def lake(sources: int = 2, old: tuple[str, ...] = (LIVE,)) -> tuple[list, FakeS3, FakeGlue]:
    log: list = []
    s3, glue = FakeS3(log), FakeGlue(log)
    for i in range(sources):
        s3.add(f"{SOURCE}firehose-{i}", json.dumps(sample_record(i, "eng")).encode() + b"\n")
    for key in old:
        s3.add(key, b"old parquet")
    return log, s3, glue


def athena_engine(s3: FakeS3, glue: FakeGlue, log: list, **athena: Any) -> AthenaEngine:
    return AthenaEngine(SETTINGS, FakeAthena(log, s3, glue, **athena), s3, glue)


def parquet_keys(s3: FakeS3) -> list[str]:
    return sorted(k for k in s3.objects if k.startswith("parquet-retail-trans/"))


def test_athena_engine_stages_verifies_then_switches_then_cleans_up():
    log, s3, glue = lake()
    result = athena_engine(s3, glue, log).compact(HOUR)
    steps = [step[:2] for step in log]
    expected = [
        ("athena", "SELECT count(*)"),
        ("athena", "DROP TABLE"),
        ("athena", "CREATE TABLE"),
        ("athena", "SELECT count(*)"),
        ("athena", "DROP TABLE"),
        ("s3.CopyObject", LIVE),  # the old file replaced in place: no other object to delete
        ("glue.create_partition", ("2026", "11", "28", "10")),
        ("s3.DeleteObjects", ("athena-results/tables/q1/00000_0_bucket-00000",)),
        ("s3.PutObject", MANIFEST),
    ]
    assert steps == expected, f"got steps {steps}, expected {expected}"
    assert (result.status, result.rows, result.replaced_objects) == ("compacted", 5, 1), f"got {result}"
    assert s3.body(LIVE) == b"parquet 5 0", "got the old file live, expected the staged one"


def test_every_write_to_the_lake_carries_sse_kms_with_the_lake_key():
    log, s3, glue = lake()
    athena_engine(s3, glue, log).compact(HOUR)
    wrong = [(op, key, args) for op, key, args in s3.writes if {k: args.get(k) for k in SSE} != SSE]
    assert s3.writes, "got no write at all"
    assert not wrong, f"got writes without SSE-KMS and the lake key: {wrong}"


def test_without_a_lake_key_writes_leave_encryption_to_the_bucket():
    got = storage.encryption(None)
    assert got == {}, f"got {got}, expected no encryption arguments (the bucket default applies)"


@pytest.mark.parametrize(
    ("step", "fault"),
    [
        ("the count", {"fail": "SELECT"}),
        ("the CTAS", {"fail": "CREATE TABLE"}),
        ("verification: fewer rows staged", {"staged_rows": 4}),
        ("verification: two files staged", {"files": 2}),
    ],
)
def test_athena_engine_failure_before_the_switch_leaves_the_old_parquet(step, fault):
    log, s3, glue = lake()
    with pytest.raises((QueryFailed, VerificationFailed)):
        athena_engine(s3, glue, log, **fault).compact(HOUR)
    assert parquet_keys(s3) == [LIVE], f"{step}: got {parquet_keys(s3)}, expected the old file alone"
    assert s3.body(LIVE) == b"old parquet", f"{step}: got the live file changed"
    assert MANIFEST not in s3.objects, f"{step}: got a manifest written"
    assert not glue.locations, f"{step}: got temporary tables left {glue.locations}"


def test_athena_engine_failed_switch_leaves_the_old_parquet_and_no_manifest():
    log, s3, glue = lake()
    s3.fail["CopyObject"] = lambda key: True
    with pytest.raises(Exception, match="AccessDenied"):
        athena_engine(s3, glue, log).compact(HOUR)
    assert (parquet_keys(s3), s3.body(LIVE)) == ([LIVE], b"old parquet"), "got the live file changed"
    assert MANIFEST not in s3.objects, "got a manifest written"


def test_failed_cleanup_after_the_switch_leaves_the_hour_whole_and_the_next_run_repeats_it():
    # given: the hour holds an older layout's two files; deleting them after the switch is refused once
    log, s3, glue = lake(old=(FOLDER + "ctas-a.parquet", FOLDER + "ctas-b.parquet"))
    s3.fail["DeleteObjects"] = lambda key: key.startswith(FOLDER)
    # when
    with pytest.raises(Exception, match="AccessDenied"):
        athena_engine(s3, glue, log).compact(HOUR, force=False)
    s3.fail.clear()
    again = athena_engine(s3, glue, log).compact(HOUR, force=False)
    # then
    assert (MANIFEST in s3.objects, again.status) == (True, "compacted"), f"got {again.status}, expected a rerun"
    assert parquet_keys(s3) == [LIVE], f"got {parquet_keys(s3)}, expected the live file alone"


def test_athena_engine_empty_hour_changes_nothing():
    log, s3, glue = lake(sources=0)
    result = athena_engine(s3, glue, log).compact(HOUR)
    assert log == [], f"got steps {log}, expected none (no JSON objects)"
    assert result.status == "empty", f"got status {result.status}, expected empty"


def test_hour_unchanged_since_its_manifest_is_skipped_unless_forced():
    log, s3, glue = lake()
    athena_engine(s3, glue, log).compact(HOUR, force=False)
    log.clear()
    skipped = athena_engine(s3, glue, log).compact(HOUR, force=False)
    forced = athena_engine(s3, glue, log).compact(HOUR, force=True)
    assert (skipped.status, forced.status, forced.trigger) == ("unchanged", "compacted", "forced"), (
        f"got {skipped.status}, {forced.status} ({forced.trigger})"
    )


def test_late_object_makes_the_hour_changed_and_recompacted():
    log, s3, glue = lake()
    athena_engine(s3, glue, log).compact(HOUR, force=False)
    s3.add(f"{SOURCE}firehose-late", json.dumps(sample_record(9, "eng")).encode() + b"\n")
    result = athena_engine(s3, glue, log, rows=6).compact(HOUR, force=False)
    record = manifest.read(s3, SETTINGS.state, HOUR)
    assert (result.status, result.trigger, result.late_objects) == ("compacted", "changed", 1), f"got {result}"
    assert record is not None, "got no manifest"
    assert (len(record.source_objects), record.rows) == (3, 6), f"got manifest {record}"


def test_hour_whose_live_file_vanished_is_repaired_although_its_json_is_unchanged():
    log, s3, glue = lake()
    athena_engine(s3, glue, log).compact(HOUR, force=False)
    del s3.objects[LIVE]  # deleted by hand, or overwritten by something else
    result = athena_engine(s3, glue, log).compact(HOUR, force=False)
    assert (result.status, result.trigger) == ("compacted", "repair"), f"got {result}"
    assert LIVE in s3.objects, "got no live file after the repair"


def test_manifest_fingerprint_changes_with_any_key_etag_or_size():
    base = [storage.ObjectInfo("a", "e1", 10), storage.ObjectInfo("b", "e2", 20)]
    variants = [
        base[:1],
        [*base, storage.ObjectInfo("c", "e3", 1)],
        [base[0], storage.ObjectInfo("b", "e9", 20)],
        [base[0], storage.ObjectInfo("b", "e2", 21)],
    ]
    got = {manifest.fingerprint(v) for v in variants}
    assert manifest.fingerprint(list(reversed(base))) == manifest.fingerprint(base), "got order-dependent prints"
    assert (len(got), manifest.fingerprint(base) in got) == (4, False), "got equal prints for different lists"


def test_deadline_passed_before_the_switch_switches_nothing():
    # given: the deadline passes while the hour is being staged (the CTAS)
    log, s3, glue = lake()
    now = [0.0]
    engine = athena_engine(s3, glue, log)
    engine.deadline = Deadline(end=10.0, clock=lambda: now[0])
    real_run = engine.athena.run

    def slow_run(statement: str, what: str, cleanup: bool = False) -> str:
        if statement.startswith("CREATE TABLE"):
            now[0] = 11.0
        return real_run(statement, what, cleanup)

    engine.athena.run = slow_run
    # when / then
    with pytest.raises(DeadlineExceeded):
        engine.compact(HOUR)
    assert s3.body(LIVE) == b"old parquet", "got the live file changed after the deadline"


def test_athena_engine_rerun_keeps_one_partition():
    log, s3, glue = lake()
    athena_engine(s3, glue, log).compact(HOUR)
    second = athena_engine(s3, glue, log).compact(HOUR)
    assert glue.partitions == {("2026", "11", "28", "10")}, f"got partitions {glue.partitions}"
    assert second.partition_added is False, "got a second partition added on re-run"


def test_athena_engine_projected_table_gets_no_partition():
    log, s3, glue = lake()
    glue.parameters["projection.enabled"] = "true"
    result = athena_engine(s3, glue, log).compact(HOUR)
    assert not [step for step in log if step[0] == "glue.create_partition"], f"got steps {log}"
    assert result.partition_added is False, "got a partition added to a projected table"


def test_athena_engine_dry_run_lists_statements_and_calls_nothing():
    log, s3, glue = lake()
    result = athena_engine(s3, glue, log).compact(HOUR, dry_run=True)
    ctas = sql.ctas("mydatabase", "retail_trans_json", "ctas_retail_trans_parquet", None, HOUR)
    assert log == [], f"got calls {log}, expected none"
    assert ctas in result.statements, f"got statements {result.statements}, expected the CTAS"
    assert any(LIVE in s for s in result.statements), f"got statements {result.statements}, expected the switch"


def test_ctas_writes_one_bucket_outside_the_table():
    got = sql.ctas("mydatabase", "retail_trans_json", "ctas_retail_trans_parquet", None, HOUR)
    assert ("bucket_count = 1" in got, "external_location" in got) == (True, False), f"got {got}"


def test_duckdb_engine_compacts_through_staging_with_independent_counts(tmp_path):
    _, s3, glue = lake(sources=3)
    engine = DuckDBEngine(SETTINGS, s3, glue)
    result = engine.compact(HOUR)
    path = tmp_path / "live.parquet"
    path.write_bytes(s3.body(LIVE))
    with duckdb.connect() as db:
        (rows,) = db.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
    staged = [k for k in s3.objects if k.startswith("compaction/staging/")]
    uploads = [(op, key) for op, key, args in s3.writes if {k: args.get(k) for k in SSE} != SSE]
    assert (result.status, result.rows, rows) == ("compacted", 3, 3), f"got {result}, {rows} rows in the file"
    assert staged == [], f"got staged files left {staged}"
    assert uploads == [], f"got writes without SSE-KMS: {uploads}"


def test_duckdb_engine_conversion_losing_a_row_is_caught_before_the_switch(monkeypatch):
    _, s3, glue = lake(sources=3)

    def lossy(files, output):  # a broken conversion: writes one row less and counts what it wrote
        rows = convert(files, output)
        shorter = output.with_name("shorter.parquet")
        with duckdb.connect() as db:
            fewer = f"SELECT * FROM read_parquet('{output}') LIMIT {rows - 1}"
            db.execute(f"COPY ({fewer}) TO '{shorter}' (FORMAT parquet)")
        shorter.replace(output)
        return rows - 1

    monkeypatch.setattr("compact_parquet.engines.convert", lossy)
    with pytest.raises(VerificationFailed, match="2 rows, the source hour 3"):
        DuckDBEngine(SETTINGS, s3, glue).compact(HOUR)
    assert s3.body(LIVE) == b"old parquet", "got the live file changed"


def test_count_records_counts_non_blank_lines(tmp_path):
    (tmp_path / "a.json").write_text('{"a": 1}\n\n{"a": 2}\n')
    (tmp_path / "b.json").write_text('{"a": 3}')
    got = count_records([tmp_path / "a.json", tmp_path / "b.json"])
    assert got == 3, f"got {got}, expected 3"


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
    table = FakeGlue().get_table("mydatabase", "ctas_retail_trans_parquet")["Table"]
    got = str(storage.hour_folder(table, HOUR))
    assert got == f"s3://{BUCKET}/parquet-retail-trans/year=2026/month=11/day=28/hour=10/", f"got {got}"


def test_hour_folder_follows_projection_template():
    template = "s3://bucket/json-data/year=${year}/month=${month}/day=${day}/hour=${hour}"
    table = FakeGlue(parameters={"storage.location.template": template}).get_table("db", "t")["Table"]
    got = str(storage.hour_folder(table, HOUR))
    assert got == "s3://bucket/json-data/year=2026/month=11/day=28/hour=10/", f"got {got}"
