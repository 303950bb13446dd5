"""The replay's parsing (the failure store's objects in the shape Lambda writes them) and its accounting (what is
indexed, left, deleted and counted), in-process: S3 and SQS are small in-memory stand-ins, OpenSearch is the bulk
API test double over HTTP. (Against the emulator and the deployed stack: tests/drills/test_drill_search_outage.py.)
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ingest_opensearch import bulk, failure_store, replay
from ingest_opensearch.config import parse_endpoint
from ingest_opensearch.records import document_id
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.lambda_support import EVENTS_DIR, POISON, encode, kinesis_event, sample_record

pytestmark = pytest.mark.unit

FIXTURE = EVENTS_DIR / "kinesis_failed_batch_s3.json"
BUCKET = "retail-us-east-1-000000000000"
PREFIX = "aws/lambda/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/"
QUEUE = "http://127.0.0.1:4566/000000000000/retail-ingest-opensearch-dlq"


# --- in-memory S3 and SQS: only the calls the replay makes ------------------------------------------------------


@dataclass
class MemoryS3:
    objects: dict[str, bytes] = field(default_factory=dict)
    fail_delete: bool = False

    def head_bucket(self, Bucket: str) -> dict:
        return {}

    def get_paginator(self, name: str) -> Any:
        s3 = self

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict]:
                keys = sorted(k for k in s3.objects if k.startswith(Prefix))
                return [{"Contents": [{"Key": k} for k in keys[i : i + 2]]} for i in range(0, len(keys), 2)] or [{}]

        return Paginator()

    def get_object(self, Bucket: str, Key: str) -> dict:
        return {"Body": io.BytesIO(self.objects[Key])}

    def delete_object(self, Bucket: str, Key: str) -> dict:
        if self.fail_delete:
            raise KeyboardInterrupt  # the run is stopped between indexing and deleting
        del self.objects[Key]
        return {}


@dataclass
class MemorySQS:
    """A queue with visibility: a received message is hidden until its timeout is set back to 0."""

    messages: dict[str, str] = field(default_factory=dict)  # id -> body
    hidden: set[str] = field(default_factory=set)
    sent: int = 0

    def add(self, body: dict | str) -> None:
        message_id = f"m{len(self.messages) + self.sent}"
        self.messages[message_id] = body if isinstance(body, str) else json.dumps(body)

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int, **_: Any) -> dict:
        visible = [i for i in self.messages if i not in self.hidden][:MaxNumberOfMessages]
        self.hidden.update(visible)
        return {"Messages": [{"MessageId": i, "ReceiptHandle": f"r-{i}", "Body": self.messages[i]} for i in visible]}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        for entry in Entries:
            self.messages.pop(entry["Id"], None)
            self.hidden.discard(entry["Id"])
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def change_message_visibility_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        self.hidden -= {e["Id"] for e in Entries}
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def send_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        for entry in Entries:
            self.sent += 1
            self.add(entry["MessageBody"])
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def bodies(self) -> list[dict]:
        return [json.loads(body) for body in self.messages.values()]


# --- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def double():
    with OpenSearchBulkDouble() as server:
        yield server


@pytest.fixture
def opensearch(double):
    credentials = type("Credentials", (), {"access_key": "test", "secret_key": "test", "token": None})()
    return bulk.build_client(parse_endpoint(double.url), "us-east-1", 5.0, credentials=credentials)


def plan(dry_run: bool = False, bucket: str | None = BUCKET, queue: str | None = QUEUE) -> replay.Plan:
    endpoint = None if dry_run else parse_endpoint("http://127.0.0.1:9200")
    return replay.Plan(bucket, PREFIX, queue, endpoint, "retail", "us-east-1", None, dry_run)


def run(s3, sqs, opensearch, dry_run=False) -> tuple[replay.Counts, list[str], list[str]]:
    out, said = [], []
    clients = replay.Clients(s3, sqs, None if dry_run else opensearch)
    counts = replay.run(plan(dry_run), clients, out.append, said.append)
    return counts, out, said


def failed_batch(payloads: list[bytes], first_sequence: int = 0) -> bytes:
    """An on-failure object as Lambda writes it: the fixture's document around another event."""
    document = json.loads(FIXTURE.read_text())
    document["payload"] = json.dumps(kinesis_event(payloads, first_sequence))
    return json.dumps(document).encode()


def letter(data: bytes, reason: str = "mapper_parsing_exception") -> dict:
    return {"source": "ingest-opensearch", "stage": "indexing", "reason": reason, "sequenceNumber": "7",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans",
            "data": base64.b64encode(data).decode()}  # fmt: skip


def valid(count: int, tag: str) -> list[bytes]:
    return [encode(sample_record(i, tag)) for i in range(count)]


# --- parsing ------------------------------------------------------------------------------------------------------


def test_parse_reads_the_documented_s3_invocation_record():
    batch = failure_store.parse(FIXTURE.read_bytes(), "aws/lambda/x/shardId-000000000000/2025/11/28/a")
    got = (batch.condition, batch.shard_id, batch.stream_arn, len(batch.records), batch.records[0]["kinesis"]["data"])
    document = json.loads(FIXTURE.read_text())
    first = json.loads(document["payload"])["Records"][0]["kinesis"]["data"]
    expected = ("RetryAttemptsExhausted", "shardId-000000000000",
                "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans", 4, first)  # fmt: skip
    assert got == expected, f"got {got}, expected {expected}"
    sequences = [r["kinesis"]["sequenceNumber"] for r in batch.records]
    assert (sequences[0], sequences[-1]) == (batch.start_sequence, batch.end_sequence), f"got {sequences}"


def test_parse_takes_a_payload_already_decoded():
    document = json.loads(FIXTURE.read_text())
    document["payload"] = json.loads(document["payload"])
    batch = failure_store.parse(json.dumps(document), "k")
    assert len(batch.records) == 4, f"got {len(batch.records)} records, expected 4"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("payload"), "without payload (an SQS or SNS destination's, coordinates only)"),
        (lambda d: d.pop("KinesisBatchInfo"), "no KinesisBatchInfo"),
        (lambda d: d.update(payload='{"Records": "none"}'), "payload has no Records list"),
        (lambda d: d.update(payload="{not json"), "payload is not the invocation's event as JSON"),
        (lambda d: d.update(payload='{"Records": [{"kinesis": {}}]}'), "record 0 of the payload has no kinesis.data"),
    ],
    ids=["metadata-only", "not-kinesis", "no-records", "payload-not-json", "record-without-data"],
)
def test_parse_refuses_what_is_not_a_failed_batch_naming_the_key(change, message):
    document = json.loads(FIXTURE.read_text())
    change(document)
    with pytest.raises(failure_store.NotAFailedBatch, match=r"^aws/lambda/k: .*" + _escape(message)):
        failure_store.parse(json.dumps(document), "aws/lambda/k")


def test_parse_refuses_an_object_that_is_not_json():
    with pytest.raises(failure_store.NotAFailedBatch, match="not JSON"):
        failure_store.parse(b"\x00\x01 parquet?", "aws/lambda/k")


def _escape(text: str) -> str:
    import re

    return re.escape(text)


# --- accounting: the failure store ---------------------------------------------------------------------------------


def test_failure_store_object_is_indexed_poison_dead_lettered_then_deleted(double, opensearch):
    # given: the documented sample, three contract records and one that is not JSON
    s3, sqs = MemoryS3({f"{PREFIX}shardId-000000000000/2025/11/28/a": FIXTURE.read_bytes()}), MemorySQS()
    # when
    counts, out, _ = run(s3, sqs, opensearch)
    # then
    got = (counts.found, counts.replayed, counts.still_failing, counts.poison, counts.removed)
    assert got == (4, 3, 0, 1, 1), f"got (found, replayed, failing, poison, deleted) {got}"
    assert len(double.documents["retail"]) == 3, f"got {len(double.documents['retail'])} documents, expected 3"
    assert [(b["stage"], b["reason"]) for b in sqs.bodies()] == [("validation", "not_json")], f"got {sqs.bodies()}"
    assert s3.objects == {}, f"got objects left {list(s3.objects)}"
    assert out[-1] == "replay: found 4, replayed 3, still failing 0, skipped as poison 1", f"got {out[-1]!r}"


def test_failure_store_object_with_a_record_still_failing_is_kept_whole(double, opensearch):
    # given: two objects; OpenSearch keeps refusing one document of the second (503)
    stuck = sample_record(1, "stuck")
    double.policy = lambda doc_id, source, attempt: (
        (503, {"type": "unavailable", "reason": "x"}) if doc_id == document_id(stuck) else (201, None)
    )
    first, second = f"{PREFIX}s/2025/11/28/a", f"{PREFIX}s/2025/11/28/b"
    s3 = MemoryS3({first: failed_batch(valid(3, "ok")), second: failed_batch([encode(stuck), b"[1]\n"], 10)})
    sqs = MemorySQS()
    # when
    counts, _, said = run(s3, sqs, opensearch)
    # then: the first is gone, the second stays whole, and its poison record waits with it (no letter yet)
    got = (counts.found, counts.replayed, counts.still_failing, counts.poison, sorted(s3.objects))
    assert got == (5, 3, 1, 1, [second]), f"got (found, replayed, failing, poison, left) {got}"
    assert sqs.bodies() == [], f"got letters {sqs.bodies()}, expected none while the object is kept"
    assert any(line.startswith(f"kept s3://{BUCKET}/{second}") for line in said), f"got {said}"


def test_failure_store_poison_is_kept_when_there_is_no_queue_to_send_it_to(double, opensearch):
    s3 = MemoryS3({f"{PREFIX}s/a": failed_batch([*valid(1, "nq"), b"not json\n"])})
    counts = replay.run(plan(queue=None), replay.Clients(s3, None, opensearch), print, print)
    assert (counts.still_failing, len(s3.objects)) == (1, 1), f"got {counts}, objects {list(s3.objects)}"


def test_failure_store_replay_interrupted_before_the_delete_is_safe_to_run_again(double, opensearch):
    # given: the run stops after indexing, before deleting the object
    key = f"{PREFIX}s/2025/11/28/a"
    s3, sqs = MemoryS3({key: failed_batch(valid(5, "int"))}, fail_delete=True), MemorySQS()
    with pytest.raises(KeyboardInterrupt):
        run(s3, sqs, opensearch)
    indexed_once = dict(double.documents["retail"])
    # when: run again
    s3.fail_delete = False
    counts, _, _ = run(s3, sqs, opensearch)
    # then: the same five documents (overwritten, not duplicated), and the object is gone
    assert len(indexed_once) == 5, f"got {len(indexed_once)} documents after the interrupted run, expected 5"
    assert double.documents["retail"] == indexed_once, "got other documents after the re-run"
    assert (counts.replayed, s3.objects) == (5, {}), f"got {counts}, objects {list(s3.objects)}"


def test_failure_store_object_that_is_not_a_failed_batch_is_left_and_counted(opensearch):
    s3 = MemoryS3({f"{PREFIX}s/notes.txt": b"hello"})
    counts, out, _ = run(s3, MemorySQS(), opensearch)
    assert (counts.not_records, counts.found, list(s3.objects)) == (1, 0, [f"{PREFIX}s/notes.txt"]), f"got {counts}"
    assert "1 objects hold no record (left as they are)" in out[-2], f"got {out[-2]!r}"


# --- accounting: the dead-letter queue -------------------------------------------------------------------------------


def test_dead_letters_indexed_are_acknowledged_and_poison_stays_visible(double, opensearch):
    # given: a letter whose document now indexes (the mapping was fixed), a poison one, a foreign message
    sqs = MemorySQS()
    sqs.add(letter(encode(sample_record(3, "fixed"))))
    sqs.add(letter(b"not json\n", "not_json"))
    sqs.add({"requestContext": {}, "KinesisBatchInfo": {"shardId": "shardId-0"}})  # an old coordinates-only record
    # when
    counts = replay.run(plan(bucket=None), replay.Clients(None, sqs, opensearch), print, print)
    # then
    got = (counts.items, counts.found, counts.replayed, counts.poison, counts.removed, counts.not_records)
    assert got == (3, 2, 1, 1, 1, 1), f"got (messages, found, replayed, poison, acknowledged, not records) {got}"
    assert len(sqs.messages) == 2, f"got {len(sqs.messages)} messages left, expected the poison and foreign ones"
    assert not sqs.hidden, f"got {sqs.hidden} hidden, expected every message left visible again"
    assert len(double.documents["retail"]) == 1, f"got {len(double.documents['retail'])} documents"


def test_dead_letter_with_truncated_data_is_poison(opensearch):
    sqs = MemorySQS()
    sqs.add(letter(b"{") | {"dataTruncated": True})
    counts = replay.run(plan(bucket=None), replay.Clients(None, sqs, opensearch), print, print)
    assert (counts.poison, len(sqs.messages)) == (1, 1), f"got {counts}"


def test_queue_is_read_before_the_store_so_new_letters_are_not_read_twice(double, opensearch):
    # given: poison in a failed batch, which the replay dead-letters
    s3, sqs = MemoryS3({f"{PREFIX}s/a": failed_batch([*valid(2, "order"), *(d for d, _ in POISON)])}), MemorySQS()
    # when
    counts, _, _ = run(s3, sqs, opensearch)
    # then: each record counted once
    got = (counts.found, counts.replayed, counts.poison, len(sqs.messages))
    expected = (2 + len(POISON), 2, len(POISON), len(POISON))
    assert got == expected, f"got (found, replayed, poison, letters) {got}, expected {expected}"


# --- dry run ---------------------------------------------------------------------------------------------------------


def test_dry_run_lists_and_changes_nothing(double, opensearch):
    # given
    key = f"{PREFIX}s/2025/11/28/a"
    s3, sqs = MemoryS3({key: FIXTURE.read_bytes()}), MemorySQS()
    sqs.add(letter(encode(sample_record(4, "dry"))))
    # when
    counts, out, said = run(s3, sqs, opensearch, dry_run=True)
    # then
    assert (counts.found, counts.replayed, counts.poison) == (5, 4, 1), f"got {counts}"
    assert double.bulk_requests() == [], "got bulk requests in a dry run"
    assert (list(s3.objects), len(sqs.messages), sqs.hidden) == ([key], 1, set()), "got changes in a dry run"
    assert any("would re-index 3, dead-letter 1 and then delete" in line for line in said), f"got {said}"
    assert out[-1].endswith("dry run: nothing was indexed, sent or deleted"), f"got {out[-1]!r}"


# --- arguments -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "nothing to replay from: give --bucket"),
        (["--bucket", " "], "--bucket is empty"),
        (["--bucket", "b"], "--opensearch-endpoint is required to index (or pass --dry-run"),
        (["--bucket", "b", "--opensearch-endpoint", "ftp://x"], "must be an https URL or a bare host name"),
        (["--bucket", "b", "--dry-run", "--prefix", "00-retail-trans/"], "is not under aws/lambda/"),
        (["--bucket", "b", "--dry-run", "--index", "Retail"], "is not an index name"),
        (["--bucket", "b", "--dry-run", "--endpoint-url", "localhost:4566"], "is not an http(s) URL"),
    ],
    ids=["no-source", "empty-bucket", "no-endpoint", "endpoint-scheme", "prefix", "index", "aws-endpoint"],
)
def test_check_args_refuses_with_one_message(argv, message):
    args = replay.build_parser().parse_args(argv)
    with pytest.raises(replay.UsageError, match=_escape(message)):
        replay.check_args(args, {"AWS_REGION": "us-east-1"})


def test_check_args_needs_a_region():
    args = replay.build_parser().parse_args(["--bucket", "b", "--dry-run"])
    with pytest.raises(replay.UsageError, match="no AWS region"):
        replay.check_args(args, {})


def test_connect_names_a_missing_bucket():
    error = ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadBucket")

    def missing() -> None:
        raise error

    with pytest.raises(replay.ReplayError, match="the failure store's bucket 'nope' does not exist"):
        replay._check(missing, replay.NO_BUCKET, "the failure store's bucket 'nope' does not exist", "S3")
