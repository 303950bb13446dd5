"""Two ways to compact an hour into the same layout: `<TARGET_LOCATION>year=YYYY/month=MM/day=DD/hour=HH/`
holding Parquet files (Snappy) with the Parquet table's columns.

- athena: Athena CTAS into a temporary table whose external location is the hour's folder; the table is
  dropped afterwards, always, and the files stay. What the Lambda function runs on AWS.
- duckdb: reads the hour's JSON objects from S3 with boto3, converts them with DuckDB on this machine and
  uploads one Parquet file. For emulators (MiniStack's Athena has no CTAS) and laptops; DuckDB is not in
  the Lambda zip.

Both replace, never append: the hour's folder is emptied right before it is rewritten, so a re-run (a
retry, a backfill) leaves exactly one copy of the hour. An hour without source data is left alone.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from botocore.config import Config

from compact_parquet import sql, storage
from compact_parquet.athena import Athena
from compact_parquet.config import ConfigError, S3Uri, Settings
from compact_parquet.contract import JSON_COLUMNS, ORDER_BY, PARQUET_SELECT  # from contract/record.schema.json
from compact_parquet.hours import Hour

DOWNLOAD_THREADS = 8


@dataclass
class Result:
    hour: Hour
    engine: str
    status: str  # compacted | empty | dry_run
    target: S3Uri
    rows: int | None = None
    source_objects: int | None = None
    replaced_objects: int = 0
    partition_added: bool = False
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
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        where = f"into {self.target}"
        if self.status == "empty":
            what = "no source data: nothing to compact, target left as it was"
        elif self.status == "dry_run":
            what = "dry run: nothing executed"
        else:
            objects = f" from {self.source_objects:,} objects" if self.source_objects is not None else ""
            what = f"compacted {self.rows:,} rows{objects} {where} (replaced {self.replaced_objects} objects)"
        return f"{self.hour}: {what} (engine: {self.engine}, {self.seconds:.1f} s)"


class Engine(Protocol):
    name: str

    def compact(self, hour: Hour, dry_run: bool = False) -> Result: ...


@dataclass
class AthenaEngine:
    settings: Settings
    athena: Athena
    s3: Any
    glue: Any
    name: str = "athena"

    def statements(self, hour: Hour) -> tuple[str, str, str]:
        cfg = self.settings
        temporary = sql.temporary_table(cfg.target_table, hour)
        return (
            sql.count_rows(cfg.glue_database, cfg.source_table, hour),
            sql.drop_table(cfg.glue_database, temporary),
            sql.ctas(cfg.glue_database, cfg.source_table, cfg.target_table, cfg.target_location, hour),
        )

    def compact(self, hour: Hour, dry_run: bool = False) -> Result:
        started = time.monotonic()
        cfg = self.settings
        folder = cfg.target_location.child(hour.path)
        count, drop, ctas = self.statements(hour)
        empty_it = (
            f"-- when the count is not 0: delete every object under {folder} (CTAS writes only to an empty place)"
        )
        result = Result(hour, self.name, "dry_run", folder, statements=[count, empty_it, drop, ctas, drop])
        if dry_run:
            return result
        target = storage.get_table(self.glue, cfg.glue_database, cfg.target_table)
        result.rows = int(self.athena.scalar(count, f"counting the rows of {hour}"))
        if result.rows == 0:
            result.status, result.seconds = "empty", time.monotonic() - started
            return result
        result.replaced_objects = storage.delete_folder(self.s3, folder)  # CTAS needs an empty location
        self.athena.run(drop, "dropping a temporary table left by an earlier run")
        try:
            self.athena.run(ctas, f"CTAS of {hour}")
        finally:
            self.athena.run(drop, "dropping the temporary table")
        result.partition_added = storage.register_partition(self.glue, target, hour, folder)
        result.status, result.seconds = "compacted", time.monotonic() - started
        return result


@dataclass
class DuckDBEngine:
    settings: Settings
    s3: Any
    glue: Any
    name: str = "duckdb"

    def compact(self, hour: Hour, dry_run: bool = False) -> Result:
        started = time.monotonic()
        cfg = self.settings
        folder = cfg.target_location.child(hour.path)
        source = storage.hour_folder(storage.get_table(self.glue, cfg.glue_database, cfg.source_table), hour)
        keys = storage.list_keys(self.s3, source)
        result = Result(hour, self.name, "dry_run", folder, source_objects=len(keys))
        result.statements = [
            f"-- download the {len(keys)} objects under {source}",
            copy_sql(["<each downloaded object>"], f"part-00000-{hour.compact}.snappy.parquet"),
            f"-- delete every object under {folder}, then upload the Parquet file there",
        ]
        if dry_run:
            return result
        target = storage.get_table(self.glue, cfg.glue_database, cfg.target_table)
        if not keys:
            result.status, result.seconds = "empty", time.monotonic() - started
            return result
        with tempfile.TemporaryDirectory(prefix="compact-parquet-") as scratch:
            files = self._download(source.bucket, keys, Path(scratch) / "json")
            output = Path(scratch) / f"part-00000-{hour.compact}.snappy.parquet"
            result.rows = convert(files, output)
            result.replaced_objects = storage.delete_folder(self.s3, folder)
            self.s3.upload_file(str(output), folder.bucket, folder.key + output.name)
        result.partition_added = storage.register_partition(self.glue, target, hour, folder)
        result.status, result.seconds = "compacted", time.monotonic() - started
        return result

    def _download(self, bucket: str, keys: list[str], into: Path) -> list[Path]:
        into.mkdir(parents=True)
        paths = [into / f"{i:06d}.json" for i in range(len(keys))]

        def fetch(item: tuple[str, Path]) -> None:
            key, path = item
            path.write_bytes(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())

        with ThreadPoolExecutor(max_workers=DOWNLOAD_THREADS) as pool:
            list(pool.map(fetch, zip(keys, paths, strict=True)))
        return paths


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


def make_engine(settings: Settings, engine: str, session: Any, remaining_s: float | None = None) -> Engine:
    """The engine by name (athena or duckdb) with clients from the boto3 session."""
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    s3, glue = session.client("s3", config=config), session.client("glue", config=config)
    if engine == "duckdb":
        return DuckDBEngine(settings, s3, glue)
    if not settings.athena_workgroup:
        raise ConfigError("ATHENA_WORKGROUP is not set; the athena engine runs its queries in that workgroup")
    timeout = settings.query_timeout_s if remaining_s is None else max(1.0, min(settings.query_timeout_s, remaining_s))
    athena = Athena(session.client("athena", config=config), settings.athena_workgroup, settings.glue_database, timeout)
    return AthenaEngine(settings, athena, s3, glue)
