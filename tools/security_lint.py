"""`make lint`'s security scan: checkov over terraform/ and modules/, and a written reason on every inline skip.

* checkov runs from its own virtualenv (`.local/checkov-venv`, pinned below, reinstalled when the pin changes):
  its dependency pins clash with the project's. It scans the Terraform framework only, offline (no external
  module download, no Prisma Cloud calls), on terraform/ and modules/ as they are, skipping the root's generated
  `harness_override.tf` (emulator endpoints and dummy credentials, never deployed to AWS; the harness writes
  nothing else, and nothing into modules/); checkov leaves Terraform's `.terraform` caches out by itself.
* Every failed check fails the scan. The only way to accept a finding is an inline skip on the resource,
  `#checkov:skip=<ID>:<reason>`, and the reason must be a sentence a security reviewer can judge: a skip
  without one fails the scan too, before checkov even runs. Skips by configuration (`.checkov.yaml`,
  `--skip-check`) would bypass that review, so a checkov config file in the scanned tree is an error.

Exit codes: 0 clean, 1 findings (failed checks, skips without a reason) or checkov could not run, 2 usage.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.cli_base import Exit, Parser
from tools.targets import LOCAL_DIR, REPO_ROOT

PROG = "security_lint"
REQUIREMENTS = ("checkov==3.3.30",)
VENV_DIR = LOCAL_DIR / "checkov-venv"
SCANNED_DIRS = ("terraform", "modules")
GENERATED = "harness_override.tf"
CONFIG_FILES = (".checkov.yaml", ".checkov.yml")
MIN_REASON_WORDS = 4

# What checkov itself accepts as an inline skip: `checkov:skip=<ID>` optionally followed by `:<comment>`.
SKIP_MARK = "checkov:skip"
SKIP = re.compile(r"checkov:skip=(?P<id>[A-Za-z0-9_]+)(?::(?P<reason>.*))?$")
CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


class LintError(Exception):
    """checkov could not be installed or run; the message says why and what to do."""


@dataclass(frozen=True)
class Problem:
    """One reason the scan fails, located in the repository."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


# --- Inline skips --------------------------------------------------------------------------------


def terraform_files(root: Path = REPO_ROOT, dirs: Sequence[str] = SCANNED_DIRS) -> list[Path]:
    """The .tf files checkov scans: everything under the scanned dirs but Terraform's caches and our overrides."""
    files = [p for d in dirs for p in sorted((root / d).rglob("*.tf"))]
    return [p for p in files if ".terraform" not in p.parts and p.name != GENERATED]


def skip_problems(path: Path, text: str) -> Iterator[Problem]:
    """Every inline skip of one file that checkov would honour without a written reason, or would misread."""
    for number, line in enumerate(text.splitlines(), start=1):
        column = line.find(SKIP_MARK)
        if column < 0:
            continue
        location = f"{_display(path)}:{number}"
        match = SKIP.match(line[column:].rstrip())
        if not match:
            yield Problem(location, f"malformed skip {line.strip()!r}; write #checkov:skip=<CHECK_ID>:<reason>")
            continue
        check_id, reason = match["id"], (match["reason"] or "").strip()
        if not CHECK_ID.match(check_id):
            yield Problem(location, f"skip names {check_id!r}, not a checkov check ID such as CKV_AWS_144")
        elif len(reason.split()) < MIN_REASON_WORDS:
            shown = f" (got {reason!r})" if reason else ""
            yield Problem(
                location,
                f"skip of {check_id} has no reason{shown}; write #checkov:skip={check_id}:<why this check does not "
                f"apply here, in at least {MIN_REASON_WORDS} words>",
            )


def config_problems(root: Path = REPO_ROOT, dirs: Sequence[str] = SCANNED_DIRS) -> list[Problem]:
    """A checkov config file would let checks be skipped without an inline reason."""
    places = [root, *(root / d for d in dirs)]
    return [
        Problem(_display(place / name), "checkov config files are not allowed; skip inline, with a reason")
        for place in places
        for name in CONFIG_FILES
        if (place / name).exists()
    ]


def all_skip_problems(files: Iterable[Path]) -> list[Problem]:
    return [problem for path in files for problem in skip_problems(path, path.read_text())]


# --- checkov -------------------------------------------------------------------------------------


def ensure_installed(quiet: bool = False) -> Path:
    """Create or refresh checkov's virtualenv; return its checkov executable."""
    executable = VENV_DIR / "bin" / "checkov"
    marker = VENV_DIR / "requirements.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if executable.exists() and marker.exists() and marker.read_text() == wanted:
        return executable
    _say(f"installing {', '.join(REQUIREMENTS)} into {_display(VENV_DIR)} (once, ~30 s)", quiet)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    python = VENV_DIR / "bin" / "python"
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise LintError(
            f"could not install {' '.join(REQUIREMENTS)}:\n{tail}\ncheck that PyPI is reachable, then run `make lint`"
        )
    marker.write_text(wanted)
    return executable


def checkov_command(executable: Path, directory: str) -> list[str]:
    return [
        str(executable),
        "--directory",
        directory,
        "--framework",
        "terraform",
        "--download-external-modules",
        "false",
        "--skip-download",  # no Prisma Cloud guidelines or policies: offline, and nothing leaves the machine
        "--skip-path",
        GENERATED,
        "--output",
        "json",
    ]


def checkov_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["LOG_LEVEL"] = "ERROR"  # checkov's own warnings (HCL it cannot evaluate) are noise here
    return env


def run_checkov(executable: Path, directory: str, root: Path = REPO_ROOT) -> dict[str, Any]:
    """One checkov scan of a directory of the repository, as its JSON report."""
    result = subprocess.run(  # noqa: S603 - our own venv's checkov with arguments we build
        checkov_command(executable, directory),
        cwd=root,
        env=checkov_environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    if result.returncode not in (0, 1) or not isinstance(report, dict | list):
        tail = "\n".join(result.stderr.strip().splitlines()[-10:])
        raise LintError(f"checkov failed on {directory}/ (exit status {result.returncode}):\n{tail}")
    return _terraform_report(report, directory)


def _terraform_report(report: dict[str, Any] | list[Any], directory: str) -> dict[str, Any]:
    """checkov prints one report per framework, or a bare summary when there was nothing to scan."""
    reports = report if isinstance(report, list) else [report]
    for candidate in reports:
        if isinstance(candidate, dict) and candidate.get("check_type") == "terraform":
            return candidate
    raise LintError(f"checkov found no Terraform to scan in {directory}/; is the directory empty?")


def report_problems(report: Mapping[str, Any]) -> list[Problem]:
    """Failed checks and unparsable files of one checkov report."""
    results = report.get("results", {})
    problems = [
        Problem(
            f"{_display(Path(failed['file_abs_path']))}:{'-'.join(map(str, failed['file_line_range']))}",
            f"{failed['check_id']} {failed['check_name']} ({failed['resource']})"
            + (f"; see {failed['guideline']}" if failed.get("guideline") else ""),
        )
        for failed in results.get("failed_checks", [])
    ]
    problems += [
        Problem(_display(Path(path)), "checkov could not parse this file, so nothing in it was checked")
        for path in results.get("parsing_errors", [])
    ]
    return problems


def summary_line(directory: str, report: Mapping[str, Any]) -> str:
    summary = report.get("summary", {})
    return (
        f"{directory}/: {summary.get('passed', 0)} passed, {summary.get('skipped', 0)} skipped inline with a "
        f"reason, {summary.get('failed', 0)} failed ({summary.get('resource_count', 0)} resources)"
    )


# --- CLI -----------------------------------------------------------------------------------------


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        command="python -m tools.security_lint",
        description="checkov over terraform/ and modules/; fails on any finding without a reasoned skip.",
    )
    parser.add_argument("--skips-only", action="store_true", help="only check that every inline skip has a reason")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing when everything passes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    files = terraform_files()
    problems = config_problems() + all_skip_problems(files)
    if problems:
        return _fail(problems, "inline skips need a written reason")
    if args.skips_only:
        skips = sum(path.read_text().count(SKIP_MARK) for path in files)
        _say(f"{skips} inline skips in {len(files)} files, each with a reason", args.quiet)
        return Exit.OK
    try:
        executable = ensure_installed(args.quiet)
        reports = {directory: run_checkov(executable, directory) for directory in SCANNED_DIRS}
    except (LintError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.ERROR
    problems = [problem for report in reports.values() for problem in report_problems(report)]
    if problems:
        return _fail(
            problems,
            "fix the findings above, or skip one inline on its resource with "
            "#checkov:skip=<ID>:<why it does not apply>",
        )
    if not args.quiet:
        for directory, report in reports.items():
            _say(f"checkov {REQUIREMENTS[0].split('==')[1]}: {summary_line(directory, report)}", quiet=False)
    return Exit.OK


def _fail(problems: Sequence[Problem], hint: str) -> int:
    for problem in problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    print(f"{PROG}: error: {len(problems)} finding(s); {hint}", file=sys.stderr)
    return Exit.ERROR


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"{PROG}: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
