"""tools/module_docs.py: README tables generated from the .tf files, and a check mode that fails on stale ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import module_docs
from tools.module_docs import BEGIN, END, Output, Variable

pytestmark = pytest.mark.unit

VARIABLES_TF = """
variable "name" {
  description = "Name of the \\"thing\\" | with a pipe."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{1,8}$", var.name)) # braces } in strings and comments
    error_message = "name must be 1 to 8 lowercase letters."
  }
}

/* a block comment with variable "ghost" { } */
variable "settings" {
  description = <<-EOT
    Settings of the thing,
    on two lines.
  EOT
  type = object({
    size    = optional(number, 1) # MiB
    enabled = optional(bool, true)
  })
  default = {
    size    = 2
    enabled = false
  }
}

variable "tags" {
  description = "Tags."
  type        = map(string)
  default     = {}
}

variable "template" {
  description = "A template with ${"$"}{interpolation} and $${escaped}."
  type        = string
  default     = "year=$${year}/${"x"}"
}
"""

OUTPUTS_TF = """
output "arn" {
  description = "ARN of the thing; null when it is not created."
  value       = try(aws_thing.this[0].arn, null)
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "variables.tf").write_text(VARIABLES_TF)
    (tmp_path / "outputs.tf").write_text(OUTPUTS_TF)
    (tmp_path / "harness_override.tf").write_text('variable "generated" {\n  type = string\n}\n')
    (tmp_path / "README.md").write_text(f"# thing\n\nIntro.\n\n{BEGIN}\nold table\n{END}\n\nAfter.\n")
    return tmp_path


def test_parse_module_reads_every_variable_and_output(module):
    variables, outputs = module_docs.parse_module(module)
    assert [v.name for v in variables] == ["name", "settings", "tags", "template"], f"got {variables}"
    assert outputs == [Output("arn", "ARN of the thing; null when it is not created.")], f"got {outputs}"


def test_parse_module_unescapes_descriptions_and_joins_heredocs(module):
    variables = {v.name: v for v in module_docs.parse_module(module)[0]}
    assert variables["name"].description == 'Name of the "thing" | with a pipe.', f"got {variables['name']}"
    assert variables["settings"].description == "Settings of the thing, on two lines.", f"got {variables['settings']}"


def test_parse_module_puts_types_and_defaults_on_one_line_without_comments(module):
    settings = {v.name: v for v in module_docs.parse_module(module)[0]}["settings"]
    expected_type = "object({ size    = optional(number, 1), enabled = optional(bool, true) })"
    assert settings.type == expected_type, f"got {settings.type!r}"
    assert settings.default == "{ size    = 2, enabled = false }", f"got {settings.default!r}"


def test_variable_without_default_is_required(module):
    variables = {v.name: v for v in module_docs.parse_module(module)[0]}
    assert variables["name"].required, "got optional, expected name (no default) to be required"
    assert not variables["tags"].required, "got required, expected tags (default {}) to be optional"


def test_render_lists_required_inputs_first_and_escapes_pipes():
    section = module_docs.render(
        [Variable("b", "B.", "string", '"x"'), Variable("a", "A | a.", "number", None)], [Output("o", "O.")]
    )
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1] == "| a | A \\| a. | `number` | n/a | yes |", f"got {rows[1]}"
    assert rows[2] == '| b | B. | `string` | `"x"` | no |', f"got {rows[2]}"
    assert rows[-1] == "| o | O. |", f"got {rows[-1]}"


def test_document_replaces_only_the_text_between_the_markers(module):
    assert module_docs.document(module, check=False) is False, "expected the old table to be replaced"
    readme = (module / "README.md").read_text()
    assert readme.startswith("# thing\n\nIntro.\n\n" + BEGIN + "\n## Inputs"), f"got {readme[:80]!r}"
    assert readme.endswith(END + "\n\nAfter.\n"), f"got {readme[-40:]!r}"
    assert "old table" not in readme
    assert "generated" not in readme, "generated *_override.tf files must not be documented"


def test_document_is_idempotent(module):
    module_docs.document(module, check=False)
    assert module_docs.document(module, check=True) is True, "a freshly written README must be current"


def test_check_mode_reports_a_stale_readme_without_writing(module, capsys):
    before = (module / "README.md").read_text()
    assert module_docs.main(["--check", str(module)]) == module_docs.Exit.ERROR
    assert (module / "README.md").read_text() == before, "--check must not write"
    assert "stale README tables" in capsys.readouterr().err


def test_missing_markers_fail_with_one_line(module, capsys):
    (module / "README.md").write_text("# thing\n")
    assert module_docs.main([str(module)]) == module_docs.Exit.ERROR
    err = capsys.readouterr().err
    assert err.startswith("module_docs: error: "), f"got {err!r}"
    assert err.count("\n") == 1, f"got {err!r}, expected one line"
    assert BEGIN in err, f"got {err!r}"


def test_unbalanced_hcl_fails_with_the_file_name(module, capsys):
    (module / "variables.tf").write_text('variable "x" {\n  type = object({\n}\n')
    assert module_docs.main([str(module)]) == module_docs.Exit.ERROR
    assert "variables.tf" in capsys.readouterr().err


def test_unknown_directory_is_a_usage_error(tmp_path, capsys):
    assert module_docs.main([str(tmp_path / "nope")]) == module_docs.Exit.USAGE
    assert "not a directory" in capsys.readouterr().err


def test_repository_module_readmes_are_current():
    result = subprocess.run(
        [sys.executable, "-m", "tools.module_docs", "--check"],
        cwd=module_docs.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"got exit {result.returncode}: {result.stderr}; run `make docs`"
