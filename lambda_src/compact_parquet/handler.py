"""Placeholder handler so the stack can be wired and deployed; replaced by the real compaction (issue 5)."""

from __future__ import annotations

from typing import Any


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Do nothing (placeholder)."""
    return {"status": "placeholder"}
