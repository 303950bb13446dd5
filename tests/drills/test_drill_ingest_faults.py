"""Drills: the ingest function under OpenSearch back-pressure, poison records and a dead-letter queue outage.

OpenSearch cannot run here, so its bulk API is the test double (tests/doubles/opensearch_bulk.py), told to answer
429 for a share of the documents, 400 mapping errors for some, and 503 for a whole request. The dead-letter queue
is the stack's real SQS queue on the drills' emulator. Every record sent must end indexed (the exact document,
under its id), dead-lettered (with its data), or reported as still failing after the mapping's retries.

MiniStack's Kinesis event source mapping moves past a batch whatever `batchItemFailures` says, so the drills
that need Kinesis' retry run the handler in-process and replay that retry the way Kinesis does (redeliver from the
lowest failed sequence number, up to the deployed mapping's MaximumRetryAttempts); the last drill goes through
the deployed stream, mapping and function, without 429s.
"""

from __future__ import annotations

import base64
import io
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from ingest_opensearch import bulk, handler
from ingest_opensearch.config import settings
from ingest_opensearch.records import InvalidRecord, to_document
from producer.app import RunConfig, run
from producer.pipeline import Options
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble, combine
from tests.drills.conftest import DrillResult, data_root
from tests.drills.faults import Outage, json_error
from tests.drills.kinesis_mapping import RETRY_EVERY_S
from tests.lambda_support import POISON, STREAM_ARN, FakeContext, drain_queue, kinesis_event
from tests.record_contract import DATE_FIELDS, REQUIRED_FIELDS

pytestmark = [pytest.mark.drill, pytest.mark.integration]

REQUIRED = REQUIRED_FIELDS  # the stack's environment, from the data contract
DATES = DATE_FIELDS
UNMAPPABLE = "UNMAPPABLE"  # a StockCode the double refuses with a 400 mapping error, as a conflicting mapping would
MAPPING_ERROR = {"type": "mapper_parsing_exception", "reason": "failed to parse field [StockCode] of type [long]"}
THROTTLED = {"type": "es_rejected_execution_exception", "reason": "rejected execution (write queue full)"}
POISON_REASONS = dict(POISON)  # payload -> the reason the function gives it


# --- records --------------------------------------------------------------------------------------------------


def sample_records(count: int, tag: str) -> list[dict[str, Any]]:
    """`count` distinct records of the shipped sample as the producer encodes them, the Invoice tagged with the
    drill's name so their document ids are the drill's own (identical rows share one document by design)."""
    stdout = io.BytesIO()
    sample = data_root() / "online_retail_sample.csv"
    run(RunConfig(input_file=sample, options=Options(max_count=count * 2), dry_run=True), stdout=stdout,
        stderr=io.StringIO())  # fmt: skip
    distinct = list(dict.fromkeys(line for line in stdout.getvalue().decode().splitlines() if line.strip()))
    assert len(distinct) >= count, f"got {len(distinct)} distinct sample records, expected {count}"
    records = [json.loads(line) for line in distinct[:count]]
    return [record | {"Invoice": f"{record['Invoice']}.{tag}"} for record in records]


def encode(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


def mixed(valid: list[bytes], bad: list[bytes]) -> list[bytes]:
    """The bad payloads spread evenly through the valid ones."""
    payloads = list(valid)
    step = max(len(valid) // (len(bad) + 1), 1)
    for i, data in enumerate(bad):
        payloads.insert((i + 1) * step + i, data)
    return payloads


def expected_document(data: bytes) -> tuple[str, dict[str, Any]] | None:
    """(id, source) the function must index for this payload, or None when the contract rejects it."""
    try:
        document = to_document(data, REQUIRED, DATES)
    except InvalidRecord:
        return None
    return document.doc_id, json.loads(json.dumps(document.source))


# --- counting -------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What became of the records of one drill, by sequence number."""

    sent: dict[str, bytes]  # sequence number -> data
    indexed: set[str] = field(default_factory=set)
    dead_lettered: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, str] = field(default_factory=dict)
    still_failing: set[str] = field(default_factory=set)
    handed_over: set[str] = field(default_factory=set)  # the batch the mapping gave up on: its on-failure record

    def count(self, documents: dict[str, dict[str, Any]], letters: list[dict[str, Any]], arn: str) -> None:
        for sequence, data in self.sent.items():
            expected = expected_document(data)
            if expected and documents.get(expected[0]) == expected[1]:
                self.indexed.add(sequence)
        encoded = {sequence: base64.b64encode(data).decode() for sequence, data in self.sent.items()}
        for message in letters:
            body = json.loads(message["Body"])
            sequence = body.get("sequenceNumber")
            if body.get("eventSourceARN") == arn and sequence in encoded and body.get("data") == encoded[sequence]:
                self.dead_lettered[sequence] += 1
                self.reasons[sequence] = body["reason"]

    @property
    def reported(self) -> int:
        return len(set(self.dead_lettered) | ((self.still_failing | self.handed_over) - self.indexed))

    @property
    def duplicate_letters(self) -> int:
        return sum(self.dead_lettered.values()) - len(self.dead_lettered)

    def result(self, drill: str, note: str) -> DrillResult:
        both = self.indexed & set(self.dead_lettered)
        assert not both, f"got {len(both)} records both indexed and dead-lettered"
        return DrillResult(
            drill=drill,
            unit="records",
            sent=len(self.sent),
            arrived=len(self.indexed),
            reported=self.reported,
            duplicates=self.duplicate_letters,
            note=note,
        )


# --- the function in-process, Kinesis' retry replayed ---------------------------------------------------------


@pytest.fixture
def double():
    with OpenSearchBulkDouble(credentials={"test": ("test", None)}) as server:
        yield server


@pytest.fixture
def dead_letter_queue(drill_stack):
    """The stack's ingest dead-letter queue, emptied of what earlier drills left."""
    url = drill_stack.outputs["ingest_dead_letter_queue_url"]
    drain_queue(drill_stack.client("sqs"), url, idle_polls=1)
    return url


@pytest.fixture
def wired(monkeypatch, drill_stack, double, dead_letter_queue):
    """The handler's environment as the stack sets it, with the double as OpenSearch and the stack's queue."""
    env = {
        "AWS_ENDPOINT_URL": drill_stack.target.endpoint_url,  # the dead-letter queue on the drills' emulator
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": drill_stack.target.region,
        "AWS_DEFAULT_REGION": drill_stack.target.region,
        "AWS_MAX_ATTEMPTS": "2",  # boto3's own retries of SQS calls: kept short, the drill's outage outlasts them
        "OPENSEARCH_ENDPOINT": double.url,
        "DEAD_LETTER_QUEUE_URL": dead_letter_queue,
        "REQUIRED_FIELDS": ",".join(REQUIRED),
        "DATE_FIELDS": ",".join(DATES),
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


@pytest.fixture
def retry_attempts(drill_stack) -> int:
    """How many redeliveries the replay allows: the deployed mapping's MaximumRetryAttempts, or for -1 (retry until
    the record is MaximumRecordAgeInSeconds old) one redelivery per RETRY_EVERY_S of that age."""
    mapping = drill_stack.client("lambda").get_event_source_mapping(
        UUID=drill_stack.outputs["ingest_event_source_mapping_uuid"]
    )
    return redeliveries(int(mapping["MaximumRetryAttempts"]), int(mapping["MaximumRecordAgeInSeconds"]))


def redeliveries(maximum_retry_attempts: int, maximum_record_age_s: int) -> int:
    return maximum_retry_attempts if maximum_retry_attempts >= 0 else maximum_record_age_s // RETRY_EVERY_S


@dataclass
class Replay:
    invocations: int = 0
    first_failures: int = 0
    still_failing: set[str] = field(default_factory=set)
    handed_over: set[str] = field(default_factory=set)


def replay_kinesis(event: dict[str, Any], retries: int) -> Replay:
    """Invoke the handler, then redeliver as Kinesis does: from the lowest failed sequence number on, records
    after it included, until nothing fails or `retries` redeliveries are spent (the mapping then gives up on
    the batch, from the lowest failure on, and hands it to its on-failure destination: `handed_over`)."""
    replay, current = Replay(), event
    while True:
        response = handler.lambda_handler(current, FakeContext())
        replay.invocations += 1
        failed = [int(f["itemIdentifier"]) for f in response["batchItemFailures"]]
        if replay.invocations == 1:
            replay.first_failures = len(failed)
        if failed:
            lowest = min(failed)
            current = {"Records": [r for r in current["Records"] if int(r["kinesis"]["sequenceNumber"]) >= lowest]}
        if not failed or replay.invocations > retries:
            replay.still_failing = {str(s) for s in failed}
            replay.handed_over = {r["kinesis"]["sequenceNumber"] for r in current["Records"]} if failed else set()
            return replay


def share(doc_id: str) -> int:
    """A stable 0-99 bucket per document, to pick which documents a fault hits."""
    return int(doc_id[:8], 16) % 100


def test_ingest_under_429s_and_poison_records_loses_no_record(
    wired, double, drill_stack, dead_letter_queue, retry_attempts, record_drill
):
    # given: 1000 records (the mapping's batch size): sample records, 10 the index refuses (400), 21 poison
    valid = [encode(r) for r in sample_records(969, "ingest")]
    unmappable = [encode(r | {"StockCode": UNMAPPABLE}) for r in sample_records(10, "unmappable")]
    payloads = mixed(valid, unmappable + [data for data, _ in POISON] * 3)
    hot = {expected_document(data)[0] for data in valid[-40:-38]}  # two documents that never stop being throttled

    def faults(doc_id: str, source: dict[str, Any], attempt: int) -> tuple[int, dict[str, Any] | None]:
        if source["StockCode"] == UNMAPPABLE:
            return 400, MAPPING_ERROR
        if doc_id in hot or (share(doc_id) < 30 and attempt == 1) or (share(doc_id) < 5 and attempt == 2):
            return 429, THROTTLED
        return 201, None

    double.policy = combine(faults)
    bulk_requests = iter(range(1, 10_000))
    double.request_fault = lambda request: (
        (503, "injected: the cluster is unavailable") if request.path.endswith("/_bulk") and next(bulk_requests) == 2
        else None
    )  # fmt: skip
    event = kinesis_event(payloads)
    tally = Tally({r["kinesis"]["sequenceNumber"]: base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]})

    # when
    replay = replay_kinesis(event, retry_attempts)

    # then
    tally.still_failing, tally.handed_over = replay.still_failing, replay.handed_over
    letters = drain_queue(drill_stack.client("sqs"), dead_letter_queue)
    tally.count(double.documents["retail"], letters, STREAM_ARN)
    rewrites = sum(double.attempts.values()) - len(double.documents["retail"])
    waiting = tally.handed_over - tally.indexed - set(tally.dead_lettered)
    record_drill(
        tally.result(
            "ingest: 429s on 30% of documents, a 503, 400s and poison (in-process)",
            f"Kinesis' retry replayed in-process: {replay.invocations} invocations; {len(replay.still_failing)} "
            f"records still throttled after {retry_attempts} retries: the mapping hands the batch from the first of "
            f"them on ({len(waiting)} records not indexed or dead-lettered) to its failure store; duplicates: "
            f"letters re-sent on redelivery; {rewrites} documents re-indexed under the same id",
        )
    )
    assert replay.still_failing == {s for s, d in tally.sent.items() if d in set(valid[-40:-38])}, (
        f"got {len(replay.still_failing)} records still failing, expected the two always-throttled ones"
    )
    # every bad record has its reason: in its dead letter, or (after the last throttled record) still in the batch
    # the mapping keeps whole, for `make replay` to dead-letter
    kept = [POISON_REASONS.get(tally.sent[s], "mapper_parsing_exception") for s in waiting
            if tally.sent[s] not in set(valid)]  # fmt: skip
    reasons = Counter(tally.reasons.values()) + Counter(kept)
    expected = Counter({"mapper_parsing_exception": 10} | {code: 3 for _, code in POISON})
    assert reasons == expected, f"got dead-letter reasons {dict(reasons)}, expected {dict(expected)}"


def test_ingest_with_the_dead_letter_queue_down_retries_poison_until_it_lands(
    wired, double, drill_stack, dead_letter_queue, retry_attempts, record_drill
):
    # given: 80 sample records and 21 poison ones; SQS refuses every SendMessageBatch of the first invocation
    payloads = mixed([encode(r) for r in sample_records(80, "dlq-outage")], [data for data, _ in POISON] * 3)
    outage = Outage(
        handler.sqs_client(), "before-send.sqs.SendMessageBatch",
        lambda url: json_error(url, 503, "ServiceUnavailable", "application/x-amz-json-1.0"),
    )  # fmt: skip
    outage.on = True
    event = kinesis_event(payloads)
    tally = Tally({r["kinesis"]["sequenceNumber"]: base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]})

    # when: the first invocation meets the outage, the redeliveries do not
    first = handler.lambda_handler(event, FakeContext())
    outage.on = False
    failed = [int(f["itemIdentifier"]) for f in first["batchItemFailures"]]
    lowest = min(failed, default=0)
    redelivered = {"Records": [r for r in event["Records"] if int(r["kinesis"]["sequenceNumber"]) >= lowest]}
    replay = replay_kinesis(redelivered, retry_attempts - 1) if failed else Replay()

    # then
    tally.still_failing = replay.still_failing
    tally.count(double.documents["retail"], drain_queue(drill_stack.client("sqs"), dead_letter_queue), STREAM_ARN)
    record_drill(
        tally.result(
            "ingest: dead-letter queue down (SQS 503) (in-process)",
            f"{outage.failed_calls} SendMessageBatch calls refused; the {len(failed)} poison records became "
            f"batch item failures, dead-lettered on the redelivery (replayed in-process)",
        )
    )
    assert len(failed) == 21, f"got {len(failed)} batch item failures, expected the 21 poison records"
    assert outage.failed_calls > 0, "the outage refused nothing: the drill proved nothing"


# --- through the deployed stream, mapping and function --------------------------------------------------------


def test_deployed_ingest_indexes_or_dead_letters_every_record(drill_stack, record_drill):
    # given: the double refuses the unmappable documents; no 429s (the emulator's mapping would not retry them)
    outputs, double = drill_stack.outputs, drill_stack.double
    sqs, queue = drill_stack.client("sqs"), outputs["ingest_dead_letter_queue_url"]
    drain_queue(sqs, queue, idle_polls=1)
    double.policy = lambda doc_id, source, attempt: (
        (400, MAPPING_ERROR) if source.get("StockCode") == UNMAPPABLE else (201, None)
    )
    valid = [encode(r) for r in sample_records(300, "deployed")]
    unmappable = [encode(r | {"StockCode": UNMAPPABLE}) for r in sample_records(10, "deployed-unmappable")]
    payloads = mixed(valid, unmappable + [data for data, _ in POISON] * 2)

    # when: put into the stack's stream (the mapping invokes the deployed function)
    kinesis = drill_stack.client("kinesis")
    sent: dict[str, bytes] = {}
    for start in range(0, len(payloads), 100):
        chunk = payloads[start : start + 100]
        response = kinesis.put_records(
            StreamName=outputs["kinesis_stream_name"],
            Records=[{"Data": data, "PartitionKey": f"drill-{start + i}"} for i, data in enumerate(chunk)],
        )
        assert response["FailedRecordCount"] == 0, f"got {response['FailedRecordCount']} records refused by Kinesis"
        sent |= {r["SequenceNumber"]: data for r, data in zip(response["Records"], chunk, strict=True)}

    # then: wait until every record is indexed or dead-lettered (or the time is up: the table shows what is not)
    tally, letters = Tally(sent), []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        letters += drain_queue(sqs, queue, idle_polls=1)
        tally = Tally(sent)
        tally.count(dict(double.documents["retail"]), letters, outputs["kinesis_stream_arn"])
        if len(tally.indexed) + len(tally.dead_lettered) >= len(sent):
            break
        time.sleep(1)
    record_drill(
        tally.result(
            "ingest: 400s and poison through the deployed mapping and function",
            f"{len(valid)} valid, 10 refused by the index (400), {2 * len(POISON)} poison; no 429s: MiniStack's "
            "mapping skips what batchItemFailures asks to retry",
        )
    )
    reasons = Counter(tally.reasons.values())
    expected = Counter({"mapper_parsing_exception": 10} | {code: 2 for _, code in POISON})
    assert reasons == expected, f"got dead-letter reasons {dict(reasons)}, expected {dict(expected)}"
