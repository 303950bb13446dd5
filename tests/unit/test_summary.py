"""The quiet output of make plan/apply/destroy: counts, changes, key outputs, next steps, progress, and what a
failure shows; `make env`'s exports for Terraform by hand."""

from __future__ import annotations

import io
import re
import shlex

import pytest

from tools import cli, quiet, summary
from tools.targets import resolve

pytestmark = pytest.mark.unit

PLAN = """data.aws_partition.current: Reading...
module.data_lake.aws_s3_bucket.this: Refreshing state... [id=retail-us-east-1-000000000000]

Terraform will perform the following actions:

  # module.firehose.aws_kinesis_firehose_delivery_stream.this must be replaced
-/+ resource "aws_kinesis_firehose_delivery_stream" "this" {
    }

  # module.glue_catalog.aws_glue_catalog_table.json will be updated in-place
  ~ resource "aws_glue_catalog_table" "json" {
    }

  # module.athena.aws_athena_named_query.this["top"] will be created
  + resource "aws_athena_named_query" "this" {
    }

  # module.old.aws_sqs_queue.this will be destroyed
  - resource "aws_sqs_queue" "this" {
    }

Plan: 2 to add, 1 to change, 2 to destroy.

Warning: Argument is deprecated

  with module.data_lake.aws_s3_bucket.this,
  on ../modules/data_lake/main.tf line 1:

Use the aws_s3_bucket_x resource instead.

Warning: Argument is deprecated

Again.
"""
APPLY = """module.x.aws_s3_bucket.this: Creating...
module.x.aws_s3_bucket.this: Creation complete after 1s [id=b]
module.y.aws_sqs_queue.this: Creation complete after 25s [id=q]

Apply complete! Resources: 41 added, 0 changed, 0 destroyed.
"""
OUTPUTS = {
    "firehose_source": "kinesis",
    "kinesis_stream_name": "retail-trans",
    "firehose_name": "uk-online-retail-trans",
    "bucket_name": "retail-us-east-1-000000000000",
    "athena_workgroup_name": "retail-analytics",
    "compaction_function_name": "retail-compact-parquet",
    "ingest_function_name": None,
    "opensearch_endpoint": None,
}


def test_plan_counts_and_changes_are_read_from_terraforms_output():
    assert summary.planned(PLAN) == summary.Counts(add=2, change=1, destroy=2)
    assert summary.changes(PLAN) == [
        ("-/+", "module.firehose.aws_kinesis_firehose_delivery_stream.this"),
        ("~", "module.glue_catalog.aws_glue_catalog_table.json"),
        ("+", 'module.athena.aws_athena_named_query.this["top"]'),
        ("-", "module.old.aws_sqs_queue.this"),
    ]


def test_no_changes_is_a_plan_of_nothing():
    counts = summary.planned("No changes. Your infrastructure matches the configuration.\n")
    assert counts == summary.Counts()
    assert counts.total == 0


def test_apply_and_destroy_counts():
    assert summary.applied(APPLY) == summary.Counts(add=41)
    assert summary.applied("Destroy complete! Resources: 41 destroyed.\n") == summary.Counts(destroy=41)


def test_warnings_fold_to_one_line_each():
    assert summary.warnings(PLAN) == ["warning: Argument is deprecated (2x)"]


def test_apply_report_fits_a_screen_and_says_what_to_run_next():
    lines = summary.report("apply", APPLY, 72.0, "ENV=local, profile stream; log x.log", OUTPUTS)
    text = "\n".join(lines)
    assert lines[0] == "apply: 41 added, 0 changed, 0 destroyed in 72 s (ENV=local, profile stream; log x.log)"
    for expected in ("retail-trans", "uk-online-retail-trans", "retail-analytics", "retail-compact-parquet",
                     "make demo", "make produce", 'eval "$(make -s env)"'):  # fmt: skip
        assert expected in text, f"got:\n{text}\nexpected {expected!r}"
    assert "None" not in text, f"got:\n{text}\nexpected outputs that are null left out"
    assert len(lines) <= 15, f"got {len(lines)} lines"


def test_direct_put_apply_shows_the_labs_command():
    outputs = OUTPUTS | {"firehose_source": "direct_put"}
    text = "\n".join(summary.report("apply", APPLY, 5.0, "ctx", outputs))
    assert "direct-put: producer -> Firehose (Direct PUT) -> S3" in text, f"got:\n{text}"
    assert ("retail-producer -I producer/data/online_retail_sample.csv --service-name firehose --out-format json "
            "--stream-name uk-online-retail-trans --max-count 100") in text  # fmt: skip


def test_next_steps_carry_the_target():
    text = "\n".join(summary.report("apply", APPLY, 5.0, "ctx", OUTPUTS, prefix=summary.command_prefix("aws")))
    assert "ENV=aws make produce" in text, f"got:\n{text}"
    assert "make demo" not in text, f"got:\n{text}\n(the demo refuses AWS)"


def test_plan_report_lists_changes_up_to_the_limit():
    lines = summary.report("plan", PLAN, 3.0, "ctx", listed=2)
    assert lines[0] == "plan: 2 to add, 1 to change, 2 to destroy in 3 s (ctx)"
    assert lines[1:4] == [
        "  -/+ module.firehose.aws_kinesis_firehose_delivery_stream.this",
        "    ~ module.glue_catalog.aws_glue_catalog_table.json",
        "      ... and 2 more (all of them in the log)",
    ], f"got {lines}"


def test_failure_excerpt_starts_at_the_first_error():
    output = "line\n" * 50 + "Error: Invalid value for variable\n\n  on x.tf line 3:\nmore\n"
    assert summary.failure_excerpt(output)[0] == "  Error: Invalid value for variable"
    assert len(summary.failure_excerpt("x\n" * 100)) == 20


@pytest.mark.parametrize(
    ("command", "output", "expected"),
    [
        ("apply", "Plan: 3 to add, 1 to change, 0 to destroy.\n" + APPLY, "apply: 12 s, 2 of 4 resources done"),
        ("apply", "", "apply: 12 s, planning, 0 resources read"),
        (
            "destroy",
            PLAN.replace("Plan: 2 to add, 1 to change, 2 to destroy.", ""),
            "destroy: 12 s, planning, 2 resources read",
        ),
        ("plan", PLAN, "plan: 12 s, 2 resources read"),
        ("init", "", "init: 12 s"),
    ],
)
def test_progress_counts_what_terraform_finished(command, output, expected):
    assert quiet.progress_text(command, output, 12.0) == expected


def test_progress_without_a_terminal_is_a_line_now_and_then(tmp_path, monkeypatch):
    # given: a Terraform that finishes one resource, then takes longer than one progress interval
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\necho \"$@\"\necho 'x.y: Creation complete after 1s'\nsleep 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(quiet, "LINE_EVERY_S", 0.3)
    monkeypatch.setattr(quiet.terraform, "binary", lambda env: str(fake))
    stream = io.StringIO()
    # when
    run = quiet.run_logged(["apply", "-auto-approve"], tmp_path, {}, tmp_path / "apply.log", total=2, stream=stream)
    # then: the whole output in the log, plain text; progress lines on the stream
    log = (tmp_path / "apply.log").read_text()
    assert run.code == 0
    assert log.startswith("apply -no-color -auto-approve\n"), f"got {log!r}"
    lines = stream.getvalue().splitlines()
    expected = re.compile(r"apply: \d+ s, 1 of 2 resources done( \(log .*apply.log\))?")
    assert lines, "got no progress line"
    assert all(expected.fullmatch(line) for line in lines), f"got {lines}"
    assert "\r" not in stream.getvalue(), "no terminal: no spinner"


def test_env_exports_var_files_for_terraform_by_hand_and_the_venv(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli.terraform, "STATE_DIR", tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("PROFILE", "direct-put")
    cli.cmd_env(resolve({}), None)  # type: ignore[arg-type]
    exports = dict(line.removeprefix("export ").split("=", 1) for line in capsys.readouterr().out.splitlines())
    for command in ("plan", "apply", "destroy", "import"):
        arguments = shlex.split(shlex.split(exports[f"TF_CLI_ARGS_{command}"])[0])  # quoted for the shell, then split
        assert arguments[0] == "-var=ingest_opensearch_endpoint=http://127.0.0.1:4567", f"got {arguments[0]}"
        files = [f.rsplit("/", 2)[-2:] for f in arguments[1:]]
        assert files == [["env", "local.tfvars"], ["profiles", "direct-put.tfvars"]], f"got {files}"
    assert exports["PATH"].endswith('/.venv/bin:"$PATH"'), f"got {exports['PATH']}"


def test_harness_terraform_calls_ignore_make_envs_var_files(monkeypatch):
    monkeypatch.setenv("TF_CLI_ARGS_plan", "-var-file=/elsewhere.tfvars")
    assert "TF_CLI_ARGS_plan" not in cli.terraform.environ_for(resolve({}))


class FakeTerraform:
    """Stands in for the quiet Terraform runner: records the commands, answers like Terraform."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, target, args, workdir, env, files=(), **kw) -> quiet.Run:
        self.commands.append(list(args))
        output = PLAN if args[0] == "plan" else APPLY
        return quiet.Run(tuple(args), 0, output, 1.0, workdir / f"{args[0]}.log")


@pytest.fixture
def aws_apply(monkeypatch, tmp_path):
    """`apply` against ENV=aws with Terraform, AWS and the var files stood in for; returns the recorder."""
    fake = FakeTerraform()
    monkeypatch.setattr(cli.terraform, "STATE_DIR", tmp_path)
    monkeypatch.setattr(cli, "preflight", lambda target: ["-var-file=aws.tfvars"])
    monkeypatch.setattr(cli, "ensure_reachable", lambda target: None)
    monkeypatch.setattr(cli, "prepare", lambda target: {})
    monkeypatch.setattr(cli.summary, "outputs_json", lambda env: {})
    monkeypatch.setattr(cli, "_quiet", fake)
    return fake


def test_real_aws_apply_changes_nothing_without_a_yes(aws_apply, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    args = cli.build_parser().parse_args(["apply"])
    args.extra = []
    with pytest.raises(cli.CommandError, match="apply cancelled; nothing was changed"):
        cli.cmd_apply(resolve({"ENV": "aws"}), args)
    assert [c[0] for c in aws_apply.commands] == ["plan"], f"got {aws_apply.commands}"
    shown = capsys.readouterr()
    assert "  -/+ module.firehose.aws_kinesis_firehose_delivery_stream.this" in shown.out, "every change is shown"
    assert "Only 'yes' is accepted" in shown.err


def test_real_aws_apply_applies_exactly_the_reviewed_plan(aws_apply, monkeypatch, tmp_path):
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    args = cli.build_parser().parse_args(["apply"])
    args.extra = []
    cli.cmd_apply(resolve({"ENV": "aws"}), args)
    plan, apply = aws_apply.commands
    planfile = next(a.removeprefix("-out=") for a in plan if a.startswith("-out="))
    assert apply == ["apply", "-input=false", planfile], f"got {apply}, expected the saved plan {planfile} applied"
    assert "-auto-approve" not in plan + apply
