"""Start MiniStack with fixes for four of its gaps; run by the emulator's own interpreter, not the project's.

The fixes live here, in the emulator we run ourselves, so that Terraform needs nothing emulator-specific in the
modules (no `ignore_changes` overrides: `modules/` is never written to) and a plan after an apply shows no changes:

* State saver: MiniStack 1.5.33 saves each service's state as JSON on a graceful stop, but its encoder knows no
  Decimal: once an Athena query has returned a DECIMAL column, saving Athena fails ("Object of type Decimal is not
  JSON serializable") and a restart loses every workgroup and named query, after which Terraform cannot refresh
  them. The encoder learns Decimal and date/time values (stored as text, which is how Athena returns every cell).
* Firehose stores an extended S3 destination's `CustomTimeZone` and `FileExtension` but never describes them, so
  the provider's `custom_time_zone = "UTC"` would show as a change forever: the description now echoes them.
* Kinesis `CreateStream` ignores its `Tags`, so a stream's tags appear only after a second apply: they are stored.
* OpenSearch accepts a domain's `LogPublishingOptions` but never returns them, so the provider would re-add them on
  every plan: create and update store them, describe returns them.

Each fix wraps one MiniStack function by name and fails the start (with the name) if a new MiniStack release no
longer has it: the pin in tools/emulator.py and this file move together. Then MiniStack runs exactly as
`python -m ministack` would.
"""

import copy
import datetime
import decimal
import runpy

from ministack.core import persistence
from ministack.services import firehose, kinesis, opensearch


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
runpy.run_module("ministack", run_name="__main__", alter_sys=True)
