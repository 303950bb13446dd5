"""Drill: the hourly compaction fails half-way through an hour, then runs again; the hour must end up in the
Parquet table exactly once, with every row the JSON holds.

The records are streamed by the producer into the deployed stack and land in S3 through Firehose. The compaction
CLI (`python -m compact_parquet`, DuckDB engine: MiniStack's Athena has no CTAS) runs three times on each hour:
once, again after late records arrived but with the Parquet upload refused (403 AccessDenied through a botocore
hook on the engine's S3 client: the run has already emptied the hour's folder), and once more.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from compact_parquet import cli
from producer.app import RunConfig, run
from producer.errors import ExitCode
from producer.pipeline import Options
from tests.drills.conftest import DrillResult, canonical, data_root, delivered_records, read_objects
from tests.drills.faults import Outage, xml_error
from tests.harness import wait_for

pytestmark = [pytest.mark.drill, pytest.mark.integration]

HOUR_PATH = re.compile(r"year=(\d{4})/month=(\d\d)/day=(\d\d)/hour=(\d\d)/")
FIRST, LATE = 300, 200  # records before the first run, and arriving before the failed one


def slice_csv(rows: range, into: Path) -> Path:
    """The sample's header and the given data rows, as a CSV of their own."""
    with (data_root() / "online_retail_sample.csv").open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header, data = next(reader), list(reader)
    with into.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(header)
        writer.writerows(data[rows.start : rows.stop])
    return into


def produce(stack, csv_file: Path) -> Counter[str]:
    """Stream the CSV into the stack's Kinesis stream; return the records sent (the dry run's, same rows)."""
    base = RunConfig(
        stream_name=stack.outputs["kinesis_stream_name"],
        input_file=csv_file,
        region=stack.target.region,
        endpoint_url=stack.target.endpoint_url,
        options=Options(batch_size=100),
        quiet=True,
    )
    stdout = io.BytesIO()
    assert run(RunConfig(**{**base.__dict__, "dry_run": True}), stdout=stdout, stderr=io.StringIO()) == ExitCode.OK
    stderr = io.StringIO()
    assert run(base, stderr=stderr) == ExitCode.OK, f"the producer failed:\n{stderr.getvalue()}"
    return Counter(canonical(line) for line in stdout.getvalue().decode().splitlines() if line.strip())


def wait_delivered(stack, expected: Counter[str]) -> None:
    s3, outputs = stack.client("s3"), stack.outputs

    def done() -> bool:
        found = delivered_records(s3, outputs["bucket_name"], outputs["data_prefix"])
        return not (expected - found)

    wait_for(done, timeout=120, what="Firehose to deliver every record to S3")


def float32(value: float) -> float:
    """The value as the Parquet table's `price float` column stores it."""
    return struct.unpack("f", struct.pack("f", float(value)))[0]


def json_rows(stack) -> dict[str, Counter[tuple]]:
    """Rows of the JSON under data_prefix, by hour (`2026-11-28T10`), in the Parquet columns' types."""
    hours: dict[str, Counter[tuple]] = {}
    objects = read_objects(stack.client("s3"), stack.outputs["bucket_name"], stack.outputs["data_prefix"])
    for key, body in objects.items():
        year, month, day, hour = HOUR_PATH.search(key).groups()
        rows = hours.setdefault(f"{year}-{month}-{day}T{hour}", Counter())
        for line in filter(str.strip, body.splitlines()):
            r = json.loads(line)
            rows[
                (r["Invoice"], r["StockCode"], r["Description"], int(r["Quantity"]), r["InvoiceDate"],
                 float32(r["Price"]), r["Customer_ID"], r["Country"])
            ] += 1  # fmt: skip
    return hours


def parquet_rows(stack) -> tuple[dict[str, Counter[tuple]], dict[str, int]]:
    """Rows of the Parquet files under parquet_prefix by hour, and the number of objects in each hour's folder."""
    s3, bucket = stack.client("s3"), stack.outputs["bucket_name"]
    hours: dict[str, Counter[tuple]] = {}
    objects: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as scratch:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=stack.outputs["parquet_prefix"]):
            for i, obj in enumerate(page.get("Contents", [])):
                year, month, day, hour = HOUR_PATH.search(obj["Key"]).groups()
                name = f"{year}-{month}-{day}T{hour}"
                objects[name] += 1
                path = Path(scratch) / f"{i}.parquet"
                s3.download_file(bucket, obj["Key"], str(path))
                query = "SELECT * FROM read_parquet(?)"
                for row in duckdb.execute(query, [str(path)]).fetchall():
                    invoice, stockcode, description, quantity, invoicedate, price, customer, country = row
                    hours.setdefault(name, Counter())[
                        (invoice, stockcode, description, quantity, invoicedate.strftime("%Y-%m-%d %H:%M:%S"),
                         price, customer, country)
                    ] += 1  # fmt: skip
    return hours, dict(objects)


def compact(hour: str, capsys) -> tuple[int, str]:
    code = cli.main(["--hour", hour, "--engine", "duckdb"])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def compaction_env(monkeypatch, drill_stack) -> None:
    """The compaction function's settings, pointed at the drills' emulator."""
    outputs = drill_stack.outputs
    env = {
        "AWS_ENDPOINT_URL": drill_stack.target.endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": drill_stack.target.region,
        "GLUE_DATABASE": outputs["glue_database_name"],
        "SOURCE_TABLE": outputs["json_table_name"],
        "TARGET_TABLE": outputs["parquet_table_name"],
        "TARGET_LOCATION": outputs["parquet_location"],
        "ATHENA_WORKGROUP": outputs["athena_workgroup_name"],
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def refusing_uploads(monkeypatch) -> list[Outage]:
    """Make the CLI's engine answer every PutObject with 403 AccessDenied (its S3 client, through a hook)."""
    outages: list[Outage] = []
    real = cli.make_engine

    def make_engine(*args: Any, **kwargs: Any) -> Any:
        engine = real(*args, **kwargs)
        outage = Outage(engine.s3, "before-send.s3.PutObject", lambda url: xml_error(url, 403, "AccessDenied"))
        outage.on = True
        outages.append(outage)
        return engine

    monkeypatch.setattr(cli, "make_engine", make_engine)
    return outages


def test_compaction_rerun_after_a_failure_mid_hour_replaces_never_duplicates(
    drill_stack, compaction_env, monkeypatch, capsys, tmp_path, record_drill
):
    # given: an hour compacted once, then late records in it
    drill_stack.empty_data()
    wait_delivered(drill_stack, produce(drill_stack, slice_csv(range(0, FIRST), tmp_path / "first.csv")))
    hours = sorted(json_rows(drill_stack))
    first_runs = [compact(hour, capsys) for hour in hours]
    assert all(code == 0 for code, _ in first_runs), f"got {first_runs}, expected every first run to succeed"
    wait_delivered(drill_stack, produce(drill_stack, slice_csv(range(FIRST, FIRST + LATE), tmp_path / "late.csv")))
    hours = sorted(json_rows(drill_stack))

    # when: a run fails after emptying the hour's folder, then the hour is compacted again
    with monkeypatch.context() as patch:
        outages = refusing_uploads(patch)
        failed_runs = [compact(hour, capsys) for hour in hours]
    _, objects_after_failure = parquet_rows(drill_stack)
    reruns = [compact(hour, capsys) for hour in hours]

    # then: each hour is one Parquet file holding exactly the hour's JSON rows
    source, (compacted, objects) = json_rows(drill_stack), parquet_rows(drill_stack)
    sent = sum(sum(rows.values()) for rows in source.values())
    arrived = sum(sum((source[h] & compacted.get(h, Counter())).values()) for h in source)
    duplicates = sum(sum((compacted.get(h, Counter()) - source.get(h, Counter())).values()) for h in compacted)
    record_drill(
        DrillResult(
            drill="compaction fails mid-hour (upload refused), then re-runs",
            unit="rows",
            sent=sent,
            arrived=arrived,
            reported=0,
            duplicates=duplicates,
            note=f"{FIRST} rows compacted, {LATE} late; the next run emptied the hour, its upload was refused "
            f"(403), it exited {','.join(str(int(code)) for code, _ in failed_runs)} leaving "
            f"{sum(objects_after_failure.values())} Parquet objects; the re-run rewrote {len(hours)} hour(s)",
        )
    )
    assert sum(o.failed_calls for o in outages) >= len(hours), "no upload was refused: the drill proved nothing"
    assert all(code == cli.ExitCode.ERROR for code, _ in failed_runs), f"got {failed_runs}, expected exit 1 each"
    assert all("compact_parquet: error:" in text for _, text in failed_runs), f"got {failed_runs}"
    assert all(code == 0 for code, _ in reruns), f"got {reruns}, expected every re-run to succeed"
    assert duplicates == 0, f"got {duplicates} rows more than once in the Parquet table"
    assert objects == dict.fromkeys(hours, 1), f"got Parquet objects per hour {objects}, expected one per hour"
