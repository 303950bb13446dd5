"""The whole stack on the emulator: known records go Kinesis -> Firehose -> S3, and every saved Athena query returns
the numbers computed here from the same records. Three deployments: the defaults (JSON, arrival-time partitions),
event-time partitions, and Parquet conversion with event-time partitions.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.delivery import ObjectCache, objects_under
from tests.harness import left_behind, log_groups_named, random_prefix, wait_for

pytestmark = pytest.mark.integration

CENT = Decimal("0.01")
TOP_N = 10
VARIANTS = {
    "json_arrival_time": {},
    "json_event_time": {"enable_event_time_partitioning": "true"},
    "parquet_event_time": {"enable_parquet_conversion": "true", "enable_event_time_partitioning": "true"},
}


# --- the known input ------------------------------------------------------------------------------


def known_records(count: int = 60) -> list[dict[str, Any]]:
    """Records with the data contract's shape and mess: cancellations, empty customers, commas and quotes."""
    rng = random.Random(20091201)
    products = [
        ("85048", "15CM CHRISTMAS GLASS BALL 20 LIGHTS"),
        ("79323P", "PINK CHERRY LIGHTS"),
        ("22041", 'RECORD FRAME 7" SINGLE SIZE '),
        ("21232", "STRAWBERRY CERAMIC TRINKET BOX"),
        ("22064", "PINK DOUGHNUT TRINKET POT, LARGE"),
        ("POST", "POSTAGE"),
        ("M", "Manual"),
        ("21871", ""),
    ]
    countries = ["United Kingdom", "France", "Germany", "EIRE", "Netherlands", "Spain"]
    customers = ["13085.0", "13078.0", "15362.0", "18102.0", "12682.0", ""]
    hours = ["2009-12-01 07:", "2009-12-01 09:", "2009-12-14 16:", "2010-01-05 10:", "2010-02-28 23:"]
    prices = [Decimal("6.95"), Decimal("0.85"), Decimal("2.10"), Decimal("1.25"), Decimal("18.00"), Decimal("0.00")]
    records = []
    for i in range(count):
        stockcode, description = rng.choice(products)
        cancelled = i % 9 == 4
        records.append(
            {
                "Invoice": f"{'C' if cancelled else ''}{489434 + i // 3}",
                "StockCode": stockcode,
                "Description": description,
                "Quantity": -rng.randint(1, 6) if cancelled else rng.randint(1, 48),
                "InvoiceDate": f"{rng.choice(hours)}{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
                "Price": float(rng.choice(prices)),
                "Customer_ID": rng.choice(customers),
                "Country": rng.choice(countries),
            }
        )
    return records


def revenue(records: Iterable[dict[str, Any]]) -> Decimal:
    total = sum((Decimal(str(r["Price"])) * r["Quantity"] for r in records), Decimal(0))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def grouped(records: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return groups


def expected_revenue_by(records: list[dict[str, Any]], width: int, suffix: str = "") -> list[tuple]:
    """(bucket, lines, units, revenue) per InvoiceDate truncated to `width` characters."""
    groups = grouped(records, lambda r: r["InvoiceDate"][:width] + suffix)
    return [
        (bucket, len(rows), sum(r["Quantity"] for r in rows), revenue(rows)) for bucket, rows in sorted(groups.items())
    ]


def expected_top_products(records: list[dict[str, Any]]) -> list[tuple]:
    groups = grouped(records, lambda r: r["StockCode"])
    rows = [
        (code, max(r["Description"] for r in rows), sum(r["Quantity"] for r in rows), revenue(rows))
        for code, rows in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row[2], row[0]))[:TOP_N]


def expected_top_countries(records: list[dict[str, Any]]) -> list[tuple]:
    groups = grouped(records, lambda r: r["Country"])
    rows = [(country, len(rows), len({r["Invoice"] for r in rows}), revenue(rows)) for country, rows in groups.items()]
    return sorted(rows, key=lambda row: (-row[3], row[0]))[:TOP_N]


def expected_distinct_customers(records: list[dict[str, Any]]) -> tuple:
    customers = {r["Customer_ID"] for r in records if r["Customer_ID"]}
    return (len(customers), len({r["Invoice"] for r in records}), len(records))


# --- reading what arrived ---------------------------------------------------------------------------


def parquet_rows(body: bytes) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "object.parquet"
        path.write_bytes(body)
        result = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')")
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def records_in(objects: list[tuple[str, bytes]], parquet: bool) -> list[tuple[str, dict[str, Any]]]:
    """(key, record) for every record in the objects; Parquet rows come back with the table's column names."""
    found = []
    for key, body in objects:
        if parquet:
            found += [(key, row) for row in parquet_rows(body)]
        else:
            found += [(key, json.loads(line)) for line in body.decode().splitlines() if line.strip()]
    return found


# --- Athena -----------------------------------------------------------------------------------------


@dataclass
class QueryResult:
    execution: dict[str, Any]
    columns: list[str]
    rows: list[list[str | None]]


def run_named_query(athena, query_id: str, workgroup: str) -> QueryResult:
    named = athena.get_named_query(NamedQueryId=query_id)["NamedQuery"]
    execution_id = athena.start_query_execution(
        QueryString=named["QueryString"],
        QueryExecutionContext={"Database": named["Database"]},
        WorkGroup=workgroup,
    )["QueryExecutionId"]

    def finished():
        execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        return execution if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED") else None

    execution = wait_for(finished, timeout=60, what=f"query {named['Name']} to finish")
    state = execution["Status"]
    assert state["State"] == "SUCCEEDED", f"{named['Name']}: got {state['State']}: {state.get('StateChangeReason')}"
    rows: list[list[str | None]] = []
    columns: list[str] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
        result = page["ResultSet"]
        columns = columns or [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]]
        rows += [[d.get("VarCharValue") for d in row["Data"]] for row in result["Rows"]]
    if rows and rows[0] == columns:  # a SELECT's first row repeats the column names
        rows = rows[1:]
    return QueryResult(execution, columns, rows)


# --- the deployments ------------------------------------------------------------------------------


@dataclass
class Deployment:
    variant: str
    stack: Any
    outputs: dict[str, Any]
    records: list[dict[str, Any]]
    sent_at: datetime
    destroyed: bool = False

    @property
    def parquet(self) -> bool:
        return "parquet" in self.variant

    @property
    def event_time(self) -> bool:
        return "event_time" in self.variant


@pytest.fixture(scope="module", params=list(VARIANTS))
def deployment(request, make_stack, aws_client):
    prefix = random_prefix()
    stack = make_stack(
        "terraform",
        tf_vars={"name_prefix": prefix, "glue_database_name": f"{prefix}_db"} | VARIANTS[request.param],
        var_files=["env/local.tfvars"],
    )
    outputs = stack.apply()
    deployed = Deployment(request.param, stack, outputs, known_records(), datetime.now(UTC))
    try:
        send(aws_client("kinesis"), outputs["kinesis_stream_name"], deployed.records)
        yield deployed
    finally:
        if not deployed.destroyed:
            stack.discard()


def send(kinesis, stream: str, records: list[dict[str, Any]]) -> None:
    response = kinesis.put_records(
        StreamName=stream,
        Records=[{"Data": (json.dumps(r) + "\n").encode(), "PartitionKey": r["Invoice"]} for r in records],
    )
    assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} records refused by Kinesis"


@pytest.fixture(scope="module")
def arrived(deployment, aws_client):
    """Every delivered (key, record), once all the sent records are in S3."""
    s3, outputs = aws_client("s3"), deployment.outputs
    cache: ObjectCache = {}

    def all_there():
        objects = objects_under(s3, outputs["bucket_name"], outputs["delivery_prefix"], cache)
        found = records_in(objects, deployment.parquet)
        return found if len(found) >= len(deployment.records) else None

    return wait_for(all_there, timeout=90, interval=1, what=f"{len(deployment.records)} records under the prefix")


@pytest.fixture(scope="module")
def query(deployment, aws_client):
    """`query("revenue_by_hour")`: run the saved query of that name in the stack's workgroup."""
    ids = deployment.outputs["athena_named_query_ids"]

    def run(name: str) -> QueryResult:
        return run_named_query(aws_client("athena"), ids[name], deployment.outputs["athena_workgroup_name"])

    return run


def as_decimal(value: str | None) -> Decimal:
    return Decimal(value or "0").quantize(CENT)


# --- delivery ---------------------------------------------------------------------------------------


def test_every_record_arrives_once_and_intact(deployment, arrived):
    def canonical(record: dict[str, Any]) -> tuple:
        lower = {k.lower(): v for k, v in record.items()}
        when = lower["invoicedate"]
        when = when.strftime("%Y-%m-%d %H:%M:%S") if isinstance(when, datetime) else when
        price = Decimal(str(lower["price"])).quantize(CENT)  # Parquet stores the float column as float32
        return (lower["invoice"], lower["stockcode"], lower["description"], lower["quantity"], when, price,
                lower["customer_id"], lower["country"])  # fmt: skip

    got = sorted(canonical(record) for _, record in arrived)
    expected = sorted(canonical(record) for record in deployment.records)
    assert got == expected, f"{deployment.variant}: S3 holds different records than were sent"


def test_objects_are_in_the_format_the_tables_read(deployment, arrived):
    keys = {key for key, _ in arrived}
    extension = ".parquet" if deployment.parquet else ""
    folder = deployment.outputs["parquet_prefix" if deployment.parquet else "data_prefix"]
    assert deployment.outputs["delivery_prefix"] == folder, f"got {deployment.outputs['delivery_prefix']}"
    wrong = [k for k in keys if not k.startswith(folder) or not k.endswith(extension)]
    assert not wrong, f"{deployment.variant}: got keys {wrong[:3]}, expected {folder}...{extension}"


def test_records_land_in_the_hour_partition_of_the_chosen_clock(deployment, arrived):
    arrival_hours = {deployment.sent_at.strftime("%Y%m%d%H"), datetime.now(UTC).strftime("%Y%m%d%H")}
    folder = deployment.outputs["delivery_prefix"]
    for key, record in arrived:
        parts = dict(p.split("=", 1) for p in key[len(folder) :].split("/")[:4])
        hour = "".join(parts[k] for k in ("year", "month", "day", "hour"))
        lower = {k.lower(): v for k, v in record.items()}
        event = str(lower["invoicedate"])
        event_hour = event[0:4] + event[5:7] + event[8:10] + event[11:13]
        if deployment.event_time:
            assert hour == event_hour, f"got partition {hour} for InvoiceDate {event} in {key}"
        else:
            assert hour in arrival_hours, f"got partition {hour}, expected the UTC arrival hour {arrival_hours}"


# --- the saved queries --------------------------------------------------------------------------------


def test_saved_queries_are_the_lab_set(deployment):
    names = set(deployment.outputs["athena_named_query_ids"])
    expected = {
        "sample_rows",
        "revenue_by_month",
        "revenue_by_day",
        "revenue_by_hour",
        "top_products",
        "top_countries",
        "distinct_customers",
    }
    assert names == expected, f"got {sorted(names)}"


def test_sample_rows_returns_sent_records_with_their_partition(deployment, arrived, query):
    result = query("sample_rows")
    assert len(result.rows) == TOP_N, f"got {len(result.rows)} rows, expected {TOP_N}"
    sent = {(r["Invoice"], r["StockCode"], r["InvoiceDate"], str(r["Quantity"])) for r in deployment.records}
    for row in result.rows:
        values = dict(zip(result.columns, row, strict=True))
        identity = (values["invoice"], values["stockcode"], (values["invoicedate"] or "")[:19], values["quantity"])
        assert identity in sent, f"got row {values}, which was not sent"
        partition = "".join(values[k] or "" for k in ("year", "month", "day", "hour"))
        assert re.fullmatch(r"\d{10}", partition), f"got partition columns {partition!r}, expected YYYYMMDDHH"


@pytest.mark.parametrize(
    ("name", "width", "suffix"),
    [("revenue_by_month", 7, "-01"), ("revenue_by_day", 10, ""), ("revenue_by_hour", 13, "")],
)
def test_revenue_query_equals_sum_of_price_times_quantity(deployment, arrived, query, name, width, suffix):
    result = query(name)
    assert result.columns[1:] == ["lines", "units", "revenue"], f"got columns {result.columns}"
    got = [(row[0][: width + len(suffix)], int(row[1]), int(row[2]), as_decimal(row[3])) for row in result.rows]
    expected = expected_revenue_by(deployment.records, width, suffix)
    assert got == expected, f"{deployment.variant} {name}: got {got}, expected {expected}"


def test_top_products_equal_units_and_revenue_per_stock_code(deployment, arrived, query):
    result = query("top_products")
    got = [(row[0], row[1], int(row[2]), as_decimal(row[3])) for row in result.rows]
    expected = expected_top_products(deployment.records)
    assert got == expected, f"{deployment.variant}: got {got}, expected {expected}"


def test_top_countries_equal_counts_and_revenue_per_country(deployment, arrived, query):
    result = query("top_countries")
    got = [(row[0], int(row[1]), int(row[2]), as_decimal(row[3])) for row in result.rows]
    expected = expected_top_countries(deployment.records)
    assert got == expected, f"{deployment.variant}: got {got}, expected {expected}"


def test_distinct_customers_ignore_empty_customer_ids(deployment, arrived, query):
    result = query("distinct_customers")
    got = tuple(int(v or 0) for v in result.rows[0])
    expected = expected_distinct_customers(deployment.records)
    assert got == expected, f"{deployment.variant}: got (customers, invoices, lines) {got}, expected {expected}"


def test_query_results_are_written_encrypted_under_the_results_prefix(deployment, arrived, query, aws_client):
    result = query("distinct_customers")
    location = result.execution["ResultConfiguration"]["OutputLocation"]
    expected = deployment.outputs["athena_results_location"]
    assert location.startswith(expected), f"got {location}, expected under {expected}"
    s3, bucket = aws_client("s3"), deployment.outputs["bucket_name"]
    prefix = location.split("/", 3)[3]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    assert keys, f"got no result object under {location}"
    head = s3.head_object(Bucket=bucket, Key=keys[0])
    assert head.get("ServerSideEncryption") == "aws:kms", f"got {head.get('ServerSideEncryption')} on {keys[0]}"


def test_workgroup_enforces_its_configuration(deployment, aws_client):
    workgroup = aws_client("athena").get_work_group(WorkGroup=deployment.outputs["athena_workgroup_name"])["WorkGroup"]
    config = workgroup["Configuration"]
    encryption = config["ResultConfiguration"]["EncryptionConfiguration"]
    got = (
        config["EnforceWorkGroupConfiguration"],
        config["PublishCloudWatchMetricsEnabled"],
        config["BytesScannedCutoffPerQuery"],
        encryption["EncryptionOption"],
        encryption.get("KmsKey"),
    )
    expected = (True, True, 10 * 1024**3, "SSE_KMS", deployment.outputs["bucket_kms_key_arn"])
    assert got == expected, f"got {got}, expected {expected}"


# --- lifecycle ----------------------------------------------------------------------------------------


def test_second_plan_after_apply_shows_no_changes(deployment):
    text = deployment.stack.plan_text()
    assert "No changes." in text, f"{deployment.variant}: expected no changes after apply, got:\n{text[-2000:]}"


def test_destroy_leaves_nothing_behind(deployment, aws_client):
    deployment.stack.destroy()
    deployment.destroyed = True
    out = deployment.outputs
    glue, athena, iam, kms = aws_client("glue"), aws_client("athena"), aws_client("iam"), aws_client("kms")
    role_prefix = f"{out['firehose_name']}-firehose-"[:38]
    checks = {
        "bucket": (lambda: aws_client("s3").head_bucket(Bucket=out["bucket_name"]), ("404", "NoSuchBucket")),
        "stream": (
            lambda: aws_client("kinesis").describe_stream_summary(StreamName=out["kinesis_stream_name"]),
            ("ResourceNotFoundException",),
        ),
        "delivery stream": (
            lambda: aws_client("firehose").describe_delivery_stream(DeliveryStreamName=out["firehose_name"]),
            ("ResourceNotFoundException",),
        ),
        "log group": (
            lambda: log_groups_named(aws_client("logs"), out["firehose_log_group"]),
            (),
        ),
        "glue database": (
            lambda: glue.get_database(Name=out["glue_database_name"]),
            ("EntityNotFoundException",),
        ),
        "glue tables": (
            lambda: [
                t
                for t in glue.get_tables(DatabaseName=out["glue_database_name"])["TableList"]
                if t["Name"] in (out["json_table_name"], out["parquet_table_name"])
            ],
            ("EntityNotFoundException",),
        ),
        "workgroup": (
            lambda: athena.get_work_group(WorkGroup=out["athena_workgroup_name"]),
            ("InvalidRequestException",),
        ),
        "named queries": (
            lambda: athena.batch_get_named_query(NamedQueryIds=list(out["athena_named_query_ids"].values()))[
                "NamedQueries"
            ],
            (),
        ),
        "firehose role": (
            lambda: [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(role_prefix)],
            (),
        ),
        "lake key": (
            lambda: kms.describe_key(KeyId=out["bucket_kms_key_arn"])["KeyMetadata"]["KeyState"] != "PendingDeletion",
            ("NotFoundException",),
        ),
    }
    left = left_behind(checks)
    assert not left, f"{deployment.variant}: destroy left behind {left}"
