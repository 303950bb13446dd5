"""Generate the inputs and outputs tables of each module README from its .tf files.

`python -m tools.module_docs` rewrites what sits between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`
in modules/*/README.md; `--check` changes nothing and fails when a README is stale (run by `make lint`).

terraform-docs cannot be installed here, so this reads the subset of HCL that variable and output blocks use:
attributes (strings, heredocs, numbers, lists, objects, function calls) and nested blocks (validation).
Type and default expressions are shown as written, on one line.

Exit codes: 0 ok, 1 a README is stale or cannot be generated, 2 usage.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from tools.targets import REPO_ROOT

PROG = "module_docs"
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
MODULES_DIR = REPO_ROOT / "modules"

OPENERS = {"(": ")", "[": "]", "{": "}"}
BLOCK_HEADER = re.compile(r'^(variable|output)\s+"([^"]+)"\s*\{', re.MULTILINE)
HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")
ATTRIBUTE_OR_BLOCK = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*(=|\{)")


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2


class DocsError(Exception):
    """A module or README cannot be documented; the message says where and why."""


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: str | None  # the expression as written; None when the variable is required

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Output:
    name: str
    description: str


@dataclass(frozen=True)
class Validation:
    """One `validation` block of a variable: its rule and the message Terraform prints when it fails."""

    variable: str
    condition: str
    error_message: str
    path: Path
    line: int  # of the `validation` keyword, as Terraform reports it ("checked by the validation rule at ...")


# --- a small HCL reader ----------------------------------------------------------------------------


def _skip_string(text: str, i: int) -> int:
    """Index just past the quoted string starting at text[i] == '"' (escapes and ${...} templates included)."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1
        if text.startswith(("${", "%{"), i):
            i = _skip_balanced(text, i + 1)
            continue
        i += 1
    raise DocsError("unterminated string")


def _skip_heredoc(text: str, i: int) -> int:
    match = HEREDOC.match(text, i)
    assert match is not None
    marker = match.group(2)
    end = re.compile(rf"^[ \t]*{marker}[ \t]*$", re.MULTILINE).search(text, match.end())
    if end is None:
        raise DocsError(f"unterminated heredoc <<{marker}")
    return end.end()


def _skip_comment(text: str, i: int) -> int | None:
    """Index past a comment starting at i, or None when there is none."""
    if text[i] == "#" or text.startswith("//", i):
        newline = text.find("\n", i)
        return len(text) if newline < 0 else newline
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end < 0:
            raise DocsError("unterminated /* comment")
        return end + 2
    return None


def _skip_balanced(text: str, i: int) -> int:
    """Index just past the bracket group opening at text[i]."""
    stack = [OPENERS[text[i]]]
    i += 1
    while stack:
        if i >= len(text):
            raise DocsError(f"unbalanced {stack[-1]!r}")
        i = _skip_atom(text, i, stack)
    return i


def _skip_atom(text: str, i: int, stack: list[str]) -> int:
    char = text[i]
    if char == '"':
        return _skip_string(text, i)
    if HEREDOC.match(text, i):
        return _skip_heredoc(text, i)
    comment = _skip_comment(text, i)
    if comment is not None:
        return comment
    if char in OPENERS:
        stack.append(OPENERS[char])
    elif stack and char == stack[-1]:
        stack.pop()
    elif char in ")]}":
        raise DocsError(f"unexpected {char!r}")
    return i + 1


def _expression_end(text: str, i: int) -> int:
    """End of the expression starting at i: the first newline outside brackets, strings and heredocs."""
    stack: list[str] = []
    while i < len(text):
        if not stack and text[i] == "\n":
            return i
        i = _skip_atom(text, i, stack)
    return i


def _blocks(text: str) -> Iterator[tuple[str, str, str]]:
    """(kind, name, body) of each top-level variable and output block."""
    for kind, name, _, body in _located_blocks(text):
        yield kind, name, body


def _located_blocks(text: str) -> Iterator[tuple[str, str, int, str]]:
    """(kind, name, offset of the body in text, body) of each top-level variable and output block."""
    for match in BLOCK_HEADER.finditer(text):
        open_brace = match.end() - 1
        end = _skip_balanced(text, open_brace) - 1
        yield match.group(1), match.group(2), open_brace + 1, text[open_brace + 1 : end]


def _nested_blocks(body: str) -> Iterator[tuple[str, int, str]]:
    """(type, offset in body, body) of each nested block such as validation { ... }; attributes are skipped."""
    i = 0
    while i < len(body):
        if body[i].isspace():
            i += 1
            continue
        comment = _skip_comment(body, i)
        if comment is not None:
            i = comment
            continue
        match = ATTRIBUTE_OR_BLOCK.match(body, i)
        if match is None:
            raise DocsError(f"cannot read {body[i : i + 40]!r}")
        if match.group(2) == "{":
            end = _skip_balanced(body, match.end() - 1)
            yield match.group(1), i, body[match.end() : end - 1]
            i = end
            continue
        i = _expression_end(body, match.end())


def _attributes(body: str) -> dict[str, str]:
    """The body's own attributes (name -> expression text); nested blocks are skipped."""
    attributes: dict[str, str] = {}
    i = 0
    while i < len(body):
        if body[i].isspace():
            i += 1
            continue
        comment = _skip_comment(body, i)
        if comment is not None:
            i = comment
            continue
        match = ATTRIBUTE_OR_BLOCK.match(body, i)
        if match is None:
            raise DocsError(f"cannot read {body[i : i + 40]!r}")
        if match.group(2) == "{":  # a nested block such as validation { ... }
            i = _skip_balanced(body, match.end() - 1)
            continue
        end = _expression_end(body, match.end())
        attributes[match.group(1)] = body[match.end() : end].strip()
        i = end
    return attributes


def assigned_names(text: str) -> list[str]:
    """The names a .tfvars file assigns (its top-level attributes), in order."""
    return list(_attributes(text))


def _string_value(expression: str) -> str:
    """The text of a string literal or heredoc expression; other expressions as written."""
    heredoc = HEREDOC.match(expression)
    if heredoc:
        lines = expression[heredoc.end() :].splitlines()[:-1]
        return " ".join(line.strip() for line in lines if line.strip())
    if len(expression) >= 2 and expression[0] == expression[-1] == '"':
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), expression[1:-1])
    return expression


def _strip_comments(expression: str) -> str:
    out, i, stack = [], 0, []
    while i < len(expression):
        comment = _skip_comment(expression, i)
        if comment is not None:
            i = comment
            continue
        j = _skip_atom(expression, i, stack)
        out.append(expression[i:j])
        i = j
    return "".join(out)


def one_line(expression: str) -> str:
    """An expression on one line: object attributes and list items joined with commas."""
    lines = [line.strip() for line in _strip_comments(expression).splitlines() if line.strip()]
    if not lines:
        return ""
    joined = lines[0]
    for line in lines[1:]:
        opens = joined[-1] in "([{,"
        closes = line[0] in ")]}"
        joined += " " if opens or closes else ", "
        joined += line
    return joined


def parse_module(module_dir: Path) -> tuple[list[Variable], list[Output]]:
    """Variables and outputs of every .tf file in the module, in file order (generated overrides skipped)."""
    variables: list[Variable] = []
    outputs: list[Output] = []
    for path in sorted(module_dir.glob("*.tf")):
        if path.name.endswith("_override.tf"):
            continue
        try:
            for kind, name, body in _blocks(path.read_text()):
                attributes = _attributes(body)
                description = _string_value(attributes.get("description", ""))
                if kind == "variable":
                    default = attributes.get("default")
                    type_ = one_line(attributes.get("type", "any"))
                    variables.append(Variable(name, description, type_, None if default is None else one_line(default)))
                else:
                    outputs.append(Output(name, description))
        except DocsError as exc:
            raise DocsError(f"{_display(path)}: {exc}") from None
    return variables, outputs


def parse_validations(tf_dir: Path) -> list[Validation]:
    """Every validation block of every variable in the directory's .tf files, in file order."""
    found: list[Validation] = []
    for path in sorted(tf_dir.glob("*.tf")):
        if path.name.endswith("_override.tf"):
            continue
        text = path.read_text()
        try:
            for kind, name, start, body in _located_blocks(text):
                if kind != "variable":
                    continue
                for block, offset, inner in _nested_blocks(body):
                    if block != "validation":
                        continue
                    attributes = _attributes(inner)
                    line = text.count("\n", 0, start + offset) + 1
                    message = _string_value(attributes.get("error_message", ""))
                    found.append(Validation(name, one_line(attributes.get("condition", "")), message, path, line))
        except DocsError as exc:
            raise DocsError(f"{_display(path)}: {exc}") from None
    return found


def _display(path: Path) -> Path:
    return path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path


# --- Markdown ----------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    text = _cell(text)
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def render(variables: Sequence[Variable], outputs: Sequence[Output]) -> str:
    """The generated section, markers excluded: required inputs first, then by name."""
    lines = ["## Inputs", ""]
    if variables:
        lines += ["| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
        for var in sorted(variables, key=lambda v: (not v.required, v.name)):
            default = "n/a" if var.default is None else _code(var.default)
            required = "yes" if var.required else "no"
            lines.append(f"| {var.name} | {_cell(var.description)} | {_code(var.type)} | {default} | {required} |")
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines += ["| Name | Description |", "|---|---|"]
        lines += [f"| {out.name} | {_cell(out.description)} |" for out in sorted(outputs, key=lambda o: o.name)]
    else:
        lines.append("No outputs.")
    return "\n".join(lines)


def updated_readme(readme: str, section: str) -> str:
    """The README with the section between the markers replaced."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.index(BEGIN) > readme.index(END):
        raise DocsError(f"needs exactly one {BEGIN} followed by one {END}")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{section}\n{END}{tail}"


def document(module_dir: Path, check: bool) -> bool:
    """Write (or, with check, compare) the module's README; True when it was already current."""
    readme_path = module_dir / "README.md"
    name = _display(readme_path)
    if not readme_path.is_file():
        raise DocsError(f"{name} is missing; write one with the {BEGIN} and {END} markers")
    readme = readme_path.read_text()
    try:
        wanted = updated_readme(readme, render(*parse_module(module_dir)))
    except DocsError as exc:
        raise DocsError(f"{name}: {exc}") from None
    if wanted == readme:
        return True
    if not check:
        readme_path.write_text(wanted)
        print(f"{PROG}: updated {name}", file=sys.stderr)
    return False


def module_dirs(paths: Sequence[str]) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted(p.parent for p in MODULES_DIR.glob("*/main.tf"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Generate module README inputs/outputs tables.")
    parser.add_argument("--check", action="store_true", help="change nothing; fail when a README is stale")
    parser.add_argument("modules", nargs="*", help="module directories (default: every modules/*)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        dirs = module_dirs(args.modules)
        missing = [str(d) for d in dirs if not d.is_dir()]
        if missing:
            print(f"{PROG}: error: not a directory: {', '.join(missing)}", file=sys.stderr)
            return Exit.USAGE
        stale = [d.name for d in dirs if not document(d, args.check)]
    except (DocsError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.ERROR
    if args.check and stale:
        print(f"{PROG}: error: stale README tables in {', '.join(stale)}; run `make docs`", file=sys.stderr)
        return Exit.ERROR
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
