"""S3 and Glue helpers: list and replace an hour's folder, find a table's location, register a partition."""

from __future__ import annotations

import copy
from typing import Any

from compact_parquet.config import ConfigError, S3Uri
from compact_parquet.hours import Hour


def list_keys(s3: Any, folder: S3Uri) -> list[str]:
    """Every object key under the folder, except hidden ones (`_`/`.` names, which Athena skips too)."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=folder.bucket, Prefix=folder.key):
        for item in page.get("Contents", []):
            relative = item["Key"][len(folder.key) :]
            if relative and not relative.endswith("/") and not relative.split("/")[-1].startswith(("_", ".")):
                keys.append(item["Key"])
    return sorted(keys)


def delete_folder(s3: Any, folder: S3Uri) -> int:
    """Delete every object under the folder (the hour being replaced); return how many."""
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=folder.bucket, Prefix=folder.key)
        for item in page.get("Contents", [])
    ]
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        response = s3.delete_objects(
            Bucket=folder.bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
        )
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise RuntimeError(
                f"could not delete {len(errors)} object(s) under {folder}, e.g. {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message', '')}"
            )
    return len(keys)


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
