"""Build one reproducible zip per Lambda function: `python -m tools.build_lambdas` (or `make build`).

Each `lambda_src/<function>/` package is zipped with the dependencies of its `requirements.txt`,
installed as manylinux x86_64 wheels for the Lambda runtime's Python (not the host's), without
resolving further dependencies: the file is the function's complete lock. Entries are
sorted and carry fixed timestamps and permissions, so the zip, and Terraform's `source_code_hash`,
change only when code or dependencies change. boto3 is left to the Lambda runtime.

A function that imports a sibling package of lambda_src/ (one source of truth for shared code and assets,
e.g. the index template the ingest package owns) lists it in its `bundle.txt`, one package per line (`#`
starts a comment); the sibling's files go into the zip as they are, its requirements do not (the
function's own requirements.txt must cover what it imports from the sibling).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from tools.cli_base import Exit, Parser
from tools.targets import LOCAL_DIR, REPO_ROOT

SOURCE_DIR = REPO_ROOT / "lambda_src"
DIST_DIR = REPO_ROOT / "dist"
BUILD_DIR = LOCAL_DIR / "build"
RUNTIME_PYTHON = "3.12"  # keep in step with the functions' runtime in terraform/
PLATFORM = "manylinux2014_x86_64"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
INSTALL_KEY = f"python {RUNTIME_PYTHON} {PLATFORM} no-deps"  # a cached install is reused only if this matches
BUNDLE_FILE = "bundle.txt"
SKIPPED = ("__pycache__", ".pyc", ".pyo", "requirements.txt", BUNDLE_FILE)
# Console scripts pip writes carry the build host's interpreter path in their shebang: useless in Lambda
# and different on every machine, so they would break reproducibility.
SKIPPED_DEP_DIRS = ("bin/",)


class BuildError(Exception):
    """A function could not be built; the message says which and why."""


def functions() -> list[Path]:
    """Every function package: a folder of lambda_src/ with a handler.py."""
    return sorted(p.parent for p in SOURCE_DIR.glob("*/handler.py"))


def install_dependencies(function: Path) -> Path:
    """Install the function's requirements for the Lambda platform into a cached folder."""
    requirements = function / "requirements.txt"
    wanted = requirements.read_text() if requirements.exists() else ""
    target = BUILD_DIR / function.name / "deps"
    stamp = target / ".requirements"
    if stamp.exists() and stamp.read_text() == f"{INSTALL_KEY}\n{wanted}":
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if wanted.strip():
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--no-deps",  # requirements.txt is the complete lock: nothing unlisted gets in
            "--target",
            str(target),
            "--platform",
            PLATFORM,
            "--implementation",
            "cp",
            "--python-version",
            RUNTIME_PYTHON,
            "--only-binary=:all:",
            "-r",
            str(requirements),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments
        if result.returncode:
            raise BuildError(
                f"{function.name}: installing {requirements.relative_to(REPO_ROOT)} failed:\n"
                f"{result.stderr.strip()[-2000:]}"
            )
    stamp.write_text(f"{INSTALL_KEY}\n{wanted}")
    return target


def _files(root: Path, prefix: str = "", skipped_dirs: Sequence[str] = ()) -> Iterator[tuple[str, Path]]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not relative.startswith((".", *skipped_dirs)) and not any(s in relative for s in SKIPPED):
            yield prefix + relative, path


def write_zip(destination: Path, entries: Sequence[tuple[str, Path]]) -> None:
    """A deterministic zip: sorted names, fixed timestamps, fixed permissions."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    # A name of this process's own: two builds at once (CI lints beside the tests) each write whole, identical zips
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, normalized(name, path.read_bytes()))
    partial.replace(destination)


def normalized(name: str, data: bytes) -> bytes:
    """File content as it goes into the zip: a wheel's RECORD loses its lines for files outside the package
    (the skipped console scripts, `../../bin/...`), whose hashes embed the build host's interpreter path."""
    if not name.endswith(".dist-info/RECORD"):
        return data
    return b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"../"))


def bundled_packages(function: Path) -> list[Path]:
    """The sibling packages the function's bundle.txt lists, checked to exist under lambda_src/."""
    listing = function / BUNDLE_FILE
    if not listing.exists():
        return []
    names = [line.split("#", 1)[0].strip() for line in listing.read_text().splitlines()]
    packages = []
    for name in sorted(set(filter(None, names))):
        package = SOURCE_DIR / name
        if name == function.name or "/" in name or not (package / "__init__.py").is_file():
            raise BuildError(
                f"{function.name}: {BUNDLE_FILE} lists {name!r}, which is not another package of lambda_src/ "
                "(a folder with __init__.py)"
            )
        packages.append(package)
    return packages


def build(function: Path) -> Path:
    deps = install_dependencies(function)
    entries = [*_files(deps, skipped_dirs=SKIPPED_DEP_DIRS), *_files(function, prefix=f"{function.name}/")]
    for package in bundled_packages(function):
        entries += _files(package, prefix=f"{package.name}/")
    destination = DIST_DIR / f"{function.name}.zip"
    write_zip(destination, entries)
    return destination


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="build_lambdas", command="python -m tools.build_lambdas", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="functions to build (default: all under lambda_src/)")
    args = parser.parse_args(argv)
    available = {f.name: f for f in functions()}
    unknown = sorted(set(args.names) - set(available))
    if unknown:
        print(
            f"build_lambdas: error: no function {', '.join(unknown)} under lambda_src/ "
            f"(available: {', '.join(available) or 'none'})",
            file=sys.stderr,
        )
        return Exit.USAGE
    try:
        for name in args.names or list(available):
            zip_path = build(available[name])
            digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()[:16]
            print(f"built {zip_path.relative_to(REPO_ROOT)} ({zip_path.stat().st_size:,} bytes, sha256 {digest}…)")
    except BuildError as exc:
        print(f"build_lambdas: error: {exc}", file=sys.stderr)
        return Exit.ERROR
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
