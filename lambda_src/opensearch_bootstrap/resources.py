"""What the domain should hold, as request bodies built from the settings and the repository's assets.

- The index template is the ingest package's `index_template.json` (one copy, bundled into this function's zip),
  with the settings' index pattern and, when ISM manages the indices, the rollover alias setting.
- The ISM policy rolls the write index over (age or size) and deletes indices `retention_days` after creation.
- The security role holds exactly what the ingest function's requests need: it sends only
  `POST /<index>/_bulk` with `index` actions (lambda_src/ingest_opensearch/bulk.py) and never reads, refreshes,
  deletes or calls cluster APIs. The bulk action itself is a cluster-level permission; its shard-level part
  (`indices:data/write/bulk[s]`) and each `index` item (`indices:data/write/index`) are index permissions.
  Without ISM rollover the index is created by the first write, which needs `create_index`
  (`indices:admin/create`, which the security plugin also checks for bulk's `indices:admin/auto_create`, and
  `indices:admin/mapping/put`). With rollover the bootstrap and ISM create every index, so the role cannot
  create one: a write while the alias is missing is refused (and retried by Kinesis) instead of creating a
  concrete index where the alias belongs.
- The audit configuration switches the security plugin's audit log on (the domain publishes it to CloudWatch
  Logs, but OpenSearch writes nothing until it is on): REST and transport events except the two that every
  successful request would add (AUTHENTICATED, GRANTED_PRIVILEGES), so failed logins, missing privileges,
  bad headers and security-configuration changes are logged, and bulk requests are not expanded per document.
- The Dashboards saved objects are `saved_objects.ndjson`, as OpenSearch Dashboards exports them.
- `api_requests` lists every request a run may send: the IAM policy that narrows the bootstrap (its role's
  policy, and the session policy of the master role it assumes; terraform/opensearch.tf) allows exactly these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ingest_opensearch.template import load_template
from opensearch_bootstrap.settings import Settings

SAVED_OBJECTS_FILE = Path(__file__).with_name("saved_objects.ndjson")
INDEX_PATTERN_ID = "retail-transactions"  # the saved index pattern whose title follows settings.index_pattern

INGEST_CLUSTER_PERMISSIONS = ("indices:data/write/bulk",)
INGEST_INDEX_ACTIONS = ("indices:data/write/bulk*", "indices:data/write/index")
INDEX_CREATION_ACTIONS = ("create_index",)  # only without ISM rollover
AUDIT_CATEGORIES_LEFT_OUT = ("AUTHENTICATED", "GRANTED_PRIVILEGES")  # one event per successful request each
SECURITY_API = "/_plugins/_security/api"
AUDIT_API = f"{SECURITY_API}/audit"
SAVED_OBJECTS_API = "/api/saved_objects"


def index_template(settings: Settings, rollover: bool) -> dict[str, Any]:
    """`PUT _index_template/<template_name>` body; with `rollover`, new indices name the alias ISM rolls over."""
    body = load_template()
    body["index_patterns"] = [settings.index_pattern]
    if rollover:
        index_settings = body.setdefault("template", {}).setdefault("settings", {}).setdefault("index", {})
        index_settings["plugins"] = {"index_state_management": {"rollover_alias": settings.index}}
    return body


def ism_policy(settings: Settings) -> dict[str, Any]:
    """`PUT _plugins/_ism/policies/<ism_policy_id>` body: hot (rollover) -> delete after retention_days."""
    return {
        "policy": {
            "description": (
                f"{settings.index_pattern}: roll the write index of alias {settings.index} over at "
                f"{settings.rollover_age} or {settings.rollover_size}, delete indices {settings.retention_days} "
                "days after creation (managed by opensearch_bootstrap)"
            ),
            "default_state": "hot",
            "states": [
                {
                    "name": "hot",
                    "actions": [
                        {"rollover": {"min_index_age": settings.rollover_age, "min_size": settings.rollover_size}}
                    ],
                    "transitions": [
                        {"state_name": "delete", "conditions": {"min_index_age": f"{settings.retention_days}d"}}
                    ],
                },
                {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
            ],
            # Attaches the policy to every index the rollover creates (and to the first one, created after it).
            "ism_template": [{"index_patterns": [f"{settings.index}-*"], "priority": 100}],
        }
    }


def write_index(settings: Settings) -> dict[str, Any]:
    """`PUT /<index>-000001` body: the first index, behind the write alias the ingest function writes to."""
    return {"aliases": {settings.index: {"is_write_index": True}}}


def ingest_role(settings: Settings, rollover: bool) -> dict[str, Any]:
    """`PUT _plugins/_security/api/roles/<role_name>` body; index creation only when no rollover creates them."""
    actions = [*INGEST_INDEX_ACTIONS, *(() if rollover else INDEX_CREATION_ACTIONS)]
    return {
        "description": "Kinesis ingest Lambda: bulk-index documents (managed by opensearch_bootstrap)",
        "cluster_permissions": list(INGEST_CLUSTER_PERMISSIONS),
        "index_permissions": [{"index_patterns": [settings.index_pattern], "allowed_actions": actions}],
    }


def ingest_role_mapping(settings: Settings) -> dict[str, Any]:
    """`PUT _plugins/_security/api/rolesmapping/<role_name>` body: the ingest function's IAM role, alone."""
    return {"backend_roles": [settings.ingest_role_arn], "hosts": [], "users": []}


def audit_config() -> dict[str, Any]:
    """The keys of `PUT _plugins/_security/api/audit/config` the bootstrap sets (the rest is kept as it is)."""
    return {
        "enabled": True,
        "audit": {
            "enable_rest": True,
            "disabled_rest_categories": list(AUDIT_CATEGORIES_LEFT_OUT),
            "enable_transport": True,
            "disabled_transport_categories": list(AUDIT_CATEGORIES_LEFT_OUT),
            "resolve_bulk_requests": False,
        },
        "compliance": {"enabled": True, "write_metadata_only": True},
    }


def api_requests(settings: Settings) -> list[tuple[str, str]]:
    """(method, path) of every request a run with these settings may send to the domain's endpoint."""
    template = f"/_index_template/{quote(settings.template_name)}"
    requests = [("GET", "/"), ("GET", "/_cat/plugins"), ("GET", template), ("PUT", template)]
    if settings.enable_ism:
        policy = f"/_plugins/_ism/policies/{quote(settings.ism_policy_id)}"
        requests += [("GET", policy), ("PUT", policy), ("GET", f"/_alias/{quote(settings.index)}"),
                     ("GET", f"/{quote(settings.index)}"), ("PUT", f"/{quote(settings.write_index)}")]  # fmt: skip
    if settings.access_control == "fine_grained":
        for collection in ("roles", "rolesmapping"):
            path = f"{SECURITY_API}/{collection}/{quote(settings.role_name)}"
            requests += [("GET", path), ("PUT", path)]
        if settings.enable_audit_log:
            requests += [("GET", AUDIT_API), ("PUT", f"{AUDIT_API}/config")]
    dashboards = settings.dashboards
    if settings.enable_dashboards and dashboards is not None and dashboards.endpoint == settings.endpoint:
        api = f"{dashboards.prefix}{SAVED_OBJECTS_API}"
        requests += [("POST", f"{api}/_bulk_get"), ("POST", f"{api}/_import")]
    return requests


def saved_objects(settings: Settings) -> list[dict[str, Any]]:
    """The Dashboards objects of saved_objects.ndjson, the index pattern's title set to the settings' pattern."""
    objects = [json.loads(line) for line in SAVED_OBJECTS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    for obj in objects:
        if obj["type"] == "index-pattern" and obj["id"] == INDEX_PATTERN_ID:
            obj["attributes"]["title"] = settings.index_pattern
    return objects


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    """The import file: one compact JSON object per line."""
    return "".join(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n" for obj in objects)
