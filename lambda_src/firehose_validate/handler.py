"""Firehose's processing Lambda: only contract JSON reaches the JSON table's folders.

Firehose hands the function a buffer of records; each comes back with a result (the Firehose data
transformation contract):

- `Ok`: a UTF-8 JSON object meeting the data contract (the ingest function's own checks, records.py:
  REQUIRED_FIELDS present, types, DATE_FIELDS as `YYYY-MM-DD HH:MM:SS`), passed on unchanged but for a
  trailing newline when it had none (Firehose concatenates records: one JSON object per line is what the
  table reads);
- `ProcessingFailed`: anything else (the producer's csv/tsv, a foreign producer's bytes, an array, a record
  missing a field). Firehose writes it, base64 in `rawData` with this function's ARN, under the error prefix
  (`00-error/.../hour=HH/processing-failed...`), where no table looks. Nothing is dropped: the record is kept whole
  with the reason logged here.

Metrics (EMF, namespace POWERTOOLS_METRICS_NAMESPACE): RecordsChecked, RecordsPassed, RecordsQuarantined.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections import Counter
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ingest_opensearch import contract as record_contract
from ingest_opensearch.records import InvalidRecord, decode, validate

DEFAULT_REQUIRED_FIELDS = record_contract.REQUIRED_FIELDS  # generated from contract/record.schema.json
DEFAULT_DATE_FIELDS = record_contract.DATE_FIELDS
MAX_LOGGED = 20  # one warning per quarantined record, up to this many per invocation; the counts cover the rest
OK, FAILED = "Ok", "ProcessingFailed"
logger = Logger()
metrics = Metrics()


@cache
def contract() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(REQUIRED_FIELDS, DATE_FIELDS) from the environment, comma lists; the contract's defaults when unset."""

    def fields(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = os.environ.get(name, "")
        return tuple(part.strip() for part in raw.split(",") if part.strip()) or default

    return fields("REQUIRED_FIELDS", DEFAULT_REQUIRED_FIELDS), fields("DATE_FIELDS", DEFAULT_DATE_FIELDS)


def check(data: bytes) -> bytes:
    """The record to deliver (newline-terminated); raises InvalidRecord when it is not contract JSON."""
    required, dates = contract()
    validate(decode(data), required, dates)
    return data if data.endswith(b"\n") else data + b"\n"


def transform(record: dict[str, Any], reasons: Counter[str]) -> dict[str, Any]:
    """One record's answer to Firehose."""
    try:
        data = base64.b64decode(record["data"], validate=True)
    except (binascii.Error, ValueError):
        data = None
    try:
        if data is None:
            raise InvalidRecord("not_base64", "Firehose sent data that is not base64")
        return {"recordId": record["recordId"], "result": OK, "data": base64.b64encode(check(data)).decode()}
    except InvalidRecord as exc:
        reasons[exc.code] += 1
        if sum(reasons.values()) <= MAX_LOGGED:
            logger.warning(
                "record quarantined: not contract JSON",
                extra={"recordId": record["recordId"], "reason": exc.code, "detail": exc.detail},
            )
        return {"recordId": record["recordId"], "result": FAILED, "data": record["data"]}


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    reasons: Counter[str] = Counter()
    records = [transform(record, reasons) for record in event.get("records", [])]
    quarantined = sum(reasons.values())
    metrics.add_metric("RecordsChecked", MetricUnit.Count, len(records))
    metrics.add_metric("RecordsPassed", MetricUnit.Count, len(records) - quarantined)
    metrics.add_metric("RecordsQuarantined", MetricUnit.Count, quarantined)
    logger.info(
        "batch checked",
        extra={"records": len(records), "passed": len(records) - quarantined, "quarantined": quarantined,
               "reasons": dict(reasons)},
    )  # fmt: skip
    return {"records": records}
