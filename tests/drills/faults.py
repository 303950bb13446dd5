"""Faults injected into real boto3 clients talking to the emulator, through botocore's own event hooks.

No emulator throttles or fails on demand, so the drills make the client's calls fail on the way in or out,
and let everything else reach the emulator for real:

- `KinesisFaults` on a Kinesis client (the producer's own, from `producer.app.make_client`):
  * per-record refusals: before a PutRecords request is built, a share of its records is taken out and
    never sent; when the emulator's answer comes back, those records are put back into it as
    ProvisionedThroughputExceededException failures at their positions (what Kinesis does under load);
  * whole-call faults on a schedule: a throttled call (400 ProvisionedThroughputExceededException),
    a 500 InternalFailure, a 503 ServiceUnavailable (answered without reaching the emulator), a
    connection dropped before the request left, and a response lost after the emulator stored the records
    (the request really is delivered, then the client sees a read timeout: a retry duplicates them).
- `fail_calls(client, event, ...)`: a whole operation failing while a switch is on (an outage).

The requests the hooks let through are signed, sent and parsed by botocore as usual.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from botocore.httpsession import URLLib3Session

# Whole-call faults, in the order the schedule cycles through them.
THROTTLED, SERVER_ERROR, UNAVAILABLE, CONNECTION_DROPPED, RESPONSE_LOST = (
    "throttled",
    "500",
    "503",
    "dropped",
    "response lost",
)
CALL_FAULTS = (THROTTLED, SERVER_ERROR, UNAVAILABLE, CONNECTION_DROPPED, RESPONSE_LOST)
RECORD_ERROR = "ProvisionedThroughputExceededException"


class _Body:
    """What AWSResponse reads a body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def json_error(url: str, status: int, code: str, content_type: str = "application/x-amz-json-1.1") -> AWSResponse:
    """An AWS JSON-protocol error answer, as botocore receives it from the wire."""
    payload = json.dumps({"__type": code, "message": "injected by the drill"}).encode()
    headers = {"x-amzn-RequestId": "drill-fault", "Content-Type": content_type}
    return AWSResponse(url, status, headers, _Body(payload))


def xml_error(url: str, status: int, code: str) -> AWSResponse:
    """An S3 (REST-XML) error answer."""
    payload = f"<Error><Code>{code}</Code><Message>injected by the drill</Message></Error>".encode()
    return AWSResponse(url, status, {"Content-Type": "application/xml"}, _Body(payload))


@dataclass
class _Call:
    number: int
    fault: str | None
    refused: list[int] = field(default_factory=list)  # positions in the original request, refused per record
    size: int = 0


class KinesisFaults:
    """Per-record refusals and scheduled whole-call faults on PutRecords; everything else goes through."""

    def __init__(self, record_fail_ratio: float = 0.3, call_fault_every: int = 5, seed: int = 20) -> None:
        self.record_fail_ratio = record_fail_ratio
        self.call_fault_every = call_fault_every
        self.calls = 0
        self.refused_records = 0  # records answered with a per-record error (never sent to the emulator)
        self.call_faults: Counter[str] = Counter()  # whole calls failed, by kind
        self.lost_responses_records = 0  # records the emulator stored in calls whose response was then lost
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._local = threading.local()  # a worker thread makes one call at a time: its hooks share this
        self._http = URLLib3Session()

    def attach(self, client: Any) -> Any:
        events = client.meta.events
        events.register("before-parameter-build.kinesis.PutRecords", self._before_build)
        events.register("before-send.kinesis.PutRecords", self._before_send)
        events.register("after-call.kinesis.PutRecords", self._after_call)
        return client

    def summary(self) -> str:
        faults = ", ".join(f"{count} {kind}" for kind, count in sorted(self.call_faults.items()))
        return (
            f"{self.calls} calls; {self.refused_records} records refused one by one; "
            f"{sum(self.call_faults.values())} calls failed whole ({faults})"
        )

    def _schedule(self, number: int) -> str | None:
        if number % self.call_fault_every:
            return None
        return CALL_FAULTS[(number // self.call_fault_every - 1) % len(CALL_FAULTS)]

    def _before_build(self, params: dict[str, Any], **_: Any) -> None:
        records = params["Records"]
        with self._lock:
            self.calls += 1
            call = _Call(self.calls, self._schedule(self.calls), size=len(records))
            if call.fault is None:
                call.refused = [i for i in range(len(records)) if self._rng.random() < self.record_fail_ratio]
                if len(call.refused) == len(records):  # PutRecords needs one record at least: let the last one in
                    call.refused.pop()
        self._local.call = call
        if call.refused:
            refused = set(call.refused)
            records[:] = [record for i, record in enumerate(records) if i not in refused]

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        call: _Call = self._local.call
        if call.fault is None:
            return None
        with self._lock:
            self.call_faults[call.fault] += 1
        if call.fault == THROTTLED:
            return json_error(request.url, 400, "ProvisionedThroughputExceededException")
        if call.fault == SERVER_ERROR:
            return json_error(request.url, 500, "InternalFailure")
        if call.fault == UNAVAILABLE:
            return json_error(request.url, 503, "ServiceUnavailable")
        if call.fault == CONNECTION_DROPPED:
            raise ConnectionClosedError(endpoint_url=request.url)
        delivered = self._http.send(request)  # RESPONSE_LOST: the emulator stores the records...
        answer = json.loads(delivered.content or b"{}")
        with self._lock:
            self.lost_responses_records += len(answer.get("Records", [])) - int(answer.get("FailedRecordCount", 0))
        raise ReadTimeoutError(endpoint_url=request.url, error="injected: the response never came back")

    def _after_call(self, parsed: dict[str, Any], **_: Any) -> None:
        call: _Call = self._local.call
        if not call.refused or "Error" in parsed:
            return
        answered = iter(parsed.get("Records", []))
        refused = set(call.refused)
        failure = {"ErrorCode": RECORD_ERROR, "ErrorMessage": "Rate exceeded for shard (injected by the drill)"}
        parsed["Records"] = [dict(failure) if i in refused else next(answered) for i in range(call.size)]
        parsed["FailedRecordCount"] = int(parsed.get("FailedRecordCount", 0)) + len(refused)
        with self._lock:
            self.refused_records += len(refused)


class Outage:
    """While `on`, every call of one operation of a client (those `match` accepts, when given) is answered by
    `answer(url)` without being sent."""

    def __init__(
        self,
        client: Any,
        event: str,
        answer: Callable[[str], AWSResponse],
        match: Callable[[Any], bool] | None = None,
    ) -> None:
        self.on = False
        self.failed_calls = 0
        self._answer = answer
        self._match = match
        client.meta.events.register(event, self._before_send)

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        if not self.on or (self._match is not None and not self._match(request)):
            return None
        self.failed_calls += 1
        return self._answer(request.url)
