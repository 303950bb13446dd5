"""Drill: `terraform apply` is interrupted (Ctrl-C) halfway; the next apply must finish the stack with nothing
duplicated or orphaned, and a plan afterwards must show no changes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import boto3
import pytest
from tftest import TerraformTestError

from tests.drills.conftest import DrillResult
from tests.harness import random_prefix
from tools import terraform
from tools.recovery import Orphan, find_orphans

pytestmark = [pytest.mark.drill, pytest.mark.integration]


def planned_count(stack) -> int:
    plan = stack.plan()
    return sum(1 for change in plan.resource_changes.values() if "create" in change["change"]["actions"])


def interrupt_apply(stack, after_created: int) -> tuple[int, str]:
    """Start an apply, send SIGINT once `after_created` resources exist, return (exit code, output)."""
    env = terraform.environ_for(stack.target)
    args = [
        terraform.binary(),
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        *[f"-var-file={f}" for f in stack.var_files],
        *[f"-var={k}={v}" for k, v in stack.tf_vars.items()],
    ]
    process = subprocess.Popen(
        args, cwd=stack.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines, created, sent_at = [], 0, None
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        created += "Creation complete" in line
        if sent_at is None and created >= after_created:
            process.send_signal(signal.SIGINT)
            sent_at = time.monotonic()
    return process.wait(timeout=300), "".join(lines)


def apply_adopting_orphans(stack) -> list[Orphan]:
    """Re-apply; when it fails on resources the interrupt left outside the state, import them as the harness
    tells the user to, and apply again."""
    try:
        stack.apply(adopt_lost_creates=False)
        return []
    except TerraformTestError as exc:
        orphans = find_orphans("\n".join(map(str, exc.args)))  # (message, stderr)
        if not orphans:
            raise
    orphans = stack.adopt(orphans)  # a Glue table's import ID is completed from the plan
    stack.apply(adopt_lost_creates=False)
    return orphans


def state_resources(stack) -> int:
    """Managed resource instances in the stack's state."""
    return sum(len(r["instances"]) for r in managed(stack))


def state_role_names(stack) -> list[str]:
    return sorted(
        i["attributes"]["name"] for r in managed(stack) if r["type"] == "aws_iam_role" for i in r["instances"]
    )


def managed(stack) -> list[dict]:
    state = json.loads((stack.workdir / "terraform.tfstate").read_text())
    return [r for r in state["resources"] if r["mode"] == "managed"]


def test_interrupted_apply_is_completed_by_the_next_apply(isolated_target, make_isolated_stack, record_drill):
    prefix = random_prefix("i")
    stack = make_isolated_stack("terraform", tf_vars={"name_prefix": prefix}, var_files=["env/local.tfvars"])
    planned = planned_count(stack)

    code, output = interrupt_apply(stack, after_created=5)
    assert "Interrupt received" in output, f"the apply was not interrupted:\n{output[-2000:]}"
    assert code != 0, "an interrupted apply must exit non-zero"
    partial = state_resources(stack)
    assert 0 < partial < planned, f"got {partial} of {planned} resources after the interrupt, expected a partial stack"

    # when: the re-apply (adopting what the interrupt left outside the state)
    orphans = apply_adopting_orphans(stack)

    # then: every planned resource is in the state, created by the re-apply (arrived) or named by it for import
    # (reported; imported afterwards, so in the state too, but counted once), and exists exactly once
    applied = state_resources(stack) - len(orphans)
    second_plan = stack.plan_text()
    kw = {
        "endpoint_url": isolated_target.endpoint_url,
        "region_name": isolated_target.region,
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }
    iam = boto3.client("iam", **kw)
    roles = sorted(
        role["RoleName"]
        for page in iam.get_paginator("list_roles").paginate()
        for role in page["Roles"]
        if prefix in role["RoleName"]  # e.g. <prefix>-compact-parquet, uk-online-<prefix>-trans-firehose-<suffix>
    )
    streams = [s for s in boto3.client("kinesis", **kw).list_streams()["StreamNames"] if s.startswith(prefix)]
    in_state = state_role_names(stack)
    record_drill(
        DrillResult(
            drill="terraform apply interrupted (SIGINT) and re-applied",
            unit="resources",
            sent=planned,
            arrived=applied,
            reported=len(orphans),
            duplicates=max(len(roles) - len(in_state), 0) + max(len(streams) - 1, 0),
            note=f"{partial} in state at the interrupt; {len(orphans)} outside it, named by the re-apply, imported",
        )
    )
    assert "No changes." in second_plan, f"the re-apply left differences behind:\n{second_plan[-3000:]}"
    assert roles == in_state, f"got roles {roles} on the emulator, expected exactly the state's {in_state}"
    assert len(streams) == 1, f"got streams {streams}, expected exactly one"
