"""Turn Terraform's "already exists" failures into the exact `terraform import` that adopts the resource.

An apply interrupted while the provider waits for a new resource to become ready (a Kinesis stream, an
OpenSearch domain) can leave that resource created but absent from the state: the provider records the ID
only after the wait. The next apply then fails with "already exists". Adopting it is one import; doing that
automatically could take over a same-named resource of another stack, so the harness prints the command instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

# "Error: creating Kinesis Stream (name): ... already exists ...", then "with <address>," a few lines below.
_ALREADY_EXISTS = re.compile(
    r"Error: creating [^(\n]+\(([^)\n]+)\):[^\n]*(?:already exists|AlreadyExists|ResourceInUse)[^\n]*\n"
    r"(?:[^\n]*\n){0,3}?with ([^,\n]+),",
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOX = re.compile(r"^[│╷╵ ]+", re.MULTILINE)  # the frame Terraform draws around diagnostics


@dataclass(frozen=True)
class Orphan:
    """A resource that exists but is not in the state."""

    address: str
    resource_id: str

    @property
    def resource_type(self) -> str:
        """`aws_glue_catalog_table` for `module.x.aws_glue_catalog_table.json` (or `...this["a"]`)."""
        return re.sub(r"\[[^\]]*\]$", "", self.address).split(".")[-2]

    @property
    def import_command(self) -> str:
        return f"terraform import '{self.address}' '{self.resource_id}'"


def find_orphans(output: str) -> list[Orphan]:
    """Resources an apply failed to create because they already exist, in the order Terraform reported them."""
    text = _BOX.sub("", _ANSI.sub("", output))
    found = [Orphan(address.strip(), name.strip()) for name, address in _ALREADY_EXISTS.findall(text)]
    return list(dict.fromkeys(found))


# Resources whose import ID is not the name the error shows: the attributes it is made of, in order. A Glue
# catalog ID left unset is the account's ID.
COMPOSITE_IMPORT_IDS: dict[str, tuple[str, ...]] = {
    "aws_glue_catalog_database": ("catalog_id", "name"),
    "aws_glue_catalog_table": ("catalog_id", "database_name", "name"),
}


def needs_plan(orphans: list[Orphan]) -> bool:
    """True when some orphan's import ID must be completed from the plan (`with_import_ids`)."""
    return any(orphan.resource_type in COMPOSITE_IMPORT_IDS for orphan in orphans)


def with_import_ids(orphans: list[Orphan], plan: Mapping[str, Any]) -> list[Orphan]:
    """The orphans with complete import IDs, from a plan's JSON (`terraform show -json <planfile>`): the planned
    values of each resource, and the account ID that the plan's `aws_caller_identity` data source read."""
    values = {resource["address"]: resource.get("values", {}) for resource in _resources(plan, "planned_values")}
    account = next(
        (r["values"]["account_id"] for r in _resources(plan, "prior_state") if r.get("type") == "aws_caller_identity"),
        None,
    )
    completed = []
    for orphan in orphans:
        parts = COMPOSITE_IMPORT_IDS.get(orphan.resource_type)
        planned = {"name": orphan.resource_id, "catalog_id": account} | {
            k: v for k, v in values.get(orphan.address, {}).items() if v is not None
        }
        if parts and all(planned.get(part) for part in parts):
            orphan = replace(orphan, resource_id=":".join(str(planned[part]) for part in parts))
        completed.append(orphan)
    return completed


def _resources(plan: Mapping[str, Any], section: str) -> Iterator[Mapping[str, Any]]:
    """Every resource of a plan section (planned_values, prior_state), nested modules included."""
    top = plan.get(section) or {}
    modules = [top.get("values", top).get("root_module", {})]  # prior_state nests its modules under "values"
    while modules:
        module = modules.pop()
        yield from module.get("resources", [])
        modules.extend(module.get("child_modules", []))
