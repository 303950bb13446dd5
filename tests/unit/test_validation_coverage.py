"""Every validation block of the modules and of the root stack has a case in tests/terraform/validation_cases.py.

The plan test (tests/terraform/test_validations.py) proves each case fails with its message; this proves no rule
is left without a case, by reading the .tf files with tools/module_docs.py's HCL reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.module_probe import ROOT
from tests.terraform.validation_cases import CASES
from tools.module_docs import Validation, parse_validations
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.unit

DIRS: dict[str, Path] = {p.parent.name: p.parent for p in sorted((REPO_ROOT / "modules").glob("*/variables.tf"))}
DIRS[ROOT] = REPO_ROOT / "terraform"
VALIDATION_BLOCK = re.compile(r"^\s*validation\s*\{", re.MULTILINE)


def one_line(text: str) -> str:
    return " ".join(text.split())


def matches(message: str, validation: Validation) -> bool:
    """The case's message is part of the rule's, starting at a word (kms_key_arn is not log_kms_key_arn)."""
    return re.search(rf"(?<![\w.]){re.escape(one_line(message))}", one_line(validation.error_message)) is not None


def describe(validation: Validation) -> str:
    where = f"{validation.path.relative_to(REPO_ROOT)}:{validation.line}"
    return f"{where} ({validation.variable}): {validation.error_message}"


@pytest.mark.parametrize("module", sorted(DIRS))
def test_reader_finds_every_validation_block(module):
    expected = sum(len(VALIDATION_BLOCK.findall(p.read_text())) for p in DIRS[module].glob("*.tf"))
    got = len(parse_validations(DIRS[module]))
    assert got == expected, f"got {got} validations read, expected {expected} validation blocks in {module}"


@pytest.mark.parametrize("module", sorted(DIRS))
def test_every_validation_message_is_asserted_by_a_case(module):
    messages = [message for _, message in CASES.get(module, {}).values()]
    missing = [describe(v) for v in parse_validations(DIRS[module]) if not any(matches(m, v) for m in messages)]
    assert not missing, "got no case in tests/terraform/validation_cases.py for:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("module", sorted(CASES))
def test_every_case_names_exactly_one_validation(module):
    assert module in DIRS, f"got cases for {module!r}, expected one of {sorted(DIRS)}"
    validations = parse_validations(DIRS[module])
    wrong = {
        case: [describe(v) for v in validations if matches(message, v)]
        for case, (_, message) in CASES[module].items()
        if sum(matches(message, v) for v in validations) != 1
    }
    assert not wrong, f"got cases whose message matches 0 or several validations of {module}: {wrong}"
