"""Local Terraform states: one per emulator endpoint, the old single state they replace, and held state locks.

Each emulated endpoint has its own state (`tools.terraform.state_dir`), so a forgotten `EMULATOR_PORT` gets an
empty state of its own instead of pointing another emulator's state at it. Before that layout one file,
`.state/<env>/terraform.tfstate`, served every endpoint. It is moved to its endpoint's folder only when that is
unambiguous: the state names exactly one endpoint (MiniStack builds SQS queue URLs from the endpoint it was
called at, e.g. `http://127.0.0.1:4599/000000000000/retail-compact-parquet-dlq`) or holds no resources at all,
and that folder has no state yet. Otherwise the harness stops with one line that says what to do.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from pathlib import Path

from tools import terraform
from tools.targets import REPO_ROOT, STATE_DIR, Target, TargetError

STATE_NAME = "terraform.tfstate"
# The files a local backend keeps beside its state (the lock info is stale once its Terraform has exited).
STATE_FILES = (STATE_NAME, f"{STATE_NAME}.backup")
# An SQS queue URL as emulators build it from their endpoint: <scheme>://<host>:<port>/<account id>/<queue name>.
_QUEUE_URL = re.compile(r'"(https?://[A-Za-z0-9.-]+:\d+)/\d{12}/[\w-]+"')
_LOCAL_ENDPOINT = re.compile(r"^http://127\.0\.0\.1:\d+$")
_LOCK_ERROR = "Error acquiring the state lock"
_LOCK_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Created):\s*(.*?)\s*$", re.MULTILINE)


def display(path: Path) -> str:
    """A path relative to the repository when it is inside it."""
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def resource_count(state: Path) -> int:
    """Resource instances in a local state file (0 when it is missing or unreadable)."""
    try:
        resources = json.loads(state.read_text()).get("resources", [])
    except (OSError, ValueError, AttributeError):
        return 0
    return sum(len(resource.get("instances", [])) for resource in resources)


def deployed_outputs(state: Path) -> dict[str, object]:
    """The output values recorded in a local state file (empty when there is none)."""
    try:
        outputs = json.loads(state.read_text()).get("outputs", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {name: item.get("value") for name, item in outputs.items() if isinstance(item, dict)}


def endpoints_named(state_text: str) -> set[str]:
    return set(_QUEUE_URL.findall(state_text))


def legacy_state(target: Target) -> Path | None:
    """The single state of an emulated target from before states were kept per endpoint, if one is left."""
    if target.endpoint_url is None:
        return None
    path = STATE_DIR / target.name / STATE_NAME
    return path if path.is_file() else None


def adopt_legacy_state(target: Target) -> str | None:
    """Move an old single state into its endpoint's folder when that is unambiguous; say what was done.

    Raises TargetError (one line: what to do) when the state does not say which endpoint it belongs to.
    """
    legacy = legacy_state(target)
    if legacy is None:
        return None
    count = resource_count(legacy)
    endpoints = endpoints_named(legacy.read_text(errors="replace"))
    if count == 0:
        owner = target  # an empty state: nothing it tracks can be lost
    elif len(endpoints) == 1 and _may_belong_to(next(iter(endpoints)), target):
        owner = replace(target, endpoint_url=next(iter(endpoints)))
    else:
        example = terraform.state_dir(target)
        raise TargetError(
            f"{display(legacy)} is the single state of an older layout and does not say which emulator its "
            f"{count} resources live on; states are now kept per endpoint: if they live on {target.endpoint_url}, "
            f"run mkdir -p {display(example)} && mv {display(legacy)}* {display(example)}/ (else move it to that "
            f"emulator's folder, or delete it if that emulator's data is gone)"
        )
    destination = terraform.state_dir(owner)
    if (destination / STATE_NAME).exists():
        raise TargetError(
            f"{display(legacy)} (an older layout's single state) and {display(destination / STATE_NAME)} both "
            f"exist for {owner.endpoint_url}; keep the one that matches the emulator (make status shows both) "
            f"and delete the other"
        )
    destination.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        if (legacy.parent / name).exists():
            (legacy.parent / name).rename(destination / name)
    (legacy.parent / f".{STATE_NAME}.lock.info").unlink(missing_ok=True)
    where = f"the endpoint its resources live on, {owner.endpoint_url}" if count else "it tracked no resources"
    return f"moved the older layout's {display(legacy)} to {display(destination)}/ ({where})"


def _may_belong_to(endpoint: str, target: Target) -> bool:
    """Embedded emulators differ only by port, so any loopback endpoint names one; other targets must match."""
    if target.manages_emulator:
        return bool(_LOCAL_ENDPOINT.match(endpoint))
    return endpoint == target.endpoint_url


def other_states(target: Target) -> list[tuple[Path, int]]:
    """The target's states for other endpoints that still track resources (what a forgotten port leaves)."""
    if target.endpoint_url is None:
        return []
    mine = terraform.state_path(target)
    found = sorted((STATE_DIR / target.name).glob(f"*/{STATE_NAME}"))
    return [(path, count) for path in found if path != mine and (count := resource_count(path))]


def lock_message(output: str, remote: bool = False) -> str | None:
    """One line for Terraform's "Error acquiring the state lock": who holds it and what to do; None otherwise.

    A local state's lock is an OS lock that dies with its process, so there it only means "wait"; a remote
    backend's lock outlives a killed run and may need `terraform force-unlock`.
    """
    if _LOCK_ERROR not in output:
        return None
    info = dict(_LOCK_FIELD.findall(output[output.index(_LOCK_ERROR) :]))
    operation = info.get("Operation", "").removeprefix("OperationType").lower()
    who = f" by {info['Who']}" if info.get("Who") else ""
    since = f" since {info['Created'][:19]} UTC" if info.get("Created") else ""
    holder = f" ({operation}{who}{since})" if operation else ""
    state = f" on {display(Path(info['Path']))}" if info.get("Path") else ""
    message = (
        f"another Terraform run is in progress{state}{holder}: wait for it to finish (see it with pgrep -af terraform)"
    )
    if remote and info.get("ID"):
        message += f"; if none is running (it was killed), release the lock: terraform force-unlock {info['ID']}"
    return message


def note_other_states(target: Target) -> None:
    """A forgotten EMULATOR_PORT starts an empty state: say where the stacks are before Terraform creates another."""
    if target.endpoint_url is None or resource_count(terraform.state_path(target)):
        return
    for path, count in other_states(target):
        print(
            f"tools: note: no stack in this endpoint's state yet, but {display(path)} holds {count} resource "
            f"instances for another endpoint (EMULATOR_PORT or AWS_ENDPOINT_URL set differently?)",
            file=sys.stderr,
        )
