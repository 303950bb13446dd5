"""Call the project's modules (and the root stack) many times in one generated root, to test input validations.

A probe is a Terraform root in a private copy of the repository, `<copy>/probe/`: the fixture
tests/fixtures/module_probe plus one generated `module "<call>"` block per case, written as JSON
(`probe.tf.json`). It sits beside `terraform/` and `modules/`, so the root stack, called as a module, finds the
Lambda zips at `path.root/../dist` as it does when it is the root.

`errors(calls)` runs `terraform init` once, `terraform validate -json` once over every call, then
`terraform plan -json` once over the calls validate let through: rules that compare two variables are only
evaluated by plan, and plan stops at validate's errors, so it must not see the other calls. Every diagnostic is
attributed to the module call it points at. `planned(calls)` plans calls that must be valid and returns the
addresses each one plans. A module's validations all run in one Terraform call instead of one plan per case.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import terraform
from tools.targets import Target

ROOT = "root"  # the name under which the root stack (terraform/) is probed
FIXTURE = Path("tests/fixtures/module_probe")
PROBE_FILE = "probe.tf.json"
PLAN_FILE = "probe.tfplan"


@dataclass(frozen=True)
class Diagnostic:
    """One Terraform error, as `validate -json` / `plan -json` report it."""

    summary: str
    detail: str
    call: str | None  # the module call it points at; None when Terraform tied it to no call
    command: str  # validate or plan

    @property
    def text(self) -> str:
        """Summary and detail on one line (Terraform wraps long messages)."""
        return " ".join(f"{self.summary}: {self.detail}".split())


def call_name(module: str, case: str) -> str:
    return f"{module}__{case}"


def source(module: str) -> str:
    return "../terraform" if module == ROOT else f"../modules/{module}"


class ModuleProbe:
    """A generated root holding module calls: `{call name: (module, inputs)}`."""

    def __init__(self, copy_root: Path, target: Target) -> None:
        self.workdir = copy_root / "probe"
        self.workdir.mkdir()
        shutil.copy(copy_root / FIXTURE / "main.tf", self.workdir / "main.tf")
        # No state is ever written: the probe only validates and plans.
        terraform.write_overrides(self.workdir, target, None, modules_dir=copy_root / "modules")
        self.env = terraform.environ_for(target)
        self.initialised: set[str] = set()

    def errors(self, calls: Mapping[str, tuple[str, Mapping[str, Any]]]) -> dict[str | None, list[Diagnostic]]:
        """The error diagnostics of every call, by call name (None: not tied to a call)."""
        self._write(calls)
        found = self._run_json(["validate", "-json", "-no-color"])
        caught = {d.call for d in found}
        rest = {name: call for name, call in calls.items() if name not in caught}
        if rest:
            self._write(rest)
            found += self._run_json(["plan", "-json", "-no-color", "-input=false", "-lock=false", "-refresh=false"])
        grouped: dict[str | None, list[Diagnostic]] = {}
        for diagnostic in found:
            grouped.setdefault(diagnostic.call, []).append(diagnostic)
        return grouped

    def planned(self, calls: Mapping[str, tuple[str, Mapping[str, Any]]]) -> dict[str, set[str]]:
        """Plan calls that must be valid; the resource addresses planned inside each call, by call name."""
        self._write(calls)
        args = ["plan", "-no-color", "-input=false", "-lock=false", "-refresh=false", f"-out={PLAN_FILE}"]
        result = terraform.run(args, self.workdir, self.env, capture=True, check=False)
        if result.returncode:
            raise AssertionError(f"got a failed plan of valid inputs:\n{(result.stdout + result.stderr)[-3000:]}")
        shown = terraform.run(["show", "-json", PLAN_FILE], self.workdir, self.env, capture=True)
        found: dict[str, set[str]] = {name: set() for name in calls}
        for change in json.loads(shown.stdout).get("resource_changes", []):
            call = change["address"].split(".")[1]
            found.setdefault(call, set()).add(change["address"])
        return found

    def _write(self, calls: Mapping[str, tuple[str, Mapping[str, Any]]]) -> None:
        blocks = {name: {"source": source(module), **inputs} for name, (module, inputs) in calls.items()}
        (self.workdir / PROBE_FILE).write_text(json.dumps({"module": blocks}, indent=2))
        if not set(calls) <= self.initialised:  # a new module call needs `init`; a subset does not
            terraform.run(["init", "-input=false", "-no-color"], self.workdir, self.env, capture=True)
            self.initialised |= set(calls)

    def _run_json(self, args: list[str]) -> list[Diagnostic]:
        """Error diagnostics of a validate (one JSON document) or plan (one JSON message per line)."""
        result = terraform.run(args, self.workdir, self.env, capture=True, check=False)
        if args[0] == "validate":
            raw = json.loads(result.stdout).get("diagnostics", [])
        else:
            messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
            raw = [m["diagnostic"] for m in messages if m.get("type") == "diagnostic"]
        if result.returncode and not raw:
            raise AssertionError(f"terraform {args[0]} failed without diagnostics:\n{result.stderr[-3000:]}")
        return [_diagnostic(d, args[0]) for d in raw if d.get("severity") == "error"]


def _diagnostic(raw: Mapping[str, Any], command: str) -> Diagnostic:
    context = (raw.get("snippet") or {}).get("context") or ""
    in_probe = (raw.get("range") or {}).get("filename") == PROBE_FILE
    call = context.split(".")[1] if in_probe and context.startswith("module.") else None
    return Diagnostic(raw.get("summary", ""), raw.get("detail", ""), call, command)
