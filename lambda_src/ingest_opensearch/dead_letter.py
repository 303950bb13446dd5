"""The dead-letter path: records that can never be indexed go to an SQS queue with the reason.

The same queue is the event source mapping's on-failure destination, which receives Lambda's own
invocation records (batch coordinates, no data) after the mapping's retries run out. The messages
this module sends are told apart by the `source` attribute, `ingest-opensearch`.

A message body (JSON):
    {"source": "ingest-opensearch", "stage": "validation" | "indexing", "reason": "<code>",
     "detail": "<what is wrong>", "status": <HTTP status or null>, "index": "retail",
     "documentId": "<sha256 or null>", "eventSourceARN": "...", "eventID": "...",
     "partitionKey": "...", "sequenceNumber": "...", "approximateArrivalTimestamp": 1.7e9,
     "data": "<the record's bytes, base64>"}
A record too large for one SQS message keeps its coordinates and a SHA-256 of its bytes, with
`"dataTruncated": true` and the first bytes that fit; the full record stays readable from the stream
(within its retention) and from the raw copy Firehose wrote to S3.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

SOURCE = "ingest-opensearch"
MAX_MESSAGE_BYTES = 256 * 1024  # SQS' classic limit for one message and for one SendMessageBatch call
MAX_BATCH_ENTRIES = 10
_ENVELOPE_ALLOWANCE = 4 * 1024  # room for the JSON fields around the data and the message attributes


@dataclass(frozen=True)
class DeadLetter:
    """One record for the dead-letter queue and why it is there."""

    record: dict[str, Any]  # the Kinesis event record, as Lambda delivered it
    stage: str  # "validation" (the record breaks the data contract) or "indexing" (OpenSearch rejected it)
    reason: str  # a short code: not_json, missing_field, wrong_type, bad_date, mapper_parsing_exception, ...
    detail: str
    status: int | None = None
    index: str | None = None
    document_id: str | None = None

    def body(self) -> str:
        kinesis = self.record.get("kinesis", {})
        message: dict[str, Any] = {
            "source": SOURCE,
            "stage": self.stage,
            "reason": self.reason,
            "detail": self.detail,
            "status": self.status,
            "index": self.index,
            "documentId": self.document_id,
            "eventSourceARN": self.record.get("eventSourceARN"),
            "eventID": self.record.get("eventID"),
            "partitionKey": kinesis.get("partitionKey"),
            "sequenceNumber": kinesis.get("sequenceNumber"),
            "approximateArrivalTimestamp": kinesis.get("approximateArrivalTimestamp"),
        }
        data = str(kinesis.get("data", ""))
        room = MAX_MESSAGE_BYTES - _ENVELOPE_ALLOWANCE - len(json.dumps(message, ensure_ascii=False).encode())
        if len(data) <= room:
            message["data"] = data
        else:
            raw = _b64decode(data)
            keep = max(0, (room - 200) // 4 * 3)  # base64 grows 4/3; leave room for the extra fields
            message |= {
                "data": base64.b64encode(raw[:keep]).decode("ascii"),
                "dataTruncated": True,
                "dataBytes": len(raw),
                "dataSha256": hashlib.sha256(raw).hexdigest(),
            }
        return json.dumps(message, ensure_ascii=False)

    def attributes(self) -> dict[str, dict[str, str]]:
        return {
            "source": {"DataType": "String", "StringValue": SOURCE},
            "stage": {"DataType": "String", "StringValue": self.stage},
            "reason": {"DataType": "String", "StringValue": self.reason},
        }


@dataclass(frozen=True)
class SendFailure:
    letter: DeadLetter
    reason: str


def send(sqs: Any, queue_url: str, letters: Sequence[DeadLetter]) -> list[SendFailure]:
    """Send every letter; return those SQS did not accept (their records must be retried, not dropped)."""
    failures: list[SendFailure] = []
    for batch in _batches(letters):
        entries = [
            {"Id": str(i), "MessageBody": body, "MessageAttributes": letter.attributes()}
            for i, (letter, body) in enumerate(batch)
        ]
        try:
            response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        except Exception as exc:  # any error means "not delivered": the caller retries these records
            failures += [SendFailure(letter, f"SendMessageBatch failed: {exc}") for letter, _ in batch]
            continue
        for failed in response.get("Failed", []):
            letter = batch[int(failed["Id"])][0]
            failures.append(SendFailure(letter, f"{failed.get('Code', 'error')}: {failed.get('Message', '')}"))
    return failures


def _batches(letters: Sequence[DeadLetter]) -> Iterator[list[tuple[DeadLetter, str]]]:
    """Groups of at most 10 messages and 256 KiB, as SendMessageBatch allows."""
    batch: list[tuple[DeadLetter, str]] = []
    size = 0
    for letter in letters:
        body = letter.body()
        length = len(body.encode()) + 200  # the attributes count towards the limit too
        if batch and (len(batch) == MAX_BATCH_ENTRIES or size + length > MAX_MESSAGE_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((letter, body))
        size += length
    if batch:
        yield batch


def _b64decode(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        return data.encode("utf-8", "replace")
