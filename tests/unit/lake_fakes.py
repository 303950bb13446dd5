"""In-memory stand-ins for the S3, Glue and Athena clients the compaction uses, for unit tests of its control
flow: what is called in which order, what each write carries, and what the lake holds after a failure at any
step. The real clients and the emulator are exercised by tests/integration/test_compaction.py and the drills.

FakeS3 keeps objects (bytes, ETag, the write's arguments) and honours the conditional writes the lock relies on
(IfNoneMatch="*", IfMatch=<ETag>) with S3's 412 answer; `fail` makes named operations raise, as S3 would.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from compact_parquet.athena import QueryFailed

BUCKET = "lake"


def client_error(code: str, status: int, operation: str) -> ClientError:
    answer = {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(answer, operation)


@dataclass
class Stored:
    body: bytes
    etag: str
    args: dict[str, Any]


@dataclass
class FakeS3:
    log: list[tuple] = field(default_factory=list)
    objects: dict[str, Stored] = field(default_factory=dict)
    fail: dict[str, Callable[[str], bool]] = field(default_factory=dict)  # operation -> key predicate
    writes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (operation, key, arguments)

    def add(self, key: str, body: bytes) -> None:
        self.objects[key] = Stored(body, f'"{hashlib.md5(body).hexdigest()}"', {})  # an ETag, as S3 computes it

    def body(self, key: str) -> bytes:
        return self.objects[key].body

    def _check(self, operation: str, key: str) -> None:
        predicate = self.fail.get(operation)
        if predicate and predicate(key):
            raise client_error("AccessDenied", 403, operation)

    def _store(self, operation: str, key: str, body: bytes, args: dict[str, Any]) -> str:
        self._check(operation, key)
        etag = f'"{hashlib.md5(body).hexdigest()}"'  # an ETag, as S3 computes it
        self.objects[key] = Stored(body, etag, args)
        self.writes.append((operation, key, args))
        self.log.append((f"s3.{operation}", key))
        return etag

    def get_paginator(self, name: str) -> Any:
        outer = self

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict]:
                contents = [
                    {"Key": k, "ETag": v.etag, "Size": len(v.body)}
                    for k, v in sorted(outer.objects.items())
                    if k.startswith(Prefix)
                ]
                return [{"Contents": contents}]

        return Paginator()

    def put_object(self, Bucket: str, Key: str, Body: bytes, **args: Any) -> dict:
        current = self.objects.get(Key)
        if args.get("IfNoneMatch") == "*" and current is not None:
            raise client_error("PreconditionFailed", 412, "PutObject")
        if "IfMatch" in args and (current is None or current.etag != args["IfMatch"]):
            raise client_error("PreconditionFailed", 412, "PutObject")
        return {"ETag": self._store("PutObject", Key, Body, args)}

    def get_object(self, Bucket: str, Key: str) -> dict:
        self._check("GetObject", Key)
        if Key not in self.objects:
            raise client_error("NoSuchKey", 404, "GetObject")
        stored = self.objects[Key]
        return {"Body": io.BytesIO(stored.body), "ETag": stored.etag}

    def head_object(self, Bucket: str, Key: str) -> dict:
        if Key not in self.objects:
            raise client_error("404", 404, "HeadObject")
        stored = self.objects[Key]
        return {"ContentLength": len(stored.body), "ETag": stored.etag}

    def upload_file(self, Filename: str, Bucket: str, Key: str, ExtraArgs: dict | None = None) -> None:
        with open(Filename, "rb") as handle:
            self._store("PutObject", Key, handle.read(), dict(ExtraArgs or {}))

    def copy(self, CopySource: dict, Bucket: str, Key: str, ExtraArgs: dict | None = None) -> None:
        self._check("CopyObject", Key)
        self._store("CopyObject", Key, self.objects[CopySource["Key"]].body, dict(ExtraArgs or {}))

    def delete_objects(self, Bucket: str, Delete: dict) -> dict:
        keys = [o["Key"] for o in Delete["Objects"]]
        for key in keys:
            self._check("DeleteObjects", key)
        for key in keys:
            self.objects.pop(key, None)
        self.log.append(("s3.DeleteObjects", tuple(keys)))
        return {}


class NotFound(Exception):
    pass


class AlreadyExists(Exception):
    pass


@dataclass
class FakeGlue:
    log: list[tuple] = field(default_factory=list)
    parameters: dict[str, str] = field(default_factory=dict)
    partitions: set[tuple[str, ...]] = field(default_factory=set)
    locations: dict[str, str] = field(default_factory=dict)  # table -> location (temporary CTAS tables)

    class exceptions:
        EntityNotFoundException = NotFound
        AlreadyExistsException = AlreadyExists

    def get_table(self, DatabaseName: str, Name: str) -> dict:
        default = f"s3://{BUCKET}/{'00-retail-trans' if Name == 'retail_trans_json' else 'parquet-retail-trans'}/"
        if "__ctas_" in Name and Name not in self.locations:
            raise NotFound
        return {
            "Table": {
                "Name": Name,
                "DatabaseName": DatabaseName,
                "Parameters": self.parameters,
                "PartitionKeys": [{"Name": k, "Type": "string"} for k in ("year", "month", "day", "hour")],
                "StorageDescriptor": {"Location": self.locations.get(Name, default), "Columns": []},
            }
        }

    def create_partition(self, DatabaseName: str, TableName: str, PartitionInput: dict) -> dict:
        values = tuple(PartitionInput["Values"])
        self.log.append(("glue.create_partition", values))
        if values in self.partitions:
            raise AlreadyExists
        self.partitions.add(values)
        return {}


@dataclass
class FakeAthena:
    """Counts come from `rows` (source) and `staged_rows`; the CTAS writes `files` Parquet files into
    `athena-results/tables/<query>/` of FakeS3 and registers the temporary table's location in FakeGlue."""

    log: list[tuple]
    s3: FakeS3
    glue: FakeGlue
    rows: int = 5
    staged_rows: int | None = None
    files: int = 1
    fail: str | None = None  # a statement prefix that fails

    def scalar(self, statement: str, what: str) -> str:
        self.log.append(("athena", " ".join(statement.split()[:2]), statement.split()[-1]))
        if self.fail and statement.startswith(self.fail):
            raise QueryFailed(f"{what} failed: boom")
        if "__ctas_" in statement.split("FROM")[-1]:
            return str(self.rows if self.staged_rows is None else self.staged_rows)
        return str(self.rows)

    def run(self, statement: str, what: str, cleanup: bool = False) -> str:
        self.log.append(("athena", " ".join(statement.split()[:2])))
        if self.fail and statement.startswith(self.fail):
            raise QueryFailed(f"{what} failed: boom")
        if statement.startswith("CREATE TABLE"):
            table = statement.split()[2].split(".")[-1]
            folder = "athena-results/tables/q1/"
            for i in range(self.files):
                self.s3.add(f"{folder}{i:05d}_0_bucket-00000", f"parquet {self.staged_rows or self.rows} {i}".encode())
            self.glue.locations[table] = f"s3://{BUCKET}/{folder}"
        if statement.startswith("DROP TABLE"):
            self.glue.locations.pop(statement.split()[-1].split(".")[-1], None)
        return "q1"
