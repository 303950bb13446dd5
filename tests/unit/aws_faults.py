"""Fault injection for the producer's tests through botocore's own event hooks, no network mock of our own.

`FaultyStream.attach(client)` registers a `before-send` hook on a real boto3 client (made by the
producer's own `make_client`): botocore serializes each request as usual, the hook answers it as
Kinesis or Firehose would (an HTTP response botocore parses as usual), refusing a share of the
records, throttling whole calls, or failing in other ways. Accepted records go to a ledger, so a
test can check that every record arrived exactly once. This stands in for AWS because no local
engine can be made to throttle on demand; the emulator tests cover the real data path.
"""

from __future__ import annotations

import base64
import json
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse

from producer.app import make_client

FAKE_ENDPOINT = "http://fault-injection.invalid:4566"


class Body:
    """What AWSResponse reads a body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def response(status: int, payload: dict) -> AWSResponse:
    headers = {"x-amzn-RequestId": "fault-injection", "Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(FAKE_ENDPOINT, status, headers, Body(json.dumps(payload).encode()))


def error(status: int, code: str, message: str = "injected") -> AWSResponse:
    return response(status, {"__type": code, "message": message})


class FaultyStream:
    """A Kinesis stream or Firehose delivery stream that misbehaves as told, and remembers what it accepted.

    - `fail_ratio`: share of records refused per call with `record_error` (Kinesis' per-record failure).
    - `throttle_calls`: the first N put calls are refused whole with `call_error` (HTTP `call_status`).
    - `always_fail`: records whose data contains one of these byte strings are refused every time.
    - `put_failure`: a callable(call_number) returning an AWSResponse or raising, to script anything else.
    """

    def __init__(
        self,
        service: str = "kinesis",
        fail_ratio: float = 0.0,
        record_error: str | None = None,
        throttle_calls: int = 0,
        call_error: str = "ProvisionedThroughputExceededException",
        call_status: int = 400,
        always_fail: tuple[bytes, ...] = (),
        put_failure: Callable[[int], AWSResponse | None] | None = None,
        describe: dict | None = None,
        seed: int = 7,
    ) -> None:
        self.service = service
        self.fail_ratio = fail_ratio
        self.record_error = record_error or (
            "ProvisionedThroughputExceededException" if service == "kinesis" else "ServiceUnavailableException"
        )
        self.throttle_calls = throttle_calls
        self.call_error = call_error
        self.call_status = call_status
        self.always_fail = always_fail
        self.put_failure = put_failure
        self.describe = describe
        self.accepted: Counter[bytes] = Counter()
        self.partition_keys: list[str] = []
        self.put_calls = 0
        self.batch_sizes: list[int] = []
        self.refused_records = 0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def client(self, concurrency: int = 4) -> Any:
        """A real boto3 client, configured exactly as the producer's, answered by this stream."""
        client = make_client(self.service, "us-east-1", FAKE_ENDPOINT, concurrency)
        self.attach(client)
        return client

    def attach(self, client: Any) -> None:
        client.meta.events.register(f"before-send.{self.service}", self.handle)

    def handle(self, request: Any, **_: Any) -> AWSResponse:
        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        body = json.loads(request.body)
        if operation == "DescribeStreamSummary":
            return response(200, self.describe or {"StreamDescriptionSummary": {"StreamStatus": "ACTIVE"}})
        if operation == "DescribeDeliveryStream":
            default = {"DeliveryStreamStatus": "ACTIVE", "DeliveryStreamType": "DirectPut"}
            return response(200, {"DeliveryStreamDescription": self.describe or default})
        if operation in ("PutRecords", "PutRecordBatch"):
            return self._put(operation, body)
        return error(400, "UnknownOperationException", operation)

    def _put(self, operation: str, body: dict) -> AWSResponse:
        with self._lock:
            self.put_calls += 1
            call = self.put_calls
            self.batch_sizes.append(len(body["Records"]))
        if self.put_failure is not None:
            scripted = self.put_failure(call)
            if scripted is not None:
                return scripted
        if call <= self.throttle_calls:
            return error(self.call_status, self.call_error, "Rate exceeded")
        results = []
        failed = 0
        for record in body["Records"]:
            data = base64.b64decode(record["Data"])
            with self._lock:
                refused = any(marker in data for marker in self.always_fail) or self._rng.random() < self.fail_ratio
                if refused:
                    self.refused_records += 1
                else:
                    self.accepted[data] += 1
                    if "PartitionKey" in record:
                        self.partition_keys.append(record["PartitionKey"])
            if refused:
                failed += 1
                results.append({"ErrorCode": self.record_error, "ErrorMessage": "injected"})
            elif operation == "PutRecords":
                results.append(
                    {
                        "SequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                        "ShardId": "shardId-000000000000",
                    }
                )
            else:
                results.append({"RecordId": "injected-record-id"})
        if operation == "PutRecords":
            return response(200, {"FailedRecordCount": failed, "Records": results})
        return response(200, {"FailedPutCount": failed, "Encrypted": False, "RequestResponses": results})
