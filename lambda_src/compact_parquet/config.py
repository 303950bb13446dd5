"""Settings of the compaction function and CLI, from the environment (the CLI's flags override them)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SOURCE_TABLE = "retail_trans_json"
DEFAULT_TARGET_TABLE = "ctas_retail_trans_parquet"
DEFAULT_QUERY_TIMEOUT_S = 600
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
        return cls(
            glue_database=_name(value("glue_database", "GLUE_DATABASE"), "GLUE_DATABASE"),
            source_table=_name(value("source_table", "SOURCE_TABLE", DEFAULT_SOURCE_TABLE), "SOURCE_TABLE"),
            target_table=_name(value("target_table", "TARGET_TABLE", DEFAULT_TARGET_TABLE), "TARGET_TABLE"),
            target_location=S3Uri.parse(location, "TARGET_LOCATION").folder(),
            athena_workgroup=value("athena_workgroup", "ATHENA_WORKGROUP") or None,
            query_timeout_s=int(timeout),
            engine=engine,
        )


def resolve_engine(requested: str, environ: Mapping[str, str] | None = None) -> str:
    """`auto` picks DuckDB when boto3 talks to an emulator (AWS_ENDPOINT_URL set; none has Athena CTAS)."""
    if requested != "auto":
        return requested
    env = os.environ if environ is None else environ
    return "duckdb" if env.get("AWS_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL_ATHENA") else "athena"


def _name(raw: str, variable: str) -> str:
    if not raw:
        raise ConfigError(f"{variable} is not set")
    if not NAME_PATTERN.fullmatch(raw):
        raise ConfigError(f"{variable}={raw!r} must be 1 to 255 lowercase letters, digits or underscores")
    return raw
