"""Every input validation of every module and of the root stack, as native `terraform test` files.

`modules/<m>/tests/*.tftest.hcl` and `terraform/tests/*.tftest.hcl` hold the cases: a run sets values that break
rules and expects each of those variables to fail (`expect_failures`; a run also fails on any other error, such as a
type error that would hide the rule). The AWS provider is mocked (`mock_provider`), or plans offline where a mock
cannot serve: no emulator, credentials or network. Each directory is tested in a private copy, so Terraform writes
nothing (`.terraform/`, lock files) into the repo. tests/unit/test_validation_coverage.py checks that every variable
has as many runs expecting it as it has validation blocks.

Terraform starts the AWS provider (a 700 MB binary) about twice per run block. Where it is mocked, one provider
process per test module serves every run instead, attached through TF_REATTACH_PROVIDERS (Terraform's way to use a
running provider): a third of the CPU time (docs/testing.md has the figures). A real provider cannot be shared so:
it refuses to be configured twice in one process. Where the real provider plans (the root stack, the opensearch
module), a run costs seconds of CPU, so those files group their cases: one run breaks one rule of many variables.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import copy_tree
from tools import terraform
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.plan

DIRS = [str(p.parent.relative_to(REPO_ROOT)) for p in sorted(REPO_ROOT.glob("modules/*/tests"))] + ["terraform"]
MOCKED = re.compile(r'^mock_provider "aws"', re.MULTILINE)
INIT = ["init", "-backend=false", "-input=false", "-no-color"]


@pytest.fixture(scope="module")
def copy_root(tmp_path_factory, lambda_zips) -> Path:
    return copy_tree(tmp_path_factory.mktemp("native"))


@pytest.fixture(scope="module")
def env(target) -> dict[str, str]:
    """The harness's Terraform environment without any AWS endpoint or credentials: these runs are offline. (With
    the emulator's endpoint inherited, every real-provider run waited ~20 s on calls to it.)"""
    return {k: v for k, v in terraform.environ_for(target).items() if not k.startswith("AWS_")}


@pytest.fixture(scope="module")
def reattach(copy_root, env) -> Iterator[dict[str, str]]:
    """TF_REATTACH_PROVIDERS for one AWS provider process started here (stopped after the tests)."""
    terraform.run(INIT, copy_root / "terraform", env, capture=True)
    binary = next((copy_root / "terraform/.terraform/providers").glob("*/hashicorp/aws/*/*/terraform-provider-aws*"))
    log = copy_root / "provider.log"
    with log.open("w") as out:
        provider = subprocess.Popen([binary, "-debug"], stdout=out, stderr=subprocess.STDOUT)
    try:
        yield {"TF_REATTACH_PROVIDERS": reattach_config(log, provider)}
    finally:
        provider.terminate()
        provider.wait(timeout=60)


def reattach_config(log: Path, provider: subprocess.Popen[bytes], timeout: float = 120) -> str:
    """The TF_REATTACH_PROVIDERS value a provider started with -debug prints once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and provider.poll() is None:
        for line in log.read_text().splitlines():
            if "TF_REATTACH_PROVIDERS=" in line:
                return line.split("=", 1)[1].strip().strip("'")
        time.sleep(0.2)
    raise AssertionError(f"the AWS provider printed no TF_REATTACH_PROVIDERS line:\n{log.read_text()[-2000:]}")


def failures(stdout: str) -> list[str]:
    """`<file> run "<name>": <errors>` for each failed run, from `terraform test -json`."""
    runs: dict[tuple[str, str], list[str]] = {}
    for message in (json.loads(line) for line in stdout.splitlines() if line.startswith("{")):
        key = (message.get("@testfile", ""), message.get("@testrun", ""))
        if message.get("type") == "test_run" and message["test_run"].get("status") in ("fail", "error"):
            runs.setdefault(key, [])
        elif message.get("type") == "diagnostic" and message["diagnostic"].get("severity") == "error":
            diagnostic = message["diagnostic"]
            runs.setdefault(key, []).append(" ".join(f"{diagnostic['summary']}: {diagnostic['detail']}".split()))
    return [f'{file} run "{run}": {"; ".join(errors) or "failed"}' for (file, run), errors in runs.items()]


@pytest.mark.parametrize("directory", DIRS)
def test_terraform_test_passes(copy_root, env, reattach, directory):
    workdir = copy_root / directory
    if not (workdir / ".terraform").is_dir():
        terraform.run(INIT, workdir, env, capture=True)
    if all(MOCKED.search(test.read_text()) for test in workdir.glob("tests/*.tftest.hcl")):
        env = env | reattach
    result = terraform.run(["test", "-no-color", "-json"], workdir, env, capture=True, check=False)
    failed = failures(result.stdout)
    assert not failed, f"got failed runs in {directory}:\n  " + "\n  ".join(failed)
    assert result.returncode == 0, f"got exit {result.returncode} from terraform test in {directory}: {result.stderr}"
    ran = sum(1 for line in result.stdout.splitlines() if '"type":"test_run"' in line and '"status"' in line)
    assert ran, f"got no run block executed in {directory}:\n{result.stdout[-2000:]}"
