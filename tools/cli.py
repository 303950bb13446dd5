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
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn

from tools import (
    diagnostics,
    emulator,
    local_state,
    module_docs,
    profiles,
    quiet,
    recovery,
    search_standin,
    summary,
    terraform,
)
from tools.cli_base import Exit, Parser
from tools.targets import LOCAL_DIR, REPO_ROOT, Target, TargetError, resolve

PROG = "tools"
DIST_REFERENCE = re.compile(r"\.\./dist/([\w.-]+\.zip)")  # how the stack names a Lambda zip: ${path.root}/../dist/x.zip


class CommandError(Exception):
    """An operation failed for a reason the user can act on."""


def var_files(target: Target, workdir: Path) -> list[str]:
    """The target's variables: for ENV=local the search stand-in's endpoint (harness_variables), then the committed
    tfvars, the topology profile (tools/profiles.py), then the user's TF_VAR_FILE when given (later ones win); each
    file checked for undeclared names."""
    files = [workdir / "env" / ("aws.tfvars" if target.name == "aws" else "local.tfvars")]
    files.append(profiles.choose(target, workdir).file)
    extra = os.environ.get("TF_VAR_FILE", "").strip()
    if extra:
        path = Path(extra).expanduser().resolve()
        if not path.is_file():
            raise TargetError(f"TF_VAR_FILE={extra!r} is not a file; give the path of a .tfvars file")
        files.append(path)
    declared = {v.name for v in module_docs.parse_module(workdir)[0]}
    for path in files:
        check_var_file(path, declared)
        check_environment_override(path, os.environ)
    return harness_variables(target) + [f"-var-file={f}" for f in files]


def harness_variables(target: Target, environ: Mapping[str, str] | None = None) -> list[str]:
    """ENV=local: the ingest function writes to the search stand-in beside the emulator (no OpenSearch engine runs
    here). Given first, so a var file setting ingest_opensearch_endpoint wins; TF_VAR_ingest_opensearch_endpoint
    in the environment wins too."""
    environ = os.environ if environ is None else environ
    if not target.manages_emulator or target.port is None or "TF_VAR_ingest_opensearch_endpoint" in environ:
        return []
    return [f"-var=ingest_opensearch_endpoint={search_standin.SearchStandIn.beside(target.port).url}"]


def check_environment_override(path: Path, environ: Mapping[str, str]) -> None:
    """Refuse TF_VAR_<name> when a var file sets <name>: a var file wins over the environment, so Terraform would
    silently ignore it."""
    try:
        names = module_docs.assigned_names(path.read_text())
    except (OSError, module_docs.DocsError):
        return
    clash = next((name for name in names if f"TF_VAR_{name}" in environ), None)
    if clash == "firehose_source":
        raise TargetError(
            "TF_VAR_firehose_source is set, but the topology profile sets firehose_source and a var file wins over "
            "the environment: unset it and choose with PROFILE=direct-put or PROFILE=stream"
        )
    if clash:
        raise TargetError(
            f"TF_VAR_{clash} is set, but {local_state.display(path)} sets {clash} and a var file wins over the "
            f"environment: put {clash} = <value> in a .tfvars file of yours and pass TF_VAR_FILE=<that file>"
        )


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
        if workdir == terraform.ROOT_DIR and (moved := local_state.adopt_legacy_state(target)):
            print(f"{PROG}: {moved}", file=sys.stderr)
        state.parent.mkdir(parents=True, exist_ok=True)
    terraform.write_overrides(workdir, target, state, s3_backend=backend_file is not None)
    stamp = workdir / ".terraform" / "harness-target"
    wanted = f"{target.name} {target.endpoint_url} {backend_file or state}\n"
    if not stamp.exists() or stamp.read_text() != wanted:
        args = ["init", "-input=false", "-reconfigure"]
        if backend_file:
            args.append(f"-backend-config={backend_file}")
        _quiet(target, args, workdir, env)
        stamp.write_text(wanted)
    return env


def _quiet(
    target: Target, args: Sequence[str], workdir: Path, env: dict[str, str], files: Sequence[str] = (), **kw: Any
) -> quiet.Run:
    """Run Terraform with its output in `<state dir>/<command>.log` and progress on stderr; on failure, show the
    log's relevant lines and path, then fail with one line (import hints and state locks included)."""
    run = quiet.run_logged(args, workdir, env, terraform.state_dir(target) / f"{args[0]}.log", **kw)
    if run.code != 0:
        locked = local_state.lock_message(run.output, remote=terraform.backend_config_file(target) is not None)
        if locked:
            raise CommandError(locked)
        print(
            f"{args[0]}: failed after {summary.seconds(run.seconds)}; from {local_state.display(run.log)}:",
            *summary.failure_excerpt(run.output),
            sep="\n",
            file=sys.stderr,
        )
        where = f"in {local_state.display(run.log)}"
        _explain_failure(list(run.args), run.code, run.output, workdir, env, files, where)
    return run


def _terraform(args: Sequence[str], workdir: Path, env: dict[str, str]) -> None:
    """Run Terraform with its output on the terminal (commands whose output is the point: output, import)."""
    args = with_color_choice(args)
    print(f"{PROG}: terraform {' '.join(args)}", file=sys.stderr)
    code, output = terraform.run_tee(args, workdir, env)
    if code != 0:
        _explain_failure(args, code, output, workdir, env, [a for a in args if a.startswith("-var")], "above")


def _explain_failure(
    args: Sequence[str],
    code: int,
    output: str,
    workdir: Path,
    env: dict[str, str],
    variables: Sequence[str],
    where: str,
) -> NoReturn:
    """One line that says why Terraform failed: a held state lock, resources to import, or its first error."""
    locked = local_state.lock_message(output)
    if locked:
        raise CommandError(locked)
    orphans = recovery.find_orphans(output)
    if orphans and recovery.needs_plan(orphans):
        orphans = recovery.with_import_ids(orphans, _plan_json(variables, workdir, env))
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
        raise CommandError(f"terraform {args[0]} failed (exit {code}); see its messages {where}")
    more = f" (and {len(errors) - 1} more error(s) {where})" if len(errors) > 1 else ""
    raise CommandError(f"terraform {args[0]} failed: {errors[0].line()}{more}; fix it and run again")


def with_color_choice(args: Sequence[str]) -> list[str]:
    """Terraform colours its output even into a pipe or a file: plain text unless a terminal reads it (or NO_COLOR)."""
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return list(args)
    return [args[0], "-no-color", *args[1:]]


def _plan_json(variables: Sequence[str], workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """The JSON of a plan with these variables (-var=, -var-file=; empty when planning fails: the hints stay as
    found)."""
    variables = [arg for arg in variables if arg.startswith(("-var=", "-var-file="))]
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
    if legacy := local_state.legacy_state(target):
        print(f"old state: {local_state.display(legacy)} ({local_state.resource_count(legacy)} resource instances; "
              "the next make plan/apply moves it to its endpoint's folder, or says what to do)")  # fmt: skip
    state_file = terraform.state_path(target)
    if target.name == "aws" and terraform.backend_config_file(target):
        print("terraform: state in the S3 backend of TF_BACKEND_CONFIG (make outputs shows the deployed stack)")
    else:
        count = local_state.resource_count(state_file)
        print(f"terraform: {count} resource instances in {local_state.display(state_file)}")
        source = local_state.deployed_outputs(state_file).get("firehose_source")
        deployed = f"{profiles.profile_for(source) or source}: {profiles.topology(source)}" if source else "none"
        print(f"topology:  {deployed}")
    deployed_source = local_state.deployed_outputs(terraform.state_path(target)).get("firehose_source")
    print(f"profile:   {profiles.status(target, deployed_source)}")
    for path, count in local_state.other_states(target):
        print(f"other:     {local_state.display(path)} ({count} resource instances, another endpoint)")


def cmd_reset(target: Target, _: argparse.Namespace) -> None:
    if not target.manages_emulator:
        raise TargetError("`reset` wipes the embedded emulator only (ENV=local)")
    assert target.port is not None
    emulator.MiniStack(target.port).reset()
    folder = terraform.state_dir(target)
    for name in (*local_state.STATE_FILES, *(f"{c}.log" for c in ("init", "plan", "apply", "destroy"))):
        (folder / name).unlink(missing_ok=True)
    print(
        f"{PROG}: emulator wiped and its Terraform state removed ({local_state.display(folder)}; "
        f"the remembered profile is kept)",
        file=sys.stderr,
    )


def cmd_init(target: Target, _: argparse.Namespace) -> None:
    stamp = terraform.ROOT_DIR / ".terraform" / "harness-target"
    stamp.unlink(missing_ok=True)
    prepare(target)
    print(f"init: terraform/ is ready for ENV={target.name} (log {_log(target, 'init')})")


def _log(target: Target, command: str) -> str:
    return local_state.display(terraform.state_dir(target) / f"{command}.log")


def _report(target: Target, command: str, run: quiet.Run, files: Sequence[str], env: dict[str, str]) -> None:
    outputs = summary.outputs_json(env) if command == "apply" else {}
    lines = summary.report(
        command,
        run.output,
        run.seconds,
        summary.context(target, files, _log(target, run.args[0])),
        outputs,
        summary.command_prefix(target.name),
        listed=None if not target.is_emulated else summary.LISTED_CHANGES,
    )
    print("\n".join(lines))


def cmd_plan(target: Target, args: argparse.Namespace) -> None:
    files = preflight(target)
    ensure_reachable(target)
    env = prepare(target)
    local_state.note_other_states(target)
    run = _quiet(target, ["plan", "-input=false", *files, *args.extra], terraform.ROOT_DIR, env, files)
    _report(target, "plan", run, files, env)


def cmd_apply(target: Target, args: argparse.Namespace) -> None:
    _change(target, args, destroy=False)


def cmd_destroy(target: Target, args: argparse.Namespace) -> None:
    _change(target, args, destroy=True)


def _change(target: Target, args: argparse.Namespace, destroy: bool) -> None:
    """apply or destroy. Emulators: at once, quietly. Real AWS: plan to a file, show what it changes, ask, then
    apply exactly that plan."""
    command = "destroy" if destroy else "apply"
    files = preflight(target)
    ensure_reachable(target)
    env = prepare(target)
    if not destroy:
        local_state.note_other_states(target)
    if target.is_emulated:
        run = _quiet(target, [command, "-input=false", "-auto-approve", *files, *args.extra], terraform.ROOT_DIR, env,
                     files)  # fmt: skip
        _report(target, command, run, files, env)
        return
    planfile = terraform.state_dir(target) / f"{command}.tfplan"
    mode = ["-destroy"] if destroy else []
    plan = _quiet(target, ["plan", "-input=false", *mode, f"-out={planfile}", *files, *args.extra],
                  terraform.ROOT_DIR, env, files)  # fmt: skip
    counts = summary.planned(plan.output)
    planned = counts.text(done=False) if counts else "see the log"
    print(f"plan: {planned} ({summary.context(target, files, _log(target, 'plan'))})")
    print("\n".join(summary.change_lines(plan.output, limit=None) + summary.warnings(plan.output)))
    if counts is not None and counts.total == 0:
        print(f"{command}: nothing to do, the stack matches the configuration")
        return
    if not quiet.confirmed(f"{command}: make these changes in AWS? Only 'yes' is accepted: "):
        raise CommandError(f"{command} cancelled; nothing was changed (the plan is in {local_state.display(planfile)})")
    run = _quiet(target, ["apply", "-input=false", str(planfile)], terraform.ROOT_DIR, env, files,
                 total=counts.total if counts else None)  # fmt: skip
    _report(target, command, run, files, env)


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


# Terraform reads extra arguments per subcommand from TF_CLI_ARGS_<name>: `make env` sets them so a bare
# `terraform plan` in terraform/ gets the same var files as `make plan` (the harness itself strips them).
HAND_COMMANDS = ("plan", "apply", "destroy", "import")


def cmd_env(target: Target, _: argparse.Namespace) -> None:
    """Print shell exports so plain `terraform`, `aws` and `retail-producer` commands reach the same target."""
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
    files = " ".join(var_files(target, terraform.ROOT_DIR))
    for command in HAND_COMMANDS:
        print(f"export TF_CLI_ARGS_{command}={shlex.quote(files)}")
    venv_bin = REPO_ROOT / ".venv" / "bin"
    if str(venv_bin) not in os.environ.get("PATH", "").split(os.pathsep):
        print(f'export PATH={shlex.quote(str(venv_bin))}:"$PATH"')


def cmd_destination(target: Target, _: argparse.Namespace) -> None:
    """Where `make produce` sends: `<service> <name>` of the deployed stack; exit 1 with the reason on stderr when
    nothing is deployed or the stack is not the chosen profile's topology (make produce then runs make apply)."""
    choice = profiles.choose(target)
    wanted = choice.firehose_source
    outputs = summary.outputs_json(prepare(target))
    source = outputs.get("firehose_source")
    names = {"kinesis": ("kinesis", outputs.get("kinesis_stream_name")),
             "direct_put": ("firehose", outputs.get("firehose_name"))}  # fmt: skip
    service, name = names.get(str(source), (None, None))
    if not name:
        raise CommandError(f"no stack is deployed for ENV={target.name}")
    if wanted and source != wanted:
        deployed = profiles.profile_for(source) or f"firehose_source {source}"
        raise CommandError(f"the stack is deployed as {deployed}, the chosen profile is {choice.name}")
    print(service, name)


def cmd_validate(target: Target, _: argparse.Namespace) -> None:
    """`terraform validate` of the root and of every module, each initialised without a backend, in a copy under
    .local/ so that nothing (no `.terraform/`, no lock file) is written into terraform/ or modules/ (a test run
    may be copying them at the same time)."""
    check_lambda_zips(terraform.ROOT_DIR)  # validate evaluates the stack's filebase64sha256 calls on them
    env = terraform.environ_for(target)
    LOCAL_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=LOCAL_DIR, prefix="validate-") as scratch:
        copy = Path(scratch)
        ignored = shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.*", "*_override.tf", "__pycache__")
        for name in ("terraform", "modules", "dist"):
            shutil.copytree(REPO_ROOT / name, copy / name, ignore=ignored)
        names = [
            Path("terraform"),
            *sorted(p.parent.relative_to(REPO_ROOT) for p in terraform.MODULES_DIR.glob("*/main.tf")),
        ]
        with ThreadPoolExecutor(max_workers=4) as pool:  # each init + validate is mostly provider start-up
            results = list(pool.map(lambda name: _validated(copy / name, env), names))
    failed = []
    for name, (ok, output) in zip(names, results, strict=True):
        print(f"ok   {name}" if ok else f"FAIL {name}\n{output}", file=sys.stdout if ok else sys.stderr)
        if not ok:
            failed.append(str(name))
    if failed:
        raise CommandError(f"terraform validate failed in: {', '.join(failed)}")


def _validated(workdir: Path, env: Mapping[str, str]) -> tuple[bool, str]:
    """(passed, Terraform's output) of `terraform init` and `terraform validate` in workdir."""
    init = terraform.run(["init", "-backend=false", "-input=false"], workdir, env, capture=True, check=False)
    result = (
        init if init.returncode else terraform.run(["validate", "-no-color"], workdir, env, capture=True, check=False)
    )
    return result.returncode == 0, f"{result.stdout}{result.stderr}"


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
    "status": (cmd_status, "report the target, the emulator and stand-in, the state, the topology and the profile"),
    "reset": (cmd_reset, "wipe the embedded emulator and the local Terraform state"),
    "init": (cmd_init, "write the CLI config and override, then terraform init"),
    "plan": (cmd_plan, "terraform plan against the target"),
    "apply": (cmd_apply, "terraform apply against the target, then a summary (the full output in a log)"),
    "destroy": (cmd_destroy, "terraform destroy against the target"),
    "import": (cmd_import, "terraform import ADDRESS ID: adopt a resource that exists outside the state"),
    "outputs": (cmd_outputs, "terraform output"),
    "env": (cmd_env, "print shell exports for running terraform/aws/retail-producer by hand against the target"),
    "destination": (cmd_destination, "print where make produce sends (service and name) for the chosen profile"),
    "fmt": (cmd_fmt, "terraform fmt -recursive over terraform/, modules/ and tests/fixtures/"),
    "validate": (cmd_validate, "terraform validate the root stack and every module"),
}


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        command="python -m tools",
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
