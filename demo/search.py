"""The demo's search branch: every record sent through Kinesis, found indexed, dead-lettered or kept in the failure
store; and the lab's Dashboards chart, drawn from the documents the search engine received.

What is real and what is a stand-in, locally: the Kinesis stream, the event source mapping that invokes the
deployed ingest Lambda, its validation, its SigV4-signed client, the bulk protocol and the per-item outcomes it acts
on (dead letters in the stack's SQS queue) are real; the search engine is not. No OpenSearch engine installs here,
so the function writes to the bulk-API stand-in that `make up` starts beside the emulator (tools/search_standin.py),
which keeps what it received on disk. The demo reads the documents from there; it never resets or reads a real
domain (the stage is skipped unless the function's endpoint answers as the stand-in).

A record is matched by its content (the contract fields, InvoiceDate in either form), as a multiset: lines identical
in every field are one document in the index (content-derived ids) and all count as indexed.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tools import search_standin

POLL_INTERVAL_S = 1.0
NOTE_EVERY_S = 5.0
BUCKET_MINUTES = 10  # the lab's Dashboards chart: sum of Quantity per 10 minutes of InvoiceDate
REAL = "mapping, Lambda, signed client, bulk protocol and item outcomes are real"
STAND_IN = "the search engine is a local stand-in (tools/search_standin.py)"

Key = tuple[Any, ...]


def record_key(record: Mapping[str, Any]) -> Key:
    """A record's content as a comparable tuple; the index's ISO InvoiceDate and the contract's form are one."""
    date = str(record.get("InvoiceDate", ""))[:19].replace("T", " ")
    price = record.get("Price")
    return (
        record.get("Invoice"), record.get("StockCode"), record.get("Description"), record.get("Quantity"), date,
        float(price) if isinstance(price, int | float) else price, record.get("Customer_ID"), record.get("Country"),
    )  # fmt: skip


@dataclass
class SearchTarget:
    """Where the search branch of a deployed stack writes and keeps what it could not index."""

    endpoint: str  # the ingest function's OPENSEARCH_ENDPOINT: the stand-in's URL
    index: str
    documents_dir: Path  # the stand-in's data directory
    queue_url: str
    bucket: str
    failure_prefix: str

    @property
    def index_file(self) -> Path:
        return self.documents_dir / f"{self.index}.ndjson"

    @property
    def requests_file(self) -> Path:
        return self.documents_dir / "requests.ndjson"


def is_standin(endpoint: str, timeout: float = 2.0) -> bool:
    """True when the endpoint answers as the local stand-in (never a real domain)."""
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/", timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read()).get("name") == search_standin.NAME
    except (OSError, ValueError, urllib.error.URLError):
        return False


@dataclass
class Reset:
    documents: int = 0  # forgotten by the stand-in
    letters: int = 0  # removed from the dead-letter queue
    kept: int = 0  # objects removed from the failure store
    requests_seen: int = 0  # bulk requests the stand-in had logged before this run


def reset(target: SearchTarget, sqs: Any, s3: Any) -> Reset:
    """Forget what earlier runs left in the index, the dead-letter queue and the failure store (emulator only)."""
    result = Reset(documents=len(search_standin.documents(target.documents_dir, target.index)))
    request = urllib.request.Request(f"{target.endpoint.rstrip('/')}/{target.index}", method="DELETE")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the stand-in, on loopback
            pass
    except urllib.error.HTTPError as exc:
        if exc.code != 404:  # 404: nothing indexed yet
            raise
    result.letters = len(read_letters(sqs, target.queue_url, delete=True))
    keys = list(_keys(s3, target.bucket, target.failure_prefix))
    for start in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=target.bucket, Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]]})
    result.kept = len(keys)
    result.requests_seen = len(_lines(target.requests_file))
    return result


@dataclass
class SearchResult:
    """The search branch of one run (`skipped` says why there is none)."""

    skipped: str | None = None
    sent: int = 0
    indexed: int = 0
    dead_lettered: int = 0
    kept: int = 0  # in the failure store
    missing: int = 0
    documents: int = 0  # this run's documents in the index (identical lines are one)
    foreign_documents: int = 0  # documents in the index that match no record of this run
    bulk_requests: int = 0
    signed_requests: int = 0
    item_statuses: dict[str, int] = field(default_factory=dict)
    quantity: int = 0  # sum of Quantity over this run's documents (what the chart adds up)
    expected_quantity: int = 0  # the same sum over the distinct records sent
    buckets: list[tuple[str, int]] = field(default_factory=list)  # (10-minute bucket, sum of Quantity)
    seconds: float = 0.0
    endpoint: str = ""
    chart: str | None = None

    @property
    def accounted(self) -> int:
        return self.indexed + self.dead_lettered + self.kept

    def as_dict(self) -> dict[str, Any]:
        return {
            "skipped": self.skipped, "endpoint": self.endpoint, "real": REAL, "stand_in": STAND_IN,
            "sent": self.sent, "indexed": self.indexed, "dead_lettered": self.dead_lettered,
            "in_failure_store": self.kept, "missing": self.missing, "documents": self.documents,
            "foreign_documents": self.foreign_documents, "bulk_requests": self.bulk_requests,
            "signed_requests": self.signed_requests, "item_statuses": self.item_statuses,
            "sum_of_quantity": self.quantity, "seconds": round(self.seconds, 3),
            "quantity_per_10_minutes": [{"bucket": b, "quantity": q} for b, q in self.buckets], "chart": self.chart,
        }  # fmt: skip


def settle(target: SearchTarget, sent: list[Mapping[str, Any]], sqs: Any, s3: Any, timeout_s: float,
           requests_seen: int, note: Callable[[str], None]) -> SearchResult:  # fmt: skip
    """Wait until every sent record is indexed, dead-lettered or kept (or the time is up), then count."""
    wanted = Counter(record_key(record) for record in sent)
    started = time.monotonic()
    letters: dict[str, Key] = {}  # message id -> the key of the record it carries
    last_note = started
    while True:
        documents = _index_keys(target)
        for message_id, key in read_letters(sqs, target.queue_url).items():
            letters[message_id] = key
        kept = _kept_keys(s3, target)
        found = _classify(wanted, set(documents), set(letters.values()), kept)
        done = found["missing"] == 0
        if done or time.monotonic() - started >= timeout_s:
            break
        if time.monotonic() - last_note >= NOTE_EVERY_S:
            note(f"search: {found['indexed']:,} of {len(sent):,} records indexed so far")
            last_note = time.monotonic()
        time.sleep(POLL_INTERVAL_S)
    return _result(target, wanted, documents, found, requests_seen, time.monotonic() - started)


def _classify(wanted: Counter[Key], indexed: set[Key], letters: set[Key], kept: set[Key]) -> dict[str, int]:
    found = Counter()
    for key, count in wanted.items():
        place = "indexed" if key in indexed else "dead_lettered" if key in letters else "kept" if key in kept else None
        found[place or "missing"] += count
    return {name: found[name] for name in ("indexed", "dead_lettered", "kept", "missing")}


def _result(target: SearchTarget, wanted: Counter[Key], documents: dict[Key, dict[str, Any]],
            found: dict[str, int], requests_seen: int, seconds: float) -> SearchResult:  # fmt: skip
    ours = {key: source for key, source in documents.items() if key in wanted}
    requests = [r for r in _lines(target.requests_file)[requests_seen:] if r.get("path", "").endswith("/_bulk")]
    statuses: Counter[str] = Counter()
    for request in requests:
        statuses.update({str(k): v for k, v in request.get("statuses", {}).items()})
    return SearchResult(
        sent=sum(wanted.values()), indexed=found["indexed"], dead_lettered=found["dead_lettered"], kept=found["kept"],
        missing=found["missing"], documents=len(ours), foreign_documents=len(documents) - len(ours),
        bulk_requests=len(requests), signed_requests=sum(1 for r in requests if r.get("signed")),
        item_statuses=dict(sorted(statuses.items())), quantity=sum(int(s["Quantity"]) for s in ours.values()),
        expected_quantity=sum(int(key[3]) for key in wanted if key in ours), buckets=quantity_buckets(ours.values()),
        seconds=seconds, endpoint=target.endpoint,
    )  # fmt: skip


def quantity_buckets(sources: Iterable[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """Sum of Quantity per 10 minutes of InvoiceDate ("YYYY-MM-DDTHH:M0"), in time order."""
    sums: Counter[str] = Counter()
    for source in sources:
        moment = datetime.fromisoformat(str(source["InvoiceDate"]).replace("Z", "+00:00"))
        sums[f"{moment:%Y-%m-%dT%H}:{moment.minute // BUCKET_MINUTES * BUCKET_MINUTES:02d}"] += int(source["Quantity"])
    return sorted(sums.items())


def _index_keys(target: SearchTarget) -> dict[Key, dict[str, Any]]:
    return {
        record_key(source): source for source in search_standin.documents(target.documents_dir, target.index).values()
    }


def read_letters(sqs: Any, queue_url: str, delete: bool = False) -> dict[str, Key]:
    """The dead letters in the queue (message id -> the key of the record each carries), read and shown again at
    once, or deleted when `delete`."""
    found: dict[str, Key] = {}
    receipts: list[dict[str, str]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       VisibilityTimeout=30).get("Messages", [])  # fmt: skip
        fresh = [m for m in messages if m["MessageId"] not in found]
        if not fresh:
            break
        for message in fresh:
            found[message["MessageId"]] = _letter_key(message.get("Body", ""))
            receipts.append({"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]})
    for start in range(0, len(receipts), 10):
        chunk = receipts[start : start + 10]
        if delete:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=chunk)
        else:
            sqs.change_message_visibility_batch(QueueUrl=queue_url,
                                                Entries=[r | {"VisibilityTimeout": 0} for r in chunk])  # fmt: skip
    return found


def _letter_key(body: str) -> Key:
    try:
        letter = json.loads(body)
        return record_key(json.loads(base64.b64decode(letter["data"])))
    except (ValueError, KeyError, TypeError, binascii.Error, AttributeError):
        return ("unreadable", body[:100])


def _kept_keys(s3: Any, target: SearchTarget) -> set[Key]:
    keys: set[Key] = set()
    for key in _keys(s3, target.bucket, target.failure_prefix):
        try:
            document = json.loads(s3.get_object(Bucket=target.bucket, Key=key)["Body"].read())
            for record in json.loads(document["payload"])["Records"]:
                keys.add(record_key(json.loads(base64.b64decode(record["kinesis"]["data"]))))
        except (ValueError, KeyError, TypeError, binascii.Error, AttributeError):
            continue
    return keys


def _keys(s3: Any, bucket: str, prefix: str) -> Iterable[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def _lines(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = []
    for line in text.split("\n"):
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines
