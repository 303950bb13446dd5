"""ENV resolution: each target's endpoint, region and credentials, and clear errors for bad settings."""

from __future__ import annotations

import pytest

from tools.targets import TargetError, resolve

pytestmark = pytest.mark.unit


def test_default_target_is_the_embedded_emulator_on_4566():
    target = resolve({})
    assert (target.name, target.endpoint_url) == ("local", "http://127.0.0.1:4566"), f"got {target}"
    assert target.manages_emulator


def test_local_target_honours_emulator_port():
    assert resolve({"EMULATOR_PORT": "4599"}).endpoint_url == "http://127.0.0.1:4599"


def test_localstack_target_uses_aws_endpoint_url():
    target = resolve({"ENV": "localstack", "AWS_ENDPOINT_URL": "http://ls.internal:4566/"})
    assert target.endpoint_url == "http://ls.internal:4566", f"got {target.endpoint_url}"
    assert not target.manages_emulator


def test_localstack_target_defaults_to_localhost_4566():
    assert resolve({"ENV": "localstack"}).endpoint_url == "http://localhost:4566"


def test_aws_target_has_no_endpoint_and_no_dummy_credentials():
    target = resolve({"ENV": "aws", "AWS_REGION": "eu-west-2"})
    assert target.endpoint_url is None
    assert target.environ() == {"AWS_REGION": "eu-west-2", "AWS_DEFAULT_REGION": "eu-west-2"}


def test_emulated_targets_get_dummy_credentials_and_the_endpoint():
    env = resolve({}).environ()
    assert env["AWS_ACCESS_KEY_ID"] == "test"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ENV": "prod"}, "ENV='prod' is not a known target"),
        ({"EMULATOR_PORT": "http"}, "EMULATOR_PORT='http' is not a usable port"),
        ({"EMULATOR_PORT": "80"}, "EMULATOR_PORT='80' is not a usable port"),
        ({"ENV": "localstack", "AWS_ENDPOINT_URL": "localhost:4566"}, "is not an http(s) URL"),
        ({"ENV": "localstack", "AWS_ENDPOINT_URL": "http://localhost:4566/api"}, "without a path"),
        ({"ENV": "localstack", "AWS_ENDPOINT_URL": "http://localhost:99999"}, "invalid port"),
        ({"AWS_REGION": "Frankfurt"}, "does not look like an AWS region"),
    ],
)
def test_bad_settings_are_rejected_with_a_clear_message(environ, message):
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve(environ)
