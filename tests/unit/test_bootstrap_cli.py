"""The bootstrap's CLI and Lambda handler against the admin test double (tests/doubles/opensearch_admin.py:
OpenSearch cannot run here): output, exit codes, one-line errors, and the handler's result and failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from opensearch_bootstrap import cli, handler
from opensearch_bootstrap.settings import ConfigError
from tests.bootstrap_support import ACCESS_KEY, CREDENTIALS, INGEST_ROLE_ARN, REGION, SECRET_KEY
from tests.doubles.opensearch_admin import OpenSearchAdminDouble
from tests.lambda_support import REPO_ROOT, FakeContext, load_event

pytestmark = pytest.mark.unit


@pytest.fixture
def double():
    with OpenSearchAdminDouble(credentials=CREDENTIALS) as server:
        yield server


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    """The test keys and region, and no shared config or instance metadata to fall back on."""
    for name, value in {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": REGION,
                        "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


def main(double, *flags: str) -> int:
    return cli.main(["--endpoint", double.url, "--ingest-role-arn", INGEST_ROLE_ARN, *flags])


def test_cli_prints_each_step_and_a_headline(double, capsys):
    code = main(double)
    lines = capsys.readouterr().out.splitlines()
    assert code == 0, f"got exit {code}"
    assert lines[0] == "index_template retail: created (patterns retail*, rollover alias retail)", f"got {lines[0]!r}"
    assert lines[-1] == f"{double.url}: 9 changed, 0 already in place, 0 skipped", f"got {lines[-1]!r}"


def test_cli_second_run_says_everything_is_in_place(double, capsys):
    main(double)
    capsys.readouterr()
    code = main(double)
    last = capsys.readouterr().out.splitlines()[-1]
    assert (code, last) == (0, f"{double.url}: 0 changed, 9 already in place, 0 skipped"), f"got {code}, {last!r}"


def test_cli_json_prints_the_functions_result(double, capsys):
    main(double, "--json", "--dry-run")
    result = json.loads(capsys.readouterr().out)
    assert (result["dry_run"], result["changed"], len(result["steps"])) == (True, 9, 9), f"got {result}"
    assert double.writes() == [], "got writes during a dry run"


def test_cli_bad_value_is_a_one_line_usage_error(double, capsys):
    code = main(double, "--retention-days", "0")
    err = capsys.readouterr().err
    assert code == 2, f"got exit {code}, expected 2"
    expected = "opensearch_bootstrap: error: retention_days must be a whole number of days from 1 to 36500, got 0\n"
    assert err == expected, f"got {err!r}"
    assert double.requests == [], "got requests sent despite the bad input"


def test_cli_unreachable_domain_exits_1_with_one_line(capsys):
    with OpenSearchAdminDouble() as gone:
        url = gone.url
    code = cli.main(["--endpoint", url, "--access-control", "iam", "--timeout-seconds", "2"])
    out, err = capsys.readouterr()
    assert code == 1, f"got exit {code}"
    assert out == "", f"got {out!r} on stdout, expected nothing (no step ran)"
    assert err.startswith(f"opensearch_bootstrap: error: GET {url}/ failed: "), f"got {err!r}"
    assert err.count("\n") == 1, f"got {err!r}, expected one line"


def test_cli_failed_step_prints_the_steps_done_then_the_error(double, capsys):
    double.indices["retail"] = {"aliases": {}, "settings": {}, "policy_id": None}
    code = main(double)
    out, err = capsys.readouterr()
    assert code == 1, f"got exit {code}"
    assert out.splitlines()[-1].endswith(": 2 changed, 0 already in place, 0 skipped"), f"got {out!r}"
    assert err.startswith("opensearch_bootstrap: error: index 'retail' exists as a concrete index"), f"got {err!r}"


def test_cli_without_credentials_says_how_to_provide_them(double, capsys, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code = main(double)
    err = capsys.readouterr().err
    assert code == 1, f"got exit {code}"
    assert err.startswith("opensearch_bootstrap: error: no AWS credentials found"), f"got {err!r}"


def test_python_dash_m_runs_the_cli(double):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(REPO_ROOT / "lambda_src")}
    flags = ["--endpoint", double.url, "--access-control", "iam", "--dry-run"]
    result = subprocess.run(
        [sys.executable, "-m", "opensearch_bootstrap", *flags],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"got exit {result.returncode}: {result.stderr}"
    assert result.stdout.splitlines()[-1].startswith(f"dry run: {double.url}: 6 would change"), f"got {result.stdout}"


def test_handler_configures_the_domain_from_the_event_file(double):
    event = load_event("opensearch_bootstrap.json") | {"endpoint": double.url}
    result = handler.lambda_handler(event, FakeContext(function_name="opensearch-bootstrap"))
    assert (result["changed"], result["unchanged"], result["skipped"]) == (9, 0, 0), f"got {result}"
    expected = ["created"] * 5 + ["updated"] + ["created"] * 3  # the audit configuration exists, switched off
    assert [s["status"] for s in result["steps"]] == expected, f"got {result['steps']}"
    assert double.mappings["retail_ingest"]["backend_roles"] == [event["ingest_role_arn"]], f"got {double.mappings}"


def test_handler_result_is_json_serialisable(double):
    result = handler.lambda_handler({"endpoint": double.url, "access_control": "iam"}, FakeContext())
    assert json.loads(json.dumps(result)) == result, "got a result that does not survive JSON"


def test_handler_refuses_a_bad_event_with_the_reason(double):
    with pytest.raises(ConfigError) as failure:
        handler.lambda_handler({"endpoint": double.url, "retention_days": "30"}, FakeContext())
    assert str(failure.value).startswith("retention_days must be a whole number"), f"got {failure.value}"
    assert double.requests == [], "got requests sent for a bad event"


def test_handler_fails_the_invocation_when_a_step_fails(double):
    double.request_fault = lambda r: (403, "no permissions") if "_security" in r.path else None
    with pytest.raises(Exception, match="answered HTTP 403"):
        handler.lambda_handler({"endpoint": double.url, "ingest_role_arn": INGEST_ROLE_ARN}, FakeContext())


def test_handler_accepts_terraforms_crud_key_and_runs_on_update(double):
    event = {"endpoint": double.url, "access_control": "iam", "tf": {"action": "update", "prev_input": {}}}
    result = handler.lambda_handler(event, FakeContext())
    assert result["changed"] == 6, f"got {result}"


def test_handler_does_nothing_on_terraform_destroy(double):
    event = {"endpoint": double.url, "access_control": "iam", "tf": {"action": "delete", "prev_input": {}}}
    result = handler.lambda_handler(event, FakeContext())
    assert result["changed"] == 0, f"got {result}"
    assert double.requests == [], f"got {len(double.requests)} requests on destroy, expected none"
