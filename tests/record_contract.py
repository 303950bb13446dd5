"""The data contract as the tests read it: straight from contract/record.schema.json, not through its generated
views, so a view that drifts from the schema fails the tests that compare against these."""

from __future__ import annotations

import json
from typing import Any

from tools.targets import REPO_ROOT

SCHEMA: dict[str, Any] = json.loads((REPO_ROOT / "contract" / "record.schema.json").read_text(encoding="utf-8"))
PROPERTIES: dict[str, dict[str, Any]] = SCHEMA["properties"]
FIELDS = tuple(PROPERTIES)
REQUIRED_FIELDS = tuple(SCHEMA["required"])
DATE_FIELDS = tuple(name for name, spec in PROPERTIES.items() if spec.get("x-date-field"))
PARTITION_KEYS = tuple(SCHEMA["x-athena-partition-keys"])
# Athena column type -> QuickSight column type.
QUICKSIGHT_TYPES = {"string": "STRING", "int": "INTEGER", "bigint": "INTEGER", "float": "DECIMAL",
                    "double": "DECIMAL", "boolean": "BOOLEAN", "timestamp": "DATETIME"}  # fmt: skip


def glue_columns() -> list[dict[str, str]]:
    """The Glue tables' columns: name, type, the record key it maps and the comment (the field's description)."""
    return [
        {"name": s["x-athena-column"], "type": s["x-athena-type"], "json_key": name, "comment": s["description"]}
        for name, s in PROPERTIES.items()
    ]


def quicksight_columns() -> list[dict[str, str]]:
    """The QuickSight dataset's columns: the contract's, then the partition columns (strings)."""
    columns = [{"name": c["name"], "type": QUICKSIGHT_TYPES[c["type"]]} for c in glue_columns()]
    return columns + [{"name": key, "type": "STRING"} for key in PARTITION_KEYS]
