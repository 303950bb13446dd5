"""A local HTTP test double of the OpenSearch and Dashboards APIs the bootstrap uses, for tests only.

OpenSearch and OpenSearch Dashboards cannot run here (no package on PyPI, npm or Debian; no Docker), so this
double extends the bulk double (tests/doubles/opensearch_bulk.py: SigV4 verification, request recording, fault
injection) with what the bootstrap calls, answering as the real APIs do, including what a server adds or
normalises on its own — the reason the bootstrap compares only the keys it sets:

- `GET /`, `GET /_cat/plugins?format=json` (the components are a constructor argument);
- index templates: `GET|PUT /_index_template/<name>`; stored settings come back nested with string values;
- ISM: `GET|PUT /_plugins/_ism/policies/<id>`, with `_seq_no`/`_primary_term` and 409 on a missing or stale
  `if_seq_no`/`if_primary_term`; the stored policy gains `policy_id`, `last_updated_time`, `schema_version`,
  `error_notification` and a default `retry` per action; `ism_template` attaches the policy to new indices;
- indices and aliases: `GET /_alias/<alias>`, `GET /<index>`, `PUT /<index>` with `aliases`; a new index gets the
  settings of the matching template with the highest priority;
- security: `GET|PUT /_plugins/_security/api/roles/<name>` and `.../rolesmapping/<name>` (unknown keys rejected,
  `fls`/`masked_fields`/`reserved`/... added, a mapping needs its role to exist);
- audit logging: `GET /_plugins/_security/api/audit` (`_readonly` and `config`, off as on a new Amazon OpenSearch
  Service domain, category lists in no fixed order) and `PUT /_plugins/_security/api/audit/config`, which
  replaces the whole configuration as the security plugin's AuditApiAction does: only `enabled`, `audit` and
  `compliance` at the top, unknown keys or categories refused (400), keys left out reset to their defaults, and
  409 for a change to a read-only path;
- Dashboards under `/_dashboards`: `POST /api/saved_objects/_bulk_get` and `POST /api/saved_objects/_import`
  (multipart form, `osd-xsrf` header required, references checked, objects kept per `securitytenant`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from email.parser import BytesParser
from email.policy import HTTP
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.doubles.opensearch_bulk import OpenSearchBulkDouble, Recorded

ISM = "opensearch-index-management"
SECURITY = "opensearch-security"
DASHBOARDS = "/_dashboards"
ROLE_KEYS = {"description", "cluster_permissions", "index_permissions", "tenant_permissions"}
INDEX_PERMISSION_KEYS = {"index_patterns", "fls", "masked_fields", "allowed_actions", "dls"}
MAPPING_KEYS = {"description", "backend_roles", "hosts", "users", "and_backend_roles"}
SAVED_OBJECT_TYPES = {"index-pattern", "visualization", "dashboard", "search", "config"}
JSON_ATTRIBUTES = ("visState", "panelsJSON", "optionsJSON", "uiStateJSON")
# The security plugin's audit configuration: its defaults (AuditConfig, ComplianceConfig), the categories each
# layer may leave out, and the paths Amazon OpenSearch Service keeps read-only.
AUDIT_DEFAULTS: dict[str, Any] = {
    "enabled": False,  # Amazon OpenSearch Service: audit logging is off until someone switches it on
    "audit": {
        "enable_rest": True,
        "disabled_rest_categories": ["AUTHENTICATED", "GRANTED_PRIVILEGES"],
        "enable_transport": True,
        "disabled_transport_categories": ["AUTHENTICATED", "GRANTED_PRIVILEGES"],
        "resolve_bulk_requests": False,
        "log_request_body": True,
        "resolve_indices": True,
        "exclude_sensitive_headers": True,
        "ignore_users": ["kibanaserver"],
        "ignore_requests": [],
    },
    "compliance": {
        "enabled": True,
        "internal_config": True,
        "external_config": False,
        "read_metadata_only": True,
        "read_watched_fields": {},
        "read_ignore_users": ["kibanaserver"],
        "write_metadata_only": True,
        "write_log_diffs": False,
        "write_watched_indices": [],
        "write_ignore_users": ["kibanaserver"],
    },
}
AUDIT_READONLY = ["/audit/exclude_sensitive_headers", "/compliance/internal_config", "/compliance/external_config"]
REST_CATEGORIES = {"BAD_HEADERS", "SSL_EXCEPTION", "AUTHENTICATED", "FAILED_LOGIN", "GRANTED_PRIVILEGES",
                   "MISSING_PRIVILEGES"}  # fmt: skip
TRANSPORT_CATEGORIES = REST_CATEGORIES | {"INDEX_EVENT", "OPENDISTRO_SECURITY_INDEX_ATTEMPT",
                                          "CLUSTER_SETTINGS_CHANGED", "INDEX_SETTINGS_CHANGED"}  # fmt: skip
NOW_MS = 1_764_324_000_000


class OpenSearchAdminDouble(OpenSearchBulkDouble):
    """`with OpenSearchAdminDouble(components=...) as double:`; state in templates, policies, indices, roles,
    mappings and saved_objects (keyed by (tenant, type, id))."""

    def __init__(
        self, components: Iterable[str] = (ISM, SECURITY), dashboards_prefix: str = DASHBOARDS, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.components = list(components)
        self.dashboards_prefix = dashboards_prefix  # "" for a double standing in for a Dashboards host of its own
        self.templates: dict[str, dict[str, Any]] = {}
        self.policies: dict[str, dict[str, Any]] = {}  # id -> {"policy", "seq_no", "primary_term"}
        self.indices: dict[str, dict[str, Any]] = {}  # name -> {"aliases", "settings", "policy_id"}
        self.roles: dict[str, dict[str, Any]] = {}
        self.mappings: dict[str, dict[str, Any]] = {}
        self.saved_objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.audit: dict[str, Any] = json.loads(json.dumps(AUDIT_DEFAULTS))
        self._seq_no = 0

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        handler = super()._handler_class()
        handler.disable_nagle_algorithm = True  # one round trip per answer, not a 40 ms delayed-ACK stall
        return handler

    def writes(self) -> list[Recorded]:
        """The requests that could change something: all but GETs and Dashboards' bulk reads."""
        return [r for r in self.requests if r.method != "GET" and not r.path.endswith("/_bulk_get")]

    # --- routing -------------------------------------------------------------------------------------

    def _route(self, method: str, path: str, recorded: Recorded) -> tuple[int, Any]:
        body = _json(recorded.body)
        with self._lock:
            if path.startswith(self.dashboards_prefix + "/api/"):
                return self._dashboards(method, path[len(self.dashboards_prefix) :], recorded)
            if method == "GET" and path == "/_cat/plugins":
                return 200, [{"name": "node-1", "component": c, "version": "2.19.0.0"} for c in self.components]
            if path.startswith("/_index_template/"):
                return self._template(method, path.split("/")[2], body)
            if path.startswith("/_plugins/_ism/policies/"):
                if ISM not in self.components:
                    return 400, {"error": f"no handler found for uri [{path}] and method [{method}]"}
                return self._policy(method, path.split("/")[4], body, recorded.query)
            if path in ("/_plugins/_security/api/audit", "/_plugins/_security/api/audit/config"):
                return self._audit(method, path, recorded.body)
            if path.startswith("/_plugins/_security/api/"):
                _, _, _, _, kind, name = path.split("/")
                return self._security(method, kind, name, body)
            if method == "GET" and path.startswith("/_alias/"):
                return self._alias(path.split("/")[2])
            if path.count("/") == 1 and path != "/" and not path.startswith("/_"):
                return self._index(method, path[1:], body)
        return super()._route(method, path, recorded)

    # --- index templates -------------------------------------------------------------------------------

    def _template(self, method: str, name: str, body: Any) -> tuple[int, Any]:
        if method == "PUT":
            if not isinstance(body, dict) or not body.get("index_patterns"):
                return 400, _error("action_request_validation_exception", "index patterns are missing")
            stored = json.loads(json.dumps(body))
            template = stored.setdefault("template", {})
            if "settings" in template:
                template["settings"] = _stored_settings(template["settings"])
            stored.setdefault("composed_of", [])
            self.templates[name] = stored
            return 200, {"acknowledged": True}
        if name not in self.templates:
            return 404, _error("resource_not_found_exception", f"index template matching [{name}] not found", 404)
        return 200, {"index_templates": [{"name": name, "index_template": self.templates[name]}]}

    # --- ISM ---------------------------------------------------------------------------------------------

    def _policy(self, method: str, policy_id: str, body: Any, query: Mapping[str, list[str]]) -> tuple[int, Any]:
        current = self.policies.get(policy_id)
        if method == "GET":
            if current is None:
                return 404, _error("status_exception", "Policy not found", 404)
            return 200, self._policy_document(policy_id, current)
        seq_no, term = query.get("if_seq_no", [None])[0], query.get("if_primary_term", [None])[0]
        if current is None and seq_no is not None:
            return 404, _error("document_missing_exception", f"[{policy_id}]: document missing", 404)
        if current is not None and (seq_no, term) != (str(current["seq_no"]), str(current["primary_term"])):
            reason = f"[{policy_id}]: version conflict, required seqNo [{seq_no}], primary term [{term}]"
            return 409, _error("version_conflict_engine_exception", reason, 409)
        policy = body.get("policy") if isinstance(body, dict) else None
        states = {s.get("name") for s in (policy or {}).get("states", [])}
        if not policy or policy.get("default_state") not in states:
            return 400, _error("illegal_argument_exception", "the policy needs states and a default_state among them")
        self._seq_no += 1
        stored = _stored_policy(policy_id, policy)
        self.policies[policy_id] = {"policy": stored, "seq_no": self._seq_no, "primary_term": 1}
        return (201 if current is None else 200), self._policy_document(policy_id, self.policies[policy_id])

    @staticmethod
    def _policy_document(policy_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        return {"_id": policy_id, "_version": entry["seq_no"] + 1, "_seq_no": entry["seq_no"],
                "_primary_term": entry["primary_term"], "policy": entry["policy"]}  # fmt: skip

    # --- indices and aliases -----------------------------------------------------------------------------

    def _alias(self, alias: str) -> tuple[int, Any]:
        found = {i: {"aliases": {alias: d["aliases"][alias]}} for i, d in self.indices.items() if alias in d["aliases"]}
        if not found:
            return 404, {"error": f"alias [{alias}] missing", "status": 404}
        return 200, found

    def _index(self, method: str, name: str, body: Any) -> tuple[int, Any]:
        if method == "GET":
            names = [name] if name in self.indices else [i for i, d in self.indices.items() if name in d["aliases"]]
            if not names:
                return 404, _error("index_not_found_exception", f"no such index [{name}]", 404)
            return 200, {
                i: {"aliases": self.indices[i]["aliases"], "settings": self.indices[i]["settings"]} for i in names
            }
        if method != "PUT":
            return 405, _error("method_not_allowed", f"{method} /{name}", 405)
        if name in self.indices or any(name in d["aliases"] for d in self.indices.values()):
            return 400, _error("resource_already_exists_exception", f"index [{name}] already exists")
        aliases = (body or {}).get("aliases", {})
        clash = [a for a in aliases if a in self.indices]
        if clash:
            return 400, _error(
                "invalid_alias_name_exception", f"an index exists with the same name as the alias [{clash[0]}]"
            )
        self.indices[name] = {"aliases": aliases, "settings": self._template_settings(name), "policy_id": None}
        self.indices[name]["policy_id"] = self._matching_policy(name)
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _template_settings(self, index: str) -> dict[str, Any]:
        matching = [t for t in self.templates.values() if any(fnmatchcase(index, p) for p in t["index_patterns"])]
        if not matching:
            return {}
        best = max(matching, key=lambda t: t.get("priority", 0))
        return best.get("template", {}).get("settings", {})

    def _matching_policy(self, index: str) -> str | None:
        candidates = [
            (template.get("priority", 0), policy_id)
            for policy_id, entry in self.policies.items()
            for template in entry["policy"].get("ism_template") or []
            if any(fnmatchcase(index, p) for p in template.get("index_patterns", []))
        ]
        return max(candidates)[1] if candidates else None

    # --- security ----------------------------------------------------------------------------------------

    def _security(self, method: str, kind: str, name: str, body: Any) -> tuple[int, Any]:
        if SECURITY not in self.components:
            return 400, {"error": f"no handler found for uri [/_plugins/_security/api/{kind}/{name}]"}
        store = {"roles": self.roles, "rolesmapping": self.mappings}.get(kind)
        if store is None:
            return 400, {"status": "BAD_REQUEST", "message": f"unknown resource {kind}"}
        if method == "GET":
            if name not in store:
                return 404, {"status": "NOT_FOUND", "message": f"Resource '{name}' not found."}
            return 200, {name: store[name]}
        if not isinstance(body, dict):
            return 400, {"status": "error", "reason": "Request body required for this action."}
        allowed = ROLE_KEYS if kind == "roles" else MAPPING_KEYS
        invalid = sorted(set(body) - allowed)
        if kind == "roles":
            invalid += sorted({k for p in body.get("index_permissions", []) for k in p} - INDEX_PERMISSION_KEYS)
        if invalid:
            return 400, {
                "status": "error",
                "reason": "Invalid configuration",
                "invalid_keys": {"keys": ",".join(invalid)},
            }
        if kind == "rolesmapping" and name not in self.roles:
            return 404, {"status": "NOT_FOUND", "message": f"Role '{name}' is not available for role-mapping."}
        existed = name in store
        store[name] = _stored_role(body) if kind == "roles" else _stored_mapping(body)
        if existed:
            return 200, {"status": "OK", "message": f"'{name}' updated."}
        return 201, {"status": "CREATED", "message": f"'{name}' created."}

    # --- audit logging -----------------------------------------------------------------------------------

    def _audit(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        if SECURITY not in self.components:
            return 400, {"error": f"no handler found for uri [{path}] and method [{method}]"}
        if (method, path) == ("GET", "/_plugins/_security/api/audit"):
            config = json.loads(json.dumps(self.audit))
            for layer in ("rest", "transport"):  # a set inside the plugin: the order is not the one written
                config["audit"][f"disabled_{layer}_categories"].sort(reverse=True)
            return 200, {"_readonly": AUDIT_READONLY, "config": config}
        if (method, path) != ("PUT", "/_plugins/_security/api/audit/config"):
            return 405, {"status": "METHOD_NOT_ALLOWED", "message": f"Method {method} not supported for this action."}
        body = _json(raw)
        if not isinstance(body, dict):
            return 400, {"status": "error", "reason": "Request body required for this action."}
        invalid = sorted(set(body) - {"enabled", "audit", "compliance"})
        if invalid:
            return 400, {
                "status": "error",
                "reason": "Invalid configuration",
                "invalid_keys": {"keys": ",".join(invalid)},
            }
        stored = _stored_audit(body)
        if stored is None:
            return 400, {"status": "error", "reason": "Could not parse content of request."}
        changed = [p for p in AUDIT_READONLY if _at(stored, p) != _at(self.audit, p)]
        if changed:
            return 409, {"status": "CONFLICT", "message": "Attempted to update read-only property."}
        self.audit = stored
        return 200, {"status": "OK", "message": "'config' updated."}

    # --- Dashboards ----------------------------------------------------------------------------------------

    def _dashboards(self, method: str, path: str, recorded: Recorded) -> tuple[int, Any]:
        if method == "POST" and recorded.headers.get("osd-xsrf") is None:
            return 400, {
                "statusCode": 400,
                "error": "Bad Request",
                "message": "Request must contain a osd-xsrf header.",
            }
        tenant = recorded.headers.get("securitytenant", "")
        if method == "POST" and path == "/api/saved_objects/_bulk_get":
            wanted = _json(recorded.body) or []
            return 200, {"saved_objects": [self._saved_object(tenant, w.get("type"), w.get("id")) for w in wanted]}
        if method == "POST" and path == "/api/saved_objects/_import":
            overwrite = recorded.query.get("overwrite", ["false"])[0] == "true"
            return self._import(tenant, recorded, overwrite)
        return 404, {"statusCode": 404, "error": "Not Found", "message": f"{method} {self.dashboards_prefix}{path}"}

    def _saved_object(self, tenant: str, kind: str | None, object_id: str | None) -> dict[str, Any]:
        stored = self.saved_objects.get((tenant, str(kind), str(object_id)))
        if stored is None:
            message = f"Saved object [{kind}/{object_id}] not found"
            return {
                "id": object_id,
                "type": kind,
                "error": {"statusCode": 404, "error": "Not Found", "message": message},
            }
        return stored

    def _import(self, tenant: str, recorded: Recorded, overwrite: bool) -> tuple[int, Any]:
        content_type = recorded.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return 415, {"statusCode": 415, "error": "Unsupported Media Type", "message": content_type}
        form = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + recorded.body)
        files = [p for p in form.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
        if len(files) != 1 or not str(files[0].get_filename() or "").endswith(".ndjson"):
            return 400, {"statusCode": 400, "error": "Bad Request", "message": "expected one .ndjson file field"}
        try:
            objects = [json.loads(line) for line in files[0].get_payload(decode=True).decode().splitlines() if line]
            for obj in objects:
                _check_saved_object(obj)
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {"statusCode": 400, "error": "Bad Request", "message": f"invalid saved object: {exc}"}
        errors = self._import_errors(tenant, objects, overwrite)
        if errors:
            return 200, {"success": False, "successCount": 0, "errors": errors}
        for obj in objects:
            self._seq_no += 1
            server_fields = {"updated_at": "2026-11-28T10:00:00.000Z", "version": f"Wz{self._seq_no},MV0="}
            self.saved_objects[(tenant, obj["type"], obj["id"])] = obj | server_fields | {"namespaces": ["default"]}
        results = [{"type": o["type"], "id": o["id"], "meta": {"title": o["attributes"]["title"]}} for o in objects]
        return 200, {"success": True, "successCount": len(objects), "successResults": results}

    def _import_errors(self, tenant: str, objects: list[dict[str, Any]], overwrite: bool) -> list[dict[str, Any]]:
        in_file = {(o["type"], o["id"]) for o in objects}
        errors = []
        for obj in objects:
            key = (obj["type"], obj["id"])
            known = in_file | {(t, i) for (owner, t, i) in self.saved_objects if owner == tenant}
            missing = [r for r in obj.get("references", []) if (r["type"], r["id"]) not in known]
            error: dict[str, Any] | None = None
            if missing:
                error = {
                    "type": "missing_references",
                    "references": [{"type": r["type"], "id": r["id"]} for r in missing],
                }
            elif not overwrite and (tenant, *key) in self.saved_objects:
                error = {"type": "conflict"}
            if error:
                errors.append(
                    {"type": obj["type"], "id": obj["id"], "title": obj["attributes"].get("title"), "error": error}
                )
        return errors


# --- what the servers add or normalise ----------------------------------------------------------------------


def _json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _error(kind: str, reason: str, status: int = 400) -> dict[str, Any]:
    return {
        "error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
        "status": status,
    }


def _stored_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings as OpenSearch returns them: flattened to `index.*` keys, string values, then nested again."""
    flat: dict[str, str] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else key)
        else:
            key = prefix if prefix.startswith("index.") else f"index.{prefix}"
            flat[key] = json.dumps(value) if isinstance(value, bool) else str(value)

    walk(settings, "")
    nested: dict[str, Any] = {}
    for key, value in sorted(flat.items()):
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _stored_policy(policy_id: str, policy: dict[str, Any]) -> dict[str, Any]:
    stored = json.loads(json.dumps(policy))
    for state in stored["states"]:
        for action in state.get("actions", []):
            action.setdefault("retry", {"count": 3, "backoff": "exponential", "delay": "1m"})
            if "rollover" in action:
                action["rollover"].setdefault("copy_alias", False)
    for template in stored.get("ism_template") or []:
        template["last_updated_time"] = NOW_MS
    return {
        "policy_id": policy_id,
        "last_updated_time": NOW_MS,
        "schema_version": 21,
        "error_notification": None,
    } | stored


def _stored_audit(body: dict[str, Any]) -> dict[str, Any] | None:
    """The configuration a PUT leaves, as the plugin parses it: keys left out take their defaults; None when a
    key or a category is unknown (the plugin then answers 400)."""
    stored: dict[str, Any] = {"enabled": body.get("enabled", True)}
    for section in ("audit", "compliance"):
        given = body.get(section, {})
        defaults = AUDIT_DEFAULTS[section]
        if not isinstance(given, dict) or set(given) - set(defaults):
            return None
        stored[section] = json.loads(json.dumps(defaults)) | given
    audit = stored["audit"]
    if not set(audit["disabled_rest_categories"]) <= REST_CATEGORIES:
        return None
    if not set(audit["disabled_transport_categories"]) <= TRANSPORT_CATEGORIES:
        return None
    return stored


def _at(config: dict[str, Any], pointer: str) -> Any:
    """The value at a JSON pointer such as /audit/exclude_sensitive_headers (None when absent)."""
    node: Any = config
    for part in pointer.strip("/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _stored_role(body: dict[str, Any]) -> dict[str, Any]:
    permissions = [{"fls": [], "masked_fields": []} | p for p in body.get("index_permissions", [])]
    return {
        "reserved": False,
        "hidden": False,
        "cluster_permissions": [],
        "tenant_permissions": [],
        "static": False,
    } | (body | {"index_permissions": permissions})


def _stored_mapping(body: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "hosts": [],
        "users": [],
        "reserved": False,
        "hidden": False,
        "backend_roles": [],
        "and_backend_roles": [],
    }
    return defaults | body


def _check_saved_object(obj: dict[str, Any]) -> None:
    if obj["type"] not in SAVED_OBJECT_TYPES:
        raise ValueError(f"unknown type {obj['type']!r}")
    if not obj["id"] or not obj["attributes"]["title"]:
        raise ValueError("id and attributes.title are required")
    for reference in obj.get("references", []):
        if not {"name", "type", "id"} <= set(reference):
            raise ValueError(f"reference {reference} lacks name, type or id")
    for name in JSON_ATTRIBUTES:
        if name in obj["attributes"]:
            json.loads(obj["attributes"][name])
    search_source = obj["attributes"].get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
    if search_source is not None:
        json.loads(search_source)
