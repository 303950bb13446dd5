"""The bootstrap against a real OpenSearch, when one is given: OPENSEARCH_URL (an https domain endpoint signed
with SigV4 from the usual AWS credentials, or an http endpoint such as a local container). No OpenSearch can
run here, so without OPENSEARCH_URL this module is skipped with that reason.

Everything it creates has a random name (template, ISM policy, alias and indices, role) and is deleted
afterwards. OPENSEARCH_FINE_GRAINED=1 also creates and maps a security role (the credentials must be the
domain's master user); OPENSEARCH_DASHBOARDS_URL (e.g. https://<domain>/_dashboards) also imports the saved
objects — their ids are the product's, so use a test domain for that. OPENSEARCH_AUDIT=1 also switches the
security plugin's audit logging on (a domain-wide setting that is not undone afterwards: a test domain again).
An http:// OPENSEARCH_URL on another host is accepted as the explicit opt-in (allow_http) of a test run.
"""

from __future__ import annotations

import os

import boto3
import pytest

from ingest_opensearch.bulk import index_documents
from ingest_opensearch.records import Document, document_id
from opensearch_bootstrap.bootstrap import Summary, run
from opensearch_bootstrap.client import Api, connect, signing_credentials
from opensearch_bootstrap.settings import Settings
from tests.harness import random_prefix, wait_for
from tests.lambda_support import sample_record

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "").strip()
FINE_GRAINED = os.environ.get("OPENSEARCH_FINE_GRAINED", "") == "1"
DASHBOARDS_URL = os.environ.get("OPENSEARCH_DASHBOARDS_URL", "").strip()
AUDIT = os.environ.get("OPENSEARCH_AUDIT", "") == "1"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not OPENSEARCH_URL, reason="OPENSEARCH_URL is not set: no real OpenSearch to bootstrap"),
]


@pytest.fixture(scope="module")
def settings() -> Settings:
    name = random_prefix("retail-it-")
    event = {
        "endpoint": OPENSEARCH_URL,
        "region": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        "index": name,
        "index_pattern": f"{name}*",
        "template_name": name,
        "ism_policy_id": name,
        "retention_days": 1,
        "role_name": name.replace("-", "_"),
        "access_control": "fine_grained" if FINE_GRAINED else "iam",
        "ingest_role_arn": "arn:aws:iam::123456789012:role/retail-bootstrap-test" if FINE_GRAINED else None,
        "enable_dashboards": bool(DASHBOARDS_URL),
        "dashboards_url": DASHBOARDS_URL or None,
        "enable_audit_log": FINE_GRAINED and AUDIT,
        "allow_http": OPENSEARCH_URL.startswith("http://"),
    }
    return Settings.from_event({k: v for k, v in event.items() if v is not None})


@pytest.fixture(scope="module")
def apis(settings):
    opensearch, dashboards = connect(settings, signing_credentials(settings, boto3.Session()))
    yield opensearch, dashboards
    cleanup(settings, opensearch)


@pytest.fixture(scope="module")
def first_run(settings, apis) -> Summary:
    return run(settings, *apis)


def cleanup(settings: Settings, opensearch: Api) -> None:
    paths = [
        f"/{settings.write_index}",
        f"/{settings.index}",  # a concrete index when the domain has no ISM (created by the first write)
        f"/_index_template/{settings.template_name}",
        f"/_plugins/_ism/policies/{settings.ism_policy_id}",
        f"/_plugins/_security/api/rolesmapping/{settings.role_name}",
        f"/_plugins/_security/api/roles/{settings.role_name}",
    ]
    for path in paths:
        try:
            opensearch.request("DELETE", path)
        except Exception as exc:  # best effort: report and go on with the rest
            print(f"cleanup: DELETE {path}: {exc}")


def test_real_first_run_changes_every_item_it_manages(first_run):
    # the audit configuration is the domain's own: switched on now (updated) or already on (unchanged)
    managed = [s for s in first_run.steps if s.kind != "audit_log"]
    not_changed = [s.line() for s in managed if s.status.value not in ("created", "skipped")]
    assert not not_changed, f"got {not_changed}, expected every managed item created on a fresh name"


def test_real_second_run_changes_nothing(settings, apis, first_run):
    second = run(settings, *apis)
    changed = [s.line() for s in second.steps if s.status.changes]
    assert not changed, f"got {changed} on the second run, expected everything already in place"


def test_real_write_index_is_managed_by_the_policy(settings, apis, first_run):
    opensearch, _ = apis
    if not any(s.kind == "write_alias" and s.status.value == "created" for s in first_run.steps):
        pytest.skip("the domain has no ISM plugin: no write alias to check")

    def attached_policy() -> str | None:  # ISM attaches policies to new indices asynchronously
        explained = (opensearch.get(f"/_plugins/_ism/explain/{settings.write_index}") or {}).get(settings.write_index)
        return (explained or {}).get("index.plugins.index_state_management.policy_id")

    policy = wait_for(attached_policy, timeout=60, interval=2, what=f"ISM to manage {settings.write_index}")
    assert policy == settings.ism_policy_id, f"got policy {policy}, expected {settings.ism_policy_id}"


def test_real_documents_written_to_the_alias_land_in_the_write_index(settings, apis, first_run):
    opensearch, _ = apis
    records = [sample_record(i, "boot") for i in range(5)]
    results = index_documents(opensearch.client, settings.index, [Document(document_id(r), r) for r in records],
                              1000, 5 * 1024 * 1024)  # fmt: skip
    assert {r.outcome.value for r in results} == {"indexed"}, f"got {results}"
    opensearch.client.indices.refresh(index=settings.index)
    count = opensearch.client.count(index=settings.index)["count"]
    assert count == 5, f"got {count} documents behind {settings.index}, expected 5"
