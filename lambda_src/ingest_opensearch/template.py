"""The index template shipped with the ingest function: explicit mapping for the `retail*` indices.

`InvoiceDate` is a date (the function writes ISO-8601 UTC), codes and countries are keywords, the
description is full text with a keyword sub-field for aggregations, Quantity an integer and Price a
double. `dynamic: false` keeps fields outside the contract in `_source` without indexing them, so an
unexpected field neither breaks indexing nor grows the mapping. The bootstrap step applies it with
`put_index_template(client)` before the first document arrives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEMPLATE_NAME = "retail"
TEMPLATE_FILE = Path(__file__).with_name("index_template.json")


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))


def put_index_template(client: Any, name: str = TEMPLATE_NAME, index_patterns: list[str] | None = None) -> Any:
    """Create or replace the composable index template (`PUT _index_template/<name>`)."""
    body = load_template()
    if index_patterns is not None:
        body["index_patterns"] = index_patterns
    return client.indices.put_index_template(name=name, body=body)
