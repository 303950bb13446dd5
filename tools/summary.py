"""What `make plan`, `make apply` and `make destroy` print instead of Terraform's whole output: the counts, the
changed resources (plan), the stack's key outputs, Terraform's warnings in one line each, and what to run next.

Everything here reads Terraform's plain-text output (`-no-color`) and `terraform output -json`; the whole output
stays in the log file whose path the summary names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import diagnostics, profiles, terraform
from tools.targets import Target

_APPLIED = re.compile(
    r"^Apply complete! Resources: (?:(\d+) imported, )?(\d+) added, (\d+) changed, (\d+) destroyed", re.MULTILINE
)
_DESTROYED = re.compile(r"^Destroy complete! Resources: (\d+) destroyed", re.MULTILINE)
_PLANNED = re.compile(r"^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy", re.MULTILINE)
_NO_CHANGES = re.compile(r"^No changes\.", re.MULTILINE)
_CHANGE = re.compile(
    r"^  # (\S+) (will be created|will be updated in-place|will be destroyed|must be replaced|"
    r"will be replaced, as requested|will be imported)",
    re.MULTILINE,
)
SYMBOLS = {
    "will be created": "+",
    "will be updated in-place": "~",
    "will be destroyed": "-",
    "must be replaced": "-/+",
    "will be replaced, as requested": "-/+",
    "will be imported": "<-",
}
# The outputs a user needs after an apply, in the order shown: (label, output names; the non-empty ones are shown).
KEY_OUTPUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kinesis stream", ("kinesis_stream_name",)),
    ("delivery stream", ("firehose_name",)),
    ("bucket", ("bucket_name",)),
    ("workgroup", ("athena_workgroup_name",)),
    (
        "functions",
        (
            "compaction_function_name",
            "ingest_function_name",
            "record_validation_function_name",
            "opensearch_bootstrap_function_name",
        ),
    ),
    ("opensearch", ("opensearch_endpoint",)),
)
LISTED_CHANGES = 25  # a plan lists at most this many changed resources; the log has them all
LAB_INPUT = "producer/data/online_retail_sample.csv"


@dataclass(frozen=True)
class Counts:
    """What a plan proposes or an apply/destroy did."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    imported: int = 0

    @property
    def total(self) -> int:
        return self.add + self.change + self.destroy + self.imported

    def text(self, done: bool) -> str:
        words = ("added", "changed", "destroyed") if done else ("to add", "to change", "to destroy")
        parts = [f"{self.add} {words[0]}", f"{self.change} {words[1]}", f"{self.destroy} {words[2]}"]
        if self.imported:
            parts.insert(0, f"{self.imported} {'imported' if done else 'to import'}")
        return ", ".join(parts)


def planned(output: str) -> Counts | None:
    """The counts of a plan (also printed by apply and destroy before they act); None when there is no plan line."""
    if _NO_CHANGES.search(output):
        return Counts()
    match = _PLANNED.search(output)
    if not match:
        return None
    imported, add, change, destroy = (int(n or 0) for n in match.groups())
    return Counts(add, change, destroy, imported)


def applied(output: str) -> Counts | None:
    match = _APPLIED.search(output)
    if match:
        imported, add, change, destroy = (int(n or 0) for n in match.groups())
        return Counts(add, change, destroy, imported)
    match = _DESTROYED.search(output)
    return Counts(destroy=int(match.group(1))) if match else None


def changes(output: str) -> list[tuple[str, str]]:
    """(symbol, address) of every resource a plan changes, in Terraform's order."""
    return [(SYMBOLS[action], address) for address, action in _CHANGE.findall(output)]


def warnings(output: str) -> list[str]:
    """Terraform's warnings, one line each (`warning: <summary> (<count>x)`), duplicates folded."""
    seen: dict[str, int] = {}
    for item in diagnostics.diagnostics(output):
        if item.severity == "Warning":
            seen[item.summary] = seen.get(item.summary, 0) + 1
    return [f"warning: {summary}" + (f" ({n}x)" if n > 1 else "") for summary, n in seen.items()]


def seconds(value: float) -> str:
    return f"{value:.0f} s" if value < 90 else f"{value // 60:.0f} min {value % 60:.0f} s"


def change_lines(output: str, limit: int | None = LISTED_CHANGES) -> list[str]:
    found = changes(output)
    shown = found if limit is None else found[:limit]
    lines = [f"  {symbol:>3} {address}" for symbol, address in shown]
    if len(found) > len(shown):
        lines.append(f"      ... and {len(found) - len(shown)} more (all of them in the log)")
    return lines


def output_lines(outputs: Mapping[str, object]) -> list[str]:
    """The key outputs, `  <label>  <value>`, skipping the ones the stack does not have (null or empty)."""
    lines = []
    source = outputs.get("firehose_source")
    if source:
        name = profiles.profile_for(source)
        lines.append(f"  {'topology':<16} {name or source}: {profiles.topology(source)}")
    for label, names in KEY_OUTPUTS:
        values = [str(outputs[n]) for n in names if outputs.get(n) not in (None, "", [], {})]
        if values:
            unused = label == "kinesis stream" and source == "direct_put"
            lines.append(f"  {label:<16} {', '.join(values)}" + (" (Firehose does not read it: Direct PUT)" * unused))
    return lines


def next_steps(command: str, outputs: Mapping[str, object], prefix: str = "") -> list[str]:
    """What to run next, as commands for this target (`prefix` is e.g. `ENV=localstack `)."""
    if command == "destroy":
        steps = [(f"{prefix}make apply", "deploy the stack again")]
        if not prefix.startswith("ENV=aws"):
            steps.append((f"{prefix}make down", "stop the emulator (it keeps its data)"))
    elif command == "plan":
        steps = [(f"{prefix}make apply", "make these changes")]
    else:
        steps = []
        if not prefix.startswith("ENV=aws"):
            steps.append((f"{prefix}make demo", "stream the sample through the stack, query it, compact it, check it"))
        steps += [
            (f"{prefix}make produce", "stream the sample (or INPUT=<csv>) into the stack"),
            (f'eval "$({prefix}make -s env)"', "then terraform, aws and retail-producer by hand against it"),
        ]
    lines = ["next:", *(f"  {cmd:<24} {what}" for cmd, what in steps)]
    if command == "apply" and outputs.get("firehose_source") == "direct_put" and outputs.get("firehose_name"):
        lines[-1] += ", e.g. the lab's command:"
        lines.append(
            f"    retail-producer -I {LAB_INPUT} --service-name firehose --out-format json "
            f"--stream-name {outputs['firehose_name']} --max-count 100"
        )
    return lines


def report(
    command: str,
    output: str,
    elapsed: float,
    context: str,
    outputs: Mapping[str, object] | None = None,
    prefix: str = "",
    listed: int | None = LISTED_CHANGES,
) -> list[str]:
    """The whole summary of a successful plan, apply or destroy. `context` says where and with what
    (target, profile, log)."""
    counts = (applied(output) if command in ("apply", "destroy") else None) or planned(output)
    if command == "plan" and counts is not None and counts.total == 0:
        head = f"plan: no changes, the stack matches the configuration ({context})"
        return [head, *warnings(output)]
    what = counts.text(done=command != "plan") if counts else "done"
    if command == "destroy" and counts:
        what = f"{counts.destroy} destroyed"
    lines = [f"{command}: {what} in {seconds(elapsed)} ({context})"]
    if command == "plan":
        lines += change_lines(output, listed)
    lines += warnings(output)
    if command == "apply" and outputs:
        lines += output_lines(outputs)
    lines += next_steps(command, outputs or {}, prefix)
    return lines


def failure_excerpt(output: str, lines: int = 20) -> list[str]:
    """The part of a failed command's output worth showing: from its first error on (at most `lines`), or its
    last lines when it printed no error diagnostic."""
    text = output.rstrip().splitlines()
    first = next((i for i, line in enumerate(text) if line.startswith(("Error: ", "│ Error: "))), None)
    excerpt = text[first : first + lines] if first is not None else text[-lines:]
    return [f"  {line}".rstrip() for line in excerpt]


def command_prefix(target_name: str) -> str:
    """`ENV=aws ` when the target is not the default, so the next steps run against the same target."""
    return "" if target_name == "local" else f"ENV={target_name} "


def context(target: Target, files: Sequence[str], log: str) -> str:
    """Where a command ran and with what: `ENV=local at http://..., profile stream; log .state/...`."""
    where = f"ENV={target.name}" + (f" at {target.endpoint_url}" if target.endpoint_url else "")
    profile = next((Path(f.split("=", 1)[1]).stem for f in files if "/env/profiles/" in f), None)
    return f"{where}, profile {profile}; log {log}" if profile else f"{where}; log {log}"


def outputs_json(env: Mapping[str, str], workdir: Path = terraform.ROOT_DIR) -> dict[str, Any]:
    """The stack's outputs by name (`terraform output -json`; empty when there are none or it fails)."""
    result = terraform.run(["output", "-json"], workdir, env, capture=True, check=False)
    try:
        raw = json.loads(result.stdout) if result.returncode == 0 else {}
    except ValueError:
        return {}
    return {name: item.get("value") for name, item in raw.items() if isinstance(item, dict)}
