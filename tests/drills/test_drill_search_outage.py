"""Drill: a search outage longer than the ingest mapping's retry window, then `make replay`'s CLI.

OpenSearch cannot run here, so the search engine is the bulk API test double (tests/doubles/opensearch_bulk.py),
told to answer 503 to every bulk request while the outage lasts. MiniStack's event source mapping never fires its
on-failure destination (and ignores batchItemFailures), so the mapping is played in-process as AWS documents it
(tests/drills/kinesis_mapping.py), with the deployed mapping's settings (retries, maximum record age, batch size)
and a simulated clock: redelivery from the lowest failure, the shard's next batch waiting behind the one retried,
and, when a batch's records are older than the maximum age, the on-failure record in AWS's documented S3 shape,
written by the drill into the stack's real failure store (the lake bucket, aws/lambda/<mapping UUID>/) on the
emulator. The function runs in-process with the deployed function's settings; its dead-letter queue is the stack's
real SQS queue. Then the real replay CLI (`python -m ingest_opensearch.replay`, what `make replay` runs) re-drives
the failure store and the queue, once while the double still refuses one request (the replay must keep that
object), once more to finish.

Counted independently of the code under test: sent = the payloads the drill builds from the sample CSV (read with
the csv module) plus the contract's poison examples; arrived = the drill's own expected documents found, equal, in
the double's index; reported = poison payloads found in the dead-letter queue.
"""

from __future__ import annotations

import base64
import csv
import json
import subprocess
import sys
import uuid
from collections import Counter
from typing import Any

import pytest

from ingest_opensearch import bulk, handler
from ingest_opensearch.config import settings
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.drills.conftest import DrillResult, data_root, empty_prefix
from tests.drills.kinesis_mapping import RETRY_EVERY_S, Clock, Mapping, MappingSettings, arrival
from tests.lambda_support import POISON, FakeContext, drain_queue, kinesis_record
from tools.targets import REPO_ROOT

pytestmark = [pytest.mark.drill, pytest.mark.integration]

OUTAGE_BEYOND_AGE_S = 1800  # the search engine comes back half an hour after the mapping's maximum record age


# --- what the drill sends, built by the drill itself -------------------------------------------------------------


def contract_records(count: int, tag: str) -> list[dict[str, Any]]:
    """`count` distinct rows of the shipped sample as contract records, read with the csv module; the Invoice is
    tagged so the documents are this drill's own."""
    records, seen = [], set()
    with (data_root() / "online_retail_sample.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            key = tuple(row.values())
            if key in seen:
                continue
            seen.add(key)
            records.append({
                "Invoice": f"{row['Invoice']}.{tag}", "StockCode": row["StockCode"],
                "Description": row["Description"], "Quantity": int(row["Quantity"]),
                "InvoiceDate": row["InvoiceDate"], "Price": float(row["Price"]),
                "Customer_ID": row["Customer ID"], "Country": row["Country"],
            })  # fmt: skip
            if len(records) == count:
                return records
    raise AssertionError(f"got only {len(records)} distinct sample rows, expected {count}")


def expected_source(record: dict[str, Any]) -> str:
    """The document the index must hold for a record: the record, InvoiceDate in ISO-8601 UTC (the contract's)."""
    date = record["InvoiceDate"]
    return json.dumps(record | {"InvoiceDate": f"{date[:10]}T{date[11:]}Z"}, sort_keys=True)


def batch(payloads: list[bytes], first: int, arrived_s: float, stream_arn: str) -> list[dict[str, Any]]:
    records = []
    for i, data in enumerate(payloads):
        record = kinesis_record(data, first + i)
        record["eventSourceARN"] = stream_arn
        record["kinesis"]["approximateArrivalTimestamp"] = arrival(arrived_s + i / 1000)
        records.append(record)
    return records


# --- the wiring --------------------------------------------------------------------------------------------------


@pytest.fixture
def double():
    with OpenSearchBulkDouble(credentials={"test": ("test", None)}) as server:
        yield server


@pytest.fixture
def failure_store(drill_stack):
    """(bucket, prefix) of the stack's failure store, emptied of what earlier drills left."""
    bucket, prefix = drill_stack.outputs["ingest_failure_bucket"], drill_stack.outputs["ingest_failure_prefix"]
    assert prefix.startswith("aws/lambda/"), f"got failure prefix {prefix!r}"
    empty_prefix(drill_stack.client("s3"), bucket, prefix)
    return bucket, prefix


@pytest.fixture
def queue(drill_stack):
    url = drill_stack.outputs["ingest_dead_letter_queue_url"]
    drain_queue(drill_stack.client("sqs"), url, idle_polls=1)
    return url


@pytest.fixture
def wired(monkeypatch, drill_stack, double, queue):
    """The handler in-process with the deployed function's settings, the double as OpenSearch, the stack's queue."""
    env = drill_stack.client("lambda").get_function_configuration(
        FunctionName=drill_stack.outputs["ingest_function_name"]
    )["Environment"]["Variables"] | {"OPENSEARCH_ENDPOINT": double.url, "DEAD_LETTER_QUEUE_URL": queue}
    env |= {
        "AWS_ENDPOINT_URL": drill_stack.target.endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": drill_stack.target.region,
        "AWS_DEFAULT_REGION": drill_stack.target.region,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setattr(handler.metrics, "namespace", "RetailPipeline")
    caches = (settings, bulk.client, handler.sqs_client)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def replay_cli(drill_stack, double, bucket: str, prefix: str, queue: str, *extra: str):
    """The replay CLI as `make replay` runs it, in a subprocess."""
    target = drill_stack.target
    command = [sys.executable, "-m", "ingest_opensearch.replay", "--bucket", bucket, "--prefix", prefix,
               "--queue-url", queue, "--opensearch-endpoint", double.url,
               "--endpoint-url", target.endpoint_url, "--region", target.region, *extra]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "lambda_src"), "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def kept_records(s3, bucket: str, prefix: str) -> Counter[str]:
    """The payloads inside the failure store's objects, read by the drill (not the parser under test)."""
    found: Counter[str] = Counter()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            document = json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            found.update(r["kinesis"]["data"] for r in json.loads(document["payload"])["Records"])
    return found


def indexed(double, expected: dict[str, str]) -> set[str]:
    """The sent payloads (base64) whose expected document is in the double's index."""
    held = {json.dumps(source, sort_keys=True) for source in double.documents["retail"].values()}
    return {data for data, source in expected.items() if source in held}


def dead_lettered(letters: list[dict[str, Any]], sent: set[str]) -> Counter[str]:
    bodies = [json.loads(message["Body"]) for message in letters]
    return Counter(body["data"] for body in bodies if body.get("data") in sent)


# --- the drill ---------------------------------------------------------------------------------------------------


def test_search_outage_beyond_the_retry_window_then_replay_loses_nothing(
    wired, double, drill_stack, failure_store, queue, record_drill
):
    # given: the deployed mapping's settings; three batches of one shard: A and B put at t=0, C four hours later
    s3, sqs = drill_stack.client("s3"), drill_stack.client("sqs")
    bucket, prefix = failure_store
    uuid_ = drill_stack.outputs["ingest_event_source_mapping_uuid"]
    mapping = MappingSettings.deployed(drill_stack.client("lambda"), uuid_)
    tag = uuid.uuid4().hex[:6]
    records = contract_records(3 * mapping.batch_size - 12, f"outage-{tag}")
    poison = [data for data, _ in POISON[:4]]
    payloads = [(json.dumps(r) + "\n").encode() for r in records]
    size = mapping.batch_size
    plan = [payloads[: size - 2] + poison[:2], payloads[size - 2 : 2 * size - 4], payloads[2 * size - 4 :] + poison[2:]]
    arrivals = (0.0, 0.0, 4 * 3600.0)
    stream = drill_stack.outputs["kinesis_stream_arn"]
    batches, first = [], 0
    for chunk, arrived in zip(plan, arrivals, strict=True):
        batches.append(batch(chunk, first, arrived, stream))
        first += len(chunk)
    sent = {base64.b64encode(data).decode() for data in [*payloads, *poison]}
    assert len(sent) == len(payloads) + len(poison), "got payloads that are not distinct"
    expected = {base64.b64encode(p).decode(): expected_source(r) for p, r in zip(payloads, records, strict=True)}

    # when: the search engine refuses every bulk request until half an hour past the maximum record age
    clock = Clock()
    outage_ends = mapping.maximum_record_age_s + OUTAGE_BEYOND_AGE_S
    double.request_fault = lambda request: (
        (503, "injected: search outage") if request.path.endswith("/_bulk") and clock.now < outage_ends else None
    )
    kept: dict[str, dict[str, Any]] = {}

    def keep(key: str, document: dict[str, Any]) -> None:
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(document).encode())
        kept[key] = document

    shard = Mapping(mapping, lambda event: handler.lambda_handler(event, FakeContext()), keep, clock)
    outcomes = [shard.deliver(records_of_batch) for records_of_batch in batches]

    # then, before the replay: what was not indexed or dead-lettered is in the failure store, whole
    letters = drain_queue(sqs, queue)
    before_indexed, before_kept = indexed(double, expected), kept_records(s3, bucket, prefix)
    before_letters = dead_lettered(letters, sent)
    conditions = [o.given_up["requestContext"]["condition"] if o.given_up else "indexed" for o in outcomes]
    assert conditions == ["RecordAgeExceeded", "RecordAgeExceeded", "indexed"], f"got {conditions}"
    unaccounted = sent - before_indexed - set(before_letters) - set(before_kept)
    assert not unaccounted, f"got {len(unaccounted)} records neither indexed, dead-lettered nor kept before the replay"
    for message in letters:  # the function's letters go back to the queue, for the replay to meet them
        sqs.send_message(QueueUrl=queue, MessageBody=message["Body"])

    # when: a dry run, then the replay while the engine still refuses one request, then the replay again
    requests_before = len(double.bulk_requests())
    dry = replay_cli(drill_stack, double, bucket, prefix, queue, "--dry-run")
    after_dry = (kept_records(s3, bucket, prefix), len(double.bulk_requests()) - requests_before)
    bulk_requests = iter(range(1, 1_000_000))  # the replay's client tries a request 3 times (2 retries on 503)
    double.request_fault = lambda request: (
        (503, "injected: one more blip") if request.path.endswith("/_bulk") and next(bulk_requests) <= 3 else None
    )
    first_run = replay_cli(drill_stack, double, bucket, prefix, queue)
    between = kept_records(s3, bucket, prefix)
    double.request_fault = None
    second_run = replay_cli(drill_stack, double, bucket, prefix, queue)

    # then
    letters = drain_queue(sqs, queue)
    arrived, reported = indexed(double, expected), dead_lettered(letters, sent)
    left = kept_records(s3, bucket, prefix)
    record_drill(
        DrillResult(
            drill="search outage past the mapping's retry window, then make replay (in-process mapping)",
            unit="records",
            sent=len(sent),
            arrived=len(arrived),
            reported=len(set(reported)),
            duplicates=sum(reported.values()) - len(reported),
            note=(
                f"engine down {outage_ends / 3600:.1f} h, max record age {mapping.maximum_record_age_s / 3600:.0f} h "
                f"(retry every {RETRY_EVERY_S} s simulated); before the replay {len(before_indexed)} indexed, "
                f"{len(before_letters)} dead-lettered, {sum(before_kept.values())} kept in {len(kept)} S3 objects "
                f"(AWS's documented shape, written by the drill: MiniStack's mapping never fires its destination); "
                f"replay exits {first_run.returncode} ({sum(between.values())} records kept for a refused request) "
                f"then {second_run.returncode}; {len(left)} records left in S3"
            ),
        )
    )
    assert dry.returncode == 0, f"got dry run exit {dry.returncode}\n{dry.stderr[-2000:]}"
    assert after_dry == (before_kept, 0), f"got {after_dry[1]} bulk requests or a changed failure store from a dry run"
    assert first_run.returncode == 3, f"got exit {first_run.returncode}, expected 3 (still failing)\n{first_run.stdout}"
    assert 0 < sum(between.values()) < sum(before_kept.values()), (
        f"got {sum(between.values())} records kept after the first replay, expected the refused object's, whole"
    )
    assert second_run.returncode == 0, f"got exit {second_run.returncode}\n{second_run.stdout}{second_run.stderr}"
    assert not left, f"got {sum(left.values())} records still in the failure store after the replay"
    assert arrived == set(expected), f"got {len(arrived)} of {len(expected)} valid records indexed after the replay"
