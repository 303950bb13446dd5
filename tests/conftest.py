"""Session fixtures: the target, its emulator, boto3 clients bound to it, and Terraform stacks.

`ENV` picks the target exactly as for `make`: local (default) starts or reuses the embedded emulator,
localstack uses the endpoint in AWS_ENDPOINT_URL, aws runs only the unit and plan tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from tests.harness import TerraformStack, stack_factory
from tools import build_lambdas, emulator
from tools.targets import Target, TargetError, resolve


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
    started = instance.start()
    yield target.endpoint_url
    if started:
        instance.stop()


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
def lambda_zips() -> None:
    """The Lambda zips in dist/ that the stack deploys (what `make build` does; cached and reproducible)."""
    if build_lambdas.main([]) != 0:
        pytest.exit("cannot run the tests: building the Lambda zips failed (see above)", returncode=1)


@pytest.fixture(scope="session")
def make_stack(
    tmp_path_factory: pytest.TempPathFactory, planning_target: Target, lambda_zips: None
) -> Callable[..., TerraformStack]:
    """`make_stack(root="terraform", tf_vars={...})`: a Terraform root in a private working copy."""
    return stack_factory(tmp_path_factory.mktemp("stacks"), planning_target)
