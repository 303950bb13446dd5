"""Topology profiles: `PROFILE=direct-put` (the seed lab: producer -> Firehose -> S3) or `PROFILE=stream` (the
default: producer -> Kinesis -> Firehose and the ingest Lambda), remembered per target and endpoint.

A profile is a var file, `terraform/env/profiles/<name>.tfvars`, layered after the target's var file and before
the user's TF_VAR_FILE. The choice is written beside the target's state (`<state dir>/profile`) by every command
given `PROFILE=`, so later plain `make apply`, `make plan`, `make destroy`, `make produce`, `make demo` and
`make env` keep the same topology instead of silently switching back to the default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tools import terraform
from tools.targets import Target, TargetError

DEFAULT = "stream"
REMEMBERED_NAME = "profile"
# What each profile's firehose_source means, in words (the profile files are the source of the values).
TOPOLOGIES = {
    "kinesis": "producer -> Kinesis stream -> Firehose -> S3, and -> ingest Lambda -> OpenSearch (or a local stand-in)",
    "direct_put": "producer -> Firehose (Direct PUT) -> S3, as in the seed lab",
}
_SOURCE = re.compile(r'^\s*firehose_source\s*=\s*"([a-z_]+)"', re.MULTILINE)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Choice:
    """The profile a command uses and why: given as PROFILE=, remembered for the target, or the default."""

    name: str
    file: Path
    origin: str  # "PROFILE=" | "remembered" | "default"

    @property
    def firehose_source(self) -> str | None:
        """The firehose_source the profile sets (None if it sets none)."""
        match = _SOURCE.search(self.file.read_text())
        return match.group(1) if match else None

    def describe(self) -> str:
        why = {"PROFILE=": "chosen now, remembered", "remembered": "remembered", "default": "the default"}[self.origin]
        return f"{self.name} ({why})"


def profiles_dir(workdir: Path = terraform.ROOT_DIR) -> Path:
    return workdir / "env" / "profiles"


def available(workdir: Path = terraform.ROOT_DIR) -> list[str]:
    return sorted(path.stem for path in profiles_dir(workdir).glob("*.tfvars"))


def remembered_file(target: Target) -> Path:
    return terraform.state_dir(target) / REMEMBERED_NAME


def remembered(target: Target) -> str | None:
    try:
        name = remembered_file(target).read_text().strip()
    except OSError:
        return None
    return name or None


def choose(target: Target, workdir: Path = terraform.ROOT_DIR, environ: Mapping[str, str] | None = None) -> Choice:
    """The profile for this command: PROFILE= when given (and then remembered), else the remembered one, else
    the default. An unknown name is an error that lists the profiles."""
    environ = os.environ if environ is None else environ
    given = environ.get("PROFILE", "").strip()
    name, origin = (given, "PROFILE=") if given else (remembered(target), "remembered")
    if not name:
        name, origin = DEFAULT, "default"
    path = profiles_dir(workdir) / f"{name}.tfvars"
    if not _NAME.match(name) or not path.is_file():
        names = ", ".join(available(workdir))
        if origin == "PROFILE=":
            raise TargetError(f"PROFILE={name!r} is not a profile; use one of: {names} (terraform/env/profiles/)")
        raise TargetError(
            f"the remembered profile {name!r} ({remembered_file(target)}) is gone; choose one of: {names}"
        )
    if origin == "PROFILE=" and remembered(target) != name:
        remembered_file(target).parent.mkdir(parents=True, exist_ok=True)
        remembered_file(target).write_text(f"{name}\n")
    return Choice(name, path, origin)


def topology(firehose_source: object) -> str:
    """A deployed stack's topology in words, from its firehose_source output."""
    return TOPOLOGIES.get(str(firehose_source), f"firehose_source {firehose_source!r}")


def profile_for(firehose_source: object, workdir: Path = terraform.ROOT_DIR) -> str | None:
    """The profile whose file sets this firehose_source (None when no profile does)."""
    for name in available(workdir):
        match = _SOURCE.search((profiles_dir(workdir) / f"{name}.tfvars").read_text())
        if match and match.group(1) == firehose_source:
            return name
    return None


def status(target: Target, deployed_source: object) -> str:
    """The profile the next plain make apply uses, and whether it differs from what is deployed."""
    try:
        choice = choose(target)
    except TargetError as exc:
        return f"unusable: {exc}"
    wanted = choice.firehose_source
    pending = "; the next make apply switches the stack to it" if deployed_source and wanted != deployed_source else ""
    return f"{choice.describe()}, used by make apply, plan, destroy, produce and demo{pending}"
