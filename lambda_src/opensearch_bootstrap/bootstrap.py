"""The bootstrap run: read what the domain holds, write only what differs, report every step.

Each step GETs the current state, compares it with the desired body (the desired keys only: servers add
defaults such as ISM's retry settings or the security plugin's `fls`), and writes only when something differs
or is missing. A second run therefore sends only reads and reports everything as unchanged. With dry_run no
write is sent; the steps report what they would do.

Order: index template, ISM policy, write alias, security role and mapping, audit logging, Dashboards objects.
The template and the policy must exist before the first index is created, so it gets the rollover alias setting and the
policy (ISM attaches policies through `ism_template` when an index is created); the alias must exist before
the ingest role is mapped, so the ingest function's first write cannot auto-create a concrete index in its
place (which would block rollover for good).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from opensearch_bootstrap import resources
from opensearch_bootstrap.client import Api, BootstrapError
from opensearch_bootstrap.settings import Settings

ISM_COMPONENT = "opensearch-index-management"
SECURITY_API = resources.SECURITY_API
SAVED_OBJECTS_API = resources.SAVED_OBJECTS_API


class Status(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    WOULD_CREATE = "would create"
    WOULD_UPDATE = "would update"

    @property
    def changes(self) -> bool:
        return self in (Status.CREATED, Status.UPDATED, Status.WOULD_CREATE, Status.WOULD_UPDATE)


@dataclass(frozen=True)
class Step:
    """The outcome of one configuration item."""

    kind: str  # index_template, ism_policy, security_role, role_mapping, saved_object, write_alias
    name: str
    status: Status
    detail: str = ""

    def line(self) -> str:
        return f"{self.kind} {self.name}: {self.status.value}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Summary:
    """Every step of a run, for the CLI's output, the function's result and its log."""

    endpoint: str
    dry_run: bool
    server: str = ""
    steps: list[Step] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(step.status.changes for step in self.steps)

    def count(self, status: Status) -> int:
        return sum(step.status is status for step in self.steps)

    def headline(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return (
            f"{'dry run: ' if self.dry_run else ''}{self.endpoint}: {self.changed} {verb}, "
            f"{self.count(Status.UNCHANGED)} already in place, {self.count(Status.SKIPPED)} skipped"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "server": self.server,
            "dry_run": self.dry_run,
            "changed": self.changed,
            "unchanged": self.count(Status.UNCHANGED),
            "skipped": self.count(Status.SKIPPED),
            "steps": [
                {"kind": s.kind, "name": s.name, "status": s.status.value, "detail": s.detail} for s in self.steps
            ],
            "summary": self.headline(),
        }


class StepFailed(BootstrapError):
    """A step failed; `summary` holds the steps done before it."""

    def __init__(self, message: str, summary: Summary) -> None:
        super().__init__(message)
        self.summary = summary


def run(settings: Settings, opensearch: Api, dashboards: Api | None) -> Summary:
    """Bring the domain to the desired configuration; raise StepFailed (with the steps so far) on a failure."""
    summary = Summary(endpoint=settings.endpoint.url, dry_run=settings.dry_run)
    try:
        server, components = probe(opensearch)
        summary.server = server
        ism = settings.enable_ism and ISM_COMPONENT in components
        steps: list[Callable[[], Iterable[Step]]] = [
            lambda: [ensure_index_template(settings, opensearch, rollover=ism)],
            lambda: [ensure_ism_policy(settings, opensearch, components)],
            lambda: [ensure_write_index(settings, opensearch, ism)],
            lambda: ensure_security(settings, opensearch, rollover=ism),
            lambda: [ensure_audit_log(settings, opensearch)],
            lambda: ensure_saved_objects(settings, dashboards),
        ]
        for step in steps:
            summary.steps += step()
    except BootstrapError as exc:
        raise StepFailed(str(exc), summary) from None
    return summary


def probe(opensearch: Api) -> tuple[str, set[str]]:
    """The server's distribution and version, and the plugins (components) it runs."""
    root = opensearch.get("/") or {}
    version = root.get("version", {}) if isinstance(root, dict) else {}
    server = f"{version.get('distribution', 'elasticsearch')} {version.get('number', '?')}"
    plugins = opensearch.get("/_cat/plugins", params={"format": "json"}) or []
    return server, {p.get("component", "") for p in plugins if isinstance(p, dict)}


# --- index template --------------------------------------------------------------------------------------


def ensure_index_template(settings: Settings, opensearch: Api, rollover: bool) -> Step:
    desired = resources.index_template(settings, rollover)
    path = f"/_index_template/{quote(settings.template_name)}"
    found = opensearch.get(path)
    current = next(
        (
            t.get("index_template")
            for t in (found or {}).get("index_templates", [])
            if t.get("name") == settings.template_name
        ),
        None,
    )
    difference = None if current is None else first_difference(_flat_settings(desired), _flat_settings(current))
    detail = f"patterns {', '.join(desired['index_patterns'])}" + (
        f", rollover alias {settings.index}" if rollover else ""
    )
    return _apply(settings, "index_template", settings.template_name, current is not None, difference, detail,
                  lambda: opensearch.put(path, desired))  # fmt: skip


def _flat_settings(template: dict[str, Any]) -> dict[str, Any]:
    """The template with its settings as OpenSearch stores them: flat `index.*` keys with string values."""
    body = json.loads(json.dumps(template))
    inner = body.get("template")
    if isinstance(inner, dict) and isinstance(inner.get("settings"), dict):
        inner["settings"] = dict(_flatten(inner["settings"]))
    return body


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else key)
        return
    key = prefix if prefix.startswith("index.") else f"index.{prefix}"
    if isinstance(value, list):
        yield key, [_setting_text(v) for v in value]
    else:
        yield key, _setting_text(value)


def _setting_text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


# --- ISM ---------------------------------------------------------------------------------------------------


def ensure_ism_policy(settings: Settings, opensearch: Api, components: set[str]) -> Step:
    name = settings.ism_policy_id
    if not settings.enable_ism:
        return Step("ism_policy", name, Status.SKIPPED, "enable_ism is false: indices are kept until deleted by hand")
    if ISM_COMPONENT not in components:
        return Step("ism_policy", name, Status.SKIPPED, f"the domain has no ISM plugin ({ISM_COMPONENT})")
    desired = resources.ism_policy(settings)
    path = f"/_plugins/_ism/policies/{quote(name)}"
    current = opensearch.get(path)
    difference = None if current is None else first_difference(desired["policy"], current.get("policy"), "policy")
    detail = (
        f"rollover at {settings.rollover_age} or {settings.rollover_size}, "
        f"delete {settings.retention_days} days after creation"
    )
    # An update must name the version it replaces (optimistic concurrency): a concurrent change fails with 409.
    params = None if current is None else {"if_seq_no": current["_seq_no"], "if_primary_term": current["_primary_term"]}
    return _apply(settings, "ism_policy", name, current is not None, difference, detail,
                  lambda: opensearch.put(path, desired, params=params))  # fmt: skip


def ensure_write_index(settings: Settings, opensearch: Api, ism: bool) -> Step:
    """The first rollover index behind the write alias the ingest function writes to."""
    alias = settings.index
    if not ism:
        return Step("write_alias", alias, Status.SKIPPED, "no ISM rollover: the first write creates the index")
    aliases = opensearch.get(f"/_alias/{quote(alias)}")
    if aliases:
        writers = sorted(i for i, a in aliases.items() if a.get("aliases", {}).get(alias, {}).get("is_write_index"))
        if writers or len(aliases) == 1:
            return Step("write_alias", alias, Status.UNCHANGED, f"alias of write index {(writers or list(aliases))[0]}")
        raise BootstrapError(
            f"alias {alias!r} points to {len(aliases)} indices and none is its write index: "
            "set is_write_index on the newest one, then run the bootstrap again"
        )
    if opensearch.get(f"/{quote(alias)}") is not None:
        raise BootstrapError(
            f"index {alias!r} exists as a concrete index (written before the bootstrap ran), so it cannot become "
            f"the rollover alias: reindex it into {settings.write_index} and delete it, or set enable_ism=false"
        )
    status = Status.WOULD_CREATE if settings.dry_run else Status.CREATED
    if not settings.dry_run:
        opensearch.put(f"/{quote(settings.write_index)}", resources.write_index(settings))
    return Step("write_alias", alias, status, f"{settings.write_index} behind alias {alias}, ISM policy attached")


# --- fine-grained access control -------------------------------------------------------------------------


def ensure_security(settings: Settings, opensearch: Api, rollover: bool) -> list[Step]:
    role = settings.role_name
    if settings.access_control == "iam":
        detail = "access_control is 'iam' (no fine-grained access control): the domain access policy governs"
        return [Step("security_role", role, Status.SKIPPED, detail), Step("role_mapping", role, Status.SKIPPED, detail)]
    return [
        _ensure_security_item(settings, opensearch, "security_role", "roles", resources.ingest_role(settings, rollover),
                              "bulk-index into " + settings.index_pattern),
        _ensure_security_item(settings, opensearch, "role_mapping", "rolesmapping",
                              resources.ingest_role_mapping(settings), f"backend role {settings.ingest_role_arn}"),
    ]  # fmt: skip


def _ensure_security_item(
    settings: Settings, opensearch: Api, kind: str, collection: str, desired: dict[str, Any], detail: str
) -> Step:
    name = settings.role_name
    path = f"{SECURITY_API}/{collection}/{quote(name)}"
    found = opensearch.get(path)
    current = (found or {}).get(name)
    difference = None if current is None else first_difference(desired, current)
    return _apply(settings, kind, name, current is not None, difference, detail, lambda: opensearch.put(path, desired))


# --- audit logging -------------------------------------------------------------------------------------------


def ensure_audit_log(settings: Settings, opensearch: Api) -> Step:
    """Audit logging on in the security plugin: read the configuration, compare the keys the bootstrap sets, and
    write the configuration back with them (every other key, read-only ones included, kept as read)."""
    kind, name = "audit_log", "security plugin"
    detail = (
        "REST and transport events except " + " and ".join(resources.AUDIT_CATEGORIES_LEFT_OUT)
        + ", security configuration changes"
    )  # fmt: skip
    if settings.access_control == "iam":
        return Step(kind, name, Status.SKIPPED, "audit logs need fine-grained access control (the security plugin)")
    if not settings.enable_audit_log:
        return Step(kind, name, Status.SKIPPED, "enable_audit_log is false")
    desired = resources.audit_config()
    found = opensearch.get(resources.AUDIT_API)
    current = (found or {}).get("config") if isinstance(found, dict) else None
    difference = None if current is None else first_difference(_categories_sorted(desired), _categories_sorted(current))
    body = _merged(current or {}, desired)
    return _apply(settings, kind, name, current is not None, difference, detail,
                  lambda: opensearch.put(f"{resources.AUDIT_API}/config", body))  # fmt: skip


def _categories_sorted(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration with its category lists sorted: the plugin keeps them as sets, in no fixed order."""
    audit = config.get("audit")
    if not isinstance(audit, dict):
        return config
    lists = {k: sorted(v) for k, v in audit.items() if k.endswith("_categories") and isinstance(v, list)}
    return config | {"audit": audit | lists}


def _merged(current: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """`current` with the desired keys set, recursively (a PUT replaces the whole configuration)."""
    merged = dict(current)
    for key, value in desired.items():
        merged[key] = (
            _merged(current[key], value) if isinstance(value, dict) and isinstance(current.get(key), dict) else value
        )
    return merged


# --- Dashboards ----------------------------------------------------------------------------------------------


def ensure_saved_objects(settings: Settings, dashboards: Api | None) -> list[Step]:
    objects = resources.saved_objects(settings)
    names = [f"{o['type']}/{o['id']}" for o in objects]
    if dashboards is None:
        return [Step("saved_object", n, Status.SKIPPED, "enable_dashboards is false") for n in names]
    found = dashboards.post(f"{SAVED_OBJECTS_API}/_bulk_get", [{"type": o["type"], "id": o["id"]} for o in objects])
    stored = {(s["type"], s["id"]): s for s in (found or {}).get("saved_objects", []) if "error" not in s}
    steps, changed = [], []
    for name, obj in zip(names, objects, strict=True):
        current = stored.get((obj["type"], obj["id"]))
        difference = None if current is None else first_difference(_comparable(obj), _comparable(current))
        if current is None or difference is not None:
            changed.append(obj)
        steps.append(
            _outcome(settings, "saved_object", name, current is not None, difference, obj["attributes"]["title"])
        )
    if changed and not settings.dry_run:
        _import(dashboards, changed)
    return steps


def _comparable(obj: dict[str, Any]) -> dict[str, Any]:
    """Attributes with their JSON-in-a-string values decoded, and references in a stable order."""
    return {
        "attributes": _decoded(obj.get("attributes", {})),
        "references": sorted(obj.get("references", []), key=lambda r: (r.get("name", ""), r.get("type", ""))),
    }


def _decoded(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _decoded(v, k) for k, v in value.items()}
    if isinstance(value, str) and (key.endswith("JSON") or key == "visState"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _import(dashboards: Api, objects: list[dict[str, Any]]) -> None:
    """POST the objects as an NDJSON file (multipart form field `file`), overwriting objects with the same ids."""
    ndjson = resources.to_ndjson(objects)
    boundary = "opensearch-bootstrap-" + hashlib.sha256(ndjson.encode()).hexdigest()[:32]  # never inside the file
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="retail_saved_objects.ndjson"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
        f"{ndjson}\r\n--{boundary}--\r\n"
    )
    answer = dashboards.post(
        f"{SAVED_OBJECTS_API}/_import", body, params={"overwrite": "true"},
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    if not isinstance(answer, dict) or not answer.get("success"):
        errors = answer.get("errors", []) if isinstance(answer, dict) else answer
        described = "; ".join(f"{e.get('type')}/{e.get('id')}: {e.get('error')}" for e in errors if isinstance(e, dict))
        raise BootstrapError(f"Dashboards did not import the saved objects: {described or answer}")


# --- shared ------------------------------------------------------------------------------------------------


def _apply(
    settings: Settings, kind: str, name: str, exists: bool, difference: str | None, detail: str,
    write: Callable[[], Any],
) -> Step:  # fmt: skip
    step = _outcome(settings, kind, name, exists, difference, detail)
    if step.status in (Status.CREATED, Status.UPDATED):
        write()
    return step


def _outcome(settings: Settings, kind: str, name: str, exists: bool, difference: str | None, detail: str) -> Step:
    if exists and difference is None:
        return Step(kind, name, Status.UNCHANGED, detail)
    if not exists:
        return Step(kind, name, Status.WOULD_CREATE if settings.dry_run else Status.CREATED, detail)
    status = Status.WOULD_UPDATE if settings.dry_run else Status.UPDATED
    return Step(kind, name, status, f"{detail}; {difference} differed")


def first_difference(desired: Any, actual: Any, path: str = "") -> str | None:
    """Where `actual` does not hold `desired` (paths, comma-separated, at most 3), or None when it does."""
    found = list(differences(desired, actual, path))
    return None if not found else ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")


def differences(desired: Any, actual: Any, path: str = "") -> Iterator[str]:
    """The paths where `actual` does not hold `desired`; keys beyond the desired ones are ignored.

    Lists must have the same length and hold their desired items in order; scalars must be equal.
    """
    here = path or "(root)"
    if isinstance(desired, dict):
        if not isinstance(actual, dict):
            yield here
            return
        for key, value in desired.items():
            where = f"{path}.{key}" if path else key
            if key not in actual:
                yield where
            else:
                yield from differences(value, actual[key], where)
        return
    if isinstance(desired, list):
        if not isinstance(actual, list) or len(actual) != len(desired):
            yield here
            return
        for i, (want, got) in enumerate(zip(desired, actual, strict=True)):
            yield from differences(want, got, f"{path}[{i}]")
        return
    same_type = type(desired) is type(actual) or {type(desired), type(actual)} <= {int, float}
    if not (same_type and desired == actual):
        yield here
