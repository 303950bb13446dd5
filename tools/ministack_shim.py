"""Start MiniStack with fixes for five of its gaps; run by the emulator's own interpreter, not the project's.

The fixes live here, in the emulator we run ourselves, so that Terraform needs nothing emulator-specific in the
modules (no `ignore_changes` overrides: `modules/` is never written to), a plan after an apply shows no changes,
and nothing the pipeline quarantines is dropped:

* State saver: MiniStack 1.5.33 saves each service's state as JSON on a graceful stop, but its encoder knows no
  Decimal: once an Athena query has returned a DECIMAL column, saving Athena fails ("Object of type Decimal is not
  JSON serializable") and a restart loses every workgroup and named query, after which Terraform cannot refresh
  them. The encoder learns Decimal and date/time values (stored as text, which is how Athena returns every cell).
* Firehose stores an extended S3 destination's `CustomTimeZone` and `FileExtension` but never describes them, so
  the provider's `custom_time_zone = "UTC"` would show as a change forever: the description now echoes them.
* Kinesis `CreateStream` ignores its `Tags`, so a stream's tags appear only after a second apply: they are stored.
* OpenSearch accepts a domain's `LogPublishingOptions` but never returns them, so the provider would re-add them on
  every plan: create and update store them, describe returns them.
* Firehose's ProcessingFailed records. When a Firehose processing Lambda answers `ProcessingFailed` for a record,
  AWS writes the record under the stream's error output prefix (`!{firehose:error-output-type}` =
  `processing-failed`) as a JSON document with attemptsMade, arrivalTimestamp, errorCode, errorMessage,
  attemptEndingTimestamp, rawData (base64) and lambdaArn (Firehose developer guide, "Handle failure in data
  transformation"). MiniStack 1.5.33 drops such records silently (services/firehose.py,
  `_apply_lambda_processors`), which locally would lose exactly the records the pipeline quarantines. The wrapper
  notes each processing Lambda's answers and writes every ProcessingFailed record where AWS would, in AWS's
  documented shape (one object per record, as MiniStack delivers every record). Everything else (invoking the
  Lambda, delivering the Ok records, the prefix expressions) stays MiniStack's.

Each fix wraps one MiniStack function by name and fails the start (with the name) if a new MiniStack release no
longer has it: the pin in tools/emulator.py and this file move together. Then MiniStack runs exactly as
`python -m ministack` would.
"""

import base64
import contextvars
import copy
import datetime
import decimal
import json
import runpy
import time

from ministack.core import persistence
from ministack.services import firehose, kinesis, lambda_svc, opensearch


def _original(module, name):  # noqa: ANN001, ANN202 - MiniStack's untyped functions
    function = getattr(module, name, None)
    if not callable(function):
        raise SystemExit(f"ministack_shim: {module.__name__}.{name} is missing; this shim fits ministack 1.5.33 only")
    return function


_encode = _original(persistence, "_json_default")
_describe_destination = _original(firehose, "_dest_description")
_create_stream = _original(kinesis, "_create_stream")
_new_domain_record = _original(opensearch, "_new_domain_record")
_update_domain_config = _original(opensearch, "_update_domain_config")


def _json_default(value):  # noqa: ANN001, ANN202
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return _encode(value)


def _dest_description(dest):  # noqa: ANN001, ANN202
    out = _describe_destination(dest)
    description = out.get("ExtendedS3DestinationDescription")
    if description is not None:
        for key in ("CustomTimeZone", "FileExtension"):
            if key in dest["config"]:
                description[key] = dest["config"][key]
    return out


def _create_stream_with_tags(data):  # noqa: ANN001, ANN202
    response = _create_stream(data)
    stream = kinesis._streams.get(data.get("StreamName"))
    if response[0] == 200 and stream is not None:
        stream["tags"].update(data.get("Tags") or {})
    return response


def _domain_record_with_logs(name, payload):  # noqa: ANN001, ANN202
    record = _new_domain_record(name, payload)
    if payload.get("LogPublishingOptions"):
        record["LogPublishingOptions"] = copy.deepcopy(payload["LogPublishingOptions"])
    return record


def _update_domain_config_with_logs(name, payload):  # noqa: ANN001, ANN202
    response = _update_domain_config(name, payload)
    record = opensearch._domains.get(name)
    if record is not None and "LogPublishingOptions" in payload:
        record["LogPublishingOptions"] = copy.deepcopy(payload["LogPublishingOptions"])
    return response


persistence._json_default = _json_default
firehose._dest_description = _dest_description
kinesis._create_stream = _create_stream_with_tags
opensearch._new_domain_record = _domain_record_with_logs
opensearch._update_domain_config = _update_domain_config_with_logs

# --- ProcessingFailed records go to the error prefix ---------------------------------------------------------------

_answers: contextvars.ContextVar = contextvars.ContextVar("firehose_processor_answers", default=None)
_execute = _original(lambda_svc, "_execute_function")
_apply = _original(firehose, "_apply_lambda_processors")


def _execute_function(func_record, event, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - MiniStack's
    result = _execute(func_record, event, *args, **kwargs)
    answers = _answers.get()
    if answers is not None and isinstance(event, dict) and "records" in event:
        arn = ((func_record or {}).get("config") or func_record or {}).get("FunctionArn", "")
        answers.append((arn, event, result))
    return result


def _failed_records(answers):  # noqa: ANN001, ANN202
    """(lambdaArn, input record) for every record a processing Lambda answered ProcessingFailed."""
    for arn, event, result in answers:
        body = result.get("body") if isinstance(result, dict) and not result.get("error") else None
        if isinstance(body, (str, bytes)):
            try:
                body = json.loads(body)
            except ValueError:
                body = None
        if not isinstance(body, dict):
            continue
        sent = {r.get("recordId"): r for r in event.get("records", [])}
        for answer in body.get("records") or []:
            if (
                isinstance(answer, dict)
                and answer.get("result") == "ProcessingFailed"
                and answer.get("recordId") in sent
            ):
                yield arn, sent[answer["recordId"]]


def _apply_lambda_processors(stream, dest, records, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    token = _answers.set([])
    try:
        kept = _apply(stream, dest, records, *args, **kwargs)
        answers = _answers.get()
    finally:
        _answers.reset(token)
    cfg = dest.get("config") or {}
    for arn, record in _failed_records(answers):
        now = time.gmtime()
        now_ms = int(time.time() * 1000)
        document = {
            "attemptsMade": 1,
            "arrivalTimestamp": record.get("approximateArrivalTimestamp", now_ms),
            "errorCode": "Lambda.ProcessingFailedStatus",
            "errorMessage": "ProcessingFailed status returned from Lambda",
            "attemptEndingTimestamp": now_ms,
            "rawData": record.get("data") or base64.b64encode(b"").decode(),
            "lambdaArn": arn,
        }
        error_prefix = cfg.get("ErrorOutputPrefix")
        if error_prefix:
            prefix = firehose._evaluate_prefix(error_prefix, now, error_type="processing-failed")
        else:
            prefix = f"{cfg.get('Prefix', '')}processing-failed/{firehose._java_time('yyyy/MM/dd/HH/', now)}"
        suffix = f"{stream['name']}-{stream.get('version', 1)}-{firehose._java_time('yyyy-MM-dd-HH-mm-ss', now)}"
        firehose._put_s3_object(
            firehose._s3_bucket_from_arn(cfg.get("BucketARN", "")),
            f"{prefix}{suffix}-{firehose.new_uuid()}",
            (json.dumps(document) + "\n").encode(),
        )
    return kept


lambda_svc._execute_function = _execute_function
firehose._apply_lambda_processors = _apply_lambda_processors

runpy.run_module("ministack", run_name="__main__", alter_sys=True)
