"""The generated Terraform CLI config and overrides: offline mirror, registry fallback, emulator endpoints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import terraform
from tools.targets import resolve

pytestmark = pytest.mark.unit


def make_mirror(root: Path) -> Path:
    (root / terraform.PROVIDER_ADDRESS / "5.100.0" / "linux_amd64").mkdir(parents=True)
    return root


def test_cli_config_installs_aws_from_the_mirror_and_everything_else_directly(tmp_path):
    text = terraform.render_cli_config(make_mirror(tmp_path))
    assert f'path    = "{tmp_path}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text


def test_cli_config_without_a_mirror_uses_the_registry_with_a_cache():
    text = terraform.render_cli_config(None)
    assert "provider_installation" not in text
    assert "plugin_cache_dir" in text


def test_named_mirror_wins(tmp_path):
    mirror = make_mirror(tmp_path / "mine")
    assert terraform.find_plugin_mirror({"TF_PLUGIN_MIRROR": str(mirror)}) == mirror


def test_named_mirror_without_the_provider_is_an_error(tmp_path):
    with pytest.raises(terraform.TerraformError, match=re.escape("holds no registry.terraform.io/hashicorp/aws")):
        terraform.find_plugin_mirror({"TF_PLUGIN_MIRROR": str(tmp_path)})


def test_missing_terraform_binary_is_reported():
    with pytest.raises(terraform.TerraformError, match="is not on PATH"):
        terraform.binary({"TERRAFORM": "terraform-does-not-exist"})


def test_emulator_override_sets_what_ministack_needs(tmp_path):
    text = terraform.render_override(resolve({"EMULATOR_PORT": "4599"}), tmp_path / "s.tfstate")
    for line in (
        "skip_requesting_account_id  = false",
        "s3_use_path_style           = true",
        "skip_credentials_validation = true",
        "skip_metadata_api_check     = true",
        'firehose       = "http://127.0.0.1:4599"',
        f'path = "{tmp_path / "s.tfstate"}"',
    ):
        assert line in text, f"expected {line!r} in the override:\n{text}"


def test_aws_override_holds_only_the_backend(tmp_path):
    text = terraform.render_override(resolve({"ENV": "aws"}), tmp_path / "s.tfstate")
    assert "provider" not in text
    assert 'backend "local"' in text


def test_aws_override_with_a_backend_config_declares_s3():
    text = terraform.render_override(resolve({"ENV": "aws"}), None, s3_backend=True)
    assert 'backend "s3" {}' in text


def test_overrides_are_written_into_the_root_only_for_every_target(tmp_path):
    root, module = tmp_path / "terraform", tmp_path / "modules" / "m"
    root.mkdir()
    module.mkdir(parents=True)
    (module / "main.tf").write_text("\n")
    for environ in ({}, {"ENV": "localstack"}, {"ENV": "aws"}):
        terraform.write_overrides(root, resolve(environ), tmp_path / "s", modules_dir=tmp_path / "modules")
        written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
        assert written == ["modules/m/main.tf", f"terraform/{terraform.OVERRIDE_NAME}"], f"{environ}: got {written}"
