"""The make/CLI path end to end on a private copy of the repository: ENV=localstack against a running emulator.

MiniStack speaks the LocalStack endpoints, so pointing ENV=localstack at the session's emulator exercises exactly
what a user with their own LocalStack gets: no emulator management, endpoint overrides, plan against it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import random_prefix
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory, lambda_zips) -> Path:
    """The harness, the Terraform sources and the Lambda zips they hash, so `python -m tools` keeps its state and
    overrides in the copy."""
    copy = tmp_path_factory.mktemp("repo")
    for name in ("tools", "terraform", "modules", "dist"):
        shutil.copytree(
            REPO_ROOT / name,
            copy / name,
            ignore=shutil.ignore_patterns(".terraform", "harness_override.tf", "__pycache__"),
        )
    return copy


def run_tools(copy: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ENV", "EMULATOR_", "TF_VAR"))}
    return subprocess.run(
        [sys.executable, "-m", "tools", *args],
        cwd=copy,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_localstack_target_plans_against_a_running_endpoint(repo_copy, endpoint):
    prefix = random_prefix()
    result = run_tools(
        repo_copy, "plan", "-no-color", ENV="localstack", AWS_ENDPOINT_URL=endpoint, TF_VAR_name_prefix=prefix
    )
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-1000:]}"
    assert result.stdout.startswith("plan: "), f"got {result.stdout[:500]}, expected the plan's summary"
    state_dir = repo_copy / ".state" / "localstack" / f"127.0.0.1-{endpoint.rsplit(':', 1)[1]}"
    plan = (state_dir / "plan.log").read_text()
    assert f'+ name                      = "{prefix}-trans"' in plan, "expected the stream in the plan's log"
    override = (repo_copy / "terraform" / "harness_override.tf").read_text()
    assert f'kinesis        = "{endpoint}"' in override, f"expected endpoints of {endpoint} in the override"
    assert f'path = "{state_dir / "terraform.tfstate"}"' in override, "expected this endpoint's own state"


def files_under(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_harness_writes_nothing_under_modules(repo_copy, endpoint):
    # `init` writes what plan and apply write before they run Terraform: the CLI config and the overrides.
    before = files_under(repo_copy / "modules")
    result = run_tools(repo_copy, "init", ENV="localstack", AWS_ENDPOINT_URL=endpoint)
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-1000:]}"
    after = files_under(repo_copy / "modules")
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert not changed, f"the harness wrote into modules/: {changed}"
    assert (repo_copy / "terraform" / "harness_override.tf").is_file(), "expected the root's override"


def test_status_reports_the_localstack_endpoint(repo_copy, endpoint):
    result = run_tools(repo_copy, "status", ENV="localstack", AWS_ENDPOINT_URL=endpoint)
    assert result.returncode == 0, result.stderr
    assert f"target:    localstack ({endpoint}" in result.stdout
    assert "emulator:  healthy" in result.stdout, f"got {result.stdout}"
