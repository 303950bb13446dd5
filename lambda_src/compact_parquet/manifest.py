"""What each compaction consumed: one small JSON manifest per hour, beside the lock under STATE_LOCATION.

A manifest names every JSON object the hour's Parquet was built from (key, ETag, size) and a fingerprint of
that list. A later run lists the hour's JSON folder (one ListObjectsV2) and compares fingerprints: a different
list means objects arrived (or changed) after the compaction, and the hour is compacted again. The manifest is
written only after the switch, so a run that fails anywhere leaves the previous manifest, and the hour still
looks changed to the next run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from compact_parquet import storage
from compact_parquet.config import S3Uri
from compact_parquet.hours import Hour
from compact_parquet.storage import ObjectInfo

VERSION = 1


def fingerprint(objects: list[ObjectInfo]) -> str:
    """SHA-256 of the sorted (key, ETag, size) list: equal exactly when the same objects, unchanged, are there."""
    digest = hashlib.sha256()
    for item in sorted(objects):
        digest.update(f"{item.key}\t{item.etag}\t{item.size}\n".encode())
    return digest.hexdigest()


@dataclass
class Manifest:
    hour: str
    engine: str
    rows: int
    source_folder: str
    source_fingerprint: str
    source_objects: list[list[Any]]  # [key, etag, size] each
    target_key: str
    target_etag: str
    target_size: int
    run: str
    compacted_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    version: int = VERSION

    @classmethod
    def build(
        cls, hour: Hour, engine: str, rows: int, source: S3Uri, objects: list[ObjectInfo], live: ObjectInfo, run: str
    ) -> Manifest:
        return cls(
            hour=str(hour),
            engine=engine,
            rows=rows,
            source_folder=str(source),
            source_fingerprint=fingerprint(objects),
            source_objects=[[o.key, o.etag, o.size] for o in objects],
            target_key=live.key,
            target_etag=live.etag,
            target_size=live.size,
            run=run,
        )

    def matches(self, objects: list[ObjectInfo]) -> bool:
        return self.source_fingerprint == fingerprint(objects)


def location(state: S3Uri, hour: Hour) -> S3Uri:
    """`<state>manifests/year=YYYY/month=MM/day=DD/hour=HH/manifest.json`."""
    return state.child(f"manifests/{hour.path}manifest.json")


def read(s3: Any, state: S3Uri, hour: Hour) -> Manifest | None:
    """The hour's manifest, or None when it was never compacted (or the manifest is unreadable: compact again)."""
    where = location(state, hour)
    try:
        body = s3.get_object(Bucket=where.bucket, Key=where.key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None
        raise
    try:
        data = json.loads(body)
        return Manifest(**data) if data.get("version") == VERSION else None
    except (ValueError, TypeError):
        return None


def write(s3: Any, state: S3Uri, hour: Hour, manifest: Manifest, kms_key_id: str | None) -> None:
    storage.put_text(s3, location(state, hour), json.dumps(asdict(manifest), indent=1) + "\n", kms_key_id)
