"""Hourly compaction on the emulator, as far as it allows.

MiniStack's Athena has no CTAS, so the local engine (DuckDB) does the conversion here: it reads the hour's
JSON objects from emulator S3 with boto3 and writes the same Parquet/Snappy layout the Athena CTAS writes.
The Lambda function is deployed from its zip and invoked: its Athena path runs for real up to the CTAS
(count query, polling, no-op for an empty hour; a clear failure and a dropped temporary table where the
emulator stops), and its DuckDB path completes (DuckDB then comes from the emulator's Python: the zip does
not bundle it).
"""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stdout

import duckdb
import pytest

from compact_parquet.cli import main
from tests.harness import random_prefix
from tests.lambda_support import create_role, deploy_function, sample_record
from tools import build_lambdas

pytestmark = pytest.mark.integration

HOUR = "2026-11-28T10"
HOUR_PATH = "year=2026/month=11/day=28/hour=10/"
COLUMNS = [
    ("invoice", "string"),
    ("stockcode", "string"),
    ("description", "string"),
    ("quantity", "int"),
    ("invoicedate", "timestamp"),
    ("price", "float"),
    ("customer_id", "string"),
    ("country", "string"),
]
PARTITION_KEYS = [{"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")]


def lines(records: list[dict], trailer: str = "\n") -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + trailer for r in records).encode("utf-8")


def table_input(name: str, location: str, parquet: bool) -> dict:
    formats = (
        ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
         "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
         "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
        if parquet else
        ("org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
         "org.openx.data.jsonserde.JsonSerDe")
    )  # fmt: skip
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": PARTITION_KEYS,
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in COLUMNS],
            "Location": location,
            "InputFormat": formats[0],
            "OutputFormat": formats[1],
            "SerdeInfo": {"SerializationLibrary": formats[2]},
        },
    }


@pytest.fixture(scope="module")
def lake(aws_client):
    """A bucket with Firehose-shaped JSON objects in three hours, the Glue tables and an Athena workgroup."""
    name = random_prefix("cmp")
    s3, glue, athena = (aws_client(s) for s in ("s3", "glue", "athena"))
    bucket, database = f"{name}-lake", f"{name}_db"
    s3.create_bucket(Bucket=bucket)
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(
        DatabaseName=database, TableInput=table_input("retail_trans_json", f"s3://{bucket}/00-retail-trans/", False)
    )
    glue.create_table(
        DatabaseName=database,
        TableInput=table_input("ctas_retail_trans_parquet", f"s3://{bucket}/parquet-retail-trans/", True),
    )
    athena.create_work_group(
        Name=f"{name}-wg", Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{bucket}/athena-results/"}}
    )
    records = [sample_record(i, name) for i in range(19)]
    hour_records = records[:15]
    objects = {
        f"00-retail-trans/{HOUR_PATH}{name}-1-2026-11-28-10-00-01-a": lines(hour_records[:4]),
        f"00-retail-trans/{HOUR_PATH}{name}-1-2026-11-28-10-20-01-b": lines(hour_records[4:9], trailer="\n\n"),
        f"00-retail-trans/{HOUR_PATH}{name}-1-2026-11-28-10-59-59-c": lines(hour_records[9:]),
        f"00-retail-trans/year=2026/month=11/day=28/hour=09/{name}-x": lines(records[15:17]),
        f"00-retail-trans/year=2026/month=11/day=28/hour=11/{name}-y": lines(records[17:]),
    }
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    yield {
        "name": name,
        "bucket": bucket,
        "database": database,
        "workgroup": f"{name}-wg",
        "hour_records": hour_records,
    }
    athena.delete_work_group(WorkGroup=f"{name}-wg", RecursiveDeleteOption=True)
    glue.delete_database(Name=database)


@pytest.fixture
def emulator_env(monkeypatch, endpoint, target):
    for key, value in (target.environ() | {"AWS_ENDPOINT_URL": endpoint}).items():
        monkeypatch.setenv(key, value)
    for key in ("COMPACTION_ENGINE", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)


def run_cli(lake: dict, hour: str = HOUR, *extra: str) -> tuple[int, str]:
    args = ["--hour", hour, "--database", lake["database"], "--workgroup", lake["workgroup"],
            "--target-location", f"s3://{lake['bucket']}/parquet-retail-trans/", *extra]  # fmt: skip
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(args)
    return code, out.getvalue()


def target_keys(s3, lake: dict, hour_path: str = HOUR_PATH) -> list[str]:
    listed = s3.list_objects_v2(Bucket=lake["bucket"], Prefix=f"parquet-retail-trans/{hour_path}")
    return [o["Key"] for o in listed.get("Contents", [])]


def read_parquet(s3, bucket: str, key: str, tmp_path) -> duckdb.DuckDBPyConnection:
    path = tmp_path / key.rsplit("/", 1)[-1]
    path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return duckdb.connect().execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")


def athena_scalar(athena, lake: dict, sql: str) -> list[str]:
    qid = athena.start_query_execution(
        QueryString=sql, WorkGroup=lake["workgroup"], QueryExecutionContext={"Database": lake["database"]}
    )["QueryExecutionId"]
    for _ in range(100):
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.1)
    assert status["State"] == "SUCCEEDED", f"got {status}, expected the query to succeed"
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    return [d.get("VarCharValue", "") for d in rows[1]["Data"]]


@pytest.fixture(scope="module")
def compacted(lake, endpoint, target):
    """One CLI run with the default engine choice (auto -> duckdb on an emulator)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in (target.environ() | {"AWS_ENDPOINT_URL": endpoint}).items():
            patch.setenv(key, value)
        patch.delenv("COMPACTION_ENGINE", raising=False)
        return run_cli(lake)


def test_cli_compacts_hour_with_duckdb_on_the_emulator(compacted):
    code, out = compacted
    assert code == 0, f"got exit {code}: {out}"
    assert "compacted 15 rows from 3 objects" in out, f"got {out!r}"
    assert "(engine: duckdb," in out, f"got {out!r}, expected the CLI to say the engine"


def test_compacted_hour_is_one_snappy_parquet_with_the_hours_rows(compacted, aws_client, lake, tmp_path):
    s3 = aws_client("s3")
    (key,) = target_keys(s3, lake)
    db = read_parquet(s3, lake["bucket"], key, tmp_path)
    invoices = sorted(r[0] for r in db.execute("SELECT invoice FROM t").fetchall())
    codecs = {
        r[0]
        for r in db.execute(
            f"SELECT compression FROM parquet_metadata('{tmp_path / key.rsplit('/', 1)[-1]}')"
        ).fetchall()
    }
    assert key.endswith(".snappy.parquet"), f"got key {key}"
    assert invoices == sorted(r["Invoice"] for r in lake["hour_records"]), f"got invoices {invoices}"
    assert codecs == {"SNAPPY"}, f"got codecs {codecs}"


def test_compaction_rerun_replaces_instead_of_duplicating(compacted, aws_client, lake, emulator_env):
    s3 = aws_client("s3")
    before = target_keys(s3, lake)
    code, out = run_cli(lake)
    after = target_keys(s3, lake)
    assert code == 0, f"got exit {code}: {out}"
    assert "replaced 1 objects" in out, f"got {out!r}"
    assert after == before, f"got objects {after} after a re-run, expected {before}"


def test_compacted_partition_is_registered_in_glue(compacted, aws_client, lake):
    partitions = aws_client("glue").get_partitions(DatabaseName=lake["database"], TableName="ctas_retail_trans_parquet")
    got = [(p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions["Partitions"]]
    expected = [(["2026", "11", "28", "10"], f"s3://{lake['bucket']}/parquet-retail-trans/{HOUR_PATH}")]
    assert got == expected, f"got partitions {got}, expected {expected}"


def test_athena_reads_the_compacted_hour_through_the_parquet_table(compacted, aws_client, lake):
    got = athena_scalar(
        aws_client("athena"),
        lake,
        "SELECT count(*), sum(quantity) FROM ctas_retail_trans_parquet "
        "WHERE year = '2026' AND month = '11' AND day = '28' AND hour = '10'",
    )
    expected = ["15", str(sum(r["Quantity"] for r in lake["hour_records"]))]
    assert got == expected, f"got {got}, expected {expected}"


def test_cli_empty_hour_writes_nothing(compacted, aws_client, lake, emulator_env):
    code, out = run_cli(lake, "2026-11-28T12")
    assert code == 0, f"got exit {code}: {out}"
    assert "no source data" in out, f"got {out!r}"
    assert target_keys(aws_client("s3"), lake, "year=2026/month=11/day=28/hour=12/") == [], "got objects written"


@pytest.fixture(scope="module")
def compaction_function(aws_client, lake):
    lam, iam = aws_client("lambda"), aws_client("iam")
    name = f"{lake['name']}-compact"
    env = {
        "ATHENA_WORKGROUP": lake["workgroup"],
        "GLUE_DATABASE": lake["database"],
        "SOURCE_TABLE": "retail_trans_json",
        "TARGET_TABLE": "ctas_retail_trans_parquet",
        "TARGET_LOCATION": f"s3://{lake['bucket']}/parquet-retail-trans/",
        "QUERY_TIMEOUT_SECONDS": "60",
        "LATE_DATA_WINDOW_HOURS": "0",
        "POWERTOOLS_SERVICE_NAME": "compact-parquet",
        "COMPACTION_ENGINE": "athena",
    }
    role = create_role(iam, f"{name}-role")
    zip_path = build_lambdas.build(build_lambdas.SOURCE_DIR / "compact_parquet")
    deploy_function(lam, name, role, zip_path, "compact_parquet.handler.lambda_handler", env)
    yield {"name": name, "env": env}
    lam.delete_function(FunctionName=name)
    iam.delete_role(RoleName=f"{name}-role")


def invoke(lam, name: str, event: dict) -> tuple[dict, str | None]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(response["Payload"].read() or b"null"), response.get("FunctionError")


def test_lambda_scheduled_event_for_empty_hour_is_a_noop_via_athena(aws_client, compaction_function):
    # given: the schedule fires at 13:05, so the function compacts 12h, which has no data
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-11-28T13:05:00Z", "detail": {}}
    # when
    payload, error = invoke(aws_client("lambda"), compaction_function["name"], event)
    # then
    assert error is None, f"got {error}: {payload}"
    (hour,) = payload["hours"]
    got = (hour["hour"], hour["engine"], hour["status"], hour["rows"])
    assert got == ("2026-11-28T12", "athena", "empty", None), f"got {payload}"


def test_lambda_athena_ctas_failure_is_reported_and_temporary_table_dropped(
    aws_client, lake, compacted, compaction_function
):
    # given: hour 10 is compacted; the emulator's Athena counts it but cannot run the CTAS
    s3 = aws_client("s3")
    before = {key: s3.get_object(Bucket=lake["bucket"], Key=key)["Body"].read() for key in target_keys(s3, lake)}
    # when
    payload, error = invoke(aws_client("lambda"), compaction_function["name"], {"hour": HOUR})
    # then: reported, the temporary table dropped, the hour's Parquet exactly as it was
    assert error == "Unhandled", f"got {error}: {payload}"
    assert f"CTAS of {HOUR} failed" in payload["errorMessage"], f"got {payload['errorMessage']!r}"
    tables = [t["Name"] for t in aws_client("glue").get_tables(DatabaseName=lake["database"])["TableList"]]
    assert sorted(tables) == ["ctas_retail_trans_parquet", "retail_trans_json"], f"got tables {tables}"
    after = {key: s3.get_object(Bucket=lake["bucket"], Key=key)["Body"].read() for key in target_keys(s3, lake)}
    assert after == before, "got the hour's Parquet changed by a failed run"


def test_lambda_duckdb_engine_compacts_the_hour(aws_client, lake, compaction_function, tmp_path):
    # given: the same function switched to the local engine (DuckDB from the emulator's Python)
    lam = aws_client("lambda")
    env = compaction_function["env"] | {"COMPACTION_ENGINE": "duckdb"}
    lam.update_function_configuration(FunctionName=compaction_function["name"], Environment={"Variables": env})
    lam.get_waiter("function_updated_v2").wait(FunctionName=compaction_function["name"])
    # when
    payload, error = invoke(lam, compaction_function["name"], {"time": "2026-11-28T12:05:00Z"})
    # then
    assert error is None, f"got {error}: {payload}"
    (hour,) = payload["hours"]
    got = (hour["hour"], hour["engine"], hour["status"], hour["rows"], hour["source_objects"])
    assert got == ("2026-11-28T11", "duckdb", "compacted", 2, 1), f"got {payload}"
    keys = target_keys(aws_client("s3"), lake, "year=2026/month=11/day=28/hour=11/")
    assert len(keys) == 1, f"got {keys}, expected one Parquet object"


def test_lambda_scheduled_run_recompacts_a_late_hour_of_its_window(aws_client, lake, compaction_function):
    # given: hour 10 compacted (its manifest says 3 objects); a late object lands in it
    lam, s3 = aws_client("lambda"), aws_client("s3")
    env = compaction_function["env"] | {"COMPACTION_ENGINE": "duckdb", "LATE_DATA_WINDOW_HOURS": "3"}
    lam.update_function_configuration(FunctionName=compaction_function["name"], Environment={"Variables": env})
    lam.get_waiter("function_updated_v2").wait(FunctionName=compaction_function["name"])
    invoke(lam, compaction_function["name"], {"hour": HOUR})
    late = sample_record(99, lake["name"]) | {"InvoiceDate": "2026-11-28 10:30:00"}
    s3.put_object(Bucket=lake["bucket"], Key=f"00-retail-trans/{HOUR_PATH}{lake['name']}-late", Body=lines([late]))
    # when: the schedule fires at 13:05 (hour 12 and the 3 hours before it)
    payload, error = invoke(lam, compaction_function["name"], {"time": "2026-11-28T13:05:00Z"})
    # then: hour 10 recompacted for its late object, the others left as their manifests say
    assert error is None, f"got {error}: {payload}"
    got = {h["hour"]: (h["status"], h["trigger"], h["rows"]) for h in payload["hours"]}
    assert got["2026-11-28T10"] == ("compacted", "changed", 16), f"got {got}"
    assert got["2026-11-28T12"][0] == "empty", f"got {got}"
