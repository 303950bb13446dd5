"""Every input validation of every module and of the root stack: an invalid value fails with its own message.

The cases are in validation_cases.py. They all run through one module probe (tests/module_probe.py): one
`terraform init`, one `validate` over every case, one `plan` over the few rules only plan evaluates (those that
compare two variables), and one plan of each module's valid inputs. Each case is still its own test.
"""

from __future__ import annotations

import pytest

from tests.harness import copy_tree
from tests.module_probe import Diagnostic, ModuleProbe, call_name
from tests.terraform.validation_cases import CASES, PRIMARY, REQUIRED

pytestmark = pytest.mark.plan

VALIDATION_FAILED = "Invalid value for variable"  # Terraform's summary of a failed validation rule
PARAMS = [(module, case) for module, cases in CASES.items() for case in cases]


@pytest.fixture(scope="module")
def probe(tmp_path_factory, planning_target, lambda_zips) -> ModuleProbe:
    return ModuleProbe(copy_tree(tmp_path_factory.mktemp("probe")), planning_target)


@pytest.fixture(scope="module")
def errors(probe) -> dict[str | None, list[Diagnostic]]:
    calls = {call_name(m, case): (m, REQUIRED[m] | inputs) for m, c in CASES.items() for case, (inputs, _) in c.items()}
    return probe.errors(calls)


@pytest.fixture(scope="module")
def planned(probe) -> dict[str, set[str]]:
    return probe.planned({call_name(module, "valid"): (module, inputs) for module, inputs in REQUIRED.items()})


@pytest.mark.parametrize("module", sorted(REQUIRED))
def test_probe_with_valid_inputs_plans(planned, module):
    call = call_name(module, "valid")
    expected = f"module.{call}.{PRIMARY[module]}"
    assert expected in planned[call], f"got {sorted(planned[call])[:20]}, expected {expected} among them"


@pytest.mark.parametrize(("module", "case"), PARAMS, ids=[f"{m}-{c}" for m, c in PARAMS])
def test_invalid_input_fails_with_its_message(errors, module, case):
    inputs, message = CASES[module][case]
    got = errors.get(call_name(module, case), [])
    loose = [d.text[:300] for d in errors.get(None, [])]
    texts = [d.text for d in got]
    assert any(message in text for text in texts), (
        f"{inputs}: got {texts or 'no error'} (not tied to a case: {loose}), expected the message {message!r}"
    )
    others = [d.text[:300] for d in got if d.summary != VALIDATION_FAILED]
    assert not others, f"got {others}, expected only {VALIDATION_FAILED!r} errors (a type error hides the rule)"
