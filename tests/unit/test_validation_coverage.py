"""Every validation block of the modules and of the root stack has its own run in their `terraform test` files.

tests/terraform/test_validations.py runs the files; this reads them and the .tf files with python-hcl2. A run's
`expect_failures` names a variable, not one of its rules, so a variable needs as many runs expecting it as it has
validation blocks (a new rule on an old variable needs a new run), and every run either expects validated variables
to fail, each named once (one in the mocked files, several where the real provider plans and cases are grouped), or
asserts something (the `valid` run).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

from tools.targets import REPO_ROOT

pytestmark = pytest.mark.unit

DIRS = [p.parent for p in sorted((REPO_ROOT / "modules").glob("*/variables.tf"))] + [REPO_ROOT / "terraform"]


@cache
def parsed(path: Path) -> dict[str, Any]:
    return hcl2.loads(path.read_text())


def blocks(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    """The labelled blocks of one kind in an HCL file, by label (python-hcl2 keeps the label's quotes)."""
    if f'{kind} "' not in path.read_text():  # parsing is slow (~0.2 s a file): only the files that have some
        return {}
    return {label.strip('"'): body for block in parsed(path).get(kind, []) for label, body in block.items()}


def rules(directory: Path) -> Counter[str]:
    """How many validation blocks each variable has."""
    variables = {name: body for tf in directory.glob("*.tf") for name, body in blocks(tf, "variable").items()}
    return Counter({name: len(body.get("validation", [])) for name, body in variables.items() if "validation" in body})


def runs(directory: Path) -> dict[str, dict[str, Any]]:
    """Every run block of the directory's test files, by `<file> run "<name>"`."""
    return {
        f'{test.relative_to(REPO_ROOT)} run "{name}"': body
        for test in sorted(directory.glob("tests/*.tftest.hcl"))
        for name, body in blocks(test, "run").items()
    }


def expected(run: dict[str, Any]) -> list[str]:
    """The addresses a run expects to fail, as written (`var.name`)."""
    return [address.removeprefix("${").removesuffix("}") for address in run.get("expect_failures", [])]


@pytest.mark.parametrize("directory", DIRS, ids=[d.name for d in DIRS])
def test_every_validation_block_has_a_run_expecting_it(directory):
    expecting = Counter(address.removeprefix("var.") for run in runs(directory).values() for address in expected(run))
    missing = {name: f"{expecting[name]} run(s) for {count} rule(s)" for name, count in rules(directory).items()
               if expecting[name] < count}  # fmt: skip
    assert not missing, f"got too few runs in {directory.name}/tests/*.tftest.hcl for: {missing}"


@pytest.mark.parametrize("directory", DIRS, ids=[d.name for d in DIRS])
def test_every_run_expects_validated_variables_or_asserts(directory):
    validated = {f"var.{name}" for name in rules(directory)}
    wrong = [name for name, run in runs(directory).items() if not run.get("assert") and not expected(run)]
    wrong += [f"{name} names a variable twice" for name, run in runs(directory).items()
              if len(set(expected(run))) != len(expected(run))]  # fmt: skip
    wrong += [f"{name} expects {expected(run)}" for name, run in runs(directory).items()
              if not set(expected(run)) <= validated]  # fmt: skip
    assert not wrong, f"got runs that expect no validated variable to fail (or assert nothing): {wrong}"
