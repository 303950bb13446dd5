"""Plan one module call with chosen inputs, to test the module's input validations one by one.

A probe is a Terraform root (tests/fixtures/module_probe) in a private copy, holding a single generated
`module "probe"` call written as JSON (`probe.tf.json`). It is initialised once; each check rewrites the
call's arguments (same module source, so no new `init`) and runs `terraform plan`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import tftest

from tests.harness import TerraformStack

PROBE_FILE = "probe.tf.json"


class ModuleProbe:
    """`probe.plan_error(timeout=901)` -> Terraform's error text for the module called with those inputs."""

    def __init__(self, stack: TerraformStack, module: str, required: Mapping[str, Any]) -> None:
        self.stack = stack
        self.source = f"../../../modules/{module}"
        self.required = dict(required)
        self._write(self.required)
        self.stack.tf.setup(upgrade=False)  # installs the module now that the call exists

    def _write(self, inputs: Mapping[str, Any]) -> None:
        call = {"source": self.source, **inputs}
        (self.stack.workdir / PROBE_FILE).write_text(json.dumps({"module": {"probe": call}}, indent=2))

    def plan(self, **inputs: Any) -> tftest.TerraformPlanOutput:
        self._write(self.required | inputs)
        return self.stack.tf.plan(output=True)

    def plan_error(self, **inputs: Any) -> str:
        """The error output of a plan that must fail; fails the test if the plan succeeds.

        `terraform validate` runs first: it reports most validation failures in a third of a plan's time,
        without calling the target. Rules that compare two variables are only checked by `plan`.
        """
        self._write(self.required | inputs)
        for command in (lambda: self.stack.tf.execute_command("validate", "-no-color"), self._plan):
            try:
                command()
            except tftest.TerraformTestError as exc:
                text = " ".join(str(arg) for arg in exc.args)
                return " ".join(text.split())  # Terraform wraps long messages: compare on single spaces
        raise AssertionError(f"got a successful plan for {inputs}, expected a validation error")

    def _plan(self) -> None:
        self.stack.tf.plan(output=False, color=False)


def probe_factory(make_stack: Callable[..., TerraformStack]) -> Callable[[str, Mapping[str, Any]], ModuleProbe]:
    def make(module: str, required: Mapping[str, Any]) -> ModuleProbe:
        return ModuleProbe(make_stack("tests/fixtures/module_probe"), module, required)

    return make
