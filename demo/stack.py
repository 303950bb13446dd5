"""The deployed stack: start the emulator, apply the root stack, and read its outputs by name.

Only the outputs the demo uses are read, each by name, so the stack can grow (Lambda, OpenSearch, alarms)
without the demo noticing; a missing one is a clear error that says to re-apply.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demo.errors import DemoError
from demo.progress import Progress
from tools import cli as harness
from tools import emulator, profiles, search_standin, terraform
from tools.targets import Target

HEARTBEAT_S = 15.0
APPLY_DONE = re.compile(r": (Creation|Modifications|Destruction) complete after")
# Refreshing a resource the emulator no longer has (its state was lost: a crash, `kill -9`): MiniStack's
# "WorkGroup x not found" is not the wording the provider treats as gone, so the refresh fails.
LOST_ON_REFRESH = re.compile(r"Error: reading .*not found", re.IGNORECASE)
LOST_STATE_HINT = (
    "\nthe emulator lost resources that the Terraform state still lists (was it stopped without `make down`?); "
    "run `make reset` (wipes the emulator and the local state), then `make demo` again"
)
APPLY_SUMMARY = re.compile(r"Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed")


class StackError(DemoError):
    """The stack is missing an output the demo needs, or has an unexpected value."""


@dataclass(frozen=True)
class StackOutputs:
    """The root stack's outputs by name (extra outputs are ignored)."""

    values: Mapping[str, Any]

    @classmethod
    def from_terraform_json(cls, text: str) -> StackOutputs:
        """From `terraform output -json`: `{name: {"value": ..., "type": ..., "sensitive": ...}}`."""
        try:
            raw = json.loads(text or "{}")
        except ValueError as exc:
            raise StackError(f"terraform output -json did not print JSON ({exc})") from None
        if not isinstance(raw, dict):
            raise StackError("terraform output -json did not print an object")
        return cls({name: item.get("value") if isinstance(item, dict) else item for name, item in raw.items()})

    def require(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            raise StackError(f"the stack has no output {name!r}; run `make apply` (the demo reads the stack's outputs)")
        return value

    def text(self, name: str) -> str:
        value = self.require(name)
        if not isinstance(value, str):
            raise StackError(f"output {name!r} is {type(value).__name__}, expected a string")
        return value

    @property
    def bucket(self) -> str:
        return self.text("bucket_name")

    @property
    def delivery_prefix(self) -> str:
        return self.text("delivery_prefix")

    @property
    def parquet_prefix(self) -> str:
        return self.text("parquet_prefix")

    @property
    def database(self) -> str:
        return self.text("glue_database_name")

    @property
    def workgroup(self) -> str:
        return self.text("athena_workgroup_name")

    @property
    def named_query_ids(self) -> dict[str, str]:
        ids = self.require("athena_named_query_ids")
        if not isinstance(ids, dict) or not all(isinstance(v, str) for v in ids.values()):
            raise StackError("output 'athena_named_query_ids' must map query names to ids")
        return dict(ids)

    @property
    def firehose_converts_to_parquet(self) -> bool:
        """Firehose writes Parquet itself (enable_parquet_conversion): there is nothing to compact."""
        return self.delivery_prefix == self.parquet_prefix

    def destination(self) -> tuple[str, str]:
        """Where producers send: ("kinesis", stream) when Kinesis feeds Firehose, ("firehose", name) for Direct PUT."""
        source = self.text("firehose_source")
        if source == "kinesis":
            return "kinesis", self.text("kinesis_stream_name")
        if source == "direct_put":
            return "firehose", self.text("firehose_name")
        raise StackError(f"output 'firehose_source' is {source!r}, expected 'kinesis' or 'direct_put'")


def start_emulator(target: Target) -> str:
    """Start (or reuse) the embedded emulator, or check a LocalStack-compatible one; return what happened."""
    if target.manages_emulator:
        assert target.port is not None
        if not emulator.health(target.endpoint_url or ""):
            emulator.ensure_installed()  # says so when it installs (first run: a minute at most)
        started = emulator.MiniStack(target.port).start(quiet=True)
        standin = search_standin.SearchStandIn.beside(target.port)
        standin_started = standin.start(quiet=True)
        return (
            f"{'started' if started else 'reused'} MiniStack at {target.endpoint_url}, "
            f"{'started' if standin_started else 'reused'} the search stand-in at {standin.url}"
        )
    harness.ensure_reachable(target)
    return f"healthy at {target.endpoint_url}"


def apply(target: Target, log_file: Path, progress: Progress) -> str:
    """terraform init (when needed) and apply, the output in `log_file`; return the apply's resource counts."""
    env = harness.prepare(target)
    files = harness.var_files(target, terraform.ROOT_DIR)  # the target's, the topology profile's, TF_VAR_FILE
    args = ["apply", "-input=false", "-auto-approve", "-no-color", *files]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    code = run_logged([terraform.binary(env), *args], terraform.ROOT_DIR, env, log_file, progress.note)
    log = log_file.read_text(errors="replace")
    if code != 0:
        tail = "\n".join(log.strip().splitlines()[-15:])
        hint = LOST_STATE_HINT if target.manages_emulator and LOST_ON_REFRESH.search(log) else ""
        raise DemoError(f"terraform apply failed (exit {code}); its last lines:\n{tail}\nfull log: {log_file}{hint}")
    match = APPLY_SUMMARY.search(log)
    counts = f"{match.group(1)} added, {match.group(2)} changed, {match.group(3)} destroyed" if match else "applied"
    return f"{counts}, profile {profiles.choose(target).name}"


def read_outputs(target: Target) -> StackOutputs:
    env = terraform.environ_for(target)
    result = terraform.run(["output", "-json"], terraform.ROOT_DIR, env, capture=True, check=False)
    if result.returncode != 0:
        raise StackError(f"terraform output failed: {result.stderr.strip()}")
    return StackOutputs.from_terraform_json(result.stdout)


def run_logged(cmd: list[str], cwd: Path, env: Mapping[str, str], log_file: Path, note: Callable[[str], None]) -> int:
    """Run a command with its output in `log_file`; every HEARTBEAT_S, note how far a Terraform apply got."""
    with log_file.open("w") as log:
        process = subprocess.Popen(cmd, cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        waited = 0.0
        while True:
            try:
                return process.wait(timeout=HEARTBEAT_S)
            except subprocess.TimeoutExpired:
                waited += HEARTBEAT_S
                done = len(APPLY_DONE.findall(log_file.read_text(errors="replace")))
                note(f"terraform apply: {waited:.0f} s, {done} resources done so far (log: {log_file})")
            except KeyboardInterrupt:  # Terraform got the same SIGINT: let it stop cleanly and save its state
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.terminate()
                raise
