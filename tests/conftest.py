"""Session fixtures: the target, its emulator, boto3 clients bound to it, and Terraform stacks.

`ENV` picks the target exactly as for `make`: local (default) starts or reuses the embedded emulator,
localstack uses the endpoint in AWS_ENDPOINT_URL, aws runs only the unit and plan tests. Under pytest-xdist each
worker has an emulator of its own, on a port derived from EMULATOR_PORT (tests/workers.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
import tftest

from tests import drill_report, workers
from tests.harness import TERRAFORM_GOGC, TerraformStack, random_prefix, stack_factory
from tools import build_lambdas, emulator
from tools.targets import REPO_ROOT, Target, TargetError, resolve

MODULES_DIR = REPO_ROOT / "modules"
_modules_at_start: dict[str, tuple[int, int]] = {}


def pytest_configure(config: pytest.Config) -> None:
    workers.claim_session_port()
    # Every Terraform the run starts (test stacks, `terraform test`, the `make` targets the tests call) and its AWS
    # provider: the GC target of tests/harness.py (TERRAFORM_GOGC), unless GOGC is set.
    os.environ.setdefault("GOGC", TERRAFORM_GOGC)


def files_of(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root, ignored ones included (e.g. a `.terraform` dir), with its size and mtime."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the run's own process: serial, or the xdist controller
        _modules_at_start.update(files_of(MODULES_DIR))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The harness never writes into modules/: a run that changed anything there fails, naming what changed."""
    if hasattr(session.config, "workerinput") or not _modules_at_start:
        return
    now = files_of(MODULES_DIR)
    changed = sorted(
        name for name in _modules_at_start.keys() | now.keys() if _modules_at_start.get(name) != now.get(name)
    )
    if changed:
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"error: the test run wrote into modules/ (the harness must not): {', '.join(changed[:10])}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workers.plan_the_run(config, items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") in ("loadscope", "loadgroup"):
        return workers.SlowestFirstScheduling(config, log)
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    drill_report.collect(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    drill_report.summarize(terminalreporter)


@pytest.fixture(scope="session")
def target() -> Target:
    try:
        return resolve()
    except TargetError as exc:
        pytest.exit(f"cannot run the tests: {exc}", returncode=2)


@pytest.fixture(scope="session")
def endpoint(target: Target) -> Iterator[str]:
    """A healthy emulator endpoint: reuses a running one, else starts the embedded one and stops it after."""
    if not target.endpoint_url:
        pytest.skip("needs an emulator: ENV=aws runs only unit and plan tests against real AWS")
    if not target.manages_emulator:
        if not emulator.health(target.endpoint_url):
            pytest.exit(f"ENV={target.name}: nothing healthy answers at {target.endpoint_url}", returncode=2)
        yield target.endpoint_url
        return
    assert target.port is not None
    instance = emulator.MiniStack(target.port)
    owned = workers.owns_session_emulator() and not emulator.health(target.endpoint_url)
    if owned:
        shutil.rmtree(instance.home, ignore_errors=True)  # a worker's emulator starts clean
    started = instance.start(quiet=owned)
    yield target.endpoint_url
    if started:
        instance.stop(quiet=owned)
    if owned:
        shutil.rmtree(instance.home, ignore_errors=True)


@pytest.fixture(scope="session")
def planning_target(target: Target, request: pytest.FixtureRequest) -> Target:
    """A target Terraform can plan against: the emulator (started on demand) or real AWS with credentials."""
    if target.endpoint_url:
        request.getfixturevalue("endpoint")
        return target
    session = boto3.Session(region_name=target.region)
    if session.get_credentials() is None:
        pytest.skip("ENV=aws plan tests need AWS credentials")
    return target


@pytest.fixture(scope="session")
def aws_client(target: Target, endpoint: str) -> Callable[[str], Any]:
    """`aws_client("s3")`: a boto3 client bound to the emulator."""
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=target.region)
    cache: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=endpoint)
        return cache[service]

    return client


@pytest.fixture(scope="session")
def lambda_zips(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The Lambda zips in dist/ that the stack deploys (what `make build` does; cached and reproducible), built once
    per run however many workers ask."""
    built = workers.shared(tmp_path_factory, "lambda-zips", lambda: "ok" if build_lambdas.main([]) == 0 else "failed")
    if built != "ok":
        pytest.exit("cannot run the tests: building the Lambda zips failed (see above)", returncode=1)


@pytest.fixture(scope="session")
def make_stack(
    tmp_path_factory: pytest.TempPathFactory, planning_target: Target, lambda_zips: None
) -> Callable[..., TerraformStack]:
    """`make_stack(root="terraform", tf_vars={...})`: a Terraform root in a private working copy."""
    return stack_factory(tmp_path_factory.mktemp("stacks"), planning_target)


@pytest.fixture(scope="session")
def plan_prefix(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The name prefix of the shared plans (plan_of): one per run, the same on every worker."""
    return workers.shared(tmp_path_factory, "plan-prefix", random_prefix)


@pytest.fixture(scope="session")
def plan_of(
    make_stack: Callable[..., TerraformStack], plan_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., tftest.TerraformPlanOutput]:
    """`plan_of(root, var_files=[...], **tf_vars)`: the plan of a Terraform root with name_prefix=plan_prefix and
    these inputs, made once per run and shared by every test, on any worker, that asks for the same inputs (a root
    plan costs ~10 s of CPU: tests of the same root and variables share one). A worker initialises each root and
    var-file set once for all its plans."""
    stacks: dict[tuple[str, tuple[str, ...]], TerraformStack] = {}
    parsed: dict[str, tftest.TerraformPlanOutput] = {}

    def plan(root: str = "terraform", var_files: Sequence[str] = (), **tf_vars: Any) -> tftest.TerraformPlanOutput:
        key = json.dumps([root, list(var_files), tf_vars], sort_keys=True)
        if key not in parsed:

            def make() -> str:
                where = (root, tuple(var_files))
                if where not in stacks:
                    stacks[where] = make_stack(root, tf_vars={"name_prefix": plan_prefix}, var_files=list(var_files))
                return json.dumps(stacks[where].plan(**tf_vars)._raw)

            name = "plan-" + hashlib.sha256(key.encode()).hexdigest()[:16]
            parsed[key] = tftest.TerraformPlanOutput(json.loads(workers.shared(tmp_path_factory, name, make)))
        return parsed[key]

    return plan
