"""S3 and Glue helpers: list an hour's objects, write encrypted, switch a key, find a table's location,
register a partition."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from compact_parquet.config import ConfigError, S3Uri
from compact_parquet.hours import Hour


@dataclass(frozen=True, order=True)
class ObjectInfo:
    key: str
    etag: str
    size: int


def list_objects(s3: Any, folder: S3Uri) -> list[ObjectInfo]:
    """Every object under the folder with its ETag and size, except hidden ones (`_`/`.` names, which Athena
    skips too), sorted by key."""
    found: list[ObjectInfo] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=folder.bucket, Prefix=folder.key):
        for item in page.get("Contents", []):
            relative = item["Key"][len(folder.key) :]
            if relative and not relative.endswith("/") and not relative.split("/")[-1].startswith(("_", ".")):
                found.append(ObjectInfo(item["Key"], str(item.get("ETag", "")).strip('"'), int(item.get("Size", 0))))
    return sorted(found)


def list_keys(s3: Any, folder: S3Uri) -> list[str]:
    """Every object key under the folder, except hidden ones."""
    return [item.key for item in list_objects(s3, folder)]


def all_keys(s3: Any, folder: S3Uri) -> list[str]:
    """Every object key under the folder, hidden ones included."""
    return sorted(
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=folder.bucket, Prefix=folder.key)
        for item in page.get("Contents", [])
    )


def encryption(kms_key_id: str | None) -> dict[str, str]:
    """The arguments every write to the lake carries: SSE-KMS with the lake's key (its bucket policy denies a
    PutObject without them), or nothing when the lake has no customer managed key (the bucket default applies)."""
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}


def put_text(s3: Any, where: S3Uri, text: str, kms_key_id: str | None, **conditions: str) -> str:
    """Write a small text object (a manifest, the lock), encrypted; return its ETag as S3 sent it (quoted, as
    If-Match wants it). `conditions`: IfMatch or IfNoneMatch."""
    response = s3.put_object(
        Bucket=where.bucket,
        Key=where.key,
        Body=text.encode("utf-8"),
        ContentType="application/json",
        **encryption(kms_key_id),
        **conditions,
    )
    return str(response.get("ETag", ""))


def switch(s3: Any, staged: ObjectInfo, staged_bucket: str, live: S3Uri, kms_key_id: str | None) -> ObjectInfo:
    """Put the staged object at the live key in one step (a copy replaces the key atomically: readers see the
    old object or the new one, never both, never neither), then check the live object is the staged one."""
    s3.copy(
        {"Bucket": staged_bucket, "Key": staged.key},
        live.bucket,
        live.key,
        ExtraArgs=encryption(kms_key_id),
    )
    head = s3.head_object(Bucket=live.bucket, Key=live.key)
    size = int(head.get("ContentLength", -1))
    if size != staged.size:
        raise RuntimeError(f"{live} holds {size} bytes after the switch, the staged file {staged.size}")
    return ObjectInfo(live.key, str(head.get("ETag", "")).strip('"'), size)


def etag(s3: Any, where: S3Uri) -> str | None:
    """The object's ETag (unquoted), or None when there is no such object."""
    try:
        return str(s3.head_object(Bucket=where.bucket, Key=where.key).get("ETag", "")).strip('"')
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def delete_keys(s3: Any, bucket: str, keys: list[str]) -> int:
    """Delete the keys (1000 per request); return how many."""
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True})
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise RuntimeError(
                f"could not delete {len(errors)} object(s) in s3://{bucket}/, e.g. {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message', '')}"
            )
    return len(keys)


def delete_folder(s3: Any, folder: S3Uri) -> int:
    """Delete every object under the folder; return how many."""
    return delete_keys(s3, folder.bucket, all_keys(s3, folder))


def get_table(glue: Any, database: str, table: str) -> dict[str, Any]:
    try:
        return glue.get_table(DatabaseName=database, Name=table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        raise ConfigError(f"table {database}.{table} does not exist in the Glue Data Catalog") from None


def table_location(table: dict[str, Any]) -> S3Uri:
    location = (table.get("StorageDescriptor") or {}).get("Location", "")
    return S3Uri.parse(location, f"the LOCATION of table {table.get('Name')}").folder()


def hour_folder(table: dict[str, Any], hour: Hour) -> S3Uri:
    """Where the table keeps an hour: its projection's `storage.location.template` when it has one,
    else `<LOCATION>year=YYYY/month=MM/day=DD/hour=HH/` (Hive layout, as Firehose writes it)."""
    template = str((table.get("Parameters") or {}).get("storage.location.template", ""))
    if not template:
        return table_location(table).child(hour.path)
    for key, value in hour.partition.items():
        template = template.replace("${" + key + "}", value)
    return S3Uri.parse(template, f"the storage.location.template of table {table.get('Name')}").folder()


def is_projected(table: dict[str, Any]) -> bool:
    return str((table.get("Parameters") or {}).get("projection.enabled", "")).lower() == "true"


def register_partition(glue: Any, table: dict[str, Any], hour: Hour, folder: S3Uri) -> bool:
    """Add the hour's partition to a partitioned table that does not use partition projection.

    Returns True when the partition was added, False when the table needs none (projection, or no
    partition keys) or already has it (its location is the same fixed folder).
    """
    keys = [key["Name"] for key in table.get("PartitionKeys") or []]
    if not keys or is_projected(table):
        return False
    if keys != list(hour.partition):
        raise ConfigError(f"table {table['Name']} is partitioned by {keys}, expected {list(hour.partition)}")
    descriptor = copy.deepcopy(table.get("StorageDescriptor") or {})
    descriptor["Location"] = str(folder)
    try:
        glue.create_partition(
            DatabaseName=table["DatabaseName"],
            TableName=table["Name"],
            PartitionInput={"Values": list(hour.partition.values()), "StorageDescriptor": descriptor},
        )
    except glue.exceptions.AlreadyExistsException:
        return False
    return True
