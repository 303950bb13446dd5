"""The bad input sweep, the cases that need the emulator's data plane (the table: tests/bad_inputs.py)."""

from __future__ import annotations

import pytest

from tests.bad_inputs import busy_port, cases, check, make_repo_copy, run

pytestmark = pytest.mark.integration

EMULATOR = cases("integration")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return make_repo_copy(tmp_path_factory.mktemp("repo"), zips="placeholders")


@pytest.fixture(scope="module")
def port():
    with busy_port() as number:
        yield str(number)


@pytest.mark.parametrize("case", EMULATOR, ids=[c.id for c in EMULATOR])
def test_bad_input_exits_non_zero_with_one_clear_line(case, repo, port, endpoint, tmp_path):
    result = run(case, repo, tmp_path, busy_port=port, endpoint=endpoint)
    check(case, result, tmp=str(tmp_path), busy_port=port, endpoint=endpoint)
