"""Topology profiles: chosen with PROFILE=, remembered per target and endpoint, layered between the target's var
file and TF_VAR_FILE; unknown names and overridden TF_VAR_ variables are refused in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import cli, profiles, terraform
from tools.targets import TargetError, resolve

pytestmark = pytest.mark.unit


@pytest.fixture
def state_root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(terraform, "STATE_DIR", tmp_path)
    return tmp_path


def test_every_profile_sets_a_valid_firehose_source(state_root):
    sources = {name: profiles.choose(resolve({}), environ={"PROFILE": name}).firehose_source
               for name in profiles.available()}  # fmt: skip
    assert sources == {"direct-put": "direct_put", "stream": "kinesis"}, f"got {sources}"


def test_default_profile_is_stream_and_nothing_is_remembered(state_root):
    choice = profiles.choose(resolve({}), environ={})
    assert (choice.name, choice.origin) == ("stream", "default"), f"got {choice}"
    assert not list(state_root.rglob("profile"))


def test_given_profile_is_remembered_for_that_endpoint_only(state_root):
    profiles.choose(resolve({"EMULATOR_PORT": "4670"}), environ={"PROFILE": "direct-put"})
    later = profiles.choose(resolve({"EMULATOR_PORT": "4670"}), environ={})
    other_port = profiles.choose(resolve({"EMULATOR_PORT": "4671"}), environ={})
    assert (later.name, later.origin) == ("direct-put", "remembered"), f"got {later}"
    assert other_port.name == "stream", f"got {other_port}: another endpoint is another stack"
    assert (state_root / "local" / "127.0.0.1-4670" / "profile").read_text() == "direct-put\n"


def test_unknown_profile_is_one_line_listing_the_profiles(state_root):
    with pytest.raises(TargetError) as raised:
        profiles.choose(resolve({}), environ={"PROFILE": "firehose"})
    assert str(raised.value) == (
        "PROFILE='firehose' is not a profile; use one of: direct-put, stream (terraform/env/profiles/)"
    ), f"got {raised.value}"
    assert not list(state_root.rglob("profile")), "an unknown profile must not be remembered"


@pytest.mark.parametrize("name", ["../env/aws", "Direct-Put", ""])
def test_profile_names_are_plain_file_names(state_root, name):
    if not name:
        assert profiles.choose(resolve({}), environ={"PROFILE": name}).name == "stream"
        return
    with pytest.raises(TargetError, match="is not a profile"):
        profiles.choose(resolve({}), environ={"PROFILE": name})


def test_var_files_are_target_then_profile_then_yours(state_root, monkeypatch, tmp_path):
    mine = tmp_path / "mine.tfvars"
    mine.write_text('name_prefix = "shop"\n')
    monkeypatch.setenv("PROFILE", "direct-put")
    monkeypatch.setenv("TF_VAR_FILE", str(mine))
    arguments = cli.var_files(resolve({}), terraform.ROOT_DIR)
    # ENV=local: first the search stand-in's endpoint (so any var file wins over it), then the files in order
    assert arguments[0] == "-var=ingest_opensearch_endpoint=http://127.0.0.1:4567", f"got {arguments[0]}"
    files = [Path(f.removeprefix("-var-file=")) for f in arguments[1:]]
    got = [str(f.relative_to(terraform.ROOT_DIR)) if terraform.ROOT_DIR in f.parents else f.name for f in files]
    assert got == ["env/local.tfvars", "env/profiles/direct-put.tfvars", "mine.tfvars"], f"got {got}"


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("TF_VAR_enable_opensearch", "TF_VAR_enable_opensearch is set, but terraform/env/local.tfvars sets"),
        ("TF_VAR_firehose_source", "choose with PROFILE=direct-put or PROFILE=stream"),
    ],
)
def test_environment_variable_a_var_file_overrides_is_refused(state_root, monkeypatch, variable, message):
    monkeypatch.setenv(variable, "true")
    monkeypatch.delenv("PROFILE", raising=False)
    with pytest.raises(TargetError, match=re.escape(message)):
        cli.var_files(resolve({}), terraform.ROOT_DIR)


def test_environment_variable_no_var_file_sets_is_passed_on(state_root, monkeypatch):
    monkeypatch.setenv("TF_VAR_enable_parquet_conversion", "true")
    assert cli.var_files(resolve({}), terraform.ROOT_DIR)
