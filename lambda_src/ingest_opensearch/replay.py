"""`make replay` / `python -m ingest_opensearch.replay`: re-drive every record the search branch did not index.

Two places hold such records (docs/failure-model.md):

- the dead-letter queue: records the function could never index (they break the data contract, or OpenSearch
  rejected the document), each message with the record and the reason;
- the failure store: the objects under `aws/lambda/<mapping UUID>/` in the lake bucket, each a batch the event
  source mapping gave up on (retries spent, or records older than the mapping's maximum age), whole
  (ingest_opensearch.failure_store parses them in the shape Lambda writes).

Every record goes through the function's own code: decode, validate against the data contract, bulk-index with
a SigV4-signed client. Document ids derive from the content, so indexing a record again overwrites its document:
a replay can be interrupted and run again, and replaying what is already indexed changes nothing.

An item is removed only after it succeeded: a message is deleted once its record is indexed; an object is deleted
once every record in it is indexed, or (poison) sent to the dead-letter queue. A poison message stays in the
queue for a person to look at; anything still failing stays where it is for the next run. The queue is read
first, so the letters the failure store's poison records add are not read again in the same run.

Exit codes: 0 nothing left failing, 1 error, 2 usage, 3 some records still failing (run again later),
130 interrupted. The counts go to stdout, diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NoReturn

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as SearchConnectionError
from opensearchpy.exceptions import TransportError

from ingest_opensearch import bulk, dead_letter, failure_store
from ingest_opensearch.config import (
    DEFAULT_BULK_MAX_ACTIONS,
    DEFAULT_BULK_MAX_BYTES,
    DEFAULT_DATE_FIELDS,
    DEFAULT_INDEX,
    DEFAULT_REQUIRED_FIELDS,
    ConfigError,
    Endpoint,
    parse_endpoint,
)
from ingest_opensearch.dead_letter import DeadLetter
from ingest_opensearch.records import InvalidRecord, to_document

PROG = "replay"
VISIBILITY_TIMEOUT_S = 300  # a received message stays hidden this long: the run settles it, then shows it again
EMPTY_RECEIVES = 2  # receives that return nothing before the queue counts as read
INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,254}$")
NO_BUCKET = ("NoSuchBucket", "404", "NotFound")
NO_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue")


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    STILL_FAILING = 3
    INTERRUPTED = 130


class ReplayError(Exception):
    """The replay cannot go on; the message says what failed and what to do."""


class UsageError(ReplayError):
    """Bad flags or settings."""


# --- what happens to each record -------------------------------------------------------------------------------


INDEXED, POISON, FAILING, VALID = "indexed", "poison", "still failing", "valid"  # VALID: a dry run's "would index"


@dataclass(frozen=True)
class Outcome:
    """What became of one record: indexed, poison (with the stage and reason) or still failing (with the reason)."""

    kind: str
    stage: str = ""
    reason: str = ""
    detail: str = ""
    status: int | None = None
    document_id: str | None = None


@dataclass
class Counts:
    """Records found, replayed (indexed now), still failing and skipped as poison, plus the items they came in."""

    found: int = 0
    replayed: int = 0
    still_failing: int = 0
    poison: int = 0
    items: int = 0  # objects or messages read
    removed: int = 0  # objects deleted or messages acknowledged
    not_records: int = 0  # items that hold no record (left as they are)

    def add(self, outcomes: Sequence[Outcome]) -> None:
        self.found += len(outcomes)
        for outcome in outcomes:
            if outcome.kind in (INDEXED, VALID):
                self.replayed += 1
            elif outcome.kind == POISON:
                self.poison += 1
            else:
                self.still_failing += 1

    def merge(self, other: Counts) -> None:
        for name in ("found", "replayed", "still_failing", "poison", "items", "removed", "not_records"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Indexer:
    """Validates records as the function does and, unless it is a dry run, bulk-indexes them."""

    opensearch: OpenSearch | None  # None: a dry run (nothing is sent)
    index: str
    required: tuple[str, ...] = DEFAULT_REQUIRED_FIELDS
    dates: tuple[str, ...] = DEFAULT_DATE_FIELDS

    def settle(self, payloads: Sequence[bytes | None]) -> list[Outcome]:
        """One outcome per payload, in order (None: a record whose data could not be decoded)."""
        outcomes: list[Outcome | None] = [None] * len(payloads)
        staged = []
        for position, data in enumerate(payloads):
            if data is None:
                outcomes[position] = Outcome(POISON, "validation", "not_base64", "the record's data is not base64")
                continue
            try:
                staged.append((position, to_document(data, self.required, self.dates)))
            except InvalidRecord as exc:
                outcomes[position] = Outcome(POISON, "validation", exc.code, exc.detail)
        if self.opensearch is None:
            for position, document in staged:
                outcomes[position] = Outcome(VALID, document_id=document.doc_id)
            return [o for o in outcomes if o is not None]
        documents = [document for _, document in staged]
        results = bulk.index_documents(self.opensearch, self.index, documents, DEFAULT_BULK_MAX_ACTIONS,
                                       DEFAULT_BULK_MAX_BYTES)  # fmt: skip
        for (position, document), result in zip(staged, results, strict=True):
            outcomes[position] = _outcome(result, document.doc_id)
        return [o for o in outcomes if o is not None]


def _outcome(result: bulk.ItemResult, document_id: str) -> Outcome:
    if result.outcome is bulk.Outcome.INDEXED:
        return Outcome(INDEXED, document_id=document_id)
    kind = POISON if result.outcome is bulk.Outcome.REJECTED else FAILING
    return Outcome(kind, "indexing", result.code, result.reason, result.status, document_id)


def record_data(record: dict[str, Any]) -> bytes | None:
    """The bytes of a Kinesis event record (None when its data is not base64)."""
    try:
        return base64.b64decode(record["kinesis"]["data"], validate=True)
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None


# --- the dead-letter queue ---------------------------------------------------------------------------------------


@dataclass
class DeadLetterQueue:
    """The function's dead-letter queue: each message of ours carries one record (ingest_opensearch.dead_letter)."""

    sqs: Any
    url: str
    say: Callable[[str], None]
    dry_run: bool = False
    left: list[dict[str, str]] = field(default_factory=list)  # receipts of messages to show again at the end

    def replay(self, indexer: Indexer) -> Counts:
        counts, seen = Counts(), set()
        try:
            for messages in self._batches(seen):
                counts.items += len(messages)
                self._settle(messages, indexer, counts)
        finally:
            self._show_again()
        return counts

    def _batches(self, seen: set[str]) -> Iterator[list[dict[str, Any]]]:
        """Batches of up to 10 messages never seen in this run, until the queue has nothing new."""
        empty = 0
        while empty < EMPTY_RECEIVES:
            received = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                VisibilityTimeout=VISIBILITY_TIMEOUT_S, MessageAttributeNames=["All"],
            ).get("Messages", [])  # fmt: skip
            fresh = [m for m in received if m["MessageId"] not in seen]
            self.left += [{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in received
                          if m["MessageId"] in seen]  # fmt: skip
            if not fresh:
                empty += 1
                continue
            empty = 0
            seen.update(m["MessageId"] for m in fresh)
            yield fresh

    def _settle(self, messages: list[dict[str, Any]], indexer: Indexer, counts: Counts) -> None:
        records = [(message, letter_data(message)) for message in messages]
        readable = [(message, data) for message, data in records if data is not NOT_A_RECORD]
        counts.not_records += len(records) - len(readable)
        self.left += [_receipt(message) for message, data in records if data is NOT_A_RECORD]
        outcomes = indexer.settle([data for _, data in readable])
        counts.add(outcomes)
        done = [_receipt(message) for (message, _), outcome in zip(readable, outcomes, strict=True)
                if outcome.kind == INDEXED]  # fmt: skip
        self.left += [_receipt(message) for (message, _), outcome in zip(readable, outcomes, strict=True)
                      if outcome.kind != INDEXED]  # fmt: skip
        for (message, _), outcome in zip(readable, outcomes, strict=True):
            if self.dry_run or outcome.kind != INDEXED:
                self.say(f"{'would re-index' if outcome.kind == VALID else outcome.kind}: dead letter "
                         f"{_letter_name(message)}{_why(outcome)}")  # fmt: skip
        counts.removed += self._delete(done)

    def _delete(self, receipts: list[dict[str, str]]) -> int:
        deleted = 0
        for start in range(0, len(receipts), 10):
            chunk = receipts[start : start + 10]
            response = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=chunk)
            deleted += len(response.get("Successful", []))
            self.left += [r for r in chunk if r["Id"] in {f["Id"] for f in response.get("Failed", [])}]
        return deleted

    def _show_again(self) -> None:
        """Messages left in the queue become visible at once, for the next run or a person."""
        unique = list({r["Id"]: r for r in self.left}.values())
        for start in range(0, len(unique), 10):
            entries = [r | {"VisibilityTimeout": 0} for r in unique[start : start + 10]]
            with contextlib.suppress(ClientError, BotoCoreError):  # else they show again after the timeout
                self.sqs.change_message_visibility_batch(QueueUrl=self.url, Entries=entries)
        self.left.clear()


NOT_A_RECORD = object()


def letter_data(message: dict[str, Any]) -> bytes | object | None:
    """The record a dead letter carries: its bytes, None when they are unusable (base64 broken, truncated), or
    NOT_A_RECORD for a message that is not one of the function's letters."""
    try:
        body = json.loads(message.get("Body", ""))
    except ValueError:
        return NOT_A_RECORD
    if not isinstance(body, dict) or body.get("source") != dead_letter.SOURCE or "data" not in body:
        return NOT_A_RECORD
    if body.get("dataTruncated"):
        return None  # too big for a message: the whole record is in the lake's raw copy
    try:
        return base64.b64decode(str(body["data"]), validate=True)
    except (binascii.Error, ValueError):
        return None


def _receipt(message: dict[str, Any]) -> dict[str, str]:
    return {"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]}


def _letter_name(message: dict[str, Any]) -> str:
    try:
        body = json.loads(message.get("Body", ""))
        return f"{body.get('sequenceNumber', '?')} (was {body.get('stage', '?')}: {body.get('reason', '?')})"
    except (ValueError, AttributeError):
        return message.get("MessageId", "?")


def _why(outcome: Outcome) -> str:
    return f": {outcome.reason} {outcome.detail}".rstrip() if outcome.kind in (POISON, FAILING) else ""


# --- the failure store -------------------------------------------------------------------------------------------


@dataclass
class FailureStore:
    """Objects under the prefix, each a batch the mapping gave up on (failure_store.parse)."""

    s3: Any
    bucket: str
    prefix: str
    say: Callable[[str], None]
    dry_run: bool = False

    def replay(self, indexer: Indexer, letters: Callable[[list[DeadLetter]], int] | None) -> Counts:
        """`letters` sends poison records to the dead-letter queue and returns how many it refused (None: no queue)."""
        counts = Counts()
        for key in self._keys():
            counts.items += 1
            try:
                batch = failure_store.parse(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read(), key)
            except failure_store.NotAFailedBatch as exc:
                counts.not_records += 1
                self.say(f"left as it is: {exc}")
                continue
            counts.merge(self._settle(batch, indexer, letters))
        return counts

    def _keys(self) -> Iterator[str]:
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def _settle(self, batch: failure_store.FailedBatch, indexer: Indexer,
                letters: Callable[[list[DeadLetter]], int] | None) -> Counts:  # fmt: skip
        counts = Counts(items=0)
        outcomes = indexer.settle([record_data(record) for record in batch.records])
        counts.add(outcomes)
        poison = [
            DeadLetter(record, o.stage, o.reason, o.detail, o.status, indexer.index, o.document_id)
            for record, o in zip(batch.records, outcomes, strict=True)
            if o.kind == POISON
        ]
        where = f"s3://{self.bucket}/{batch.key} ({batch.condition or 'failed batch'}, {len(batch.records)} records)"
        if self.dry_run:
            self.say(f"would re-index {counts.replayed}, dead-letter {counts.poison} and then delete {where}")
            return counts
        if counts.still_failing:
            self.say(f"kept {where}: {counts.still_failing} records still failing{_first_reason(outcomes)}")
            return counts
        if poison:
            refused = len(poison) if letters is None else letters(poison)
            if refused:
                counts.poison -= refused
                counts.still_failing += refused
                why = "no --queue-url given" if letters is None else "the dead-letter queue refused them"
                self.say(f"kept {where}: {refused} poison records not dead-lettered ({why})")
                return counts
        self.s3.delete_object(Bucket=self.bucket, Key=batch.key)
        counts.removed += 1
        return counts


def _first_reason(outcomes: Sequence[Outcome]) -> str:
    failing = next((o for o in outcomes if o.kind == FAILING), None)
    return f" (first: {failing.reason} {failing.detail})".rstrip() if failing else ""


# --- the command line --------------------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(Exit.USAGE, f"{PROG}: error: {message}; see python -m ingest_opensearch.replay --help\n")


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Re-drive every record the search branch did not index: the dead-letter queue's messages, then "
        "the failure store's objects (batches the event source mapping gave up on), through the ingest function's "
        "own validation and signed bulk indexing. Idempotent (ids derive from the content); an item is removed only "
        "after it succeeded. `make replay` passes the stack's outputs; REPLAY_ARGS adds flags (e.g. --dry-run).",
        epilog="exit status: 0 nothing left failing, 1 error, 2 usage, 3 some records still failing (kept where they "
        "were: run it again later), 130 interrupted (safe: run it again)",
    )
    parser.add_argument("--bucket", help="the failure store's bucket (output ingest_failure_bucket)")
    parser.add_argument(
        "--prefix",
        default=failure_store.PREFIX,
        help="where the failed batches are (output ingest_failure_prefix; default: aws/lambda/)",
    )
    parser.add_argument("--queue-url", help="the ingest dead-letter queue (output ingest_dead_letter_queue_url)")
    parser.add_argument(
        "--opensearch-endpoint", help="where to index (output ingest_opensearch_endpoint); not needed with --dry-run"
    )
    parser.add_argument("--index", default=DEFAULT_INDEX, help="index to write to (default: retail)")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION)")
    parser.add_argument("--endpoint-url", help="AWS endpoint, e.g. an emulator's (default: AWS_ENDPOINT_URL)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would be replayed, validating every record; index, send and delete nothing",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return parser  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """The checked arguments."""

    bucket: str | None
    prefix: str
    queue_url: str | None
    endpoint: Endpoint | None
    index: str
    region: str
    endpoint_url: str | None
    dry_run: bool


def check_args(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Plan:
    env = os.environ if environ is None else environ
    bucket, queue_url = _given(args.bucket, "--bucket"), _given(args.queue_url, "--queue-url")
    if bucket is None and queue_url is None:
        raise UsageError("nothing to replay from: give --bucket (the failure store) and/or --queue-url (the "
                         "dead-letter queue); make replay reads both from the stack's outputs")  # fmt: skip
    if not INDEX_NAME.fullmatch(args.index):
        raise UsageError(f"--index {args.index!r} is not an index name (lowercase letters, digits, - and _)")
    endpoint = None
    if args.opensearch_endpoint or not args.dry_run:
        if not args.opensearch_endpoint:
            raise UsageError("--opensearch-endpoint is required to index (or pass --dry-run to only list)")
        try:
            endpoint = parse_endpoint(args.opensearch_endpoint, "opensearch-endpoint")
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    region = (args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
    if not region:
        raise UsageError("no AWS region; pass --region or set AWS_REGION (e.g. AWS_REGION=us-east-1)")
    endpoint_url = (args.endpoint_url or env.get("AWS_ENDPOINT_URL") or "").strip() or None
    if endpoint_url and not re.match(r"^https?://[^/\s]+/?$", endpoint_url):
        raise UsageError(f"endpoint URL {endpoint_url!r} is not an http(s) URL such as http://localhost:4566")
    prefix = args.prefix if args.prefix.endswith("/") else f"{args.prefix}/"
    if not prefix.startswith(failure_store.PREFIX):
        raise UsageError(f"--prefix {args.prefix!r} is not under {failure_store.PREFIX}, where Lambda writes the "
                         "failed batches (make replay passes aws/lambda/<mapping UUID>/)")  # fmt: skip
    return Plan(bucket, prefix, queue_url, endpoint, args.index, region, endpoint_url, args.dry_run)


def _given(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise UsageError(f"{flag} is empty; give its value, or leave the flag out")
    return value.strip()


@dataclass
class Clients:
    s3: Any
    sqs: Any
    opensearch: OpenSearch | None


def connect(plan: Plan) -> Clients:
    """Clients for the plan, each source checked first: a wrong bucket, queue or endpoint stops here."""
    session = boto3.Session(region_name=plan.region)
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30)
    s3 = session.client("s3", endpoint_url=plan.endpoint_url, config=config)
    sqs = session.client("sqs", endpoint_url=plan.endpoint_url, config=config)
    where = f"at {plan.endpoint_url}" if plan.endpoint_url else f"in {plan.region}"
    if plan.bucket:
        missing = f"the failure store's bucket {plan.bucket!r} does not exist {where}; check --bucket"
        _check(lambda: s3.head_bucket(Bucket=plan.bucket), NO_BUCKET, missing, f"S3 {where}")
    if plan.queue_url:
        missing = f"the dead-letter queue {plan.queue_url} does not exist {where}; check --queue-url"
        attributes = {"QueueUrl": plan.queue_url, "AttributeNames": ["QueueArn"]}
        _check(lambda: sqs.get_queue_attributes(**attributes), NO_QUEUE, missing, f"SQS {where}")
    opensearch = None
    if plan.endpoint is not None and not plan.dry_run:
        credentials = session.get_credentials()
        if credentials is None:
            raise UsageError("no AWS credentials to sign OpenSearch requests; configure them (aws configure, "
                             "AWS_PROFILE) or, on an emulator, eval \"$(make -s env)\"")  # fmt: skip
        opensearch = bulk.build_client(plan.endpoint, plan.region, 30.0, credentials=credentials, max_retries=2)
        _check_search(opensearch, plan.endpoint)
    return Clients(s3, sqs, opensearch)


def _check(call: Callable[[], Any], missing: tuple[str, ...], missing_message: str, service: str) -> None:
    try:
        call()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in missing:
            raise ReplayError(missing_message) from None
        raise ReplayError(f"{service} refused the check ({code}: {exc.response['Error'].get('Message', '')})") from None
    except EndpointConnectionError as exc:
        raise ReplayError(f"cannot reach {service} ({exc}); check --endpoint-url and --region") from None
    except BotoCoreError as exc:
        raise ReplayError(f"cannot use {service}: {exc}") from None


def _check_search(opensearch: OpenSearch, endpoint: Endpoint) -> None:
    """Fail early when nothing answers at the endpoint; an answer of any status (403 included) will do."""
    try:
        opensearch.transport.perform_request("GET", "/")
    except SearchConnectionError as exc:
        raise ReplayError(
            f"cannot reach OpenSearch at {endpoint.url} ({exc.error}); check --opensearch-endpoint and that this "
            "machine reaches the domain (a VPC domain needs a host inside the VPC)"
        ) from None
    except TransportError:
        pass  # it answered: permissions are checked per bulk request


def run(plan: Plan, clients: Clients, out: Callable[[str], None], say: Callable[[str], None]) -> Counts:
    indexer = Indexer(clients.opensearch, plan.index)
    total = Counts()
    if plan.queue_url:
        queue = DeadLetterQueue(clients.sqs, plan.queue_url, say, plan.dry_run)
        counts = queue.replay(indexer)
        out(_line(f"dead-letter queue {plan.queue_url}", "messages", counts, plan.dry_run,
                  "acknowledged", "left in the queue"))  # fmt: skip
        total.merge(counts)
    if plan.bucket:
        store = FailureStore(clients.s3, plan.bucket, plan.prefix, say, plan.dry_run)
        send = _letter_sender(clients.sqs, plan.queue_url)
        counts = store.replay(indexer, send)
        out(_line(f"failure store s3://{plan.bucket}/{plan.prefix}", "objects", counts, plan.dry_run,
                  "deleted", "dead-lettered"))  # fmt: skip
        total.merge(counts)
    verb = "would replay" if plan.dry_run else "replayed"
    out(f"{PROG}: found {total.found:,}, {verb} {total.replayed:,}, still failing {total.still_failing:,}, "
        f"skipped as poison {total.poison:,}" + ("; dry run: nothing was indexed, sent or deleted" if plan.dry_run
                                                 else ""))  # fmt: skip
    return total


def _letter_sender(sqs: Any, queue_url: str | None) -> Callable[[list[DeadLetter]], int] | None:
    if not queue_url:
        return None
    return lambda letters: len(dead_letter.send(sqs, queue_url, letters))


def _line(where: str, unit: str, counts: Counts, dry_run: bool, removed: str, poison: str) -> str:
    text = (f"{PROG}: {where}: {counts.items:,} {unit}, {counts.found:,} records: "
            f"{counts.replayed:,} {'to re-index' if dry_run else 'replayed'}, {counts.still_failing:,} still failing, "
            f"{counts.poison:,} poison ({'would be ' if dry_run else ''}{poison})")  # fmt: skip
    if not dry_run:
        text += f"; {counts.removed:,} {unit} {removed}"
    if counts.not_records:
        text += f"; {counts.not_records:,} {unit} hold no record (left as they are)"
    return text


@dataclass
class Details:
    """The per-item lines on stderr: all of them in a dry run (the listing), the first DETAIL_LINES otherwise."""

    limit: int | None
    shown: int = 0

    def __call__(self, line: str) -> None:
        self.shown += 1
        if self.limit is None or self.shown <= self.limit:
            _stderr(line)
        elif self.shown == self.limit + 1:
            _stderr("... more items not listed (the counts below cover every one; --dry-run lists them all)")


DETAIL_LINES = 20


def _stderr(line: str) -> None:
    print(f"{PROG}: {line}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def out(line: str) -> None:
        print(line, flush=True)

    say = _stderr
    try:
        plan = check_args(args)
        counts = run(plan, connect(plan), out, Details(None if plan.dry_run else DETAIL_LINES))
    except KeyboardInterrupt:
        say("interrupted; what was replayed stays replayed and the rest is where it was: run it again")
        return Exit.INTERRUPTED
    except UsageError as exc:
        if args.debug:
            raise
        say(f"error: {exc}")
        return Exit.USAGE
    except (ReplayError, ClientError, BotoCoreError, TransportError, OSError, RuntimeError) as exc:
        if args.debug:
            raise
        say(f"error: {exc}")
        return Exit.ERROR
    return Exit.STILL_FAILING if counts.still_failing else Exit.OK


if __name__ == "__main__":
    sys.exit(main())
