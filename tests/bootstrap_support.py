"""Helpers for the OpenSearch bootstrap tests: settings and a run against the admin test double."""

from __future__ import annotations

import json
from typing import Any

import boto3

from opensearch_bootstrap.bootstrap import Summary, run
from opensearch_bootstrap.client import connect
from opensearch_bootstrap.settings import Settings
from tests.doubles.opensearch_admin import OpenSearchAdminDouble

ACCESS_KEY, SECRET_KEY = "AKIDBOOTSTRAP", "secret-bootstrap"
CREDENTIALS = {ACCESS_KEY: (SECRET_KEY, None)}
INGEST_ROLE_ARN = "arn:aws:iam::123456789012:role/retail-ingest"
REGION = "us-east-1"


def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)


def event_for(double: OpenSearchAdminDouble, **fields: Any) -> dict[str, Any]:
    return {"endpoint": double.url, "region": REGION, "ingest_role_arn": INGEST_ROLE_ARN} | fields


def settings_for(double: OpenSearchAdminDouble, **fields: Any) -> Settings:
    return Settings.from_event(event_for(double, **fields))


def bootstrap(double: OpenSearchAdminDouble, credentials: Any = None, **fields: Any) -> Summary:
    """One run against the double, signed with the test keys (or the given credentials object)."""
    settings = settings_for(double, **fields)
    return run(settings, *connect(settings, credentials or session().get_credentials()))


def statuses(summary: Summary) -> dict[str, str]:
    return {f"{s.kind} {s.name}": s.status.value for s in summary.steps}


def body(request: Any) -> Any:
    return json.loads(request.body)
