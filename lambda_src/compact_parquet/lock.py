"""At most one compaction at a time: a lease in S3, taken and handed over with S3's conditional writes.

The lock is one small JSON object (`<STATE_LOCATION>lock.json`: holder, until when). A run takes it by creating
the object only if it does not exist (`If-None-Match: *`), or, when the lease it finds has run out or was
released, by overwriting exactly the version it read (`If-Match: <ETag>`): of two runs racing for it, S3 lets
one write and answers the other 412. The holder renews the lease before each hour and releases it at the end
(again with `If-Match`, so a run never releases a lease another run has taken over). A crashed run cannot
wedge the compaction: its lease ends when its own deadline would have (the function's timeout, or the CLI's
lease), and the next run takes it over.

Reserved concurrency could cap the function at one instance, but not a backfill from the CLI, and an account
with the default 10 concurrent executions cannot reserve any: the lock covers both. Leases compare wall-clock
times of different machines: clocks within a few seconds of each other are assumed (NTP), and a lease has a
minute of slack on top of the holder's deadline.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from compact_parquet import storage
from compact_parquet.config import S3Uri

LOCK_NAME = "lock.json"
SLACK_S = 60.0  # a lease outlives its holder's deadline by this much
CONFLICT_CODES = ("PreconditionFailed", "412", "ConditionalRequestConflict", "409")


class LockHeld(RuntimeError):
    """Another run holds the lease; the message says which and until when."""


class LockLost(RuntimeError):
    """The lease was taken over while this run thought it held it (its own lease had run out)."""


@dataclass
class Lease:
    holder: str
    until: float  # epoch seconds
    released: bool = False

    @classmethod
    def parse(cls, text: str) -> Lease | None:
        try:
            data = json.loads(text)
            return cls(str(data["holder"]), float(data["until"]), bool(data.get("released", False)))
        except (ValueError, KeyError, TypeError):
            return None  # unreadable: treated as free (only a run of ours writes it)

    def to_json(self) -> str:
        until = datetime.fromtimestamp(self.until, UTC).isoformat(timespec="seconds")
        return json.dumps({"holder": self.holder, "until": self.until, "until_utc": until, "released": self.released})


@dataclass
class S3Lock:
    s3: Any
    state: S3Uri
    kms_key_id: str | None
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}/{uuid.uuid4().hex[:12]}")
    now: Callable[[], float] = time.time
    etag: str | None = None  # of our lease object while we hold it

    @property
    def where(self) -> S3Uri:
        return self.state.child(LOCK_NAME)

    def acquire(self, lease_s: float) -> None:
        """Take the lease for `lease_s` seconds (plus slack) or raise LockHeld."""
        _require_conditional_writes(self.s3)
        lease = Lease(self.holder, self.now() + lease_s + SLACK_S)
        try:
            self.etag = storage.put_text(self.s3, self.where, lease.to_json(), self.kms_key_id, IfNoneMatch="*")
            return
        except ClientError as exc:
            if not _conflict(exc):
                raise
        current, etag = self._read()
        if current and not current.released and current.until > self.now():
            raise LockHeld(f"another compaction ({current.holder}) holds the lock until {_utc(current.until)}")
        try:  # free, expired or unreadable: take it over, exactly the version we read
            self.etag = storage.put_text(self.s3, self.where, lease.to_json(), self.kms_key_id, IfMatch=etag)
        except ClientError as exc:
            if _conflict(exc):
                raise LockHeld("another compaction took the lock at the same moment; try again later") from None
            raise

    def renew(self, lease_s: float) -> None:
        """Extend our lease; raise LockLost if someone else holds it now."""
        self._replace(Lease(self.holder, self.now() + lease_s + SLACK_S))

    def release(self) -> None:
        """Hand the lease back (a no-op when we do not hold it)."""
        if self.etag is None:
            return
        with contextlib.suppress(LockLost):  # already taken over: nothing of ours to release
            self._replace(Lease(self.holder, self.now(), released=True))
        self.etag = None

    def _replace(self, lease: Lease) -> None:
        if self.etag is None:
            raise LockLost("this run does not hold the lock")
        try:
            self.etag = storage.put_text(self.s3, self.where, lease.to_json(), self.kms_key_id, IfMatch=self.etag)
        except ClientError as exc:
            if _conflict(exc):
                self.etag = None
                raise LockLost("the lock was taken over by another compaction (this run's lease had run out)") from None
            raise

    def _read(self) -> tuple[Lease | None, str]:
        try:
            response = self.s3.get_object(Bucket=self.where.bucket, Key=self.where.key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise LockHeld("the lock changed while it was being read; try again later") from None
            raise
        return Lease.parse(response["Body"].read().decode("utf-8", "replace")), str(response["ETag"])


def _require_conditional_writes(s3: Any) -> None:
    """S3 conditional writes reached the SDKs in 2024 (If-None-Match in August, If-Match in November)."""
    model = getattr(getattr(s3, "meta", None), "service_model", None)
    if model is None:
        return  # a stand-in client in tests
    members = model.operation_model("PutObject").input_shape.members
    if "IfNoneMatch" not in members or "IfMatch" not in members:
        raise RuntimeError(
            "this boto3/botocore cannot make S3 conditional writes (If-None-Match, If-Match), which the compaction "
            "lock needs; use a boto3/botocore released after November 2024"
        )


def _conflict(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return error.get("Code") in CONFLICT_CODES or status in ("409", "412")


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
