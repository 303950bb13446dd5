"""`python -m tools`: one clear line and a non-zero exit for each configuration mistake, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tools.targets import REPO_ROOT

pytestmark = pytest.mark.unit


def run_tools(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ENV", "EMULATOR_", "TF_"))}
    return subprocess.run(
        [sys.executable, "-m", "tools", *args],
        cwd=REPO_ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ENV": "staging"}, "ENV='staging' is not a known target"),
        ({"EMULATOR_PORT": "abc"}, "EMULATOR_PORT='abc' is not a usable port"),
        ({"ENV": "localstack", "AWS_ENDPOINT_URL": "ftp://x"}, "is not an http(s) URL"),
        ({"TERRAFORM": "no-such-terraform"}, "is not on PATH"),
    ],
)
def test_bad_configuration_exits_2_with_one_clear_line(env, message):
    result = run_tools("outputs", **env)
    assert result.returncode == 2, f"got exit {result.returncode}, expected 2; stderr: {result.stderr}"
    assert message in result.stderr, f"got stderr {result.stderr!r}"
    assert "Traceback" not in result.stderr


def test_aws_target_without_credentials_is_refused(tmp_path):
    missing = str(tmp_path / "none")
    result = run_tools(
        "plan",
        ENV="aws",
        AWS_SHARED_CREDENTIALS_FILE=missing,
        AWS_CONFIG_FILE=missing,
        AWS_EC2_METADATA_DISABLED="true",
    )
    assert result.returncode == 2, f"got exit {result.returncode}; stderr: {result.stderr}"
    assert "ENV=aws needs AWS credentials" in result.stderr, f"got {result.stderr!r}"
    assert "Traceback" not in result.stderr


def test_localstack_target_without_a_running_endpoint_is_refused():
    result = run_tools("plan", ENV="localstack", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert result.returncode == 2, f"got exit {result.returncode}; stderr: {result.stderr}"
    assert "nothing healthy answers at http://127.0.0.1:9" in result.stderr


def test_up_refuses_a_port_held_by_something_else(unused_http_server):
    result = run_tools("up", EMULATOR_PORT=str(unused_http_server))
    assert result.returncode == 1, f"got exit {result.returncode}; stderr: {result.stderr}"
    assert f"port {unused_http_server} is in use by something that is not a healthy emulator" in result.stderr


def test_unknown_command_is_a_usage_error():
    result = run_tools("deploy")
    assert result.returncode == 2
    assert "invalid choice: 'deploy'" in result.stderr
