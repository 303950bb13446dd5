"""Kinesis -> OpenSearch ingest: every record ends indexed, retried by Kinesis, or in the dead-letter queue.

Bulk indexing needs the batch as a whole, so the handler works in two steps:

1. `ingest` decodes and validates every record, bulk-indexes the valid documents in size-bounded chunks,
   inspects every bulk item, and sends invalid records and documents OpenSearch rejects to the dead-letter
   queue with the reason. It returns the records Kinesis must redeliver (retryable failures, and dead
   letters SQS did not accept), with the reason. A dead letter for a record after the lowest retryable one
   waits: Kinesis redelivers that record anyway (it resumes from the lowest failure), so the letter is sent
   on the delivery that settles it, once, not once per retry; if the mapping gives up first, the record is
   in the batch it keeps whole in the failure store, and `make replay` dead-letters it.
2. Powertools' `process_partial_response` settles each record: `settle` raises for the records to retry,
   so they are reported as `batchItemFailures` (the mapping has ReportBatchItemFailures); Kinesis resumes
   from the lowest failed sequence number, and the content-derived document id makes re-indexing the
   records after it an overwrite, not a duplicate.
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ingest_opensearch import bulk, dead_letter
from ingest_opensearch.config import Settings, settings
from ingest_opensearch.dead_letter import DeadLetter
from ingest_opensearch.records import Document, InvalidRecord, to_document

MAX_LOGGED_LETTERS = 20  # one warning per dead letter, up to this many per batch; the counts cover the rest
# A batch whose every record must be retried is reported like any other (all records as batchItemFailures):
# Kinesis redelivers from the first one, exactly as for a partial failure.
processor = BatchProcessor(event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)
logger = Logger()
metrics = Metrics()


class RetryableFailure(RuntimeError):
    """The record was not indexed for a reason that may pass (429, 5xx, timeout...): Kinesis redelivers it."""


@dataclass
class BatchReport:
    """What happened to each record of one invocation."""

    received: int = 0
    indexed: int = 0
    invalid: int = 0
    rejected: int = 0
    dead_lettered: int = 0
    deferred: int = 0  # poison after the lowest retryable record: dead-lettered on the delivery that settles it
    retry: dict[str, str] = field(default_factory=dict)  # sequence number -> reason
    retry_statuses: Counter[str] = field(default_factory=Counter)
    invalid_reasons: Counter[str] = field(default_factory=Counter)

    def as_log(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "indexed": self.indexed,
            "invalid": self.invalid,
            "rejected": self.rejected,
            "dead_lettered": self.dead_lettered,
            "deferred": self.deferred,
            "retried": len(self.retry),
            "retry_statuses": dict(self.retry_statuses),
            "invalid_reasons": dict(self.invalid_reasons),
            "first_retry_reason": next(iter(self.retry.values()), None),
        }


@cache
def sqs_client() -> Any:
    """The dead-letter queue's client: created the first time a record needs it, then reused."""
    return boto3.client("sqs", region_name=settings().region)


def ingest(records: list[dict[str, Any]], cfg: Settings, opensearch: Any, sqs: Callable[[], Any]) -> BatchReport:
    """Index, dead-letter or mark for retry every record (the event's records); never drops one."""
    report = BatchReport(received=len(records))
    staged: list[tuple[dict[str, Any], Document]] = []
    letters: list[DeadLetter] = []
    for record in records:
        try:
            staged.append((record, to_document(_data(record), cfg.required_fields, cfg.date_fields)))
        except InvalidRecord as exc:
            report.invalid += 1
            report.invalid_reasons[exc.code] += 1
            letters.append(DeadLetter(record, "validation", exc.code, exc.detail))

    if staged:
        documents = [document for _, document in staged]
        results = bulk.index_documents(opensearch, cfg.index, documents, cfg.bulk_max_actions, cfg.bulk_max_bytes)
        for (record, document), result in zip(staged, results, strict=True):
            if result.outcome is bulk.Outcome.INDEXED:
                report.indexed += 1
            elif result.outcome is bulk.Outcome.RETRYABLE:
                report.retry[record["kinesis"]["sequenceNumber"]] = f"HTTP {result.status}: {result.reason}"
                report.retry_statuses[result.code] += 1
            else:
                report.rejected += 1
                letters.append(
                    DeadLetter(
                        record, "indexing", result.code, result.reason, result.status, cfg.index,
                        document.doc_id,
                    )
                )  # fmt: skip

    letters = due_now(letters, report)
    if letters:
        failures = dead_letter.send(sqs(), cfg.dead_letter_queue_url, letters)
        report.dead_lettered = len(letters) - len(failures)
        for failure in failures:
            sequence_number = failure.letter.record["kinesis"]["sequenceNumber"]
            report.retry[sequence_number] = f"dead-letter queue did not take the record: {failure.reason}"
            report.retry_statuses["dead_letter_unavailable"] += 1
            logger.error("dead-letter queue did not take a record; Kinesis will redeliver it",
                         extra={"reason": failure.reason, "sequence_number": sequence_number})  # fmt: skip
        refused = {id(failure.letter) for failure in failures}
        for letter in [letter for letter in letters if id(letter) not in refused][:MAX_LOGGED_LETTERS]:
            logger.warning(
                "record dead-lettered",
                extra={"stage": letter.stage, "reason": letter.reason, "detail": letter.detail,
                       "sequence_number": letter.record["kinesis"]["sequenceNumber"]},
            )  # fmt: skip
    return report


def due_now(letters: list[DeadLetter], report: BatchReport) -> list[DeadLetter]:
    """The letters to send now: those before the lowest record Kinesis must redeliver (it redelivers from there on,
    so a later record comes back and is dead-lettered on the delivery that settles it); counts the others."""
    lowest = min((int(sequence) for sequence in report.retry), default=None)
    due = [letter for letter in letters if lowest is None or _sequence(letter.record) < lowest]
    report.deferred = len(letters) - len(due)
    return due


def settler(report: BatchReport) -> Callable[[KinesisStreamRecord], None]:
    """The per-record handler for Powertools: raise for the records Kinesis must redeliver."""

    def settle(record: KinesisStreamRecord) -> None:
        reason = report.retry.get(record.kinesis.sequence_number)
        if reason is not None:
            raise RetryableFailure(reason)

    return settle


def record_metrics(report: BatchReport) -> None:
    metrics.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=report.received)
    metrics.add_metric(name="RecordsIndexed", unit=MetricUnit.Count, value=report.indexed)
    metrics.add_metric(name="RecordsInvalid", unit=MetricUnit.Count, value=report.invalid)
    metrics.add_metric(name="RecordsRejected", unit=MetricUnit.Count, value=report.rejected)
    metrics.add_metric(name="RecordsDeadLettered", unit=MetricUnit.Count, value=report.dead_lettered)
    metrics.add_metric(name="RecordsDeferred", unit=MetricUnit.Count, value=report.deferred)
    metrics.add_metric(name="RecordsRetried", unit=MetricUnit.Count, value=len(report.retry))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        report = ingest(event.get("Records", []), settings(), bulk.client(), sqs_client)
    except Exception:
        logger.exception("the batch could not be processed; failing the invocation so Kinesis retries it")
        raise
    record_metrics(report)
    logger.info("batch processed", extra=report.as_log())
    return process_partial_response(event=event, record_handler=settler(report), processor=processor, context=context)


def _data(record: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(record["kinesis"]["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRecord("not_base64", "the event's data field is not base64") from None


def _sequence(record: dict[str, Any]) -> int:
    return int(record["kinesis"]["sequenceNumber"])
