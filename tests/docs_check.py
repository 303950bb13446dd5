"""The docs check: every make target, make variable, CLI flag, repository path and link that README.md and
docs/*.md name must exist, and `make help` must list the same targets as README's table.

What exists is read from the sources, never listed by hand: the Makefile's rules and variables, the argparse
parsers of our CLIs (`build_parser()`, or the parser `main()` builds), the environment variables our Python reads,
the stack's declared variables, the files git tracks (or would track) and the headings of the Markdown pages.
Markdown is parsed with markdown-it-py; mentions are inline code, fenced code blocks and links.

Why a checker of our own: link checkers (lychee, markdown-link-check, pytest-check-links) resolve links and
anchors only, and nothing existing knows what a `make` target, a make variable or a flag of our CLIs is.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import importlib
import importlib.util
import itertools
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors.index import slugify

from tools import module_docs
from tools.targets import REPO_ROOT

SOURCE_ROOTS = (REPO_ROOT, REPO_ROOT / "lambda_src")  # where `python -m <module>` finds our modules
OUR_PACKAGES = ("tools", "demo", "producer", "bench", "tests")  # plus every package under lambda_src/
FILE_EXTENSIONS = (".md", ".py", ".tf", ".tfvars", ".hcl", ".json", ".csv", ".png", ".toml", ".yaml", ".txt", ".ndjson")
SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}
SHELL_FENCES = {"bash", "sh", "shell", "console", "zsh"}  # other code blocks are output (transcripts, tables)
PYTHONS = re.compile(r"^(?:\S*/)?python3?(?:\.\d+)?$|^\$\(PY\)$")
ENV_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
MAKE_TARGET_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
RECIPE_ARGS = re.compile(r"\$\(PY\) -m ([\w.]+)(?:(?!\$\(PY\)).)*?\$\(([A-Z_]+_ARGS)\)")  # $(PY) -m demo … $(DEMO_ARGS)
PLACEHOLDER = re.compile(r"…|<[^>]*>|\.\.\.")
# Variables read by others, not by our code: the AWS SDK's, CLI's and provider's (AWS_PROFILE, ...) and Python's.
FOREIGN_PREFIXES = ("AWS_", "PYTHON", "MINISTACK_", "GOGC")  # read by boto3, Python, MiniStack and Go (Terraform)


@dataclass(frozen=True)
class Mention:
    """Something a page names: inline code, one logical line of a fenced block, or a link target."""

    doc: Path
    line: int
    kind: str  # code | fence (a shell block's command line) | output (another block's line) | link
    text: str
    example_of_bad_input: bool = False  # a row of docs/bad-input.md's table shows a mistake on purpose

    def where(self) -> str:
        return f"{self.doc.relative_to(REPO_ROOT)}:{self.line}"


@dataclass(frozen=True)
class Cli:
    """One of our command-line tools: how it is invoked and the parser that defines it."""

    module: str
    parser: argparse.ArgumentParser

    @functools.cached_property
    def options(self) -> set[str]:
        return {option for action in self.parser._actions for option in action.option_strings}

    @functools.cached_property
    def subcommands(self) -> dict[str, argparse.ArgumentParser]:
        found: dict[str, argparse.ArgumentParser] = {}
        for action in self.parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found |= dict(action.choices)
        return found


def documents() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


# --- reading the pages ---------------------------------------------------------------------------------------------


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def mentions(doc: Path, text: str | None = None, bad_input_ids: frozenset[str] = frozenset()) -> list[Mention]:
    """Every inline code span, fenced command line and link target of a page, with its line number."""
    text = doc.read_text() if text is None else text
    lines = text.splitlines()
    found: list[Mention] = []
    row_line, row_is_example = 0, False
    for token in _markdown().parse(text):
        if token.type == "tr_open":
            row_line = (token.map or [0])[0] + 1
            row_text = "\n".join(text.splitlines()[row_line - 1 : (token.map or [0, row_line])[1]])
            row_is_example = any(f"`{case}`" in row_text for case in bad_input_ids)
        elif token.type == "tr_close":
            row_is_example = False
        if token.type == "fence" and token.map:
            kind = "fence" if token.info.strip() in SHELL_FENCES else "output"  # commands, or a transcript
            for offset, line in _logical_lines(token.content):
                found.append(Mention(doc, token.map[0] + 2 + offset, kind, line))
        if token.type == "inline":
            first, last = token.map or [row_line - 1, row_line]
            block = lines[first:last]
            for child in token.children or []:
                if child.type == "code_inline":
                    line = _line_of(child.content, block, first)
                    found.append(Mention(doc, line, "code", child.content, row_is_example))
                elif child.type in ("link_open", "image"):
                    target = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                    found.append(Mention(doc, _line_of(f"({target}", block, first), "link", target))
    return found


def _line_of(needle: str, block: list[str], first: int) -> int:
    """The 1-based line of the block that holds `needle` (or its first line when it spans lines)."""
    head = needle.splitlines()[0] if needle else ""
    return first + 1 + next((i for i, line in enumerate(block) if head in line), 0)


def _logical_lines(content: str) -> Iterator[tuple[int, str]]:
    """A code block's lines with backslash continuations joined, each with its offset in the block."""
    pending, start = "", 0
    for offset, line in enumerate(content.splitlines()):
        if not pending:
            start = offset
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield start, (pending + line).strip()
        pending = ""
    if pending:
        yield start, pending.strip()


def headings(doc: Path, text: str | None = None) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them (lowercase, punctuation dropped, spaces to dashes)."""
    tokens = _markdown().parse(doc.read_text() if text is None else text)
    slugs: list[str] = []
    for heading, inline in itertools.pairwise(tokens):
        if heading.type == "heading_open":
            slug = slugify("".join(child.content for child in inline.children or []))
            count = slugs.count(slug) + sum(1 for s in slugs if re.fullmatch(re.escape(slug) + r"-\d+", s))
            slugs.append(f"{slug}-{count}" if count else slug)
    return set(slugs)


# --- what exists ----------------------------------------------------------------------------------------------------


class Repository:
    """The names that exist, read from the sources."""

    def __init__(self, root: Path = REPO_ROOT) -> None:
        self.root = root
        self.makefile = (root / "Makefile").read_text()

    @functools.cached_property
    def make_targets(self) -> set[str]:
        """Every rule of the Makefile (`name: prerequisites`), documented or not."""
        rules = re.findall(r"^([A-Za-z][\w.-]*(?:[ \t]+[A-Za-z][\w.-]*)*)[ \t]*:(?!=)", self.makefile, re.MULTILINE)
        return {name for rule in rules for name in rule.split()} - {"PHONY"}

    @functools.cached_property
    def help_targets(self) -> list[str]:
        """The targets `make help` prints, in its order."""
        result = subprocess.run(
            ["make", "-s", "--no-print-directory", "help"],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin", "TERM": "dumb"},
        )
        plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
        return [m.group(1) for m in re.finditer(r"^\s+([a-z][a-z0-9-]*)\s{2,}\S", plain, re.MULTILINE)]

    @functools.cached_property
    def make_variables(self) -> set[str]:
        """Variables the Makefile assigns or reads (`NAME ?= …`, `$(NAME)`)."""
        assigned = re.findall(r"^(?:export\s+)?([A-Z][A-Z0-9_]*)\s*[?:+]?=", self.makefile, re.MULTILINE)
        used = re.findall(r"\$\(([A-Z][A-Z0-9_]*)\)", self.makefile)
        return set(assigned) | set(used)

    @functools.cached_property
    def args_variables(self) -> dict[tuple[str, str], str]:
        """(target, X_ARGS) -> the module whose flags X_ARGS carries, from the recipes (`-m <module> … $(X_ARGS)`)."""
        found: dict[tuple[str, str], str] = {}
        target = ""
        for line in self.makefile.replace("\\\n", " ").splitlines():
            rule = re.match(r"^([a-z][\w-]*)\s*:", line)
            if rule:
                target = rule.group(1)
            elif line.startswith("\t"):
                for module, variable in re.findall(
                    r"\$\(PY\) -m ([\w.]+)(?:(?!\$\(PY\)).)*?\$\(([A-Z_]+_ARGS)\)", line
                ):
                    found[(target, variable)] = module
        return found

    @functools.cached_property
    def environment_names(self) -> set[str]:
        """Upper-case names in our Python modules that read the environment (os.environ, getenv)."""
        names: set[str] = set()
        for path in self._python_sources():
            text = path.read_text()
            if "environ" in text or "getenv" in text:
                names |= set(re.findall(r"[\"']([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})[\"']", text))
        return names

    @functools.cached_property
    def declared_variables(self) -> set[str]:
        return {variable.name for variable in module_docs.parse_module(self.root / "terraform")[0]}

    @functools.cached_property
    def committed_var_files(self) -> dict[str, set[str]]:
        """The names each committed var file of the root stack sets (target files and profiles)."""
        env = self.root / "terraform" / "env"
        files = [*env.glob("*.tfvars"), *env.glob("profiles/*.tfvars")]
        return {str(f.relative_to(self.root)): set(module_docs.assigned_names(f.read_text())) for f in files}

    def _python_sources(self) -> list[Path]:
        roots = [self.root / name for name in ("tools", "demo", "producer", "bench")]
        roots += [p for p in (self.root / "lambda_src").iterdir() if p.is_dir()]
        return sorted(path for root in roots for path in root.rglob("*.py") if "__pycache__" not in path.parts)

    @functools.cached_property
    def clis(self) -> dict[str, Cli]:
        """Our CLIs by invocation: `python -m <module>`, `python -m <package>` (its __main__ runs <module>.main) and
        the console scripts of pyproject.toml."""
        found: dict[str, Cli] = {}
        for path in self._python_sources():
            text = path.read_text()
            parses = "argparse" in text or "cli_base import" in text  # tools/cli_base.Parser is an ArgumentParser
            if not parses or not re.search(r"^def main\(", text, re.MULTILINE):
                continue
            module = _module_name(path)
            parser = _parser_of(module)
            if parser is not None:
                found[f"python -m {module}"] = Cli(module, parser)
        for main in [*self.root.glob("*/__main__.py"), *(self.root / "lambda_src").glob("*/__main__.py")]:
            runs = re.search(r"^from ([\w.]+) import main$", main.read_text(), re.MULTILINE)
            if runs and f"python -m {runs.group(1)}" in found:
                found[f"python -m {main.parent.name}"] = found[f"python -m {runs.group(1)}"]
        scripts = tomllib.loads((self.root / "pyproject.toml").read_text())["project"].get("scripts", {})
        for script, entry in scripts.items():
            module = entry.split(":")[0]
            if f"python -m {module}" in found:
                found[script] = found[f"python -m {module}"]
        return found

    @functools.cached_property
    def all_options(self) -> set[str]:
        options: set[str] = set()
        for cli in self.clis.values():
            options |= cli.options
            for sub in cli.subcommands.values():
                options |= {o for action in sub._actions for o in action.option_strings}
        return options

    @functools.cached_property
    def files(self) -> set[str]:
        """Every file git tracks or would track, and every folder above one."""
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        paths = {p for p in listed if (self.root / p).exists()}
        folders = {str(parent) for p in paths for parent in Path(p).parents if str(parent) != "."}
        return paths | folders

    @functools.cached_property
    def top_level(self) -> set[str]:
        return {path.split("/")[0] for path in self.files}

    def ignored(self, path: str) -> bool:
        """Whether git ignores the path: something the project generates (.state/, dist/, reports/, overrides)."""
        probe = PLACEHOLDER.sub("x", path).replace("*", "x")
        result = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", probe], cwd=self.root, capture_output=True, check=False
        )
        return result.returncode == 0

    def exists(self, path: str, relative_to: Path | None = None) -> bool:
        """Whether a path (placeholders and globs allowed) names something in the repository: from its root, from
        `relative_to`, or as the tail of a deeper path (`env/local.tfvars` in a sentence about terraform/)."""
        pattern = PLACEHOLDER.sub("*", path.rstrip("/"))
        bases = [""]
        if relative_to is not None and relative_to != self.root:
            bases.append(str(relative_to.relative_to(self.root)) + "/")
        for base in bases:
            candidate = str(Path(base + pattern)) if base else pattern
            if candidate in self.files or fnmatch.filter(self.files, candidate):
                return True
        return bool(fnmatch.filter(self.files, f"*/{pattern}"))


def _module_name(path: Path) -> str:
    root = REPO_ROOT / "lambda_src" if REPO_ROOT / "lambda_src" in path.parents else REPO_ROOT
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts)


class _Captured(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser


def _parser_of(module_name: str) -> argparse.ArgumentParser | None:
    """The module's parser: `build_parser()` when it has one, else the one `main()` builds (captured at its
    parse_args call, so nothing runs)."""
    module = importlib.import_module(module_name)
    if hasattr(module, "build_parser"):
        return module.build_parser()

    def capture(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        raise _Captured(self)

    original = argparse.ArgumentParser.parse_known_args
    argparse.ArgumentParser.parse_known_args = capture  # type: ignore[method-assign]
    try:
        module.main([])
    except _Captured as captured:
        return captured.parser
    except BaseException:
        return None
    finally:
        argparse.ArgumentParser.parse_known_args = original  # type: ignore[method-assign]
    return None


def module_exists(name: str) -> bool:
    top = name.split(".")[0]
    roots = [REPO_ROOT / top, REPO_ROOT / "lambda_src" / top]
    if not any(root.is_dir() or root.with_suffix(".py").is_file() for root in roots):
        return importlib.util.find_spec(top) is not None  # not ours (pytest, pip): exists if installed
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# --- the checks -----------------------------------------------------------------------------------------------------


class Checker:
    """Problems of each kind in one page, as `<file>:<line>: <text>: <what is wrong>`."""

    def __init__(self, repo: Repository, bad_input_ids: frozenset[str] = frozenset()) -> None:
        self.repo = repo
        self.bad_input_ids = bad_input_ids

    def problems(self, doc: Path, text: str | None = None) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"targets": [], "variables": [], "flags": [], "files": [], "links": []}
        for mention in mentions(doc, text, self.bad_input_ids):
            if mention.kind == "link":
                found["links"] += self._link(mention, text)
                continue
            if mention.example_of_bad_input:
                continue
            for kind, problem in self._code(mention):
                found[kind].append(problem)
        return found

    # links
    def _link(self, mention: Mention, text: str | None = None) -> list[str]:
        href = mention.text
        if re.match(r"^[a-z][a-z0-9+.-]*:", href):  # https:, mailto:
            return []
        path_part, _, anchor = href.partition("#")
        if not path_part:  # an anchor of the page itself
            return [] if anchor in headings(mention.doc, text) else [f"{mention.where()}: link {href}: no such heading"]
        target = (mention.doc.parent / path_part).resolve()
        where = f"{mention.where()}: link {href}"
        try:
            target.relative_to(self.repo.root)
        except ValueError:
            return [f"{where}: points outside the repository"]
        if not target.exists():
            return [f"{where}: {target.relative_to(self.repo.root)} does not exist"]
        if anchor and target.suffix == ".md" and anchor not in headings(target):
            return [f"{where}: {target.relative_to(self.repo.root)} has no heading #{anchor}"]
        return []

    # inline code and code blocks
    def _code(self, mention: Mention) -> Iterator[tuple[str, str]]:
        text = mention.text.strip()
        if mention.kind == "output":
            for word in text.split():
                yield from self._path(mention, word.strip("()[],;:'\""))
            return
        if mention.kind == "code" and re.fullmatch(r"--[a-z][\w-]*(?:[ =].*)?", text):
            flag = text.split()[0].split("=")[0]
            if flag not in self.repo.all_options:
                yield "flags", f"{mention.where()}: {flag}: no CLI of ours has this flag"
            return
        if mention.kind == "code" and re.fullmatch(r"[A-Z][A-Z0-9_]*=\S*", text):
            yield from self._environment(mention, {text.split("=")[0]: text.split("=", 1)[1]}, make=True)
            return
        for command in self._commands(text, strict=mention.kind == "code"):
            yield from self._command(mention, command)
        if mention.kind == "code" and " " not in text:
            yield from self._path(mention, text)

    def _commands(self, text: str, strict: bool) -> Iterator[list[str]]:
        """The simple commands of a shell line (and of the `$(…)` inside it)."""
        try:
            words = shlex.split(text, comments=True)
        except ValueError:
            return
        for word in words:
            for inner in re.findall(r"\$\(([^()]*)\)", word):
                yield from self._commands(inner, strict)
        command: list[str] = []
        for word in [*words, ";"]:
            if word in SHELL_OPERATORS:
                if command and (not strict or _looks_like_a_command(command)):
                    yield command
                command = []
            else:
                command.append(word)

    def _command(self, mention: Mention, words: list[str]) -> Iterator[tuple[str, str]]:
        environment: dict[str, str] = {}
        while words and ENV_ASSIGNMENT.match(words[0]):
            name, value = ENV_ASSIGNMENT.match(words[0]).groups()  # type: ignore[union-attr]
            environment[name] = value
            words = words[1:]
        if not words:
            return
        program, rest = words[0], words[1:]
        yield from self._environment(mention, environment, make=program == "make")
        if program == "make":
            yield from self._make(mention, rest, environment)
        elif program in self.repo.clis:
            yield from self._flags(mention, self.repo.clis[program], rest, program)
        elif PYTHONS.match(program) and len(rest) >= 2 and rest[0] == "-m":
            yield from self._python_module(mention, rest[1], rest[2:])
        for word in rest:
            yield from self._path(mention, word)

    def _python_module(self, mention: Mention, module: str, args: list[str]) -> Iterator[tuple[str, str]]:
        invocation = f"python -m {module}"
        if invocation in self.repo.clis:
            yield from self._flags(mention, self.repo.clis[invocation], args, invocation)
        elif not module_exists(module):
            yield "flags", f"{mention.where()}: {invocation}: no such module"

    def _make(self, mention: Mention, words: list[str], environment: dict[str, str]) -> Iterator[tuple[str, str]]:
        targets, variables = [], dict(environment)
        skip = False
        for word in words:
            if skip:
                skip = False
            elif word in ("-C", "-f", "-j", "-o"):
                skip = True
            elif word.startswith("-") or PLACEHOLDER.search(word):
                continue
            elif ENV_ASSIGNMENT.match(word):
                name, value = ENV_ASSIGNMENT.match(word).groups()  # type: ignore[union-attr]
                variables[name] = value
                if name not in self.repo.make_variables | self.repo.environment_names:
                    yield "variables", f"{mention.where()}: make … {name}=: not a variable of the Makefile"
            else:
                targets.append(word)
                if word not in self.repo.make_targets:
                    yield "targets", f"{mention.where()}: make {word}: no such target in the Makefile"
        for (target, variable), module in self.repo.args_variables.items():
            if target in targets and variable in variables:
                cli = self.repo.clis.get(f"python -m {module}")
                if cli is not None:
                    yield from self._flags(mention, cli, shlex.split(variables[variable]), f"{variable} of {target}")

    def _environment(self, mention: Mention, names: dict[str, str], make: bool) -> Iterator[tuple[str, str]]:
        known = self.repo.make_variables | self.repo.environment_names
        for name in names:
            if name.startswith("TF_VAR_"):
                variable = name.removeprefix("TF_VAR_")
                if variable not in self.repo.declared_variables and variable != "FILE":
                    yield "variables", f"{mention.where()}: {name}: terraform/variables.tf declares no {variable}"
                setters = [f for f, n in self.repo.committed_var_files.items() if variable in n]
                if make and setters:
                    yield "variables", f"{mention.where()}: {name}: ignored, {', '.join(setters)} sets {variable}"
            elif make and name not in known and not name.startswith(FOREIGN_PREFIXES):
                yield "variables", f"{mention.where()}: {name}=: neither a make variable nor read by our code"

    def _flags(self, mention: Mention, cli: Cli, args: list[str], name: str) -> Iterator[tuple[str, str]]:
        options = cli.options
        if cli.subcommands:
            positional = [a for a in args if not a.startswith("-")]
            if positional and not PLACEHOLDER.search(positional[0]) and positional[0] not in cli.subcommands:
                yield "flags", f"{mention.where()}: {name} {positional[0]}: no such command"
            if positional:
                return  # what follows a subcommand goes to Terraform
        for arg in args:
            if arg.startswith("-") and arg != "-" and not re.fullmatch(r"-\d[\d.]*", arg):  # "-": standard input
                flag = arg.split("=")[0]
                if flag not in options and flag != "--":
                    yield "flags", f"{mention.where()}: {name} {flag}: no such flag"

    def _path(self, mention: Mention, word: str) -> Iterator[tuple[str, str]]:
        if not _looks_like_a_path(word, self.repo.top_level):
            return
        if self.repo.ignored(word) or self.repo.exists(word, mention.doc.parent):
            return
        if self.repo.exists(f"{word}.example"):
            return  # a file the user makes from the committed template (terraform/env/backend.hcl)
        yield "files", f"{mention.where()}: {word}: no such file or folder in the repository"


def _looks_like_a_command(words: list[str]) -> bool:
    """Inline code that is a command, not prose that starts with one (`make demo runs on an emulator (…)`)."""
    while words and ENV_ASSIGNMENT.match(words[0]):
        words = words[1:]
    if not words or words[0] != "make":
        return bool(words)
    return all(
        MAKE_TARGET_WORD.match(w) or ENV_ASSIGNMENT.match(w) or w.startswith("-") or PLACEHOLDER.search(w)
        for w in words[1:]
    )


def _looks_like_a_path(word: str, top_level: set[str]) -> bool:
    """A repository path: `folder/…` whose first folder is one of the repository's, or any `a/b.ext` with a file
    extension of ours (which may name a file still to come). URLs, S3 keys and API paths are not."""
    if "/" not in word or "://" in word or word.startswith(("/", "-", "~", "$", "<", "…")) or "=" in word:
        return False
    first = word.split("/")[0]
    if not re.fullmatch(r"[A-Za-z_.][\w.-]*", first) or ":" in word:
        return False
    return first in top_level or PLACEHOLDER.sub("", word).rstrip("/").endswith(FILE_EXTENSIONS)


def readme_make_targets(readme: Path) -> list[str]:
    """The targets README's "Make targets" table names: the first word after `make` of each code span in the
    first column (`make up` / `down` / `status` names three)."""
    tokens = _markdown().parse(readme.read_text())
    in_section, found = False, []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            in_section = tokens[index + 1].content.strip().lower() == "make targets"
        if in_section and token.type == "td_open" and tokens[index - 1].type == "tr_open":
            for child in tokens[index + 1].children or []:
                if child.type == "code_inline":
                    words = child.content.split()
                    found.append(words[1] if words[0] == "make" and len(words) > 1 else words[0])
    return found
