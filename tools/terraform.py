"""Run Terraform against a target without touching the user's own Terraform configuration.

* A CLI config of our own (`.local/terraformrc`) installs `hashicorp/aws` from a filesystem mirror when
  one exists (offline machines), from the public registry otherwise; every call gets it through
  `TF_CLI_CONFIG_FILE`.
* For emulated targets, a generated, git-ignored `harness_override.tf` points the provider at the
  endpoint, the way `tflocal` does; the committed Terraform stays free of anything emulator-specific.
* Each target keeps its state apart, and an emulated target one state per endpoint
  (`.state/local/127.0.0.1-4566/`, `.state/localstack/<host>-<port>/`, `.state/aws/`): switching `ENV` or
  `EMULATOR_PORT` never points a state at another emulator's resources.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlparse

from tools.targets import LOCAL_DIR, REPO_ROOT, STATE_DIR, Target, TargetError

ROOT_DIR = REPO_ROOT / "terraform"
MODULES_DIR = REPO_ROOT / "modules"
CLI_CONFIG = LOCAL_DIR / "terraformrc"
PLUGIN_CACHE = LOCAL_DIR / "terraform-plugin-cache"
OVERRIDE_NAME = "harness_override.tf"
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"

# Where machine images put provider mirrors (read-only for us; never written).
MIRROR_CANDIDATES = (
    Path("/opt/tf-plugins"),
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
    Path.home() / ".local/share/terraform/plugins",
    Path.home() / ".terraform.d/plugins",
)

# Provider endpoint keys of every service the stack uses; all routed to the emulator.
EMULATED_SERVICES = (
    "athena",
    "cloudwatch",
    "ec2",
    "events",
    "firehose",
    "glue",
    "iam",
    "kinesis",
    "kms",
    "lambda",
    "logs",
    "opensearch",
    "quicksight",
    "s3",
    "scheduler",
    "secretsmanager",
    "sns",
    "sqs",
    "sts",
)


# Emulator quirks absorbed for emulated targets only, as generated overrides inside the module
# (real AWS gets the modules untouched). Each: module -> (resource type, name, attributes to ignore).
EMULATOR_QUIRKS = {
    # MiniStack never echoes custom_time_zone, so the provider's "UTC" shows as a change forever.
    "firehose_s3": ("aws_kinesis_firehose_delivery_stream", "this", ("extended_s3_configuration[0].custom_time_zone",)),
    # MiniStack ignores the Tags of CreateStream; only a second apply (AddTagsToStream) would converge.
    "kinesis_stream": ("aws_kinesis_stream", "this", ("tags", "tags_all")),
    # MiniStack accepts a domain's LogPublishingOptions but never returns them: they would be re-added on every plan.
    "opensearch": ("aws_opensearch_domain", "this", ("log_publishing_options",)),
}


class TerraformError(Exception):
    """Terraform is missing or misconfigured; the message says what to do."""


def binary(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    name = environ.get("TERRAFORM", "terraform")
    path = shutil.which(name)
    if not path:
        raise TerraformError(
            f"Terraform ({name!r}) is not on PATH; install Terraform >= 1.11 "
            "(https://developer.hashicorp.com/terraform/install) or set TERRAFORM=/path/to/terraform"
        )
    return path


def find_plugin_mirror(environ: Mapping[str, str] | None = None) -> Path | None:
    """The provider mirror named by TF_PLUGIN_MIRROR, else the first known mirror holding hashicorp/aws."""
    environ = os.environ if environ is None else environ
    named = environ.get("TF_PLUGIN_MIRROR", "").strip()
    if named:
        mirror = Path(named).expanduser()
        if not _holds_aws_provider(mirror):
            raise TerraformError(
                f"TF_PLUGIN_MIRROR={named!r} holds no {PROVIDER_ADDRESS} provider; "
                f"point it at a directory containing {PROVIDER_ADDRESS}/<version>/<os_arch>/"
            )
        return mirror
    return next((m for m in MIRROR_CANDIDATES if _holds_aws_provider(m)), None)


def _holds_aws_provider(mirror: Path) -> bool:
    return any((mirror / PROVIDER_ADDRESS).glob("*/*"))


def render_cli_config(mirror: Path | None) -> str:
    if mirror is None:
        # Online: the public registry, with a cache so per-test working directories don't re-download 600 MB.
        return f'plugin_cache_dir = "{PLUGIN_CACHE}"\n'
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f'    include = ["{PROVIDER_ADDRESS}"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{PROVIDER_ADDRESS}"]\n'
        "  }\n"
        "}\n"
    )


def write_cli_config(environ: Mapping[str, str] | None = None) -> Path:
    mirror = find_plugin_mirror(environ)
    CLI_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    if mirror is None:
        PLUGIN_CACHE.mkdir(parents=True, exist_ok=True)
    text = render_cli_config(mirror)
    if not CLI_CONFIG.exists() or CLI_CONFIG.read_text() != text:
        CLI_CONFIG.write_text(text)
    return CLI_CONFIG


def render_override(target: Target, state_path: Path | None, s3_backend: bool = False) -> str:
    """The generated override: backend location, and for emulated targets the provider endpoints."""
    lines = ["# Generated by the harness (tools/terraform.py) for ENV=" + target.name + ". Do not edit or commit.", ""]
    if s3_backend:
        lines += ["terraform {", '  backend "s3" {}', "}", ""]
    elif state_path is not None:
        lines += ["terraform {", '  backend "local" {', f'    path = "{state_path}"', "  }", "}", ""]
    if target.endpoint_url:
        width = max(map(len, EMULATED_SERVICES))
        endpoints = [f'    {s.ljust(width)} = "{target.endpoint_url}"' for s in EMULATED_SERVICES]
        lines += [
            'provider "aws" {',
            f'  region                      = "{target.region}"',
            '  access_key                  = "test"',
            '  secret_key                  = "test"',
            "  skip_credentials_validation = true",
            "  skip_metadata_api_check     = true",
            "  skip_requesting_account_id  = false # true builds ARNs without an account: Glue/Athena tagging fails",
            "  s3_use_path_style           = true",
            "  endpoints {",
            *endpoints,
            "  }",
            "}",
            "",
        ]
    return "\n".join(lines)


def state_dir(target: Target) -> Path:
    """Where a target's local state, logs and remembered profile live: per endpoint for emulated targets."""
    if target.endpoint_url is None:
        return STATE_DIR / target.name
    url = urlparse(target.endpoint_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    host = re.sub(r"[^A-Za-z0-9.-]", "_", url.hostname or "")
    return STATE_DIR / target.name / f"{host}-{port}"


def state_path(target: Target) -> Path:
    return state_dir(target) / "terraform.tfstate"


def backend_config_file(target: Target, environ: Mapping[str, str] | None = None) -> Path | None:
    """For ENV=aws, an optional S3 backend config file (TF_BACKEND_CONFIG)."""
    environ = os.environ if environ is None else environ
    named = environ.get("TF_BACKEND_CONFIG", "").strip()
    if not named:
        return None
    if target.name != "aws":
        raise TargetError(f"TF_BACKEND_CONFIG is only used with ENV=aws (ENV is {target.name})")
    path = Path(named).expanduser().resolve()
    if not path.is_file():
        raise TargetError(
            f"TF_BACKEND_CONFIG={named!r} is not a file; give an S3 backend config "
            "(bucket, key, region, ...) as in terraform/env/backend.hcl.example"
        )
    return path


def render_quirk_override(resource_type: str, name: str, attributes: Sequence[str]) -> str:
    ignored = ", ".join(attributes)
    return (
        f"# Generated by the harness for emulated targets: absorbs an emulator quirk. Do not edit or commit.\n\n"
        f'resource "{resource_type}" "{name}" {{\n  lifecycle {{\n    ignore_changes = [{ignored}]\n  }}\n}}\n'
    )


def write_overrides(
    root_dir: Path, target: Target, state: Path | None, s3_backend: bool = False, modules_dir: Path | None = None
) -> None:
    """Write the root's override, and the quirk overrides in the modules (removed for real AWS)."""
    _write_if_changed(root_dir / OVERRIDE_NAME, render_override(target, state, s3_backend))
    modules_dir = modules_dir or root_dir.parent / "modules"
    for module, (resource_type, name, attributes) in EMULATOR_QUIRKS.items():
        path = modules_dir / module / OVERRIDE_NAME
        if target.is_emulated:
            _write_if_changed(path, render_quirk_override(resource_type, name, attributes))
        else:
            path.unlink(missing_ok=True)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def environ_for(target: Target, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a Terraform call: ours wins over the user's for the keys that matter."""
    env = dict(os.environ if base is None else base)
    env.pop("TF_LOG", None)
    for command in ("plan", "apply", "destroy", "import"):  # `make env`'s var files for Terraform by hand
        env.pop(f"TF_CLI_ARGS_{command}", None)
    env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(env))
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"  # no version check calls home
    if target.is_emulated:
        env |= target.environ()
    else:
        env.setdefault("AWS_REGION", target.region)
    return env


def run(
    args: Sequence[str], workdir: Path, env: Mapping[str, str], capture: bool = False, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run one Terraform command; output streams to the terminal unless captured."""
    cmd = [binary(env), *args]
    return subprocess.run(  # noqa: S603 - Terraform with arguments we build
        cmd,
        cwd=workdir,
        env=dict(env),
        text=True,
        check=check,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )


def run_tee(args: Sequence[str], workdir: Path, env: Mapping[str, str]) -> tuple[int, str]:
    """Run one Terraform command, streaming its output to the terminal and keeping a copy to inspect.

    Output is forwarded as it arrives, not line by line, so a prompt without a newline ("Enter a value:") shows;
    stdin stays the terminal's, so an apply against real AWS can ask for its approval.
    """
    process = subprocess.Popen(  # noqa: S603 - Terraform with arguments we build
        [binary(env), *args], cwd=workdir, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    chunks: list[str] = []
    try:
        _forward(process, chunks)
    except KeyboardInterrupt:
        # Terraform got the same Ctrl-C and is shutting down gracefully (saving its state): keep draining its
        # output until it exits, or a closed pipe could kill it halfway.
        _forward(process, chunks)
        process.wait()
        raise
    return process.wait(), "".join(chunks)


def _forward(process: subprocess.Popen[bytes], chunks: list[str]) -> None:
    assert process.stdout is not None
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while data := os.read(process.stdout.fileno(), 65536):
        text = decoder.decode(data)
        sys.stdout.write(text)
        sys.stdout.flush()
        chunks.append(text)
