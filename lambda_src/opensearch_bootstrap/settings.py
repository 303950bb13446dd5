"""The bootstrap's inputs: one mapping (the Lambda event, or the CLI's flags turned into the same fields),
validated into typed settings. Every error names the field and what it must be."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlparse

from ingest_opensearch.config import INVALID_INDEX_CHARACTERS, ConfigError, Endpoint, parse_endpoint

ACCESS_CONTROL_MODES = ("fine_grained", "iam")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:policy/[\w+=,.@/-]{1,512}")
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,254}")  # template and ISM policy ids
ROLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")  # security role names
AGE = re.compile(r"[1-9]\d*(d|h|m|s)")  # ISM time values: 1d, 12h
SIZE = re.compile(r"[1-9]\d*(b|kb|mb|gb|tb|pb)")  # ISM byte sizes: 30gb
MAX_RETENTION_DAYS = 36_500
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
HTTP_OPT_IN = "allow_http=true (--allow-http)"

__all__ = ["ACCESS_CONTROL_MODES", "ConfigError", "DashboardsLocation", "Settings"]


@dataclass(frozen=True)
class DashboardsLocation:
    """Where the Dashboards HTTP API answers: a host and the path prefix before `/api/...`."""

    endpoint: Endpoint
    prefix: str  # "/_dashboards" on Amazon OpenSearch Service, "" for a self-managed Dashboards on its own port

    @property
    def url(self) -> str:
        return self.endpoint.url + self.prefix


@dataclass(frozen=True)
class Settings:
    """What to configure and where. Field names are the event's keys (and the CLI's flags, with dashes)."""

    endpoint: Endpoint
    region: str
    index: str = "retail"  # the ingest function's OPENSEARCH_INDEX: the write alias when ISM rolls indices over
    index_pattern: str = "retail*"
    template_name: str = "retail"
    enable_ism: bool = True
    ism_policy_id: str = "retail-rollover-retention"
    retention_days: int = 30
    rollover_age: str = "1d"
    rollover_size: str = "30gb"
    access_control: str = "fine_grained"
    ingest_role_arn: str | None = None
    role_name: str = "retail_ingest"
    master_role_arn: str | None = None
    session_policy_arn: str | None = None  # managed policy that narrows the assumed master role's session
    enable_audit_log: bool = True
    enable_dashboards: bool = True
    dashboards: DashboardsLocation | None = None  # from the event's dashboards_url; default <endpoint>/_dashboards
    dashboards_tenant: str = "global"
    timeout_seconds: float = 30.0
    dry_run: bool = False
    allow_http: bool = False  # http:// to a host other than this machine (a test double); loopback needs no opt-in

    @property
    def write_index(self) -> str:
        """The first index behind the write alias; ISM's rollover increments the number."""
        return f"{self.index}-000001"

    @classmethod
    def from_event(cls, event: Any, environ: Mapping[str, str] | None = None) -> Settings:
        """Validate the event (a JSON object) into settings; raise ConfigError naming the first bad field."""
        if not isinstance(event, Mapping):
            raise ConfigError(f"the event must be a JSON object, got {type(event).__name__}")
        known = {f.name for f in fields(cls)} - {"dashboards"} | {"dashboards_url"}
        unknown = sorted(set(event) - known)
        if unknown:
            raise ConfigError(
                f"unknown event field(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
            )
        env = os.environ if environ is None else environ
        get = event.get
        allow_http = _bool(get("allow_http"), "allow_http", False)
        endpoint = parse_endpoint(
            _string(get("endpoint"), "endpoint", required=True), name="endpoint", allow_http=allow_http,
            opt_in=HTTP_OPT_IN,
        )  # fmt: skip
        defaults = cls.__dataclass_fields__
        settings = cls(
            endpoint=endpoint,
            region=_region(get("region"), env),
            index=_index(_string(get("index"), "index") or defaults["index"].default),
            index_pattern=_pattern(_string(get("index_pattern"), "index_pattern") or defaults["index_pattern"].default),
            template_name=_match(get("template_name"), "template_name", NAME, defaults),
            enable_ism=_bool(get("enable_ism"), "enable_ism", True),
            ism_policy_id=_match(get("ism_policy_id"), "ism_policy_id", NAME, defaults),
            retention_days=_retention(get("retention_days")),
            rollover_age=_match(get("rollover_age"), "rollover_age", AGE, defaults, "a whole number and d, h, m or s"),
            rollover_size=_match(
                get("rollover_size"), "rollover_size", SIZE, defaults, "a whole number and b, kb, mb, gb, tb or pb"
            ),
            access_control=_choice(get("access_control"), "access_control", ACCESS_CONTROL_MODES),
            ingest_role_arn=_role_arn(get("ingest_role_arn"), "ingest_role_arn"),
            role_name=_match(get("role_name"), "role_name", ROLE_NAME, defaults),
            master_role_arn=_role_arn(get("master_role_arn"), "master_role_arn"),
            session_policy_arn=_policy_arn(get("session_policy_arn")),
            enable_audit_log=_bool(get("enable_audit_log"), "enable_audit_log", True),
            enable_dashboards=_bool(get("enable_dashboards"), "enable_dashboards", True),
            dashboards=_dashboards(get("dashboards_url"), endpoint, allow_http),
            dashboards_tenant=_tenant(get("dashboards_tenant")),
            timeout_seconds=_timeout(get("timeout_seconds")),
            dry_run=_bool(get("dry_run"), "dry_run", False),
            allow_http=allow_http,
        )
        return settings._checked()

    def _checked(self) -> Settings:
        if not fnmatchcase(self.index, self.index_pattern) or not fnmatchcase(self.write_index, self.index_pattern):
            raise ConfigError(
                f"index={self.index!r} and its rollover indices ({self.write_index}, ...) must match "
                f"index_pattern={self.index_pattern!r}: the template, role and index pattern cover only that pattern"
            )
        if self.access_control == "fine_grained" and self.ingest_role_arn is None:
            raise ConfigError(
                "ingest_role_arn is required with access_control='fine_grained' (the ingest function's IAM role, "
                "mapped to the OpenSearch role as a backend role); use access_control='iam' for a domain without "
                "fine-grained access control"
            )
        return self


def _string(value: Any, name: str, required: bool = False) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ConfigError(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    return value.strip()


def _match(value: Any, name: str, pattern: re.Pattern[str], defaults: Mapping[str, Any], what: str = "") -> str:
    text = _string(value, name) or defaults[name].default
    if not pattern.fullmatch(text):
        raise ConfigError(
            f"{name}={text!r} must be {what or 'letters, digits, _, . or - (pattern ' + pattern.pattern + ')'}"
        )
    return text


def _bool(value: Any, name: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, got {value!r}")
    return value


def _choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    text = _string(value, name) or allowed[0]
    if text not in allowed:
        raise ConfigError(f"{name}={text!r} must be one of {', '.join(allowed)}")
    return text


def _region(value: Any, env: Mapping[str, str]) -> str:
    given = _string(value, "region")
    from_env = next((name for name in ("AWS_REGION", "AWS_DEFAULT_REGION") if env.get(name, "").strip()), "")
    source = "region" if given else from_env
    region = given or (env[source].strip() if source else "")
    if not region:
        raise ConfigError("region is not set: pass it, or set AWS_REGION (the Lambda runtime sets it)")
    if not REGION.fullmatch(region):
        raise ConfigError(f"{source}={region!r} is not an AWS region such as us-east-1; fix it or pass --region")
    return region


def _index(name: str) -> str:
    if name != name.lower() or any(c in name for c in INVALID_INDEX_CHARACTERS) or name.startswith(("-", "_", "+")):
        raise ConfigError(
            f"index={name!r} is not a valid index or alias name: lowercase, not starting with -_+, "
            f"and none of {INVALID_INDEX_CHARACTERS!r}"
        )
    return name


def _pattern(pattern: str) -> str:
    if pattern != pattern.lower() or any(c in pattern for c in INVALID_INDEX_CHARACTERS.replace("*", "")):
        raise ConfigError(f"index_pattern={pattern!r} must be a lowercase index name with optional * wildcards")
    return pattern


def _retention(value: Any) -> int:
    if value is None:
        return Settings.retention_days
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"retention_days must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, got {value!r}"
        )
    return value


def _role_arn(value: Any, name: str) -> str | None:
    text = _string(value, name)
    if not text:
        return None
    if not ROLE_ARN.fullmatch(text):
        raise ConfigError(f"{name}={text!r} must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)")
    return text


def _policy_arn(value: Any) -> str | None:
    text = _string(value, "session_policy_arn")
    if not text:
        return None
    if not POLICY_ARN.fullmatch(text):
        raise ConfigError(
            f"session_policy_arn={text!r} must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)"
        )
    return text


def _dashboards(value: Any, endpoint: Endpoint, allow_http: bool) -> DashboardsLocation:
    text = _string(value, "dashboards_url")
    if not text:
        return DashboardsLocation(endpoint, "/_dashboards")
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query or parsed.fragment:
        raise ConfigError(f"dashboards_url={text!r} must be an http(s) URL such as https://<domain>/_dashboards")
    base = parse_endpoint(
        f"{parsed.scheme}://{parsed.netloc}", name="dashboards_url", allow_http=allow_http, opt_in=HTTP_OPT_IN
    )
    return DashboardsLocation(base, parsed.path.rstrip("/"))


def _tenant(value: Any) -> str:
    if value is None:
        return Settings.dashboards_tenant
    if not isinstance(value, str) or any(c in value for c in "\r\n"):
        raise ConfigError(
            f"dashboards_tenant must be a tenant name (global, private or a custom tenant), got {value!r}"
        )
    return value.strip()


def _timeout(value: Any) -> float:
    if value is None:
        return Settings.timeout_seconds
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 300:
        raise ConfigError(f"timeout_seconds must be a number of seconds above 0 and at most 300, got {value!r}")
    return float(value)
