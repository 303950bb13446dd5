"""The failure store: the batches the Kinesis event source mapping gave up on, as Lambda writes them to S3.

When the mapping stops retrying a batch (MaximumRetryAttempts spent, or a record older than
MaximumRecordAgeInSeconds), it writes one JSON object to its on-failure destination. For an S3 bucket, the object
holds the whole invocation record (AWS Lambda developer guide, "Retain discarded batch records for a Kinesis Data
Streams event source", example Amazon S3 invocation record):

    {"requestContext": {"requestId", "functionArn", "condition": "RetryAttemptsExhausted", "approximateInvokeCount"},
     "responseContext": {"statusCode", "executedVersion", "functionError"},
     "version": "1.0", "timestamp": "2019-11-14T00:38:06.021Z",
     "KinesisBatchInfo": {"shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
                          "approximateArrivalOfLastRecord", "batchSize", "streamArn"},
     "payload": "<the invocation's event, {\"Records\": [...]}, as an escaped JSON string>"}

under the key `aws/lambda/<mapping UUID>/<shard ID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`. SQS and SNS
destinations get the same document without `payload` (coordinates only): `parse` refuses those with a message
that says so. tests/events/kinesis_failed_batch_s3.json is a sample in this shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PREFIX = "aws/lambda/"  # Lambda's own prefix for a mapping's failed batches; the bucket is the destination ARN


class NotAFailedBatch(ValueError):
    """The object is not an S3 on-failure record of a Kinesis event source mapping; the message says what it is."""


@dataclass(frozen=True)
class FailedBatch:
    """One batch the mapping gave up on: its coordinates and its records, as the function received them."""

    key: str
    condition: str  # RetryAttemptsExhausted, RecordAgeExceeded, ...
    invoke_count: int
    shard_id: str
    start_sequence: str
    end_sequence: str
    stream_arn: str
    timestamp: str
    records: list[dict[str, Any]]  # Kinesis event records: {"kinesis": {"data", "sequenceNumber", ...}, ...}


def parse(body: bytes | str, key: str) -> FailedBatch:
    """The batch an on-failure object holds; NotAFailedBatch for anything else (the message names the key)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAFailedBatch(f"{key}: not JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("KinesisBatchInfo"), dict):
        raise NotAFailedBatch(f"{key}: no KinesisBatchInfo: not an on-failure record of a Kinesis event source mapping")
    info = document["KinesisBatchInfo"]
    if "payload" not in document:
        raise NotAFailedBatch(
            f"{key}: an on-failure record without payload (an SQS or SNS destination's, coordinates only): its "
            f"records are in the stream from sequence number {info.get('startSequenceNumber')} of "
            f"{info.get('shardId')} while the stream retains them"
        )
    context = document.get("requestContext") if isinstance(document.get("requestContext"), dict) else {}
    return FailedBatch(
        key=key,
        condition=str(context.get("condition", "")),
        invoke_count=_int(context.get("approximateInvokeCount")),
        shard_id=str(info.get("shardId", "")),
        start_sequence=str(info.get("startSequenceNumber", "")),
        end_sequence=str(info.get("endSequenceNumber", "")),
        stream_arn=str(info.get("streamArn", "")),
        timestamp=str(document.get("timestamp", "")),
        records=_records(document["payload"], key),
    )


def _records(payload: Any, key: str) -> list[dict[str, Any]]:
    """The event's records. The payload is the event as an escaped JSON string (AWS' documented form); an event
    already decoded into an object is taken as is."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise NotAFailedBatch(f"{key}: payload is not the invocation's event as JSON ({exc})") from None
    records = payload.get("Records") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        raise NotAFailedBatch(f"{key}: payload has no Records list: not a Kinesis event")
    for index, record in enumerate(records):
        kinesis = record.get("kinesis") if isinstance(record, dict) else None
        if not isinstance(kinesis, dict) or not isinstance(kinesis.get("data"), str):
            raise NotAFailedBatch(f"{key}: record {index} of the payload has no kinesis.data")
    return records


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
