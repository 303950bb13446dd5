"""Sending batches to Kinesis or Firehose, retrying per-record failures and throttling with backoff and jitter.

Nothing is silently lost: every record of a batch ends up delivered, reported as failed (with its last
error code once the retry budget is spent), or handed back undelivered when the run is aborted.
Create the boto3 client with botocore's own retries off (`total_max_attempts=1`): this module owns the
retry budget, so it is bounded and every retry is counted.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
)

from producer.batching import FIREHOSE, KINESIS, Limits
from producer.errors import DestinationError
from producer.records import Entry

# Whole-call errors worth retrying: throttling and transient server-side failures.
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "KMSThrottlingException",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalFailureException",
        "InternalServerError",
        "InternalError",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
TRANSPORT_ERRORS = (ConnectionError, HTTPClientError)
USABLE_STATUSES = frozenset({"ACTIVE", "UPDATING"})


class Destination(Protocol):
    """A stream that takes batches of entries."""

    limits: Limits

    def describe(self) -> str: ...

    def check(self) -> None: ...

    def put(self, entries: Sequence[Entry]) -> list[str | None]:
        """Send one batch; per entry, None when accepted or the error code when refused."""
        ...


class KinesisStream:
    """A Kinesis data stream, written with PutRecords."""

    limits = KINESIS

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def describe(self) -> str:
        return f"kinesis stream {self.name!r}"

    def check(self) -> None:
        """Fail early, with a clear message, when the stream is missing or not ready."""
        try:
            summary = self.client.describe_stream_summary(StreamName=self.name)["StreamDescriptionSummary"]
        except (ClientError, BotoCoreError) as exc:
            _raise_for_check(exc, self, hint="check --stream-name (the stack's output kinesis_stream_name)")
            return
        if summary.get("StreamStatus") not in USABLE_STATUSES:
            raise DestinationError(
                f"{self.describe()} is {summary.get('StreamStatus')}, not ACTIVE; wait for it and run again"
            )

    def put(self, entries: Sequence[Entry]) -> list[str | None]:
        response = self.client.put_records(
            StreamName=self.name, Records=[{"Data": e.data, "PartitionKey": e.key} for e in entries]
        )
        if not response.get("FailedRecordCount"):
            return [None] * len(entries)
        return [result.get("ErrorCode") for result in response["Records"]]


class FirehoseStream:
    """A Firehose delivery stream with a Direct PUT source, written with PutRecordBatch."""

    limits = FIREHOSE

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def describe(self) -> str:
        return f"firehose delivery stream {self.name!r}"

    def check(self) -> None:
        """Fail early when the delivery stream is missing, not ready, or fed by a Kinesis stream."""
        try:
            description = self.client.describe_delivery_stream(DeliveryStreamName=self.name)[
                "DeliveryStreamDescription"
            ]
        except (ClientError, BotoCoreError) as exc:
            _raise_for_check(exc, self, hint="check --stream-name (the stack's output firehose_name)")
            return
        if description.get("DeliveryStreamType") == "KinesisStreamAsSource":
            raise DestinationError(
                f"{self.describe()} reads from a Kinesis stream and takes no direct puts; "
                "send to that stream with --service-name kinesis (the stack's output kinesis_stream_name)"
            )
        if description.get("DeliveryStreamStatus") not in USABLE_STATUSES:
            raise DestinationError(
                f"{self.describe()} is {description.get('DeliveryStreamStatus')}, not ACTIVE; wait for it and run again"
            )

    def put(self, entries: Sequence[Entry]) -> list[str | None]:
        response = self.client.put_record_batch(
            DeliveryStreamName=self.name, Records=[{"Data": e.data} for e in entries]
        )
        if not response.get("FailedPutCount"):
            return [None] * len(entries)
        return [result.get("ErrorCode") for result in response["RequestResponses"]]


def destination_for(service: str, client: Any, name: str) -> Destination:
    if service == "kinesis":
        return KinesisStream(client, name)
    if service == "firehose":
        return FirehoseStream(client, name)
    raise ValueError(f"unknown service {service!r}; use kinesis or firehose")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(max_delay, base_delay * 2**n))."""

    max_retries: int = 8
    base_delay: float = 0.1
    max_delay: float = 10.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass
class Outcome:
    """What became of one batch."""

    delivered: int = 0
    retried: int = 0  # records sent again after a failure (one record retried twice counts 2)
    throttled_calls: int = 0  # whole calls refused as throttled or unavailable
    calls: int = 0
    failed: list[tuple[Entry, str]] = field(default_factory=list)  # never delivered, with the reason


class DeliveryAborted(Exception):
    """A batch hit an error no retry can fix (or lost the endpoint); the run must stop."""

    def __init__(self, message: str, outcome: Outcome) -> None:
        super().__init__(message)
        self.outcome = outcome


class Sender:
    """Delivers batches to one destination; safe to share between worker threads."""

    def __init__(
        self,
        destination: Destination,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.destination = destination
        self.policy = policy or RetryPolicy()
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self.stop = stop or threading.Event()

    def deliver(self, batch: Sequence[Entry]) -> Outcome:
        """Send the batch, resending only the records that failed, until all are in or the budget is spent."""
        outcome = Outcome()
        pending = list(batch)
        attempt = 0
        while True:
            outcome.calls += 1
            codes, fatal = self._put(pending, outcome)
            refused = [(entry, code) for entry, code in zip(pending, codes, strict=True) if code]
            outcome.delivered += len(pending) - len(refused)
            if not refused:
                return outcome
            if fatal or attempt >= self.policy.max_retries:
                reason = f"{refused[0][1]} after {attempt + 1} attempt{'s' if attempt else ''}"
                if fatal or _is_transport(refused[0][1]):
                    outcome.failed = [(entry, reason) for entry, _ in refused]
                    raise DeliveryAborted(fatal or f"lost the connection to the endpoint ({reason})", outcome)
                outcome.failed = [(entry, f"{code} after {attempt + 1} attempts") for entry, code in refused]
                return outcome
            with self._lock:
                delay = self.policy.delay(attempt, self._rng)
            if self.stop.wait(delay):
                outcome.failed = [(entry, f"{code}, then the run stopped before a retry") for entry, code in refused]
                return outcome
            attempt += 1
            outcome.retried += len(refused)
            pending = [entry for entry, _ in refused]

    def _put(self, pending: list[Entry], outcome: Outcome) -> tuple[list[str | None], str | None]:
        """Per-entry error codes of one call, and the message of a fatal error if there was one."""
        try:
            return self.destination.put(pending), None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in RETRYABLE_CODES or status >= 500:
                outcome.throttled_calls += 1
                return [code] * len(pending), None
            return [code] * len(pending), _explain(exc, self.destination)
        except TRANSPORT_ERRORS as exc:
            return [f"{TRANSPORT_PREFIX}{type(exc).__name__}"] * len(pending), None
        except BotoCoreError as exc:
            return [type(exc).__name__] * len(pending), _explain(exc, self.destination)


TRANSPORT_PREFIX = "transport:"


def _is_transport(code: str) -> bool:
    return code.startswith(TRANSPORT_PREFIX)


def _explain(exc: ClientError | BotoCoreError, destination: Destination) -> str:
    """One line saying what failed and what to do, for the errors users meet."""
    client = getattr(destination, "client", None)
    where = ""
    if client is not None:
        where = f" in {client.meta.region_name}"
        if client.meta.endpoint_url and "amazonaws.com" not in client.meta.endpoint_url:
            where += f" at {client.meta.endpoint_url}"
    if isinstance(exc, NoCredentialsError):
        return (
            "no AWS credentials found; configure them (aws configure, AWS_PROFILE) or, for an emulator, "
            "export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
        )
    if isinstance(exc, TRANSPORT_ERRORS):
        return f"cannot reach {destination.describe()}{where}: {exc}; check --endpoint-url (local emulator: make up)"
    if isinstance(exc, BotoCoreError):
        return f"{destination.describe()}{where}: {exc}"
    code = exc.response.get("Error", {}).get("Code", "Unknown")
    message = exc.response.get("Error", {}).get("Message", "")
    if code == "ResourceNotFoundException":
        return f"{destination.describe()} does not exist{where}"
    if code in ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException"):
        return f"access to {destination.describe()}{where} was refused ({code}: {message}); check the credentials"
    return f"{destination.describe()}{where} refused the records ({code}: {message})"


def _raise_for_check(exc: ClientError | BotoCoreError, destination: Destination, hint: str) -> None:
    """Turn a failed pre-flight describe into a DestinationError; a describe merely not allowed is no error."""
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        "AccessDeniedException",
        "AccessDenied",
    ):
        return  # a role may be allowed to put records without being allowed to describe the stream
    message = _explain(exc, destination)
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
        message += f"; {hint}"
    raise DestinationError(message) from None
