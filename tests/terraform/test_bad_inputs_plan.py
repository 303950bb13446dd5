"""The bad input sweep, the var-file cases that only `terraform plan` can reject (the table: tests/bad_inputs.py).

`python -m tools plan` with TF_VAR_FILE runs in a private copy of the repository against the session's emulator,
as ENV=localstack (the emulator is the user's own endpoint there); the last line says what Terraform refused.
"""

from __future__ import annotations

import pytest

from tests.bad_inputs import busy_port, cases, check, make_repo_copy, run

pytestmark = pytest.mark.plan

PLAN = cases("plan")


@pytest.fixture(scope="module")
def repo(tmp_path_factory, lambda_zips):
    return make_repo_copy(tmp_path_factory.mktemp("repo"), zips="built")


@pytest.fixture(scope="module")
def port():
    with busy_port() as number:
        yield str(number)


@pytest.mark.parametrize("case", PLAN, ids=[c.id for c in PLAN])
def test_bad_input_exits_non_zero_with_one_clear_line(case, repo, port, endpoint, tmp_path):
    target = {"ENV": "localstack", "AWS_ENDPOINT_URL": endpoint}
    result = run(case, repo, tmp_path, extra_env=target, busy_port=port, endpoint=endpoint)
    check(case, result, tmp=str(tmp_path), busy_port=port, endpoint=endpoint)
