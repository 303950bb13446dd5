"""The lab user's path through the harness, in a private copy of the repository against the session's emulator
(as ENV=localstack, so the copy keeps its own state): `apply` with PROFILE=direct-put prints a short summary and
what to do next, the lab's producer command works after `eval "$(make -s env)"`, a bare `terraform plan` finds
nothing to change, a plain apply keeps the remembered profile, a held state lock is one line, and destroy
summarises. One stack for the module (an apply costs a minute or more).
"""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bad_inputs import PROBLEM_LINE, make_repo_copy
from tests.harness import lost_creates, random_prefix, wait_for

pytestmark = pytest.mark.integration

CLEARED = ("AWS_", "ENV", "EMULATOR_", "TF_VAR", "TF_CLI_ARGS", "PROFILE", "TF_BACKEND_CONFIG", "MAKEFLAGS")
LAB_INPUT = "producer/data/online_retail_sample.csv"


class Checkout:
    """A private checkout and the environment of a user pointing it at the session's emulator."""

    def __init__(self, root: Path, endpoint: str, var_file: Path) -> None:
        self.root = root
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
        self.env = inherited | {"ENV": "localstack", "AWS_ENDPOINT_URL": endpoint, "TF_VAR_FILE": str(var_file)}
        port = endpoint.rsplit(":", 1)[1]
        self.state_dir = root / ".state" / "localstack" / f"127.0.0.1-{port}"

    def tools(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.shell(" ".join([sys.executable, "-m", "tools", *args]), **env)

    def shell(self, script: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script],
            cwd=cwd or self.root,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )


def shown(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def prefix() -> str:
    return random_prefix("fd")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory, endpoint, lambda_zips, prefix) -> Checkout:
    root = make_repo_copy(tmp_path_factory.mktemp("checkout"), zips="built")
    var_file = root / "mine.tfvars"
    var_file.write_text(f'name_prefix        = "{prefix}"\nglue_database_name = "{prefix}_db"\n')
    return Checkout(root, endpoint, var_file)


@pytest.fixture(scope="module")
def first_apply(checkout, prefix) -> Iterator[subprocess.CompletedProcess[str]]:
    """`apply PROFILE=direct-put` on a fresh checkout; destroyed (and the summary kept) at the end."""
    result = checkout.tools("apply", PROFILE="direct-put")
    lost = lost_creates(result.stderr, prefix, checkout.state_dir / "terraform.tfstate") if result.returncode else []
    if lost:  # MiniStack lost its answer to a create (see tests/harness.py): adopt as the apply's message says
        for orphan in lost:
            imported = checkout.tools("import", shlex.quote(orphan.address), shlex.quote(orphan.resource_id))
            assert imported.returncode == 0, shown(imported)
        result = checkout.tools("apply")
    assert result.returncode == 0, shown(result)
    yield result
    destroyed = checkout.tools("destroy")
    assert destroyed.returncode == 0, shown(destroyed)
    assert re.search(r"^destroy: \d+ destroyed in ", destroyed.stdout, re.MULTILINE), shown(destroyed)


def test_apply_prints_a_short_summary_with_the_next_steps(first_apply, prefix):
    lines = (first_apply.stderr + first_apply.stdout).splitlines()
    assert len(lines) <= 30, f"got {len(lines)} lines, expected a screenful at most:\n" + "\n".join(lines)
    summary = first_apply.stdout
    assert re.search(r"^apply: \d+ added, 0 changed, 0 destroyed in .*profile direct-put", summary, re.MULTILINE), (
        shown(first_apply)
    )
    for expected in (f"uk-online-{prefix}-trans", "make demo", "make produce", 'eval "$(ENV=localstack make -s env)"',
                     "--service-name firehose --out-format json"):  # fmt: skip
        assert expected in summary, f"got:\n{summary}\nexpected {expected!r}"


def test_apply_keeps_terraforms_whole_output_in_a_log_beside_the_state(checkout, first_apply):
    log = checkout.state_dir / "apply.log"
    assert "Apply complete!" in log.read_text(), f"got no complete apply in {log}"
    assert (checkout.state_dir / "profile").read_text() == "direct-put\n"


def test_status_shows_the_deployed_topology_and_the_profile(checkout, first_apply):
    result = checkout.tools("status")
    assert result.returncode == 0, shown(result)
    assert "topology:  direct-put: producer -> Firehose (Direct PUT) -> S3" in result.stdout, shown(result)
    assert "profile:   direct-put (remembered)" in result.stdout, shown(result)


def test_labs_producer_command_works_after_make_env(checkout, first_apply, prefix, aws_client):
    # the lab's exact command, with this stack's delivery stream name (uk-online-retail-trans for the default prefix)
    result = checkout.shell(
        f'eval "$({sys.executable} -m tools env)" && retail-producer -I {LAB_INPUT} --service-name firehose '
        f"--out-format json --stream-name uk-online-{prefix}-trans --max-count 100"
    )
    assert result.returncode == 0, shown(result)
    assert f"sent 100 of 100 records to firehose delivery stream 'uk-online-{prefix}-trans'" in result.stderr
    bucket = f"{prefix}-us-east-1-000000000000"

    def delivered() -> bool:
        pages = aws_client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="00-retail-trans/")
        return sum(page.get("KeyCount", 0) for page in pages) >= 100

    wait_for(delivered, timeout=120, what="the producer's 100 records in S3")


def test_bare_terraform_plan_after_make_env_finds_no_changes(checkout, first_apply):
    result = checkout.shell(f'eval "$({sys.executable} -m tools env)" && cd terraform && terraform plan -no-color')
    assert result.returncode == 0, shown(result)
    assert "No changes. Your infrastructure matches the configuration." in result.stdout, shown(result)


def test_held_state_lock_is_one_line(checkout, first_apply):
    state = checkout.state_dir / "terraform.tfstate"
    with state.open("r+") as held:
        fcntl.lockf(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what Terraform's local backend takes while it runs
        result = checkout.tools("plan")
    problems = [line for line in result.stderr.splitlines() if PROBLEM_LINE.match(line)]
    assert result.returncode == 1, shown(result)
    assert len(problems) == 1, shown(result)
    assert "another Terraform run is in progress" in problems[0], shown(result)
    assert "Traceback" not in result.stderr


def test_plain_apply_keeps_the_remembered_profile(checkout, first_apply):
    result = checkout.tools("apply")
    assert result.returncode == 0, shown(result)
    assert re.search(r"^apply: 0 added, 0 changed, 0 destroyed in .*profile direct-put", result.stdout, re.MULTILINE), (
        shown(result)
    )
