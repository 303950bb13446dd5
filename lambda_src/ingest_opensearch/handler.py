"""Placeholder handler so the stack can be wired and deployed; replaced by the real ingest (issue 5)."""

from __future__ import annotations

from typing import Any


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Accept the batch without processing it (placeholder)."""
    return {"batchItemFailures": []}
