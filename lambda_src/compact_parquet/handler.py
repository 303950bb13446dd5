"""Hourly compaction, run by EventBridge at minute 5 (`cron(5 * * * ? *)`).

A scheduled event compacts the hour before its `time` (an asynchronous retry an hour later still compacts
the right hour) and every hour of the LATE_DATA_WINDOW_HOURS before it whose JSON changed since it was
compacted (late Firehose objects, event-time partitions, records re-driven from the error prefix). A manual
event `{"hour": "2026-11-28T10"}` replaces that one hour. One lock (lock.py) keeps runs from overlapping, and
one deadline (the function's remaining time minus a margin) covers every statement of the invocation.
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
from compact_parquet.deadline import Deadline
from compact_parquet.engines import Engine, Result, make_engine
from compact_parquet.hours import BadHour, Hour
from compact_parquet.lock import S3Lock
from compact_parquet.runner import RunReport, run_hours

SAFETY_MARGIN_S = 15.0  # stop waiting for Athena this long before Lambda's own timeout, to report and clean up
METRICS_NAMESPACE = "RetailPipeline"  # the ingest function's namespace; POWERTOOLS_METRICS_NAMESPACE overrides it
logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE))


class CompactionFailed(RuntimeError):
    """At least one hour could not be compacted; the invocation fails so that it is retried, then dead-lettered."""


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


def hours_of(event: dict[str, Any], late_window_hours: int) -> tuple[list[Hour], bool]:
    """The hours to compact, newest first, and whether to replace them even when unchanged."""
    hour = hour_from_event(event)
    if event.get("hour"):
        return [hour], True
    return hour.with_window(late_window_hours), False


def run(engine: Engine, hours: list[Hour], force: bool, cfg: Settings, holder: str) -> RunReport:
    lock = S3Lock(engine.s3, cfg.state, cfg.kms_key_id, holder=f"{holder}/{engine.run_id}")

    def failed(hour: Hour, exc: Exception) -> None:
        logger.exception(f"{hour}: {exc}; the previous Parquet of the hour stays, the next run repairs it")

    def done(result: Result) -> None:
        if result.status == "compacted":
            logger.info(result.summary(), extra=result.as_dict())

    return run_hours(engine, hours, force, lock, on_result=done, on_failure=failed)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    cfg = settings()
    hours, force = hours_of(event, cfg.late_window_hours)
    deadline = Deadline.after(context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_S)
    engine = make_engine(cfg, resolve_engine(cfg.engine), session(), deadline=deadline)
    logger.append_keys(hour=str(hours[0]), engine=engine.name, run=engine.run_id)
    report = run(engine, hours, force, cfg, context.function_name)
    logger.info(report.summary(), extra=report.counts())
    # Rows written this run, every hour together (0 when nothing needed it): the operations dashboard plots it.
    metrics.add_metric(name="RowsCompacted", unit=MetricUnit.Count, value=report.rows_compacted)
    if report.failed:
        raise CompactionFailed(report.summary())
    return report.as_dict()
