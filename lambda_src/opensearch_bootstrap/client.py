"""Signed HTTP calls to the domain and to its Dashboards, with one-line errors.

Every request goes through opensearch-py's client built by the ingest package (`ingest_opensearch.bulk.
build_client`): SigV4 for service "es", with a botocore credentials object asked for current keys on every
request, so refreshable credentials (the Lambda role, an assumed master role) never go stale mid-run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError
from opensearchpy import ConnectionTimeout, OpenSearch, TransportError

from ingest_opensearch.bulk import build_client
from ingest_opensearch.config import Endpoint
from opensearch_bootstrap.settings import Settings

MAX_RETRIES = 2  # connection errors, timeouts and 502/503/504; every request here is idempotent
ROLE_SESSION_NAME = "opensearch-bootstrap"
_REACH_HINT = (
    "; check the endpoint (--endpoint) and that this machine reaches the domain (a VPC domain answers only inside "
    "its VPC)"
)
_ACCESS_HINT = (
    "; the bootstrap must sign as the domain's master user (or a role mapped to all_access and security_manager) "
    "and the domain access policy must allow it"
)


class BootstrapError(RuntimeError):
    """A request failed or the domain is in a state the bootstrap will not change; the message says which."""


@dataclass
class Api:
    """One HTTP API (the domain's REST API, or Dashboards' under its prefix) over a signing client."""

    client: OpenSearch
    base_url: str  # for messages only
    prefix: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any | None:
        """The decoded answer, or None when the resource does not exist (404)."""
        try:
            return self.request("GET", path, params=params)
        except _NotFound:
            return None

    def put(self, path: str, body: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("PUT", path, body=body, params=params)

    def post(
        self, path: str, body: Any, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        return self.request("POST", path, body=body, params=params, headers=headers)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        where = f"{method} {self.base_url}{self.prefix}{path}"
        try:
            return self.client.transport.perform_request(
                method, self.prefix + path, params=dict(params or {}) or None, body=body,
                headers={**self.headers, **(headers or {})} or None,
            )  # fmt: skip
        except ConnectionTimeout as exc:
            raise BootstrapError(f"{where} timed out ({exc.error}){_REACH_HINT}") from None
        except TransportError as exc:
            if exc.status_code == 404 and method == "GET":
                raise _NotFound(where) from exc
            if not isinstance(exc.status_code, int):  # no HTTP answer: connection, TLS or signing failure
                raise BootstrapError(f"{where} failed: {str(exc.error)[:500]}{_REACH_HINT}") from None
            hint = _ACCESS_HINT if exc.status_code in (401, 403) else ""
            raise BootstrapError(
                f"{where} answered HTTP {exc.status_code}: {reason(exc.info, exc.error)}{hint}"
            ) from None


class _NotFound(Exception):
    pass


def reason(info: Any, fallback: Any = "") -> str:
    """The explanation in an error answer of OpenSearch, its security plugin, Dashboards or AWS."""
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
            cause = error.get("caused_by")
            if isinstance(cause, dict):
                text += f" (caused by {cause.get('type')}: {cause.get('reason')})"
            return text[:500]
        for key in ("message", "Message", "reason"):
            if info.get(key):
                return f"{error + ': ' if isinstance(error, str) else ''}{info[key]}"[:500]
        if isinstance(error, str):
            return error[:500]
    return str(info or fallback)[:500]


def signing_credentials(settings: Settings, session: boto3.Session | None = None) -> Any:
    """The credentials to sign with: the caller's, or the master role's when master_role_arn is given (narrowed to
    this run's requests by session_policy_arn when it is given too)."""
    session = session or _session(settings.region)
    credentials = session.get_credentials()
    if credentials is None:
        raise BootstrapError(
            "no AWS credentials found to sign the requests: run with a role or profile (AWS_PROFILE, "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the Lambda execution role)"
        )
    if settings.master_role_arn is None:
        return credentials
    sts = session.client("sts", region_name=settings.region)
    return assumed_role_credentials(sts, settings.master_role_arn, settings.session_policy_arn)


def _session(region: str) -> boto3.Session:
    """A session whose STS client uses the regional endpoint (sts.<region>.amazonaws.com), whatever the SDK's
    default: in a VPC without internet access, the STS interface endpoint answers only under that name."""
    core = botocore.session.get_session()
    core.set_config_variable("sts_regional_endpoints", "regional")
    return boto3.Session(botocore_session=core, region_name=region)


def assumed_role_credentials(sts: Any, role_arn: str, policy_arn: str | None = None) -> RefreshableCredentials:
    """Credentials of the assumed role, renewed by botocore (AssumeRole again) shortly before they expire.

    `policy_arn` names a managed policy passed as a session policy: the session may do only what both the role
    and that policy allow (for a role named in a resource's policy, such as the domain's access policy, what the
    resource policy grants it is limited the same way).
    """
    narrowed = {"PolicyArns": [{"arn": policy_arn}]} if policy_arn else {}

    def fetch() -> dict[str, str]:
        try:
            answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME, **narrowed)["Credentials"]
        except (ClientError, BotoCoreError) as exc:
            raise BootstrapError(f"could not assume master_role_arn {role_arn}: {exc}") from None
        return {
            "access_key": answer["AccessKeyId"],
            "secret_key": answer["SecretAccessKey"],
            "token": answer["SessionToken"],
            "expiry_time": answer["Expiration"].isoformat(),
        }

    return RefreshableCredentials.create_from_metadata(metadata=fetch(), refresh_using=fetch, method="sts-assume-role")


def connect(settings: Settings, credentials: Any) -> tuple[Api, Api | None]:
    """The domain's API, and Dashboards' (None when dashboards are not configured by this run)."""
    # opensearch-py logs every non-2xx answer as a warning; a 404 is how the bootstrap learns something is
    # missing, and real failures surface as BootstrapError, so only its errors are worth showing.
    logging.getLogger("opensearch").setLevel(logging.ERROR)
    opensearch = Api(_client(settings.endpoint, settings, credentials), settings.endpoint.url)
    if not settings.enable_dashboards or settings.dashboards is None:
        return opensearch, None
    location = settings.dashboards
    same_host = location.endpoint == settings.endpoint
    client = opensearch.client if same_host else _client(location.endpoint, settings, credentials)
    headers = {"osd-xsrf": "true"} | (
        {"securitytenant": settings.dashboards_tenant} if settings.dashboards_tenant else {}
    )
    return opensearch, Api(client, location.endpoint.url, location.prefix, headers)


def _client(endpoint: Endpoint, settings: Settings, credentials: Any) -> OpenSearch:
    return build_client(
        endpoint, settings.region, settings.timeout_seconds, credentials=credentials, max_retries=MAX_RETRIES
    )
