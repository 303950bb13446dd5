"""Settings of the ingest function, read once from the environment into typed values."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlparse

from ingest_opensearch import contract

DEFAULT_INDEX = "retail"
# The data contract's required and date fields (ingest_opensearch/contract.py, generated from the schema).
DEFAULT_REQUIRED_FIELDS = contract.REQUIRED_FIELDS
DEFAULT_DATE_FIELDS = contract.DATE_FIELDS
# A bulk request carries at most this many documents and bytes. AWS OpenSearch accepts 10 MiB bodies on the
# smallest instance types; 5 MiB keeps each request well below that while amortising the HTTP round trip.
# A default batch of 1000 contract records (~250 KiB) is one request; bigger documents or batches split.
DEFAULT_BULK_MAX_ACTIONS = 1000
DEFAULT_BULK_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_REQUEST_TIMEOUT_S = 30.0


class ConfigError(ValueError):
    """An environment variable is missing or malformed; the message names it and what it must be."""


@dataclass(frozen=True)
class Endpoint:
    """Where the OpenSearch REST API answers."""

    scheme: str
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Settings:
    endpoint: Endpoint
    index: str
    dead_letter_queue_url: str
    region: str
    required_fields: tuple[str, ...]
    date_fields: tuple[str, ...]
    bulk_max_actions: int
    bulk_max_bytes: int
    request_timeout_s: float
    allow_http: bool = False  # OPENSEARCH_ALLOW_HTTP: http:// to a host other than this machine (a test double)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        allow_http = _flag(env, "OPENSEARCH_ALLOW_HTTP")
        return cls(
            endpoint=parse_endpoint(
                _required(env, "OPENSEARCH_ENDPOINT"), allow_http=allow_http, opt_in="OPENSEARCH_ALLOW_HTTP=true"
            ),
            index=_index(env.get("OPENSEARCH_INDEX", "").strip() or DEFAULT_INDEX),
            dead_letter_queue_url=_required(env, "DEAD_LETTER_QUEUE_URL"),
            region=_region(env),
            required_fields=_fields(env, "REQUIRED_FIELDS", DEFAULT_REQUIRED_FIELDS),
            date_fields=_fields(env, "DATE_FIELDS", DEFAULT_DATE_FIELDS),
            bulk_max_actions=_positive_int(env, "BULK_MAX_ACTIONS", DEFAULT_BULK_MAX_ACTIONS),
            bulk_max_bytes=_positive_int(env, "BULK_MAX_BYTES", DEFAULT_BULK_MAX_BYTES),
            request_timeout_s=float(_positive_int(env, "OPENSEARCH_TIMEOUT_SECONDS", int(DEFAULT_REQUEST_TIMEOUT_S))),
            allow_http=allow_http,
        )


@cache
def settings() -> Settings:
    """The function's settings, read from the environment on first use (a cold start) and reused."""
    return Settings.from_env()


def parse_endpoint(
    raw: str, name: str = "OPENSEARCH_ENDPOINT", allow_http: bool = False, opt_in: str = "OPENSEARCH_ALLOW_HTTP=true"
) -> Endpoint:
    """An https URL or a bare host of the domain (https implied).

    Every request is signed, and a signed request carries the caller's session token: over http it would cross
    the network in the clear. http:// is therefore accepted only for a loopback host (127.0.0.0/8, ::1,
    localhost: a local test double; the request never leaves the machine) or when `allow_http` is set, the
    explicit opt-in (`opt_in` names it in the error) for a double reached over a network, such as a container's.
    `name` is what error messages call the value (the variable, event field or flag it came from).
    """
    text = raw.strip()
    parsed = urlparse(text if "://" in text else f"https://{text}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{name}={raw!r} must be an https URL or a bare host name")
    if parsed.path not in ("", "/") or parsed.query:
        raise ConfigError(f"{name}={raw!r} must not have a path or query")
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} has an invalid port") from exc
    if parsed.scheme == "http" and not allow_http and not is_loopback(parsed.hostname):
        raise ConfigError(
            f"{name}={raw!r} uses http://, which would send signed requests unencrypted; use https:// "
            f"(http:// is accepted for 127.0.0.1 or localhost, or with {opt_in} for a test double)"
        )
    return Endpoint(parsed.scheme, parsed.hostname, port)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: what is sent to them stays on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set; the function cannot run without it")
    return value


INVALID_INDEX_CHARACTERS = ' ,"*\\<|>/?#:'


def _index(name: str) -> str:
    if name != name.lower() or any(c in name for c in INVALID_INDEX_CHARACTERS) or name.startswith(("-", "_", "+")):
        raise ConfigError(
            f"OPENSEARCH_INDEX={name!r} is not a valid index name: lowercase, not starting with -_+, "
            f"and none of {INVALID_INDEX_CHARACTERS!r}"
        )
    return name


def _region(env: Mapping[str, str]) -> str:
    region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
    if not region:
        raise ConfigError("AWS_REGION is not set; the Lambda runtime sets it, set it by hand elsewhere")
    return region


def _fields(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in ("", "true", "false"):
        raise ConfigError(f"{name}={env[name]!r} must be true or false")
    return raw == "true"


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name}={raw!r} must be a positive whole number")
    return int(raw)
