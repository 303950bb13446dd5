"""The bootstrap Lambda deployed from its built zip on the emulator and invoked as Terraform's
`aws_lambda_invocation` does (synchronous Invoke with the event as payload; a FunctionError fails the apply).
OpenSearch is the local admin test double (tests/doubles/opensearch_admin.py): OpenSearch cannot run here and
MiniStack's OpenSearch is a control plane only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.bootstrap_support import INGEST_ROLE_ARN
from tests.doubles.opensearch_admin import OpenSearchAdminDouble
from tests.harness import random_prefix
from tests.lambda_support import create_role, deploy_function
from tools import build_lambdas

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def double():
    with OpenSearchAdminDouble() as server:  # the function signs with the emulator's per-account keys
        yield server


@pytest.fixture(scope="module")
def function(aws_client):
    name = random_prefix("bootstrap")
    lam, iam = aws_client("lambda"), aws_client("iam")
    zip_path = build_lambdas.build(build_lambdas.SOURCE_DIR / "opensearch_bootstrap")
    role = create_role(iam, f"{name}-role")
    env = {"POWERTOOLS_SERVICE_NAME": "opensearch-bootstrap", "LOG_LEVEL": "INFO"}
    deploy_function(lam, name, role, zip_path, "opensearch_bootstrap.handler.lambda_handler", env)
    yield name
    lam.delete_function(FunctionName=name)
    iam.delete_role(RoleName=f"{name}-role")


def invoke(aws_client, name: str, event: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    answer = aws_client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(answer["Payload"].read() or b"null"), answer.get("FunctionError")


def test_invocation_configures_the_domain_and_returns_the_summary(aws_client, function, double):
    # when
    result, error = invoke(aws_client, function, {"endpoint": double.url, "ingest_role_arn": INGEST_ROLE_ARN})
    # then
    assert error is None, f"got FunctionError {error}: {result}"
    assert (result["changed"], result["unchanged"]) == (9, 0), f"got {result}"
    assert double.mappings["retail_ingest"]["backend_roles"] == [INGEST_ROLE_ARN], f"got {double.mappings}"
    signed = {r.headers.get("authorization", "").split(" ")[0] for r in double.requests}
    assert signed == {"AWS4-HMAC-SHA256"}, f"got authorization schemes {signed}, expected SigV4 on every request"


def test_second_invocation_reports_everything_in_place(aws_client, function, double):
    invoke(aws_client, function, {"endpoint": double.url, "ingest_role_arn": INGEST_ROLE_ARN})
    result, error = invoke(aws_client, function, {"endpoint": double.url, "ingest_role_arn": INGEST_ROLE_ARN})
    assert error is None, f"got FunctionError {error}: {result}"
    assert (result["changed"], result["unchanged"]) == (0, 9), f"got {result['summary']}"


def test_bad_event_fails_the_invocation_with_the_reason(aws_client, function, double):
    result, error = invoke(aws_client, function, {"endpoint": double.url, "retention_days": "30"})
    assert error is not None, f"got no FunctionError: {result}"
    message = result.get("errorMessage", "")
    assert message.startswith("retention_days must be a whole number of days"), f"got {result}"
