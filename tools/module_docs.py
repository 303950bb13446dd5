"""Generate the inputs and outputs tables of each module README from its .tf files.

`python -m tools.module_docs` rewrites what sits between `<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->`
in modules/*/README.md; `--check` changes nothing and fails when a README is stale (run by `make lint`).

terraform-docs cannot be installed here (no PyPI or Debian package), so this reads the .tf files with
python-hcl2's parser and shows type and default expressions as written, on one line, comments dropped.

Exit codes: 0 ok, 1 a README is stale or cannot be generated, 2 usage.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import hcl2
from lark import LarkError, Tree

from tools.cli_base import Exit, Parser
from tools.targets import REPO_ROOT

PROG = "module_docs"
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
MODULES_DIR = REPO_ROOT / "modules"
DECLARES = re.compile(r'^(variable|output)\s+"', re.MULTILINE)
HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")


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


# --- reading HCL (python-hcl2's parse tree, with the source positions of every node) --------------------


def _parse(text: str) -> Tree:
    try:
        return hcl2.parses_to_tree(text)
    except LarkError as exc:
        raise DocsError(str(exc).splitlines()[0]) from None


def _children(node: Tree, kind: str) -> Iterator[Tree]:
    return (child for child in node.children if isinstance(child, Tree) and child.data == kind)


def _source(node: Tree, text: str) -> str:
    """The node's text as written, each comment replaced by a line break."""
    cuts = sorted((c.meta.start_pos, c.meta.end_pos) for c in node.iter_subtrees() if c.data == "new_line_or_comment")
    out, position = [], node.meta.start_pos
    for start, end in cuts:
        out += [text[position:start], "\n"]
        position = end
    return "".join([*out, text[position : node.meta.end_pos]])


def _attributes(body: Tree, text: str) -> dict[str, str]:
    """The body's own attributes (name -> expression as written); nested blocks are skipped."""
    return {str(a.children[0].children[0]): _source(a.children[-1], text) for a in _children(body, "attribute")}


def _blocks(text: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(kind, first label, attributes) of each top-level block."""
    for block in _children(next(_children(_parse(text), "body")), "block"):
        labels = [text[s.meta.start_pos + 1 : s.meta.end_pos - 1] for s in _children(block, "string")]
        kind = str(block.children[0].children[0])
        yield kind, labels[0] if labels else "", _attributes(next(_children(block, "body")), text)


def assigned_names(text: str) -> list[str]:
    """The names a .tfvars file assigns (its top-level attributes), in order."""
    return list(_attributes(next(_children(_parse(text), "body")), text))


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


def one_line(expression: str) -> str:
    """An expression on one line: object attributes and list items joined with commas."""
    lines = [line.strip() for line in expression.splitlines() if line.strip()]
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
        text = path.read_text()
        if path.name.endswith("_override.tf") or not DECLARES.search(text):  # parsing costs ~0.1 s a file
            continue
        try:
            blocks = list(_blocks(text))
        except DocsError as exc:
            raise DocsError(f"{_display(path)}: {exc}") from None
        for kind, name, attributes in blocks:
            description = _string_value(attributes.get("description", ""))
            if kind == "variable":
                default = attributes.get("default")
                type_ = one_line(attributes.get("type", "any"))
                variables.append(Variable(name, description, type_, None if default is None else one_line(default)))
            elif kind == "output":
                outputs.append(Output(name, description))
    return variables, outputs


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


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG, command="python -m tools.module_docs", description="Generate module README inputs/outputs tables."
    )
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
