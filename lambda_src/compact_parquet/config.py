"""Settings of the compaction function and CLI, from the environment (the CLI's flags override them)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SOURCE_TABLE = "retail_trans_json"
DEFAULT_TARGET_TABLE = "ctas_retail_trans_parquet"
DEFAULT_QUERY_TIMEOUT_S = 600
DEFAULT_LATE_WINDOW_HOURS = 48
MAX_LATE_WINDOW_HOURS = 720
STATE_FOLDER = "compaction/"  # default state location: this folder of the target's bucket
KMS_KEY_PATTERN = re.compile(r"(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+|[0-9a-f-]{36}|alias/.+)")
ENGINES = ("athena", "duckdb", "auto")
NAME_PATTERN = re.compile(r"[a-z0-9_]{1,255}")  # Glue database and table names Athena accepts unquoted
S3_URI_PATTERN = re.compile(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^'\\]*)")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable and what it must be."""


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str  # a prefix ending in "/" for folders

    @classmethod
    def parse(cls, raw: str, name: str) -> S3Uri:
        match = S3_URI_PATTERN.fullmatch(raw.strip())
        if not match:
            raise ConfigError(f"{name}={raw!r} must be an S3 URI such as s3://my-bucket/parquet-retail-trans/")
        return cls(match.group(1), match.group(2))

    def folder(self) -> S3Uri:
        return self if not self.key or self.key.endswith("/") else S3Uri(self.bucket, self.key + "/")

    def child(self, relative: str) -> S3Uri:
        return S3Uri(self.bucket, self.folder().key + relative)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class Settings:
    glue_database: str
    source_table: str
    target_table: str
    target_location: S3Uri
    athena_workgroup: str | None
    query_timeout_s: int
    engine: str
    # Where runs keep their lock, manifests and staged files: outside both tables' locations, so no table reads it.
    state_location: S3Uri | None = None
    kms_key_id: str | None = None  # every object the compaction writes is SSE-KMS with this key (None: bucket default)
    late_window_hours: int = DEFAULT_LATE_WINDOW_HOURS

    @property
    def state(self) -> S3Uri:
        return self.state_location or S3Uri(self.target_location.bucket, STATE_FOLDER)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: str | int | None) -> Settings:
        """Read the environment; a non-None override (a CLI flag) wins over its variable."""
        env = os.environ if environ is None else environ

        def value(key: str, variable: str, default: str = "") -> str:
            override = overrides.get(key)
            return str(override).strip() if override is not None else env.get(variable, default).strip() or default

        engine = value("engine", "COMPACTION_ENGINE", "athena").lower()
        if engine not in ENGINES:
            raise ConfigError(f"COMPACTION_ENGINE={engine!r} must be one of: {', '.join(ENGINES)}")
        timeout = value("query_timeout_s", "QUERY_TIMEOUT_SECONDS", str(DEFAULT_QUERY_TIMEOUT_S))
        if not timeout.isdigit() or not 1 <= int(timeout) <= 86_400:
            raise ConfigError(f"QUERY_TIMEOUT_SECONDS={timeout!r} must be a whole number of seconds from 1 to 86400")
        location = value("target_location", "TARGET_LOCATION")
        if not location:
            raise ConfigError(
                "TARGET_LOCATION is not set; give the Parquet folder, e.g. s3://bucket/parquet-retail-trans/"
            )
        window = value("late_window_hours", "LATE_DATA_WINDOW_HOURS", str(DEFAULT_LATE_WINDOW_HOURS))
        if not window.isdigit() or int(window) > MAX_LATE_WINDOW_HOURS:
            raise ConfigError(
                f"LATE_DATA_WINDOW_HOURS={window!r} must be a whole number of hours from 0 to {MAX_LATE_WINDOW_HOURS}"
            )
        kms_key_id = value("kms_key_id", "LAKE_KMS_KEY_ARN") or None
        if kms_key_id and not KMS_KEY_PATTERN.fullmatch(kms_key_id):
            raise ConfigError(f"LAKE_KMS_KEY_ARN={kms_key_id!r} must be a KMS key ARN, key id or alias")
        target = S3Uri.parse(location, "TARGET_LOCATION").folder()
        state_raw = value("state_location", "STATE_LOCATION")
        state = S3Uri.parse(state_raw, "STATE_LOCATION").folder() if state_raw else None
        if _overlaps(state or S3Uri(target.bucket, STATE_FOLDER), target):
            raise ConfigError(
                f"STATE_LOCATION={str(state or S3Uri(target.bucket, STATE_FOLDER))!r} must not overlap "
                f"TARGET_LOCATION={str(target)!r}: the Parquet table would read the compaction's own files"
            )
        return cls(
            glue_database=_name(value("glue_database", "GLUE_DATABASE"), "GLUE_DATABASE"),
            source_table=_name(value("source_table", "SOURCE_TABLE", DEFAULT_SOURCE_TABLE), "SOURCE_TABLE"),
            target_table=_name(value("target_table", "TARGET_TABLE", DEFAULT_TARGET_TABLE), "TARGET_TABLE"),
            target_location=target,
            athena_workgroup=value("athena_workgroup", "ATHENA_WORKGROUP") or None,
            query_timeout_s=int(timeout),
            engine=engine,
            state_location=state,
            kms_key_id=kms_key_id,
            late_window_hours=int(window),
        )


def resolve_engine(requested: str, environ: Mapping[str, str] | None = None) -> str:
    """`auto` picks DuckDB when boto3 talks to an emulator (AWS_ENDPOINT_URL set; none has Athena CTAS)."""
    if requested != "auto":
        return requested
    env = os.environ if environ is None else environ
    return "duckdb" if env.get("AWS_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL_ATHENA") else "athena"


def _overlaps(a: S3Uri, b: S3Uri) -> bool:
    return a.bucket == b.bucket and (a.key.startswith(b.key) or b.key.startswith(a.key))


def _name(raw: str, variable: str) -> str:
    if not raw:
        raise ConfigError(f"{variable} is not set")
    if not NAME_PATTERN.fullmatch(raw):
        raise ConfigError(f"{variable}={raw!r} must be 1 to 255 lowercase letters, digits or underscores")
    return raw
