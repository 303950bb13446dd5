"""Every input validation of every module and of the root stack, as native `terraform test` files.

`modules/<m>/tests/*.tftest.hcl` and `terraform/tests/*.tftest.hcl` hold one `run` per case: a value that breaks
one rule, and `expect_failures` on its variable (a run also fails on any other error, such as a type error that
would hide the rule). The AWS provider is mocked (`mock_provider`), or plans offline where a mock cannot serve:
no emulator, credentials or network. Each directory is tested in a private copy, so Terraform writes nothing
(`.terraform/`, lock files) into the repo. tests/unit/test_validation_coverage.py checks that every validation
block has a run expecting its variable.

Terraform starts the AWS provider (a 700 MB binary) about twice per run block. Where it is mocked, one provider
process per test module serves every run instead, attached through TF_REATTACH_PROVIDERS (Terraform's way to use a
running provider): a third of the CPU time (docs/testing.md has the figures). A real provider cannot be shared so:
it refuses to be configured twice in one process. Where the real provider plans (the root stack, the opensearch
module), a file's runs are split into chunks of RUNS_PER_CHUNK, each its own pytest item in its own test directory
of the copy (`terraform test -test-directory`), so that parallel workers share the ~10 s a run takes there; the
committed file stays one file. Terraform 1.11 runs the blocks of one file one after the other, and every run here
plans from scratch (no state passes between them), so a chunk is the same test as the whole file.
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
RUN = re.compile(r'^run "', re.MULTILINE)
INIT = ["init", "-backend=false", "-input=false", "-no-color"]
RUNS_PER_CHUNK = 8  # real-provider files only; mocked files run whole (a run costs well under a second there)


def split_runs(text: str) -> tuple[str, list[str]]:
    """(what precedes the first run block: providers, overrides, variables; the run blocks, in order)."""
    starts = [match.start() for match in RUN.finditer(text)]
    if not starts:
        return text, []
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def chunks_of(directory: str) -> list[tuple[str, int, int]]:
    """(directory, chunk, chunks) for each pytest item of a directory: one unless a file needs the real provider."""
    files = sorted((REPO_ROOT / directory / "tests").glob("*.tftest.hcl"))
    if all(MOCKED.search(f.read_text()) for f in files):
        return [(directory, 0, 1)]
    runs = max(len(split_runs(f.read_text())[1]) for f in files)
    count = max(1, -(-runs // RUNS_PER_CHUNK))
    return [(directory, chunk, count) for chunk in range(count)]


def write_chunk(workdir: Path, chunk: int, count: int) -> str:
    """Write chunk `chunk` of `count` of every test file (the header, then every count-th run) into a test
    directory of its own; returns that directory's name for -test-directory."""
    name = f"tests-chunk-{chunk}"
    (workdir / name).mkdir(exist_ok=True)
    for test in sorted((workdir / "tests").glob("*.tftest.hcl")):
        header, runs = split_runs(test.read_text())
        (workdir / name / test.name).write_text(header + "".join(runs[chunk::count]))
    return name


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


@pytest.mark.parametrize(
    ("directory", "chunk", "count"),
    [item for directory in DIRS for item in chunks_of(directory)],
    ids=lambda value: value if isinstance(value, str) else str(value),
)
def test_terraform_test_passes(copy_root, env, reattach, directory, chunk, count):
    workdir = copy_root / directory
    if not (workdir / ".terraform").is_dir():
        terraform.run(INIT, workdir, env, capture=True)
    if all(MOCKED.search(test.read_text()) for test in workdir.glob("tests/*.tftest.hcl")):
        env = env | reattach
    tests = write_chunk(workdir, chunk, count) if count > 1 else "tests"
    result = terraform.run(["test", "-no-color", "-json", f"-test-directory={tests}"], workdir, env, capture=True,
                           check=False)  # fmt: skip
    failed = failures(result.stdout)
    where = f"{directory} (runs {chunk + 1}, {chunk + 1 + count}, ... of its file)" if count > 1 else directory
    assert not failed, f"got failed runs in {where}:\n  " + "\n  ".join(failed)
    assert result.returncode == 0, f"got exit {result.returncode} from terraform test in {where}: {result.stderr}"
    ran = sum(1 for line in result.stdout.splitlines() if '"type":"test_run"' in line and '"status"' in line)
    assert ran, f"got no run block executed in {where}:\n{result.stdout[-2000:]}"
