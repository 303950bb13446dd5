"""tools/security_lint.py: every inline checkov skip carries a reason, and checkov's findings fail `make lint`.

checkov itself runs in `make lint` (its own virtualenv); these tests cover what the tool decides around it, and
that the repository's own skips all carry a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import security_lint
from tools.security_lint import Exit, Problem

pytestmark = pytest.mark.unit

REASONED = "  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery choice made per account.\n"


def problems_in(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "main.tf"
    path.write_text(text)
    return list(security_lint.skip_problems(path, text))


def test_skip_with_a_reason_passes(tmp_path):
    got = problems_in(tmp_path, f'resource "aws_s3_bucket" "this" {{\n{REASONED}}}\n')
    assert got == [], f"got {got}, expected no problem"


@pytest.mark.parametrize(
    "line",
    [
        "#checkov:skip=CKV2_AWS_62",
        "#checkov:skip=CKV2_AWS_62:",
        "#checkov:skip=CKV2_AWS_62:   ",
        "# checkov:skip=CKV2_AWS_62:not needed",
    ],
    ids=["no-colon", "empty", "blank", "three-words"],
)
def test_skip_without_a_reason_is_reported(tmp_path, line):
    got = problems_in(tmp_path, f'resource "aws_s3_bucket" "this" {{\n  {line}\n}}\n')
    assert len(got) == 1, f"got {got}, expected one problem"
    assert "skip of CKV2_AWS_62 has no reason" in got[0].message, f"got {got[0].message}"
    assert got[0].location.endswith("main.tf:2"), f"got {got[0].location}, expected the skip's line"


def test_malformed_skip_is_reported(tmp_path):
    got = problems_in(tmp_path, "  #checkov:skip CKV2_AWS_62: written without the equals sign\n")
    assert len(got) == 1, f"got {got}, expected one problem"
    assert "malformed skip" in got[0].message, f"got {got[0].message}"


def test_skip_of_something_that_is_not_a_check_id_is_reported(tmp_path):
    got = problems_in(tmp_path, "  #checkov:skip=all:Nothing here needs to be checked at all.\n")
    assert len(got) == 1, f"got {got}, expected one problem"
    assert "not a checkov check ID" in got[0].message, f"got {got[0].message}"


def test_repository_skips_all_carry_a_reason():
    files = security_lint.terraform_files()
    skips = [line for path in files for line in path.read_text().splitlines() if "checkov:skip=" in line]
    assert skips, "got no inline skip at all, expected the documented ones (key policies, Lambda, OpenSearch, S3)"
    problems = security_lint.all_skip_problems(files)
    assert problems == [], f"got {[str(p) for p in problems]}, expected every skip to carry a reason"


def test_scanned_files_leave_out_generated_overrides_and_terraform_caches(tmp_path):
    for relative in (
        "terraform/main.tf",
        "terraform/harness_override.tf",
        "modules/m/main.tf",
        "modules/m/.terraform/x.tf",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("\n")
    got = sorted(str(p.relative_to(tmp_path)) for p in security_lint.terraform_files(tmp_path))
    assert got == ["modules/m/main.tf", "terraform/main.tf"], f"got {got}"


def test_checkov_config_file_is_reported(tmp_path):
    (tmp_path / "terraform").mkdir()
    (tmp_path / "terraform" / ".checkov.yaml").write_text("skip-check: [CKV_AWS_144]\n")
    got = security_lint.config_problems(tmp_path)
    assert len(got) == 1, f"got {got}, expected one problem"
    assert got[0].location.endswith("terraform/.checkov.yaml"), f"got {got[0].location}"


def test_checkov_runs_offline_on_terraform_only():
    command = security_lint.checkov_command(Path("/venv/bin/checkov"), "modules")
    for flag in (["--framework", "terraform"], ["--download-external-modules", "false"], ["--skip-download"]):
        index = command.index(flag[0])
        assert command[index : index + len(flag)] == flag, f"got {command}, expected {flag}"
    assert not {"--skip-check", "--soft-fail", "--soft-fail-on"} & set(command), f"got {command}"
    index = command.index("--skip-path")
    assert command[index + 1] == "harness_override.tf", f"got {command}, expected the generated override skipped"


def test_failed_checks_and_parse_errors_are_findings():
    report = {
        "results": {
            "failed_checks": [
                {
                    "check_id": "CKV_AWS_300",
                    "check_name": "Ensure S3 lifecycle configuration sets period for aborting failed uploads",
                    "resource": "module.data_lake.aws_s3_bucket_lifecycle_configuration.this",
                    "file_abs_path": str(security_lint.REPO_ROOT / "modules/data_lake/main.tf"),
                    "file_line_range": [87, 122],
                    "guideline": None,
                }
            ],
            "parsing_errors": [str(security_lint.REPO_ROOT / "terraform/broken.tf")],
        }
    }
    got = [str(p) for p in security_lint.report_problems(report)]
    expected = [
        "modules/data_lake/main.tf:87-122: CKV_AWS_300 Ensure S3 lifecycle configuration sets period for aborting "
        "failed uploads (module.data_lake.aws_s3_bucket_lifecycle_configuration.this)",
        "terraform/broken.tf: checkov could not parse this file, so nothing in it was checked",
    ]
    assert got == expected, f"got {got}, expected {expected}"


def test_clean_report_has_no_findings():
    report = {"results": {"failed_checks": [], "parsing_errors": []}, "summary": {"passed": 3, "skipped": 1}}
    assert security_lint.report_problems(report) == []
    line = security_lint.summary_line("modules", report)
    assert line.startswith("modules/: 3 passed, 1 skipped inline with a reason, 0 failed"), f"got {line}"


def test_main_fails_on_a_skip_without_reason_before_running_checkov(tmp_path, monkeypatch, capsys):
    path = tmp_path / "main.tf"
    path.write_text('resource "aws_s3_bucket" "this" {\n  #checkov:skip=CKV_AWS_144\n}\n')
    monkeypatch.setattr(security_lint, "terraform_files", lambda: [path])

    def never(quiet: bool = False) -> Path:
        raise AssertionError("checkov must not run when a skip has no reason")

    monkeypatch.setattr(security_lint, "ensure_installed", never)
    assert security_lint.main([]) == Exit.ERROR
    err = capsys.readouterr().err
    assert "skip of CKV_AWS_144 has no reason" in err, f"got {err}"
    assert "error: 1 finding(s)" in err, f"got {err}"


def test_main_reports_checkov_findings_with_a_nonzero_exit(monkeypatch, capsys):
    failed = {
        "check_id": "CKV_AWS_338",
        "check_name": "Ensure CloudWatch log groups retains logs for at least 1 year",
        "resource": "aws_cloudwatch_log_group.this",
        "file_abs_path": str(security_lint.REPO_ROOT / "modules/firehose_s3/main.tf"),
        "file_line_range": [17, 22],
    }
    monkeypatch.setattr(security_lint, "ensure_installed", lambda quiet=False: Path("/venv/bin/checkov"))
    monkeypatch.setattr(
        security_lint,
        "run_checkov",
        lambda executable, directory: {"results": {"failed_checks": [failed] if directory == "modules" else []}},
    )
    assert security_lint.main(["--quiet"]) == Exit.ERROR
    err = capsys.readouterr().err
    assert "modules/firehose_s3/main.tf:17-22: CKV_AWS_338" in err, f"got {err}"


def test_main_explains_when_checkov_cannot_be_installed(monkeypatch, capsys):
    def fail(quiet: bool = False) -> Path:
        raise security_lint.LintError("could not install checkov==3.3.30; check that PyPI is reachable")

    monkeypatch.setattr(security_lint, "ensure_installed", fail)
    assert security_lint.main(["--quiet"]) == Exit.ERROR
    err = capsys.readouterr().err
    assert err.startswith("security_lint: error: could not install checkov"), f"got {err}"
    assert "Traceback" not in err
