"""The harness's last line after a failed Terraform command, and its check of var files before any Terraform."""

from __future__ import annotations

import pytest

from tools import cli, diagnostics, module_docs
from tools.targets import REPO_ROOT, TargetError

pytestmark = pytest.mark.unit

RED, BOLD, RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"
# What `terraform plan` prints (colours included) when a var file breaks a validation rule, after the partial plan.
REFUSED_PLAN = f"""  + region             = "us-east-1"
{RED}╷{RESET}{RESET}
{RED}│{RESET} {RESET}{BOLD}{RED}Error: {RESET}{RESET}{BOLD}Invalid value for variable{RESET}
{RED}│{RESET} {RESET}
{RED}│{RESET} {RESET}{RESET}  on /tmp/mine.tfvars line 1:
{RED}│{RESET} {RESET}   1: name_prefix = "Bad_Prefix"
{RED}│{RESET} {RESET}    ├────────────────
{RED}│{RESET} {RESET}    │ var.name_prefix is "Bad_Prefix"
{RED}│{RESET} {RESET}
{RED}│{RESET} {RESET}name_prefix must be 3 to 24 characters of lowercase letters, digits and
{RED}│{RESET} {RESET}hyphens, starting with a letter and not ending with a hyphen.
{RED}│{RESET} {RESET}
{RED}│{RESET} {RESET}This was checked by the validation rule at variables.tf:17,3-13.
{RED}╵{RESET}{RESET}
{RED}╷{RESET}{RESET}
{RED}│{RESET} {RESET}{BOLD}{RED}Error: {RESET}{RESET}{BOLD}Invalid expression{RESET}
{RED}│{RESET} {RESET}
{RED}│{RESET} {RESET}Expected the start of an expression, but found an invalid expression token.
{RED}╵{RESET}{RESET}
"""


def test_errors_reads_summary_explanation_and_location_of_each_box():
    got = [d.line() for d in diagnostics.errors(REFUSED_PLAN)]
    expected = [
        "Invalid value for variable: name_prefix must be 3 to 24 characters of lowercase letters, digits and hyphens, "
        "starting with a letter and not ending with a hyphen. (/tmp/mine.tfvars line 1)",
        "Invalid expression: Expected the start of an expression, but found an invalid expression token.",
    ]
    assert got == expected, f"got {got}, expected {expected}"


def test_errors_skip_warnings():
    warning = "╷\n│ Warning: Value for undeclared variable\n│ \n│ The root module does not declare it.\n╵\n"
    got = diagnostics.errors(warning)
    assert got == [], f"got {got}, expected no errors from a warning"


def test_committed_var_files_set_only_declared_variables():
    declared = {v.name for v in module_docs.parse_module(REPO_ROOT / "terraform")[0]}
    for path in sorted((REPO_ROOT / "terraform" / "env").glob("*.tfvars")):
        cli.check_var_file(path, declared)  # raises on an undeclared name


def test_var_file_with_an_undeclared_name_is_refused_with_the_close_match(tmp_path):
    path = tmp_path / "mine.tfvars"
    path.write_text('name_prefix = "shop"\nkinesis_shards = 2\ntags = {\n  Team = "data"\n}\n')
    with pytest.raises(TargetError, match=r"sets 'kinesis_shards' \(did you mean 'kinesis_shard_count'\?\)"):
        cli.check_var_file(path, {"name_prefix", "kinesis_shard_count", "tags"})


def test_json_var_file_is_checked_too(tmp_path):
    path = tmp_path / "mine.tfvars.json"
    path.write_text('{"name_prefix": "shop", "colour": "blue"}')
    with pytest.raises(TargetError, match="sets 'colour', which"):
        cli.check_var_file(path, {"name_prefix"})


def test_errors_read_unframed_output_of_no_color():
    output = (
        "module.x: Refreshing...\n\nError: Error in function call\n\n"
        '  on opensearch.tf line 102, in resource "aws_lambda_invocation" "opensearch_bootstrap":\n'
        ' 102:     code = filebase64sha256("${path.root}/../dist/opensearch_bootstrap.zip")\n\n'
        'Call to function "filebase64sha256" failed: open\n'
        "../dist/opensearch_bootstrap.zip: no such file or directory.\n"
    )
    got = [d.line() for d in diagnostics.errors(output)]
    expected = [
        'Error in function call: Call to function "filebase64sha256" failed: open ../dist/opensearch_bootstrap.zip: '
        "no such file or directory. (opensearch.tf line 102)"
    ]
    assert got == expected, f"got {got}, expected {expected}"


class _Stdout:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [
        (True, None, ["apply", "-input=false"]),
        (True, "1", ["apply", "-no-color", "-input=false"]),
        (False, None, ["apply", "-no-color", "-input=false"]),
    ],
)
def test_terraform_colours_only_a_terminal(monkeypatch, tty, no_color, expected):
    monkeypatch.setattr(cli.sys, "stdout", _Stdout(tty))
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    got = cli.with_color_choice(["apply", "-input=false"])
    assert got == expected, f"got {got}"
