"""Where the pipeline runs: the embedded emulator, a LocalStack-compatible endpoint, or real AWS.

`ENV` picks the target; everything else (Terraform overrides, boto3 clients, the tests) asks this
module for the endpoint, region and credentials instead of reading the environment itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = REPO_ROOT / ".local"
STATE_DIR = REPO_ROOT / ".state"

TARGETS = ("local", "localstack", "aws")
DEFAULT_REGION = "us-east-1"
DEFAULT_EMULATOR_PORT = 4566
DEFAULT_LOCALSTACK_URL = "http://localhost:4566"
# Emulators accept any credentials; these are the conventional dummies.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


class TargetError(Exception):
    """The target cannot be used as configured; the message says what to change."""


@dataclass(frozen=True)
class Target:
    """A resolved deployment target."""

    name: str
    region: str
    endpoint_url: str | None  # None means the real AWS endpoints

    @property
    def is_emulated(self) -> bool:
        return self.endpoint_url is not None

    @property
    def manages_emulator(self) -> bool:
        """Only `local` starts and stops an emulator; `localstack` uses whatever the user runs."""
        return self.name == "local"

    @property
    def port(self) -> int | None:
        return urlparse(self.endpoint_url).port if self.endpoint_url else None

    def environ(self) -> dict[str, str]:
        """Environment variables that point boto3, the AWS CLI and Terraform at this target."""
        env = {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}
        if self.endpoint_url:
            env |= DUMMY_CREDENTIALS | {"AWS_ENDPOINT_URL": self.endpoint_url}
        return env


def resolve(environ: Mapping[str, str] | None = None) -> Target:
    """Build the target named by `ENV` (default `local`) from the given environment."""
    environ = os.environ if environ is None else environ
    name = environ.get("ENV", "").strip() or "local"
    if name not in TARGETS:
        raise TargetError(f"ENV={name!r} is not a known target; use one of: {', '.join(TARGETS)}")
    region = _region(environ)
    if name == "local":
        return Target(name, region, f"http://127.0.0.1:{emulator_port(environ)}")
    if name == "localstack":
        return Target(name, region, _endpoint_url(environ.get("AWS_ENDPOINT_URL") or DEFAULT_LOCALSTACK_URL))
    return Target(name, region, None)


def emulator_port(environ: Mapping[str, str]) -> int:
    raw = environ.get("EMULATOR_PORT", "").strip() or str(DEFAULT_EMULATOR_PORT)
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise TargetError(f"EMULATOR_PORT={raw!r} is not a usable port; give a number from 1024 to 65535")
    return int(raw)


def _region(environ: Mapping[str, str]) -> str:
    region = (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION).strip()
    parts = region.split("-")
    if len(parts) < 3 or not parts[-1].isdigit() or not all(p.isalpha() for p in parts[:-1]):
        raise TargetError(f"AWS_REGION={region!r} does not look like an AWS region (e.g. us-east-1, eu-west-2)")
    return region


def _endpoint_url(url: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise TargetError(f"AWS_ENDPOINT_URL={url!r} is not an http(s) URL such as http://localhost:4566")
    try:
        port = parsed.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise TargetError(f"AWS_ENDPOINT_URL={url!r} has an invalid port")
    if parsed.path not in ("", "/") or parsed.query:
        raise TargetError(f"AWS_ENDPOINT_URL={url!r} must be a bare endpoint (scheme, host, port), without a path")
    return f"{parsed.scheme}://{parsed.netloc}"
