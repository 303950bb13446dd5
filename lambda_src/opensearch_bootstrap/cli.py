"""`python -m opensearch_bootstrap --endpoint https://<domain> --ingest-role-arn arn:... [--dry-run]` (with
lambda_src on the path): the function's work from a machine that reaches the domain. Each flag is the event
field of the same name (dashes for underscores); one validation path serves both."""

from __future__ import annotations

import argparse
import enum
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from opensearch_bootstrap.bootstrap import StepFailed, Summary, run
from opensearch_bootstrap.client import BootstrapError, connect, signing_credentials
from opensearch_bootstrap.settings import ACCESS_CONTROL_MODES, ConfigError, Settings

PROG = "opensearch_bootstrap"


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line: `<prog>: error: <what>; see --help`."""

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"{PROG}: error: {message}; see python -m opensearch_bootstrap --help\n")


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Configure an OpenSearch domain for the retail pipeline (index template, ISM policy and write "
        "alias, ingest role mapping, Dashboards objects); idempotent: a re-run changes only what differs.",
    )
    add = parser.add_argument
    add("--endpoint", required=True, help="the domain endpoint, https://<host> or a bare host")
    add("--region", help="region for SigV4 signing (default: $AWS_REGION, else $AWS_DEFAULT_REGION)")
    add("--ingest-role-arn", help="IAM role ARN of the ingest function, mapped as a backend role")
    add("--index", help="index (write alias) the ingest function writes to (default: retail)")
    add("--index-pattern", help="pattern of the retail indices (default: retail*)")
    add("--template-name", help="index template name (default: retail)")
    add("--no-ism", dest="enable_ism", action="store_false", default=None, help="no ISM policy, no write alias")
    add("--ism-policy-id", help="ISM policy id (default: retail-rollover-retention)")
    add("--retention-days", type=int, help="delete indices this many days after creation (default: 30)")
    add("--rollover-age", help="roll the write index over at this age (default: 1d)")
    add("--rollover-size", help="... or at this size (default: 30gb)")
    add("--access-control", choices=ACCESS_CONTROL_MODES, help="fine_grained (default): create and map the role; "
        "iam: the domain has no fine-grained access control, skip both")  # fmt: skip
    add("--role-name", help="OpenSearch security role for the ingest function (default: retail_ingest)")
    add("--master-role-arn", help="assume this IAM role (the domain's master user) to sign the requests")
    add("--session-policy-arn", help="with --master-role-arn: a managed IAM policy that limits the assumed session "
        "(terraform/opensearch.tf makes one allowing exactly the bootstrap's requests)")  # fmt: skip
    add("--no-audit-log", dest="enable_audit_log", action="store_false", default=None,
        help="leave the security plugin's audit logging as it is")  # fmt: skip
    add("--no-dashboards", dest="enable_dashboards", action="store_false", default=None, help="skip saved objects")
    add("--dashboards-url", help="Dashboards base URL (default: <endpoint>/_dashboards)")
    add("--dashboards-tenant", help="Dashboards tenant of the saved objects (default: global; '' sends no header)")
    add("--timeout-seconds", type=float, help="per request (default: 30)")
    add("--dry-run", action="store_true", default=None, help="read the domain and report what would change")
    add("--allow-http", action="store_true", default=None, help="accept an http:// endpoint on another host (a test "
        "double); requests are signed, so never for a real domain (loopback hosts need no flag)")  # fmt: skip
    add("--json", action="store_true", help="print the summary as JSON (the Lambda function's result)")
    add("--debug", action="store_true", help="show a traceback on unexpected errors")
    return parser


EVENT_FIELDS = (
    "endpoint", "region", "ingest_role_arn", "index", "index_pattern", "template_name", "enable_ism",
    "ism_policy_id", "retention_days", "rollover_age", "rollover_size", "access_control", "role_name",
    "master_role_arn", "enable_dashboards", "dashboards_url", "dashboards_tenant", "timeout_seconds", "dry_run",
    "allow_http", "session_policy_arn", "enable_audit_log",
)  # fmt: skip


def to_event(args: argparse.Namespace) -> dict[str, Any]:
    """The flags given, as the function's event."""
    return {name: getattr(args, name) for name in EVENT_FIELDS if getattr(args, name) is not None}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_event(to_event(args))
    except ConfigError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    try:
        summary = run(settings, *connect(settings, signing_credentials(settings)))
    except StepFailed as exc:
        if exc.summary.steps:  # what was done before the failure
            _print(exc.summary, args.json)
        return _fail(str(exc), ExitCode.ERROR)
    except BootstrapError as exc:
        return _fail(str(exc), ExitCode.ERROR)
    except KeyboardInterrupt:
        return _fail("interrupted; run again: every step is idempotent", ExitCode.INTERRUPTED)
    except Exception as exc:
        if args.debug:
            raise
        return _fail(f"unexpected {type(exc).__name__}: {exc}; re-run with --debug for a traceback", ExitCode.ERROR)
    _print(summary, args.json)
    return ExitCode.OK


def _print(summary: Summary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.as_dict(), indent=2))
        return
    for step in summary.steps:
        print(step.line())
    print(summary.headline())


def _fail(message: str, code: ExitCode) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
