"""Hourly compaction, run by EventBridge at minute 5 (`cron(5 * * * ? *)`): the previous hour of the JSON
table becomes Parquet/Snappy under TARGET_LOCATION.

The hour comes from the event, not the clock: `time` of the scheduled event (an asynchronous retry an hour
later still compacts the right hour), or `hour` (`{"hour": "2026-11-28T10"}`) for a manual backfill.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from compact_parquet.config import Settings, resolve_engine
from compact_parquet.engines import make_engine
from compact_parquet.hours import BadHour, Hour

SAFETY_MARGIN_S = 15.0  # stop waiting for Athena this long before Lambda's own timeout, to report and clean up
METRICS_NAMESPACE = "RetailPipeline"  # the ingest function's namespace; POWERTOOLS_METRICS_NAMESPACE overrides it
logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE))


@cache
def settings() -> Settings:
    return Settings.from_env()


@cache
def session() -> boto3.Session:
    return boto3.Session()


def hour_from_event(event: dict[str, Any]) -> Hour:
    if event.get("hour"):
        return Hour.parse(str(event["hour"]))
    if event.get("time"):
        return Hour.previous_from_event_time(str(event["time"]))
    raise BadHour("the event has neither `time` (an EventBridge schedule) nor `hour` (e.g. 2026-11-28T10)")


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    hour = hour_from_event(event)
    cfg = settings()
    remaining_s = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_S
    engine = make_engine(cfg, resolve_engine(cfg.engine), session(), remaining_s=remaining_s)
    logger.append_keys(hour=str(hour), engine=engine.name)
    try:
        result = engine.compact(hour)
    except Exception:
        logger.exception("compaction failed; the hour's folder is rewritten by the next run of the same hour")
        raise
    logger.info(result.summary(), extra=result.as_dict())
    # Rows written this run (0 for an hour without data): the operations dashboard plots it next to Duration.
    metrics.add_metric(name="RowsCompacted", unit=MetricUnit.Count, value=result.rows or 0)
    return result.as_dict()
