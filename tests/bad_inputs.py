"""The bad input sweep: every bad input a user can give the project, the one message it gets, and how it is run.

One table for the whole set: the command line of each tool (`python -m tools` and the make targets, the producer,
the compaction, bootstrap and replay CLIs), the CSV, the var files of the root stack and the environment. Each case runs
the real command as a subprocess in a private copy of the repository, as a user would, and expects a non-zero
exit, no traceback, and exactly one line reporting the problem, which says what is wrong (and what to do).

Where each case runs: `unit` cases need neither Terraform nor the emulator (tests/unit/test_bad_inputs.py);
`plan` cases reach `terraform plan` on the emulator (tests/terraform/test_bad_inputs_plan.py); `integration`
cases need the emulator's data plane (tests/integration/test_bad_inputs_emulator.py). docs/bad-input.md
lists the table.
"""

from __future__ import annotations

import gzip
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from producer.reader import REAL_HEADER
from tools.cli import DIST_REFERENCE
from tools.targets import REPO_ROOT

ROW = "489434,85048,GLASS BALL,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom"
LAMBDA_SRC = {"PYTHONPATH": "lambda_src"}
COMPACTION = LAMBDA_SRC | {"GLUE_DATABASE": "mydatabase", "TARGET_LOCATION": "s3://retail-lake/parquet-retail-trans/"}
BOOTSTRAP = LAMBDA_SRC | {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
REPLAY = BOOTSTRAP
HOUR = "2026-11-28T10"
LATIN1_CSV = f"{REAL_HEADER}\n{ROW}\n489435,X,CAF\xc9,1,2009-12-01 07:45:00,1,,UK\n".encode("latin-1")
XLSX = b"PK\x03\x04" + bytes(60)  # the start of a zip archive, as an .xlsx workbook begins
HOUR_DRY_RUN = ("--hour", HOUR, "--dry-run")

# A line that reports a problem: `<prog>: error: ...`, or a rejected CSV row (`producer: line 3: rejected: ...`).
PROBLEM_LINE = re.compile(r"^[\w.-]+: (error: |line \d+: rejected)")
# Inherited settings that would change what the commands do; each case sets its own.
CLEARED = ("AWS_", "ENV", "EMULATOR_", "TF_VAR", "TF_BACKEND_CONFIG", "TF_CLI_CONFIG_FILE", "TF_LOG", "TERRAFORM")
CLEARED_EXACT = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH", "PROFILE")
# What the sweep copies: a user's checkout, minus state and builds (the venv is shared through a symlink).
COPIED = ("tools", "terraform", "modules", "producer", "demo", "lambda_src", "Makefile", "pyproject.toml")


@dataclass(frozen=True)
class BadInput:
    id: str
    area: str  # environment | tfvars | make | tools | producer | csv | compaction | bootstrap | replay | demo
    given: str  # the bad input, as the README shows it
    command: tuple[str, ...]  # {python}, {tmp}, {busy_port} and {endpoint} are filled in at run time
    exit_code: int
    message: str  # a part of the one problem line
    env: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str | bytes] = field(default_factory=dict)  # written under {tmp} first
    needs: str = "unit"  # unit | plan | integration
    zips: bool = True  # whether the checkout has the Lambda zips of dist/ (False: a fresh clone before make build)


def tools(*args: str) -> tuple[str, ...]:
    return ("{python}", "-m", "tools", *args)


def producer(*args: str) -> tuple[str, ...]:
    return ("{python}", "-m", "producer", *args)


def compaction(*args: str) -> tuple[str, ...]:
    return ("{python}", "-m", "compact_parquet", *args)


def bootstrap(*args: str) -> tuple[str, ...]:
    return ("{python}", "-m", "opensearch_bootstrap", *args)


def replay(*args: str) -> tuple[str, ...]:
    return ("{python}", "-m", "ingest_opensearch.replay", *args)


CASES: tuple[BadInput, ...] = (
    # --- the environment -----------------------------------------------------------------------------
    BadInput("env-unknown-target", "environment", "`ENV=staging`", tools("plan"), 2,
             "ENV='staging' is not a known target; use one of: local, localstack, aws", {"ENV": "staging"}),
    BadInput("env-port-not-a-number", "environment", "`EMULATOR_PORT=abc`", ("make", "up"), 2,
             "EMULATOR_PORT='abc' is not a usable port; give a number from 1024 to 65535", {"EMULATOR_PORT": "abc"}),
    BadInput("env-port-taken", "environment", "`EMULATOR_PORT` held by a server that is not an emulator",
             tools("up"), 1, "is in use by something that is not a healthy emulator; stop it, or pick another port",
             {"EMULATOR_PORT": "{busy_port}"}),
    BadInput("env-endpoint-scheme", "environment", "`AWS_ENDPOINT_URL=ftp://localhost:4566`", tools("plan"), 2,
             "AWS_ENDPOINT_URL='ftp://localhost:4566' is not an http(s) URL such as http://localhost:4566",
             {"ENV": "localstack", "AWS_ENDPOINT_URL": "ftp://localhost:4566"}),
    BadInput("env-endpoint-path", "environment", "`AWS_ENDPOINT_URL=http://localhost:4566/api`", tools("plan"), 2,
             "must be a bare endpoint (scheme, host, port), without a path",
             {"ENV": "localstack", "AWS_ENDPOINT_URL": "http://localhost:4566/api"}),
    BadInput("env-endpoint-down", "environment", "`AWS_ENDPOINT_URL` where nothing answers", tools("plan"), 2,
             "nothing healthy answers at http://127.0.0.1:9/_localstack/health; start your LocalStack-compatible",
             {"ENV": "localstack", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}),
    BadInput("env-region", "environment", "`AWS_REGION=europe`", tools("plan"), 2,
             "AWS_REGION='europe' does not look like an AWS region (e.g. us-east-1, eu-west-2)",
             {"AWS_REGION": "europe"}),
    BadInput("env-plugin-mirror", "environment", "`TF_PLUGIN_MIRROR` without the aws provider", tools("init"), 2,
             "holds no registry.terraform.io/hashicorp/aws provider; point it at a directory containing",
             {"TF_PLUGIN_MIRROR": "{tmp}"}),
    BadInput("env-backend-config-local", "environment", "`TF_BACKEND_CONFIG` with `ENV=local`", tools("outputs"), 2,
             "TF_BACKEND_CONFIG is only used with ENV=aws (ENV is local)", {"TF_BACKEND_CONFIG": "backend.hcl"}),
    BadInput("env-backend-config-missing", "environment", "`TF_BACKEND_CONFIG` naming no file (`ENV=aws`)",
             tools("outputs"), 2, "is not a file; give an S3 backend config (bucket, key, region, ...)",
             {"ENV": "aws", "TF_BACKEND_CONFIG": "{tmp}/backend.hcl"}),
    BadInput("env-terraform-missing", "environment", "`TERRAFORM=terraform-1.99` (not on PATH)", tools("outputs"), 2,
             "Terraform ('terraform-1.99') is not on PATH; install Terraform >= 1.11", {"TERRAFORM": "terraform-1.99"}),
    BadInput("env-aws-no-credentials", "environment", "`ENV=aws` without AWS credentials", tools("plan"), 2,
             "ENV=aws needs AWS credentials and none were found", {"ENV": "aws"}),
    BadInput("env-demo-on-aws", "environment", "`ENV=aws` for the demo (`python -m demo`)",
             ("{python}", "-m", "demo"), 2, "make demo runs on an emulator (ENV=local, the default, or ENV=localstack)",
             {"ENV": "aws"}),
    # --- the var files of the root stack -------------------------------------------------------------
    BadInput("tfvars-missing", "tfvars", "`TF_VAR_FILE` naming no file", tools("plan"), 2,
             "is not a file; give the path of a .tfvars file", {"TF_VAR_FILE": "{tmp}/mine.tfvars"}),
    BadInput("tfvars-undeclared", "tfvars", "a var file setting an undeclared variable (`nme_prefix`)", tools("plan"),
             2, "sets 'nme_prefix' (did you mean 'name_prefix'?), which terraform/variables.tf does not declare",
             {"TF_VAR_FILE": "{tmp}/mine.tfvars"}, {"mine.tfvars": 'nme_prefix = "shop"\n'}),
    BadInput("tfvars-invalid-value", "tfvars", '`name_prefix = "Bad_Prefix"` in a var file', tools("plan"), 1,
             "terraform plan failed: Invalid value for variable: name_prefix must be 3 to 24 characters",
             {"TF_VAR_FILE": "{tmp}/mine.tfvars"}, {"mine.tfvars": 'name_prefix = "Bad_Prefix"\n'}, "plan"),
    BadInput("tfvars-wrong-type", "tfvars", '`kinesis_shard_count = "many"` in a var file', tools("plan"), 1,
             "kinesis_shard_count declared at variables.tf:43,1-31: a number is required",
             {"TF_VAR_FILE": "{tmp}/mine.tfvars"}, {"mine.tfvars": 'kinesis_shard_count = "many"\n'}, "plan"),
    BadInput("tfvars-syntax", "tfvars", "`name_prefix =` (no value) in a var file", tools("plan"), 1,
             "terraform plan failed: Invalid expression: Expected the start of an expression",
             {"TF_VAR_FILE": "{tmp}/mine.tfvars"}, {"mine.tfvars": "name_prefix =\n"}, "plan"),
    BadInput("tfvars-env-overridden", "tfvars", "`TF_VAR_enable_opensearch=true` (env/local.tfvars sets it)",
             tools("plan"), 2, "TF_VAR_enable_opensearch is set, but terraform/env/local.tfvars sets enable_opensearch "
             "and a var file wins over the environment", {"TF_VAR_enable_opensearch": "true"}),
    BadInput("tfvars-env-firehose-source", "tfvars", "`TF_VAR_firehose_source=direct_put` (a profile sets it)",
             tools("plan"), 2, "choose with PROFILE=direct-put or PROFILE=stream",
             {"TF_VAR_firehose_source": "direct_put"}),
    BadInput("profile-unknown", "tfvars", "`PROFILE=firehose` (no such profile)", tools("plan"), 2,
             "PROFILE='firehose' is not a profile; use one of: direct-put, stream", {"PROFILE": "firehose"}),
    # --- make targets and python -m tools --------------------------------------------------------------
    BadInput("make-import-without-address", "make", "`make import` without `ADDR` and `ID`", ("make", "import"), 2,
             "import needs the resource address and its ID: make import ADDR='module.x.aws_y.this' ID=<id>"),
    BadInput("make-produce-missing-input", "make", "`make produce INPUT=` a file that does not exist",
             ("make", "produce", "INPUT={tmp}/sales.csv"), 2, "INPUT='{tmp}/sales.csv' is not a file"),
    BadInput("make-produce-unknown-target", "make", "`make produce` with `ENV=staging`", ("make", "produce"), 2,
             "ENV='staging' is not a known target", {"ENV": "staging"}),
    BadInput("make-unknown-profile", "make", "`make produce PROFILE=lab` (no such profile)",
             ("make", "produce", "PROFILE=lab"), 2, "PROFILE='lab' is not a profile; use one of: direct-put, stream"),
    BadInput("make-lint-validate-not-yes-or-no", "make", "`make lint LINT_VALIDATE=off`",
             ("make", "lint", "LINT_VALIDATE=off"), 2, "LINT_VALIDATE='off' must be yes or no"),
    BadInput("make-replay-unknown-target", "make", "`make replay` with `ENV=staging`", ("make", "replay"), 2,
             "ENV='staging' is not a known target", {"ENV": "staging"}),
    BadInput("make-replay-no-ingest", "make", "`make replay` where no stack (or no ingest function) is deployed",
             ("make", "replay"), 2, "has no ingest function (nothing deployed, or no search endpoint): nothing to "
             "replay; make apply first", needs="plan"),
    BadInput("tools-plan-without-zips", "tools", "`python -m tools plan` before `make build`", tools("plan"), 1,
             "dist/compact_parquet.zip, dist/firehose_validate.zip, dist/ingest_opensearch.zip, "
             "dist/opensearch_bootstrap.zip are missing; "
             "build the Lambda zips first with make build", zips=False),
    BadInput("tools-unknown-command", "tools", "`python -m tools deploy`", tools("deploy"), 2,
             "argument command: invalid choice: 'deploy'"),
    # --- the producer's flags and environment ----------------------------------------------------------
    BadInput("producer-batch-size", "producer", "`--batch-size 501`", producer("--batch-size", "501"), 2,
             "argument --batch-size: expected an integer from 1 to 500, got '501'"),
    BadInput("producer-endpoint-flag", "producer", "`--endpoint-url localhost:4566` (no scheme)",
             producer("--endpoint-url", "localhost:4566"), 2, "argument --endpoint-url: expected an http(s) URL"),
    BadInput("producer-endpoint-env", "producer", "`AWS_ENDPOINT_URL=localhost:4566` (no scheme)",
             producer("--dry-run"), 2, "AWS_ENDPOINT_URL='localhost:4566' is not usable: expected an http(s) URL",
             {"AWS_ENDPOINT_URL": "localhost:4566"}),
    BadInput("producer-region-env", "producer", "`AWS_REGION=europe` for the producer", producer("--dry-run"), 2,
             "AWS_REGION='europe' is not usable: expected an AWS region such as us-east-1; fix or unset it",
             {"AWS_REGION": "europe"}),
    BadInput("producer-unreachable", "producer", "`--endpoint-url` where nothing answers",
             producer("--endpoint-url", "http://127.0.0.1:9", "--max-count", "1"), 1,
             "cannot reach kinesis stream 'retail-trans' in us-east-1 at http://127.0.0.1:9"),
    BadInput("producer-unknown-stream", "producer", "`--stream-name` of a stream that does not exist",
             producer("--endpoint-url", "{endpoint}", "--stream-name", "no-such-stream", "--max-count", "1"), 1,
             "kinesis stream 'no-such-stream' does not exist in us-east-1 at {endpoint}; check --stream-name",
             needs="integration"),
    BadInput("producer-non-json", "producer", "`--out-format csv` to a real stream, without `--allow-non-json`",
             producer("--out-format", "csv", "--max-count", "1"), 2,
             "--out-format csv is not the data contract (JSON): the stack quarantines every such record under its "
             "error prefix; pass --allow-non-json to send it anyway, or --dry-run to print it"),
    # --- the CSV -------------------------------------------------------------------------------------------
    BadInput("csv-missing", "csv", "`-I` a file that does not exist", producer("-I", "{tmp}/sales.csv"), 1,
             "cannot read input file"),
    BadInput("csv-empty", "csv", "an empty file", producer("-I", "{tmp}/sales.csv", "--dry-run"), 1,
             "is empty; it needs a header line", files={"sales.csv": ""}),
    BadInput("csv-wrong-header", "csv", "a CSV without the Online Retail II header",
             producer("-I", "{tmp}/sales.csv", "--dry-run"), 1, "the header lacks Invoice, StockCode",
             files={"sales.csv": f"order,sku,qty\n{ROW}\n"}),
    BadInput("csv-xlsx", "csv", "the dataset's .xlsx workbook instead of a CSV",
             producer("-I", "{tmp}/online_retail_II.xlsx", "--dry-run"), 1,
             "is a zip archive (an .xlsx workbook is one), not a CSV; export the sheet as CSV",
             files={"online_retail_II.xlsx": XLSX}),
    BadInput("csv-gzip", "csv", "a gzip-compressed CSV", producer("-I", "{tmp}/sales.csv.gz", "--dry-run"), 1,
             "is gzip-compressed, not a CSV; decompress it first (gunzip -k)",
             files={"sales.csv.gz": gzip.compress(f"{REAL_HEADER}\n{ROW}\n".encode())}),
    BadInput("csv-bad-quantity", "csv", "a row whose Quantity is not a number",
             producer("-I", "{tmp}/sales.csv", "--dry-run"), 3, "line 3: rejected: Quantity 'many' is not an integer",
             files={"sales.csv": f"{REAL_HEADER}\n{ROW}\n489435,X,Y,many,2009-12-01 07:45:00,1,,UK\n"}),
    BadInput("csv-wrong-encoding", "csv", "latin-1 bytes read as UTF-8", producer("-I", "{tmp}/sales.csv", "--dry-run"),
             3, "line 3: rejected: bytes that are not valid utf-8; pass the file's --encoding",
             files={"sales.csv": LATIN1_CSV}),
    # --- the compaction CLI ----------------------------------------------------------------------------
    BadInput("compaction-hour", "compaction", "`--hour tomorrow`", compaction("--hour", "tomorrow", "--dry-run"), 2,
             "'tomorrow' is not an hour like 2026-11-28T10 (UTC)", COMPACTION),
    BadInput("compaction-no-hour", "compaction", "neither `--hour` nor `--since`", compaction("--dry-run"), 2,
             "one of the arguments --hour --since is required; see python -m compact_parquet --help", COMPACTION),
    BadInput("compaction-range-reversed", "compaction", "`--since` after `--until`",
             compaction("--since", "2026-11-28T10", "--until", "2026-11-27T10", "--dry-run"), 2,
             "--since 2026-11-28T10 is after --until 2026-11-27T10", COMPACTION),
    BadInput("compaction-no-target", "compaction", "`TARGET_LOCATION` unset", compaction(*HOUR_DRY_RUN),
             2, "TARGET_LOCATION is not set", LAMBDA_SRC | {"GLUE_DATABASE": "mydatabase"}),
    BadInput("compaction-database", "compaction", "`GLUE_DATABASE=My-Database`", compaction(*HOUR_DRY_RUN),
             2, "GLUE_DATABASE='My-Database' must be 1 to 255 lowercase letters, digits or underscores",
             COMPACTION | {"GLUE_DATABASE": "My-Database"}),
    BadInput("compaction-engine", "compaction", "`COMPACTION_ENGINE=spark`", compaction(*HOUR_DRY_RUN), 2,
             "COMPACTION_ENGINE='spark' must be one of: athena, duckdb, auto",
             COMPACTION | {"COMPACTION_ENGINE": "spark"}),
    BadInput("compaction-no-region", "compaction", "no region anywhere (compaction on Athena)",
             compaction("--hour", HOUR, "--engine", "athena", "--workgroup", "wg", "--dry-run"), 2,
             "no AWS region configured; set AWS_REGION (e.g. AWS_REGION=us-east-1)", COMPACTION),
    BadInput("compaction-region", "compaction", "`AWS_REGION=europe!` for the compaction",
             compaction("--hour", HOUR, "--engine", "athena", "--workgroup", "wg"), 2,
             "AWS_REGION='europe!' is not an AWS region such as us-east-1; fix or unset it",
             COMPACTION | {"AWS_REGION": "europe!"}),
    # --- the replay CLI (make replay) -------------------------------------------------------------------
    BadInput("replay-no-source", "replay", "neither `--bucket` nor `--queue-url`",
             replay("--opensearch-endpoint", "http://127.0.0.1:9"), 2,
             "nothing to replay from: give --bucket (the failure store) and/or --queue-url", REPLAY),
    BadInput("replay-empty-bucket", "replay", "`--bucket ''` (an empty output)", replay("--bucket", "", "--dry-run"),
             2, "--bucket is empty; give its value, or leave the flag out", REPLAY),
    BadInput("replay-no-endpoint", "replay", "no `--opensearch-endpoint` (and no `--dry-run`)",
             replay("--bucket", "retail-lake"), 2, "--opensearch-endpoint is required to index (or pass --dry-run",
             REPLAY),
    BadInput("replay-endpoint-scheme", "replay", "`--opensearch-endpoint ftp://search.example.com`",
             replay("--bucket", "retail-lake", "--opensearch-endpoint", "ftp://search.example.com"), 2,
             "opensearch-endpoint='ftp://search.example.com' must be an https URL or a bare host name", REPLAY),
    BadInput("replay-prefix", "replay", "`--prefix 00-retail-trans/` (not where Lambda writes)",
             replay("--bucket", "retail-lake", "--prefix", "00-retail-trans/", "--dry-run"), 2,
             "is not under aws/lambda/, where Lambda writes the failed batches", REPLAY),
    BadInput("replay-unreachable", "replay", "`--endpoint-url` where nothing answers",
             replay("--bucket", "retail-lake", "--dry-run", "--endpoint-url", "http://127.0.0.1:9"), 1,
             "cannot reach S3 at http://127.0.0.1:9", REPLAY),
    BadInput("replay-unknown-bucket", "replay", "`--bucket` of a bucket that does not exist",
             replay("--bucket", "no-such-bucket", "--dry-run", "--endpoint-url", "{endpoint}"), 1,
             "the failure store's bucket 'no-such-bucket' does not exist at {endpoint}; check --bucket", REPLAY,
             needs="integration"),
    BadInput("replay-unknown-queue", "replay", "`--queue-url` of a queue that does not exist",
             replay("--queue-url", "{endpoint}/000000000000/no-such-queue", "--dry-run", "--endpoint-url",
                    "{endpoint}"), 1,
             "the dead-letter queue {endpoint}/000000000000/no-such-queue does not exist at {endpoint}", REPLAY,
             needs="integration"),
    # --- the OpenSearch bootstrap CLI ------------------------------------------------------------------
    BadInput("bootstrap-no-endpoint", "bootstrap", "no `--endpoint`", bootstrap("--dry-run"), 2,
             "the following arguments are required: --endpoint; see python -m opensearch_bootstrap --help", BOOTSTRAP),
    BadInput("bootstrap-endpoint-scheme", "bootstrap", "`--endpoint ftp://search.example.com`",
             bootstrap("--endpoint", "ftp://search.example.com"), 2,
             "endpoint='ftp://search.example.com' must be an https URL or a bare host name", BOOTSTRAP),
    BadInput("bootstrap-retention", "bootstrap", "`--retention-days 0`",
             bootstrap("--endpoint", "search.example.com", "--retention-days", "0"), 2,
             "retention_days must be a whole number of days from 1 to 36500, got 0", BOOTSTRAP),
    BadInput("bootstrap-role-arn", "bootstrap", "`--ingest-role-arn ingest` (not an ARN)",
             bootstrap("--endpoint", "search.example.com", "--ingest-role-arn", "ingest"), 2,
             "ingest_role_arn='ingest' must be an IAM role ARN", BOOTSTRAP),
    BadInput("bootstrap-region", "bootstrap", "`AWS_REGION=europe!` for the bootstrap",
             bootstrap("--endpoint", "search.example.com", "--access-control", "iam"), 2,
             "AWS_REGION='europe!' is not an AWS region such as us-east-1; fix it or pass --region",
             BOOTSTRAP | {"AWS_REGION": "europe!"}),
    BadInput("bootstrap-unreachable", "bootstrap", "`--endpoint` where nothing answers",
             bootstrap("--endpoint", "https://127.0.0.1:9", "--access-control", "iam", "--timeout-seconds", "2"), 1,
             "check the endpoint (--endpoint) and that this machine reaches the domain", BOOTSTRAP),
)  # fmt: skip


def cases(needs: str) -> list[BadInput]:
    return [case for case in CASES if case.needs == needs]


def make_repo_copy(destination: Path, zips: str = "built") -> Path:
    """A checkout without state, sharing the project's virtualenv. zips: "built" copies dist/ (run the lambda_zips
    fixture first), "placeholders" writes empty files under the names the stack hashes (for commands that stop
    before Terraform), "none" leaves dist/ out as in a fresh clone."""
    ignore = shutil.ignore_patterns(".terraform", "harness_override.tf", "*.tfstate*", "__pycache__")
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    if zips == "built":
        shutil.copytree(REPO_ROOT / "dist", destination / "dist")
    elif zips == "placeholders":
        (destination / "dist").mkdir()
        for tf in (REPO_ROOT / "terraform").glob("*.tf"):
            for name in DIST_REFERENCE.findall(tf.read_text()):
                (destination / "dist" / name).touch()
    (destination / ".venv").symlink_to(REPO_ROOT / ".venv")
    return destination


@contextmanager
def busy_port() -> Iterator[int]:
    """A loopback port held by an HTTP server that is not an emulator (it answers 404 to everything)."""

    class NotAnEmulator(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotAnEmulator)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def environment(case: BadInput, values: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """The user's environment without settings that change what the commands do, plus the case's own.

    No credentials or config files from the machine, no instance metadata; EMULATOR_PORT points at a busy port, so
    a case that wrongly got as far as starting the emulator fails instead of starting one.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED) and k not in CLEARED_EXACT}
    ours = {
        "AWS_CONFIG_FILE": "{tmp}/no-aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "{tmp}/no-aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
        "EMULATOR_PORT": "{busy_port}",
    }
    # Only our templates are formatted: inherited values may hold braces of their own (CI sets such variables).
    templated = {k: v.format(**values) for k, v in (ours | dict(extra) | dict(case.env)).items()}
    return inherited | templated


def run(
    case: BadInput, repo: Path, tmp: Path, extra_env: Mapping[str, str] | None = None, **values: str
) -> subprocess.CompletedProcess[str]:
    """Run the case's command in the repository copy, as a user would (`extra_env` under the case's own)."""
    values = {"python": sys.executable, "tmp": str(tmp)} | values
    for name, content in case.files.items():
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    command = [part.format(**values) for part in case.command]
    env = environment(case, values, extra_env or {})
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False)


def check(case: BadInput, result: subprocess.CompletedProcess[str], **values: str) -> None:
    """Non-zero exit (the case's), no traceback, and exactly one problem line, holding the case's message."""
    message = case.message.format(**values)
    output = f"stderr:\n{result.stderr[-2000:]}\nstdout (end):\n{result.stdout[-500:]}"
    assert result.returncode == case.exit_code, f"got exit {result.returncode}, expected {case.exit_code}\n{output}"
    assert "Traceback" not in result.stderr + result.stdout, f"got a traceback\n{output}"
    problems = [line for line in result.stderr.splitlines() if PROBLEM_LINE.match(line)]
    assert len(problems) == 1, f"got {len(problems)} problem lines, expected one\n{output}"
    assert message in problems[0], f"got {problems[0]!r}, expected it to contain {message!r}"
