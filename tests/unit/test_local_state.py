"""Local state per emulator endpoint, the move of the older layout's single state, and the held-lock line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import local_state, terraform
from tools.targets import TargetError, resolve

pytestmark = pytest.mark.unit

LOCK_OUTPUT = """Acquiring state lock. This may take a few moments...

Error: Error acquiring the state lock

Error message: resource temporarily unavailable
Lock Info:
  ID:        3a6f1ed9-3c7c-78e2-02c5-46353800c6c5
  Path:      /work/repo/.state/local/127.0.0.1-4566/terraform.tfstate
  Operation: OperationTypeApply
  Who:       dev@laptop
  Version:   1.11.4
  Created:   2026-12-04 22:06:49.20036532 +0000 UTC
  Info:
"""


def state_text(endpoints: list[str], resources: int = 1) -> str:
    """A state with `resources` instances, whose SQS queues were created at `endpoints`."""
    queues = [{"attributes": {"id": f"{url}/000000000000/q{i}"}} for i, url in enumerate(endpoints)]
    others = [{"attributes": {"id": f"thing-{i}"}} for i in range(max(resources - len(queues), 0))]
    return json.dumps({"version": 4, "resources": [{"type": "x", "instances": queues + others}], "outputs": {}})


@pytest.fixture
def state_root(tmp_path, monkeypatch) -> Path:
    """The harness's .state/ in a temporary folder."""
    monkeypatch.setattr(local_state, "STATE_DIR", tmp_path)
    monkeypatch.setattr(terraform, "STATE_DIR", tmp_path)
    monkeypatch.setattr(local_state, "REPO_ROOT", tmp_path.parent)
    return tmp_path


def legacy(root: Path, text: str, env: str = "local") -> Path:
    path = root / env / "terraform.tfstate"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    (path.parent / "terraform.tfstate.backup").write_text(text)
    return path


def test_each_emulated_endpoint_has_its_own_state_folder():
    got = {
        "local 4566": terraform.state_dir(resolve({})),
        "local 4599": terraform.state_dir(resolve({"EMULATOR_PORT": "4599"})),
        "localstack": terraform.state_dir(resolve({"ENV": "localstack", "AWS_ENDPOINT_URL": "http://ls.internal"})),
        "aws": terraform.state_dir(resolve({"ENV": "aws"})),
    }
    relative = {name: str(path.relative_to(terraform.STATE_DIR)) for name, path in got.items()}
    assert relative == {
        "local 4566": "local/127.0.0.1-4566",
        "local 4599": "local/127.0.0.1-4599",
        "localstack": "localstack/ls.internal-80",
        "aws": "aws",
    }, f"got {relative}"


def test_old_state_naming_one_local_endpoint_moves_to_that_endpoints_folder(state_root):
    # given: the single state of the older layout, made on port 4599, while the target is port 4670
    legacy(state_root, state_text(["http://127.0.0.1:4599"], resources=30))
    target = resolve({"EMULATOR_PORT": "4670"})
    # when
    said = local_state.adopt_legacy_state(target)
    # then: it goes where its resources live, not to the current target
    moved = state_root / "local" / "127.0.0.1-4599"
    assert (moved / "terraform.tfstate").is_file(), f"got {sorted(p.name for p in state_root.rglob('*'))}"
    assert (moved / "terraform.tfstate.backup").is_file()
    assert not (state_root / "local" / "terraform.tfstate").exists()
    assert not (state_root / "local" / "127.0.0.1-4670").exists(), "the current target must not get it"
    assert "http://127.0.0.1:4599" in (said or ""), f"got {said!r}"


def test_old_empty_state_moves_to_the_current_target(state_root):
    legacy(state_root, json.dumps({"version": 4, "resources": []}))
    local_state.adopt_legacy_state(resolve({"EMULATOR_PORT": "4670"}))
    assert (state_root / "local" / "127.0.0.1-4670" / "terraform.tfstate").is_file()


@pytest.mark.parametrize(
    "endpoints",
    [[], ["http://127.0.0.1:4566", "http://127.0.0.1:4599"], ["http://sqs.us-east-1.localhost.localstack.cloud:4566"]],
    ids=["names-none", "names-two", "not-an-embedded-emulator"],
)
def test_ambiguous_old_state_is_refused_in_one_line_and_left_alone(state_root, endpoints):
    path = legacy(state_root, state_text(endpoints, resources=5))
    with pytest.raises(TargetError) as raised:
        local_state.adopt_legacy_state(resolve({"EMULATOR_PORT": "4670"}))
    message = str(raised.value)
    assert "\n" not in message, f"got several lines: {message!r}"
    assert "mkdir -p local/127.0.0.1-4670" in message.replace(f"{state_root.name}/", ""), f"got {message!r}"
    assert path.is_file(), "a refused state must stay where it was"


def test_old_state_is_not_moved_over_an_existing_one(state_root):
    path = legacy(state_root, state_text(["http://127.0.0.1:4670"]))
    existing = state_root / "local" / "127.0.0.1-4670" / "terraform.tfstate"
    existing.parent.mkdir(parents=True)
    existing.write_text("{}")
    with pytest.raises(TargetError, match="both exist"):
        local_state.adopt_legacy_state(resolve({"EMULATOR_PORT": "4670"}))
    assert path.is_file()
    assert existing.read_text() == "{}"


def test_localstack_old_state_moves_only_to_the_same_endpoint(state_root):
    legacy(state_root, state_text(["http://localhost:4566"]), env="localstack")
    local_state.adopt_legacy_state(resolve({"ENV": "localstack", "AWS_ENDPOINT_URL": "http://localhost:4566"}))
    assert (state_root / "localstack" / "localhost-4566" / "terraform.tfstate").is_file()


def test_other_endpoints_states_with_resources_are_listed(state_root):
    for port, count in ((4566, 3), (4599, 0), (4670, 2)):
        folder = state_root / "local" / f"127.0.0.1-{port}"
        folder.mkdir(parents=True)
        (folder / "terraform.tfstate").write_text(state_text([], resources=count))
    found = [(path.parent.name, count) for path, count in local_state.other_states(resolve({"EMULATOR_PORT": "4670"}))]
    assert found == [("127.0.0.1-4566", 3)], f"got {found}"


def test_held_lock_becomes_one_line_naming_the_run():
    message = local_state.lock_message(LOCK_OUTPUT) or ""
    assert "\n" not in message, f"got {message!r}"
    for part in ("another Terraform run is in progress", "apply by dev@laptop since 2026-12-04 22:06:49", "pgrep"):
        assert part in message, f"got {message!r}, expected {part!r}"
    assert "force-unlock" not in message, "a local lock dies with its process: nothing to unlock"


def test_held_lock_on_a_remote_backend_says_how_to_unlock():
    message = local_state.lock_message(LOCK_OUTPUT, remote=True)
    assert message is not None
    assert "terraform force-unlock 3a6f1ed9-3c7c-78e2-02c5-46353800c6c5" in message


def test_other_errors_are_not_taken_for_a_lock():
    assert local_state.lock_message("Error: Invalid value for variable\n") is None


def test_an_empty_endpoint_state_names_the_stacks_of_other_endpoints(state_root, capsys):
    # given: a stack on port 4566, and a command for port 4670 (the port forgotten or changed)
    folder = state_root / "local" / "127.0.0.1-4566"
    folder.mkdir(parents=True)
    (folder / "terraform.tfstate").write_text(state_text([], resources=41))
    # when
    local_state.note_other_states(resolve({"EMULATOR_PORT": "4670"}))
    # then
    said = capsys.readouterr().err
    assert "127.0.0.1-4566/terraform.tfstate holds 41 resource instances for another endpoint" in said, f"got {said}"


def test_a_deployed_endpoint_gets_no_note(state_root, capsys):
    for port in (4566, 4670):
        folder = state_root / "local" / f"127.0.0.1-{port}"
        folder.mkdir(parents=True)
        (folder / "terraform.tfstate").write_text(state_text([], resources=3))
    local_state.note_other_states(resolve({"EMULATOR_PORT": "4670"}))
    assert capsys.readouterr().err == ""
