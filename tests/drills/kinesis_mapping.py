"""Kinesis event source mapping semantics, replayed in-process for the drills that need them.

MiniStack's mapping moves past a batch whatever `batchItemFailures` says, retries function errors forever and never
writes to its on-failure destination (measured on 1.5.33), so a drill that needs Kinesis' retry, the mapping's
limits or its failure store plays the mapping itself, as AWS documents it:

- after a response with batch item failures, the batch is redelivered from the lowest failed sequence number on,
  the records after it included;
- the mapping gives up on the batch when MaximumRetryAttempts redeliveries are spent (-1: never) or when its oldest
  record is older than MaximumRecordAgeInSeconds, and hands that batch to its on-failure destination; an S3
  destination gets the invocation record with the whole event (`on_failure_record`, in the shape of the AWS Lambda
  developer guide's "Example Amazon S3 invocation record", written here independently of the parser under test);
- one shard's batches run one after the other: a batch waits while the one before it is retried.

Time is simulated: a redelivery every RETRY_EVERY_S seconds (AWS bounds the retries in time, not in frequency).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

RETRY_EVERY_S = 60  # an assumed cadence: AWS does not document how often a stream mapping retries
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # when the simulated clock starts


@dataclass(frozen=True)
class MappingSettings:
    uuid: str
    function_arn: str
    stream_arn: str
    batch_size: int
    maximum_retry_attempts: int  # -1: until the record age
    maximum_record_age_s: int

    @classmethod
    def deployed(cls, lambda_client: Any, mapping_uuid: str) -> MappingSettings:
        mapping = lambda_client.get_event_source_mapping(UUID=mapping_uuid)
        return cls(
            mapping["UUID"], mapping["FunctionArn"], mapping["EventSourceArn"], int(mapping["BatchSize"]),
            int(mapping["MaximumRetryAttempts"]), int(mapping["MaximumRecordAgeInSeconds"]),
        )  # fmt: skip


@dataclass
class Clock:
    """Simulated seconds since EPOCH."""

    now: float = 0.0

    def at(self) -> datetime:
        return EPOCH + timedelta(seconds=self.now)


@dataclass
class Outcome:
    """What the mapping did with one batch."""

    invocations: int = 0
    given_up: dict[str, Any] | None = None  # the on-failure record, when it gave up
    key: str | None = None  # where it wrote it


@dataclass
class Mapping:
    """One shard's mapping: `invoke(event) -> response` is the function; `keep(key, record)` the S3 destination."""

    settings: MappingSettings
    invoke: Callable[[dict[str, Any]], dict[str, Any]]
    keep: Callable[[str, dict[str, Any]], None]
    clock: Clock = field(default_factory=Clock)
    shard_id: str = "shardId-000000000000"

    def deliver(self, records: list[dict[str, Any]]) -> Outcome:
        """Process one batch (the records of one shard, in order) until it succeeds or the mapping gives up."""
        outcome, current = Outcome(), {"Records": records}
        while True:
            condition = self._limit_reached(current["Records"], outcome.invocations)
            if condition:
                outcome.given_up = on_failure_record(current, condition, outcome.invocations, self.settings,
                                                     self.clock.at(), self.shard_id)  # fmt: skip
                outcome.key = object_key(self.settings.uuid, self.shard_id, self.clock.at())
                self.keep(outcome.key, outcome.given_up)
                return outcome
            response = self.invoke(current)
            outcome.invocations += 1
            failed = [int(f["itemIdentifier"]) for f in response.get("batchItemFailures", [])]
            if not failed:
                return outcome
            lowest = min(failed)
            current = {"Records": [r for r in current["Records"] if int(r["kinesis"]["sequenceNumber"]) >= lowest]}
            self.clock.now += RETRY_EVERY_S

    def _limit_reached(self, records: list[dict[str, Any]], invocations: int) -> str | None:
        oldest = min(float(r["kinesis"]["approximateArrivalTimestamp"]) for r in records)
        if self.clock.at().timestamp() - oldest > self.settings.maximum_record_age_s:
            return "RecordAgeExceeded"
        retries = self.settings.maximum_retry_attempts
        if retries >= 0 and invocations > retries:
            return "RetryAttemptsExhausted"
        return None


def arrival(offset_s: float) -> float:
    """The approximateArrivalTimestamp of a record put `offset_s` simulated seconds after EPOCH."""
    return (EPOCH + timedelta(seconds=offset_s)).timestamp()


def on_failure_record(event: dict[str, Any], condition: str, invocations: int, settings: MappingSettings,
                      now: datetime, shard_id: str) -> dict[str, Any]:  # fmt: skip
    """What Lambda writes to an S3 on-failure destination (AWS Lambda developer guide, "Retain discarded batch
    records for a Kinesis Data Streams event source", example Amazon S3 invocation record)."""
    records = event["Records"]
    first, last = records[0]["kinesis"], records[-1]["kinesis"]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": settings.function_arn,
            "condition": condition,
            "approximateInvokeCount": invocations,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": ""},
        "version": "1.0",
        "timestamp": _iso(now),
        "KinesisBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["sequenceNumber"],
            "endSequenceNumber": last["sequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(datetime.fromtimestamp(first["approximateArrivalTimestamp"], UTC)),
            "approximateArrivalOfLastRecord": _iso(datetime.fromtimestamp(last["approximateArrivalTimestamp"], UTC)),
            "batchSize": len(records),
            "streamArn": settings.stream_arn,
        },
        "payload": json.dumps(event),
    }


def object_key(mapping_uuid: str, shard_id: str, now: datetime) -> str:
    """aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID> (Lambda's naming)."""
    return f"aws/lambda/{mapping_uuid}/{shard_id}/{now:%Y/%m/%d}/{now:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
