"""The bad input sweep, the cases that need neither Terraform nor the emulator (the table: tests/bad_inputs.py).

Each case runs the real command in a private copy of the repository and expects its exit code, no traceback and
one line that says what is wrong. The table's own checks are here too: enough distinct cases, each run by exactly
one test file, each listed in docs/bad-input.md.
"""

from __future__ import annotations

import pytest

from tests.bad_inputs import CASES, busy_port, cases, check, make_repo_copy, run
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.unit

UNIT = cases("unit")
TEST_FILES = {
    "unit": "tests/unit/test_bad_inputs.py",
    "plan": "tests/terraform/test_bad_inputs_plan.py",
    "integration": "tests/integration/test_bad_inputs_emulator.py",
}


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    """Two checkouts: with placeholder Lambda zips (the commands stop before Terraform), and without any."""
    return {
        True: make_repo_copy(tmp_path_factory.mktemp("repo"), zips="placeholders"),
        False: make_repo_copy(tmp_path_factory.mktemp("fresh"), zips="none"),
    }


@pytest.fixture(scope="module")
def port():
    with busy_port() as number:
        yield str(number)


@pytest.mark.parametrize("case", UNIT, ids=[c.id for c in UNIT])
def test_bad_input_exits_non_zero_with_one_clear_line(case, repos, port, tmp_path):
    result = run(case, repos[case.zips], tmp_path, busy_port=port)
    check(case, result, tmp=str(tmp_path), busy_port=port)


def test_sweep_covers_at_least_20_distinct_bad_inputs():
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids), f"got duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    distinct = {(c.command, tuple(sorted(c.env.items())), tuple(sorted(c.files))) for c in CASES}
    assert len(distinct) >= 20, f"got {len(distinct)} distinct bad inputs, expected at least 20"


def test_sweep_cases_each_run_in_exactly_one_test_file():
    unknown = [c.id for c in CASES if c.needs not in TEST_FILES]
    assert not unknown, f"got cases no test file runs: {unknown}, expected needs in {sorted(TEST_FILES)}"
    missing = [path for path in TEST_FILES.values() if not (REPO_ROOT / path).is_file()]
    assert not missing, f"got no test file {missing}"


def test_docs_list_every_bad_input():
    page = (REPO_ROOT / "docs" / "bad-input.md").read_text()
    missing = [c.id for c in CASES if f"`{c.id}`" not in page]
    assert not missing, f"got docs/bad-input.md's table without {missing}"
