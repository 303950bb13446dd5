"""Test-side helpers: private Terraform working copies driven by tftest, and small polling utilities.

Every stack a test deploys lives in its own copy of `terraform/`, `modules/` and `tests/fixtures/`
under pytest's tmp dir, with its own state and generated overrides, and a random name prefix: test
runs never touch the user's `make apply` stack, even on the same emulator.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import tftest
from botocore.exceptions import ClientError

from tests import workers
from tools import terraform
from tools.recovery import Orphan, find_orphans, needs_plan, with_import_ids
from tools.targets import REPO_ROOT, Target

T = TypeVar("T")
COPIED_DIRS = ("terraform", "modules", "tests/fixtures", "examples", "dist")  # dist: the Lambda zips the stack deploys
# Go's garbage-collector target for Terraform and the AWS provider in test stacks (unless GOGC is set): the suite is
# CPU-bound on 2 cores, mostly in provider start-ups, and 400 cuts a root plan from ~9.5 s to ~7.1 s of CPU for
# ~140 MB more memory per process.
TERRAFORM_GOGC = "400"
IGNORED = shutil.ignore_patterns(".terraform", terraform.OVERRIDE_NAME, "*.tfstate", "*.tfstate.*", "__pycache__")


def random_prefix(stem: str = "t") -> str:
    """A short, valid, collision-resistant name prefix (lowercase, starts with a letter)."""
    return f"{stem}{secrets.token_hex(3)}"


def copy_tree(destination: Path) -> Path:
    """Copy the Terraform sources, keeping their relative layout so module sources resolve."""
    for relative in COPIED_DIRS:
        source = REPO_ROOT / relative
        if source.is_dir():
            shutil.copytree(source, destination / relative, ignore=IGNORED)
    return destination


@dataclass
class TerraformStack:
    """One Terraform root (the stack or a test fixture) in a private working copy."""

    copy_root: Path
    root: str
    target: Target
    tf_vars: dict[str, Any] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)

    @property
    def workdir(self) -> Path:
        return self.copy_root / self.root

    def __post_init__(self) -> None:
        state = self.workdir / "terraform.tfstate"
        terraform.write_overrides(self.workdir, self.target, state)
        env = {"GOGC": TERRAFORM_GOGC} | terraform.environ_for(self.target)
        self.tf = tftest.TerraformTest(str(self.workdir), binary=terraform.binary(), env=env)
        self.tf.setup(upgrade=False)

    def plan(self, **tf_vars: Any) -> tftest.TerraformPlanOutput:
        return self.tf.plan(output=True, tf_vars=self.tf_vars | tf_vars, tf_var_file=self.var_files or None)

    def plan_text(self, **tf_vars: Any) -> str:
        """Plain-text plan (e.g. to find "No changes.")."""
        return self.tf.plan(tf_vars=self.tf_vars | tf_vars, tf_var_file=self.var_files or None)

    def apply(self, adopt_lost_creates: bool = True) -> dict[str, Any]:
        """Apply and return the outputs. On an emulator, a create whose answer was lost is adopted (see
        `lost_creates`) and the apply run again; adopt_lost_creates=False fails on it instead (the interrupt drill
        counts such resources itself)."""
        try:
            self.tf.apply(tf_vars=self.tf_vars, tf_var_file=self.var_files or None)
        except tftest.TerraformTestError as error:
            output = "\n".join(map(str, error.args))
            lost = lost_creates(output, self.tf_vars.get("name_prefix"), self.workdir / "terraform.tfstate")
            if not (adopt_lost_creates and self.target.is_emulated and lost):
                raise
            for orphan in self.adopt(lost):
                print(f"harness: adopted {orphan.address} ({orphan.resource_id}): created on a try whose answer the "
                      "emulator lost, then refused as existing on the provider's retry", file=sys.stderr)  # fmt: skip
            self.tf.apply(tf_vars=self.tf_vars, tf_var_file=self.var_files or None)
        return self.outputs()

    def adopt(self, orphans: list[Orphan]) -> list[Orphan]:
        """Import resources left outside the state, as the apply's message tells a user to; returns them with the
        import IDs used (completed from a plan where the error shows only a name, e.g. a Glue table's)."""
        if needs_plan(orphans):
            orphans = with_import_ids(orphans, self.plan()._raw)  # tftest keeps the plan's JSON there
        variables = tftest.parse_args(tf_vars=self.tf_vars, tf_var_file=self.var_files or None)
        for orphan in orphans:
            self.tf.execute_command("import", "-input=false", "-no-color", *variables, orphan.address,
                                    orphan.resource_id)  # fmt: skip
        return orphans

    def outputs(self) -> dict[str, Any]:
        return {name: value for name, value in self.tf.output().items()}

    def destroy(self) -> None:
        self.tf.destroy(tf_vars=self.tf_vars, tf_var_file=self.var_files or None)

    @property
    def emulator_goes_with_the_run(self) -> bool:
        """True on a parallel run's worker, whose emulator is the harness's own, started clean and wiped at the end."""
        return self.target.manages_emulator and workers.owns_session_emulator()

    def discard(self) -> None:
        """Clean up after the tests that used the stack: destroy it, unless its emulator goes with the run (a root
        destroy costs ~15 s of CPU and, there, proves nothing). The tests that prove a destroy call destroy()."""
        if not self.emulator_goes_with_the_run:
            self.destroy()


def lost_creates(output: str, prefix: str | None, state_file: Path) -> list[Orphan]:
    """The resources a failed apply refused as "already exists" that only an earlier try of the same apply can have
    made: all named with the stack's own random prefix, none held by an address of its state (a resource the
    configuration creates twice is held by the first one, and fails the apply). Seen in CI under load: MiniStack
    sometimes loses its answer to a create (a KMS alias, an IAM role); the AWS provider's SDK retries the call and
    gets "already exists". Anything else: [] (a real failure)."""
    orphans = find_orphans(output) if prefix else []
    held = _state_ids(state_file)
    if not orphans or any(prefix not in o.resource_id or o.resource_id in held for o in orphans):
        return []
    return orphans


def _state_ids(state_file: Path) -> set[str]:
    """Every id, arn and name of the resources in a state file."""
    if not state_file.exists():
        return set()
    state = json.loads(state_file.read_text())
    return {
        str(value)
        for resource in state.get("resources", [])
        for instance in resource.get("instances", [])
        for key, value in instance.get("attributes", {}).items()
        if key in ("id", "arn", "name") and value
    }


def stack_factory(tmp_root: Path, target: Target) -> Callable[..., TerraformStack]:
    """Build stacks from `terraform/` (the default) or `tests/fixtures/<name>`, each in a fresh copy."""

    def make(
        root: str = "terraform",
        tf_vars: Mapping[str, Any] | None = None,
        var_files: list[str] | None = None,
    ) -> TerraformStack:
        copy = copy_tree(tmp_root / random_prefix("copy"))
        return TerraformStack(copy, root, target, isolated(root, dict(tf_vars or {})), list(var_files or []))

    return make


def isolated(root: str, tf_vars: dict[str, Any]) -> dict[str, Any]:
    """A stack with its own name_prefix also gets its own Glue database: database names are account-wide, and the
    stack's default (the lab's mydatabase) would collide between stacks applied on the same emulator."""
    if root == "terraform" and "name_prefix" in tf_vars and "glue_database_name" not in tf_vars:
        return tf_vars | {"glue_database_name": f"{tf_vars['name_prefix']}_db".replace("-", "_")}
    return tf_vars


def wait_for(
    probe: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.25, what: str = "the condition"
) -> T:
    """Poll until `probe` returns something truthy; fail with a clear message after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# A probe looks a resource up: it returns what it found (empty or false: nothing), or raises a ClientError, whose
# code must be one of the codes that mean "no such resource" (any other error, e.g. AccessDenied, proves nothing).
Probe = tuple[Callable[[], Any], tuple[str, ...]]


def left_behind(probes: Mapping[str, Probe]) -> list[str]:
    """The names of the probes that still find their resource (after a destroy)."""
    return [name for name, (probe, missing) in probes.items() if not _gone(probe, missing)]


def log_groups_named(logs: Any, name: str) -> list[dict[str, Any]]:
    """The log group of exactly this name, as a list (empty when there is none)."""
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return [group for group in groups if group["logGroupName"] == name]


def _gone(probe: Callable[[], Any], missing: tuple[str, ...]) -> bool:
    try:
        found = probe()
    except ClientError as error:
        return error.response["Error"]["Code"] in missing
    return not found


def planned_resources(plan: tftest.TerraformPlanOutput) -> dict[str, dict[str, Any]]:
    """Every planned resource of the root and nested modules, by full address, mapped to its values."""
    found: dict[str, dict[str, Any]] = {}

    def walk(module: Mapping[str, Any]) -> None:
        for res in module.get("resources", []):
            found[res["address"]] = res.get("values", {})
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan._raw.get("planned_values", {}).get("root_module", {}))  # tftest keeps the raw JSON there
    return found


def planned(plan: tftest.TerraformPlanOutput, address: str) -> dict[str, Any]:
    """The planned values of one resource; fails listing what was planned instead."""
    resources = planned_resources(plan)
    assert address in resources, f"got no {address}; planned: {sorted(resources)}"
    return resources[address]


def the_only(items: list[T], what: str = "item") -> T:
    """The single element of `items`; fails naming what was found otherwise."""
    assert len(items) == 1, f"got {items}, expected exactly one {what}"
    return items[0]
