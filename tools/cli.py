"""`python -m tools <command>`: the Makefile's engine for the emulator and Terraform.

Exit codes: 0 ok, 1 the operation failed, 2 bad configuration or usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

from tools import diagnostics, emulator, module_docs, recovery, search_standin, terraform
from tools.targets import REPO_ROOT, Target, TargetError, resolve

PROG = "tools"
DIST_REFERENCE = re.compile(r"\.\./dist/([\w.-]+\.zip)")  # how the stack names a Lambda zip: ${path.root}/../dist/x.zip


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


class CommandError(Exception):
    """An operation failed for a reason the user can act on."""


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: `tools: error: <what>; see python -m tools --help`."""

    def error(self, message: str) -> NoReturn:
        self.exit(Exit.USAGE, f"{PROG}: error: {message}; see python -m tools --help\n")


def var_files(target: Target, workdir: Path) -> list[str]:
    """The target's variables: for ENV=local the search stand-in's endpoint (harness_variables), then the committed
    tfvars, then the user's TF_VAR_FILE when given (later ones win); each file checked for undeclared names."""
    files = [workdir / "env" / ("aws.tfvars" if target.name == "aws" else "local.tfvars")]
    extra = os.environ.get("TF_VAR_FILE", "").strip()
    if extra:
        path = Path(extra).expanduser().resolve()
        if not path.is_file():
            raise TargetError(f"TF_VAR_FILE={extra!r} is not a file; give the path of a .tfvars file")
        files.append(path)
    declared = {v.name for v in module_docs.parse_module(workdir)[0]}
    for path in files:
        check_var_file(path, declared)
    return harness_variables(target) + [f"-var-file={f}" for f in files]


def harness_variables(target: Target, environ: Mapping[str, str] | None = None) -> list[str]:
    """ENV=local: the ingest function writes to the search stand-in beside the emulator (no OpenSearch engine runs
    here). Given first, so a var file setting ingest_opensearch_endpoint wins; TF_VAR_ingest_opensearch_endpoint
    in the environment wins too."""
    environ = os.environ if environ is None else environ
    if not target.manages_emulator or target.port is None or "TF_VAR_ingest_opensearch_endpoint" in environ:
        return []
    return [f"-var=ingest_opensearch_endpoint={search_standin.SearchStandIn.beside(target.port).url}"]


def preflight(target: Target, workdir: Path = terraform.ROOT_DIR) -> list[str]:
    """What a plan/apply/destroy/import needs, checked before anything slow: the var files and the Lambda zips."""
    files = var_files(target, workdir)
    check_lambda_zips(workdir)
    return files


def check_lambda_zips(workdir: Path) -> None:
    """The zips the stack deploys from dist/ (Terraform hashes them even for functions switched off)."""
    wanted = sorted({name for tf in workdir.glob("*.tf") for name in DIST_REFERENCE.findall(tf.read_text())})
    missing = [f"dist/{name}" for name in wanted if not (workdir.parent / "dist" / name).is_file()]
    if missing:
        raise CommandError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing; build the Lambda zips first "
            "with make build (the make targets that need them do it)"
        )


def check_var_file(path: Path, declared: set[str]) -> None:
    """Refuse a var file that sets a variable the stack does not declare: Terraform only warns, and the setting
    (often a typo) would be silently ignored."""
    try:
        text = path.read_text()
        names = list(json.loads(text)) if path.name.endswith(".json") else module_docs.assigned_names(text)
    except (OSError, ValueError, module_docs.DocsError):
        return  # unreadable or not plain HCL: Terraform reports it precisely
    unknown = [name for name in names if name not in declared]
    if unknown:
        close = {name: difflib.get_close_matches(name, declared, n=1) for name in unknown}
        hints = ", ".join(f"{name!r}" + (f" (did you mean {m[0]!r}?)" if m else "") for name, m in close.items())
        raise TargetError(
            f"{path} sets {hints}, which terraform/variables.tf does not declare; fix the name or remove the line"
        )


def ensure_reachable(target: Target) -> None:
    """Start the embedded emulator, or check that the named endpoint or AWS credentials work."""
    if target.manages_emulator:
        assert target.port is not None
        emulator.MiniStack(target.port).start()
        search_standin.SearchStandIn.beside(target.port).start()
    elif target.endpoint_url:
        if not emulator.health(target.endpoint_url):
            raise TargetError(
                f"nothing healthy answers at {target.endpoint_url}{emulator.HEALTH_PATH}; "
                "start your LocalStack-compatible emulator or fix AWS_ENDPOINT_URL"
            )
    else:
        _check_aws_credentials(target)


def _check_aws_credentials(target: Target) -> None:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        identity = boto3.client("sts", region_name=target.region).get_caller_identity()
    except NoCredentialsError:
        raise TargetError(
            "ENV=aws needs AWS credentials and none were found (environment, ~/.aws, SSO or "
            "instance profile); run `aws configure` or `aws sso login`, or export AWS_PROFILE"
        ) from None
    except (BotoCoreError, ClientError) as exc:
        raise TargetError(f"ENV=aws: the AWS credentials were rejected or AWS is unreachable: {exc}") from None
    print(f"{PROG}: deploying to AWS account {identity['Account']} as {identity['Arn']}", file=sys.stderr)


def prepare(target: Target, workdir: Path = terraform.ROOT_DIR) -> dict[str, str]:
    """Write the CLI config and override, and (re)initialise when the target changed."""
    env = terraform.environ_for(target)
    backend_file = terraform.backend_config_file(target)
    state = None if backend_file else terraform.state_path(target)
    if state:
        state.parent.mkdir(parents=True, exist_ok=True)
    terraform.write_overrides(workdir, target, state, s3_backend=backend_file is not None)
    stamp = workdir / ".terraform" / "harness-target"
    wanted = f"{target.name} {target.endpoint_url} {backend_file}\n"
    if not stamp.exists() or stamp.read_text() != wanted:
        args = ["init", "-input=false", "-reconfigure"]
        if backend_file:
            args.append(f"-backend-config={backend_file}")
        _terraform(args, workdir, env)
        stamp.write_text(wanted)
    return env


def _terraform(args: Sequence[str], workdir: Path, env: dict[str, str]) -> None:
    args = with_color_choice(args)
    print(f"{PROG}: terraform {' '.join(args)}", file=sys.stderr)
    code, output = terraform.run_tee(args, workdir, env)
    if code == 0:
        return
    orphans = recovery.find_orphans(output)
    if orphans and recovery.needs_plan(orphans):
        orphans = recovery.with_import_ids(orphans, _plan_json(args, workdir, env))
    if orphans:
        commands = "\n".join(
            f"  make import ADDR={shlex.quote(o.address)} ID={shlex.quote(o.resource_id)}" for o in orphans
        )
        raise CommandError(
            f"terraform {args[0]} failed: {len(orphans)} resource(s) already exist but are not in "
            f"the state (an earlier apply was probably interrupted while creating them). If they "
            f"are this stack's, adopt them, then apply again:\n{commands}"
        )
    errors = diagnostics.errors(output)
    if not errors:
        raise CommandError(f"terraform {args[0]} failed (exit {code}); see its messages above")
    more = f" (and {len(errors) - 1} more error(s) above)" if len(errors) > 1 else ""
    raise CommandError(f"terraform {args[0]} failed: {errors[0].line()}{more}; fix it and run again")


def with_color_choice(args: Sequence[str]) -> list[str]:
    """Terraform colours its output even into a pipe or a file: plain text unless a terminal reads it (or NO_COLOR)."""
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return list(args)
    return [args[0], "-no-color", *args[1:]]


def _plan_json(args: Sequence[str], workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """The JSON of a plan with the same variables as `args` (empty when planning fails: the hints stay as found)."""
    variables = [arg for arg in args if arg.startswith(("-var=", "-var-file="))]
    with tempfile.TemporaryDirectory() as scratch:
        planfile = str(Path(scratch) / "plan")
        planned = terraform.run(["plan", "-input=false", "-lock=false", f"-out={planfile}", *variables], workdir,
                                env, capture=True, check=False)  # fmt: skip
        if planned.returncode != 0:
            return {}
        shown = terraform.run(["show", "-json", planfile], workdir, env, capture=True, check=False)
    return json.loads(shown.stdout) if shown.returncode == 0 else {}


def cmd_up(target: Target, _: argparse.Namespace) -> None:
    if not target.manages_emulator:
        raise TargetError(f"`up` starts the embedded emulator (ENV=local); ENV={target.name} uses your own endpoint")
    assert target.port is not None
    emulator.MiniStack(target.port).start()
    search_standin.SearchStandIn.beside(target.port).start()


def cmd_down(target: Target, _: argparse.Namespace) -> None:
    if target.manages_emulator:
        assert target.port is not None
        search_standin.SearchStandIn.beside(target.port).stop()
        emulator.MiniStack(target.port).stop()


def cmd_status(target: Target, _: argparse.Namespace) -> None:
    print(f"target:    {target.name} ({target.endpoint_url or 'real AWS endpoints'}, region {target.region})")
    if target.endpoint_url:
        current = emulator.health(target.endpoint_url)
        state = f"healthy, version {current.version}, {current.services} services" if current else "not running"
        print(f"emulator:  {state}")
        if target.manages_emulator:
            assert target.port is not None
            instance = emulator.MiniStack(target.port)
            pid = instance.pid()
            print(f"pid:       {pid if pid else '-'} (log {instance.log_file})")
            standin = search_standin.SearchStandIn.beside(target.port)
            state = "answering" if standin.healthy() else "not running"
            print(f"search:    stand-in {state} at {standin.url} (documents in {standin.data_dir})")
    state_file = terraform.state_path(target)
    count = 0
    if state_file.exists():
        count = sum(len(r.get("instances", [])) for r in json.loads(state_file.read_text()).get("resources", []))
    print(f"terraform: {count} resource instances in {state_file}")


def cmd_reset(target: Target, _: argparse.Namespace) -> None:
    if not target.manages_emulator:
        raise TargetError("`reset` wipes the embedded emulator only (ENV=local)")
    assert target.port is not None
    emulator.MiniStack(target.port).reset()
    terraform.state_path(target).unlink(missing_ok=True)
    print(f"{PROG}: emulator wiped and local Terraform state removed", file=sys.stderr)


def cmd_init(target: Target, _: argparse.Namespace) -> None:
    stamp = terraform.ROOT_DIR / ".terraform" / "harness-target"
    stamp.unlink(missing_ok=True)
    prepare(target)


def cmd_plan(target: Target, args: argparse.Namespace) -> None:
    files = preflight(target)
    ensure_reachable(target)
    env = prepare(target)
    _terraform(["plan", "-input=false", *files, *args.extra], terraform.ROOT_DIR, env)


def cmd_apply(target: Target, args: argparse.Namespace) -> None:
    files = preflight(target)
    ensure_reachable(target)
    env = prepare(target)
    # Real AWS: no -auto-approve and no -input=false, so Terraform shows the plan and asks before changing anything.
    approve = ["-input=false", "-auto-approve"] if target.is_emulated else []
    _terraform(
        ["apply", *approve, *files, *args.extra],
        terraform.ROOT_DIR,
        env,
    )


def cmd_destroy(target: Target, args: argparse.Namespace) -> None:
    files = preflight(target)
    ensure_reachable(target)
    env = prepare(target)
    approve = ["-input=false", "-auto-approve"] if target.is_emulated else []
    _terraform(
        ["destroy", *approve, *files, *args.extra],
        terraform.ROOT_DIR,
        env,
    )


def cmd_import(target: Target, args: argparse.Namespace) -> None:
    """`terraform import ADDRESS ID` with the target's variables (to adopt a resource left outside the state)."""
    if len(args.extra) != 2 or not all(a.strip() for a in args.extra):
        raise TargetError(
            "import needs the resource address and its ID: make import ADDR='module.x.aws_y.this' ID=<id> "
            "(or python -m tools import ADDRESS ID)"
        )
    files = preflight(target)
    ensure_reachable(target)
    env = prepare(target)
    _terraform(["import", "-input=false", *files, *args.extra], terraform.ROOT_DIR, env)


def cmd_outputs(target: Target, args: argparse.Namespace) -> None:
    env = prepare(target)
    _terraform(["output", *args.extra], terraform.ROOT_DIR, env)


def cmd_env(target: Target, _: argparse.Namespace) -> None:
    """Print shell exports so plain `terraform` and `aws` commands reach the same target."""
    env = terraform.environ_for(target, base={})
    keys = [
        "TF_CLI_CONFIG_FILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ]
    for key in keys:
        if key in env:
            print(f"export {key}={shlex.quote(env[key])}")


def cmd_validate(target: Target, _: argparse.Namespace) -> None:
    """`terraform validate` of the root and of every module, each initialised without a backend."""
    check_lambda_zips(terraform.ROOT_DIR)  # validate evaluates the stack's filebase64sha256 calls on them
    env = terraform.environ_for(target)
    dirs = [terraform.ROOT_DIR, *sorted(p.parent for p in terraform.MODULES_DIR.glob("*/main.tf"))]
    failed = []
    for workdir in dirs:
        init = terraform.run(["init", "-backend=false", "-input=false"], workdir, env, capture=True, check=False)
        result = (
            init
            if init.returncode
            else terraform.run(["validate", "-no-color"], workdir, env, capture=True, check=False)
        )
        name = workdir.relative_to(REPO_ROOT)
        if result.returncode:
            failed.append(str(name))
            print(f"FAIL {name}\n{result.stdout}{result.stderr}", file=sys.stderr)
        else:
            print(f"ok   {name}")
    if failed:
        raise CommandError(f"terraform validate failed in: {', '.join(failed)}")


def cmd_fmt(target: Target, args: argparse.Namespace) -> None:
    """`terraform fmt -recursive` over every Terraform directory of the repo (pass -check to only check)."""
    env = terraform.environ_for(target)
    dirs = [d for d in ("terraform", "modules", "tests/fixtures") if (REPO_ROOT / d).is_dir()]
    result = terraform.run(["fmt", "-recursive", *args.extra, *dirs], REPO_ROOT, env, check=False)
    if result.returncode:
        raise CommandError("terraform fmt found unformatted files (listed above); run `make fmt`")


COMMANDS: dict[str, tuple[Callable[[Target, argparse.Namespace], None], str]] = {
    "up": (cmd_up, "start the embedded emulator and the search stand-in beside it (reuses healthy ones)"),
    "down": (cmd_down, "stop the search stand-in and the embedded emulator gracefully (both keep their data)"),
    "status": (cmd_status, "report the target, the emulator and the Terraform state"),
    "reset": (cmd_reset, "wipe the embedded emulator and the local Terraform state"),
    "init": (cmd_init, "write the CLI config and override, then terraform init"),
    "plan": (cmd_plan, "terraform plan against the target"),
    "apply": (cmd_apply, "terraform apply against the target, then print the outputs"),
    "destroy": (cmd_destroy, "terraform destroy against the target"),
    "import": (cmd_import, "terraform import ADDRESS ID: adopt a resource that exists outside the state"),
    "outputs": (cmd_outputs, "terraform output"),
    "env": (cmd_env, "print shell exports for running terraform/aws by hand against the target"),
    "fmt": (cmd_fmt, "terraform fmt -recursive over terraform/, modules/ and tests/fixtures/"),
    "validate": (cmd_validate, "terraform validate the root stack and every module"),
}


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Emulator and Terraform harness. ENV selects the "
        "target: local (default, embedded MiniStack), localstack, aws.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=f"{help_text}. Further arguments go to terraform.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, args.extra = build_parser().parse_known_args(argv)
    try:
        target = resolve()
        COMMANDS[args.command][0](target, args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except (TargetError, terraform.TerraformError) as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except (CommandError, emulator.EmulatorError, search_standin.StandInError, OSError) as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.ERROR
    return Exit.OK
