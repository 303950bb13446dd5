"""Compact an hour of the JSON table into `<TARGET_LOCATION>year=YYYY/month=MM/day=DD/hour=HH/`: one Parquet
file (Snappy) with the Parquet table's columns, replaced atomically.

An hour is rebuilt away from the table and switched in only once it is complete and verified:

1. list the hour's JSON objects; skip the hour when they are exactly what its manifest says the last
   compaction consumed (unless forced: a backfill replaces whatever is there);
2. build one Parquet file in a staging folder that no table reads (STATE_LOCATION, or Athena's result folder);
3. verify it: its row count equals the source hour's, counted independently;
4. switch: copy it onto the hour's one live key, `part-00000-<YYYYMMDDHH>.snappy.parquet` (S3 replaces a key in
   one step: a query sees the old file or the new one, never both and never neither);
5. only then delete the hour's other objects (files an older layout left) and the staged file, and write the
   manifest (manifest.py).

A failure before step 4 leaves the previous Parquet exactly as it was; after it, the hour already holds the
new file. Either way the manifest still describes the old state, so the next run compacts the hour again.

Two ways to build the file:
- athena: Athena CTAS into a temporary table with a single bucket (one file), written where the workgroup
  keeps results (`<results>/tables/<query id>/`); the table is dropped afterwards, always. What the Lambda
  function runs on AWS.
- duckdb: reads the hour's JSON objects from S3 with boto3, converts them with DuckDB on this machine and
  uploads the file to the staging folder. For emulators (MiniStack's Athena has no CTAS) and laptops; DuckDB
  is not in the Lambda zip.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.config import Config

from compact_parquet import manifest, sql, storage
from compact_parquet.athena import Athena
from compact_parquet.config import ConfigError, S3Uri, Settings
from compact_parquet.contract import JSON_COLUMNS, ORDER_BY, PARQUET_SELECT  # from contract/record.schema.json
from compact_parquet.deadline import Deadline
from compact_parquet.hours import Hour
from compact_parquet.storage import ObjectInfo

DOWNLOAD_THREADS = 8


class VerificationFailed(RuntimeError):
    """The staged file is not the whole hour (row count, file count or size); nothing was switched."""


@dataclass(frozen=True)
class Staged:
    """The hour rebuilt in a staging folder, with both counts for verification."""

    folder: S3Uri  # deleted after the switch
    file: ObjectInfo  # the one Parquet file
    source_rows: int  # rows of the source hour, counted independently of the conversion
    rows: int  # rows of the staged file


@dataclass
class Result:
    hour: Hour
    engine: str
    status: str  # compacted | unchanged | empty | dry_run
    target: S3Uri
    rows: int | None = None
    source_objects: int | None = None
    replaced_objects: int = 0
    partition_added: bool = False
    # why it was compacted: forced (a backfill), new (never compacted), changed (late data), repair (the live file
    # is not the one the manifest recorded: deleted or overwritten since)
    trigger: str = ""
    late_objects: int = 0  # with `changed`: source objects the previous compaction had not seen
    statements: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "hour": str(self.hour),
            "engine": self.engine,
            "status": self.status,
            "target": str(self.target),
            "rows": self.rows,
            "source_objects": self.source_objects,
            "replaced_objects": self.replaced_objects,
            "partition_added": self.partition_added,
            "trigger": self.trigger,
            "late_objects": self.late_objects,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        where = f"into {self.target}"
        if self.status == "empty":
            what = "no source data: nothing to compact, target left as it was"
        elif self.status == "unchanged":
            what = f"unchanged since its last compaction ({self.source_objects:,} objects): left as it was"
        elif self.status == "dry_run":
            what = "dry run: nothing executed"
        else:
            objects = f" from {self.source_objects:,} objects" if self.source_objects is not None else ""
            late = f" (late data: {self.late_objects} new objects)" if self.trigger == "changed" else ""
            what = f"compacted {self.rows:,} rows{objects}{late} {where} (replaced {self.replaced_objects} objects)"
        return f"{self.hour}: {what} (engine: {self.engine}, {self.seconds:.1f} s)"


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class Engine:
    """The steps every compaction shares (list, compare, stage, verify, switch, clean up, record); the engines
    below differ only in how they build the staged file."""

    name = "engine"

    def __init__(
        self, settings: Settings, s3: Any, glue: Any, deadline: Deadline | None = None, run_id: str | None = None
    ) -> None:
        self.settings, self.s3, self.glue = settings, s3, glue
        self.deadline = deadline or Deadline()
        self.run_id = run_id or new_run_id()

    def plan(self, hour: Hour, staging: S3Uri) -> list[str]:
        """What building the staged file runs (a dry run's listing)."""
        raise NotImplementedError

    def stage(self, hour: Hour, source: S3Uri, sources: list[ObjectInfo], staging: S3Uri) -> Staged | None:
        """Build the hour's Parquet file outside the table; None when the source hour has no rows."""
        raise NotImplementedError

    def compact(self, hour: Hour, dry_run: bool = False, force: bool = True) -> Result:
        """Compact one hour. `force=False` skips an hour whose JSON is what its manifest records. A dry run
        makes no AWS call: it lists what would run."""
        started = time.monotonic()
        cfg = self.settings
        folder = cfg.target_location.child(hour.path)
        live = folder.child(f"part-00000-{hour.compact}.snappy.parquet")
        staging = cfg.state.child(f"staging/{hour.compact}/")
        if dry_run:
            result = Result(hour, self.name, "dry_run", folder)
            result.statements = [
                f"-- list the hour's JSON objects; with --changed-only, stop if {manifest.location(cfg.state, hour)} "
                "lists exactly them",
                *self.plan(hour, staging.child(f"{self.run_id}/")),
                "-- verify: the staged file has as many rows as the source hour, else stop (nothing switched)",
                f"-- switch: copy the staged file onto {live} (replaces it in one step)",
                f"-- then delete the other objects under {folder} and the staged file, and write the manifest",
            ]
            return result
        source = storage.hour_folder(storage.get_table(self.glue, cfg.glue_database, cfg.source_table), hour)
        sources = storage.list_objects(self.s3, source)
        result = Result(hour, self.name, "dry_run", folder, source_objects=len(sources))
        if not sources:
            return self._done(result, "empty", started)
        previous = manifest.read(self.s3, cfg.state, hour)
        intact = previous is not None and storage.etag(self.s3, live) == previous.target_etag
        if previous and previous.matches(sources) and intact and not force:
            return self._done(result, "unchanged", started)
        result.trigger = "forced" if force else "new" if not previous else "changed" if intact else "repair"
        if previous:
            seen = {entry[0] for entry in previous.source_objects}
            result.late_objects = sum(1 for item in sources if item.key not in seen)
        target_table = storage.get_table(self.glue, cfg.glue_database, cfg.target_table)

        self.deadline.check(f"staging {hour}")
        storage.delete_folder(self.s3, staging)  # what a crashed run of this hour left
        staged = self.stage(hour, source, sources, staging.child(f"{self.run_id}/"))
        if staged is None:
            return self._done(result, "empty", started)
        result.rows = staged.rows
        if staged.rows != staged.source_rows:
            raise VerificationFailed(
                f"the staged file of {hour} has {staged.rows} rows, the source hour {staged.source_rows}; "
                "nothing was switched, the previous Parquet stays"
            )
        self.deadline.check(f"switching {hour}")
        before = storage.all_keys(self.s3, folder)
        written = storage.switch(self.s3, staged.file, staged.folder.bucket, live, cfg.kms_key_id)
        storage.delete_keys(
            self.s3, folder.bucket, [key for key in storage.all_keys(self.s3, folder) if key != live.key]
        )
        result.replaced_objects = len(before)
        result.partition_added = storage.register_partition(self.glue, target_table, hour, folder)
        storage.delete_folder(self.s3, staged.folder)
        record = manifest.Manifest.build(hour, self.name, staged.rows, source, sources, written, self.run_id)
        manifest.write(self.s3, cfg.state, hour, record, cfg.kms_key_id)  # last: a failure above means "again"
        return self._done(result, "compacted", started)

    @staticmethod
    def _done(result: Result, status: str, started: float) -> Result:
        result.status, result.seconds = status, time.monotonic() - started
        return result


class AthenaEngine(Engine):
    name = "athena"

    def __init__(
        self, settings: Settings, athena: Athena, s3: Any, glue: Any, deadline: Deadline | None = None
    ) -> None:
        super().__init__(settings, s3, glue, deadline or getattr(athena, "deadline", None))
        self.athena = athena

    def statements(self, hour: Hour) -> tuple[str, str, str, str]:
        cfg = self.settings
        temporary = sql.temporary_table(cfg.target_table, hour)
        return (
            sql.count_rows(cfg.glue_database, cfg.source_table, hour),
            sql.drop_table(cfg.glue_database, temporary),
            sql.ctas(cfg.glue_database, cfg.source_table, cfg.target_table, None, hour),
            sql.count_table(cfg.glue_database, temporary),
        )

    def plan(self, hour: Hour, staging: S3Uri) -> list[str]:
        count, drop, ctas, count_staged = self.statements(hour)
        return [count, "-- when the count is not 0:", drop, ctas, count_staged, drop]

    def stage(self, hour: Hour, source: S3Uri, sources: list[ObjectInfo], staging: S3Uri) -> Staged | None:
        cfg = self.settings
        count, drop, ctas, count_staged = self.statements(hour)
        source_rows = int(self.athena.scalar(count, f"counting the rows of {hour}"))
        if source_rows == 0:
            return None
        self.athena.run(drop, "dropping a temporary table left by an earlier run", cleanup=True)
        try:
            self.athena.run(ctas, f"CTAS of {hour}")
            temporary = sql.temporary_table(cfg.target_table, hour)
            written = storage.table_location(storage.get_table(self.glue, cfg.glue_database, temporary))
            rows = int(self.athena.scalar(count_staged, f"counting the rows staged for {hour}"))
        finally:
            self.athena.run(drop, "dropping the temporary table", cleanup=True)
        files = storage.list_objects(self.s3, written)
        if len(files) != 1:
            raise VerificationFailed(
                f"the CTAS of {hour} wrote {len(files)} files into {written}, expected one (bucket_count = 1); "
                "nothing was switched, the previous Parquet stays"
            )
        return Staged(written, files[0], source_rows, rows)


class DuckDBEngine(Engine):
    name = "duckdb"

    def plan(self, hour: Hour, staging: S3Uri) -> list[str]:
        name = f"part-00000-{hour.compact}.snappy.parquet"
        return [
            "-- download the hour's JSON objects; count their records",
            copy_sql(["<each downloaded object>"], name),
            f"-- upload {name} to {staging}",
        ]

    def stage(self, hour: Hour, source: S3Uri, sources: list[ObjectInfo], staging: S3Uri) -> Staged | None:
        with tempfile.TemporaryDirectory(prefix="compact-parquet-") as scratch:
            files = self._download(source.bucket, [item.key for item in sources], Path(scratch) / "json")
            source_rows = count_records(files)
            if source_rows == 0:
                return None
            output = Path(scratch) / f"part-00000-{hour.compact}.snappy.parquet"
            rows = convert(files, output)
            where = staging.child(output.name)
            self.s3.upload_file(
                str(output), where.bucket, where.key, ExtraArgs=storage.encryption(self.settings.kms_key_id)
            )
            size = output.stat().st_size
        head = self.s3.head_object(Bucket=where.bucket, Key=where.key)
        uploaded = ObjectInfo(where.key, str(head.get("ETag", "")).strip('"'), int(head.get("ContentLength", -1)))
        if uploaded.size != size:
            raise VerificationFailed(f"{where} holds {uploaded.size} bytes, the converted file {size}")
        return Staged(staging, uploaded, source_rows, rows)

    def _download(self, bucket: str, keys: list[str], into: Path) -> list[Path]:
        into.mkdir(parents=True)
        paths = [into / f"{i:06d}.json" for i in range(len(keys))]

        def fetch(item: tuple[str, Path]) -> None:
            key, path = item
            path.write_bytes(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())

        with ThreadPoolExecutor(max_workers=DOWNLOAD_THREADS) as pool:
            list(pool.map(fetch, zip(keys, paths, strict=True)))
        return paths


def count_records(files: list[Path]) -> int:
    """Records in newline-delimited JSON files, counted as non-blank lines (not by the converter it checks)."""
    total = 0
    for path in files:
        with path.open("rb") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


def copy_sql(files: list[str], output: str) -> str:
    """DuckDB: newline-delimited JSON files -> one Parquet/Snappy file, rows in a stable order."""
    columns = ", ".join(f"{sql.literal(name)}: {sql.literal(kind)}" for name, kind in JSON_COLUMNS.items())
    sources = "[" + ", ".join(sql.literal(f) for f in files) + "]"
    # The file paths are ours and escaped by literal().
    return (
        f"COPY (\n"  # noqa: S608
        f"  SELECT {', '.join(PARQUET_SELECT)}\n"
        f"  FROM read_json({sources}, format = 'newline_delimited', columns = {{{columns}}})\n"
        f"  ORDER BY {', '.join(ORDER_BY)}\n"
        f") TO {sql.literal(output)} (FORMAT parquet, COMPRESSION snappy)"
    )


def convert(files: list[Path], output: Path) -> int:
    """Run the conversion; return the number of rows written."""
    try:
        import duckdb  # optional: only this engine needs it, and the Lambda zip leaves it out
    except ImportError:
        raise ConfigError(
            "the duckdb engine needs the duckdb package (pip install duckdb==1.5.5); use --engine athena on AWS"
        ) from None
    with duckdb.connect(":memory:") as connection:
        connection.execute(copy_sql([str(f) for f in files], str(output)))
        row = connection.execute("SELECT count(*) FROM read_parquet(?)", [str(output)]).fetchone()
    return int(row[0]) if row else 0


def make_engine(
    settings: Settings,
    engine: str,
    session: Any,
    remaining_s: float | None = None,
    deadline: Deadline | None = None,
) -> Engine:
    """The engine by name (athena or duckdb) with clients from the boto3 session. `deadline` (or `remaining_s`
    from now) bounds the whole run, every Athena statement included."""
    deadline = deadline or Deadline.after(remaining_s)
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    s3, glue = session.client("s3", config=config), session.client("glue", config=config)
    if engine == "duckdb":
        return DuckDBEngine(settings, s3, glue, deadline)
    if not settings.athena_workgroup:
        raise ConfigError("ATHENA_WORKGROUP is not set; the athena engine runs its queries in that workgroup")
    athena = Athena(
        session.client("athena", config=config),
        settings.athena_workgroup,
        settings.glue_database,
        settings.query_timeout_s,
        deadline=deadline,
    )
    return AthenaEngine(settings, athena, s3, glue, deadline)
