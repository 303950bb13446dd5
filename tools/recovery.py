"""Turn Terraform's "already exists" failures into the exact `terraform import` that adopts the resource.

An apply interrupted while the provider waits for a new resource to become ready (a Kinesis stream, an
OpenSearch domain) can leave that resource created but absent from the state: the provider records the ID
only after the wait. The next apply then fails with "already exists". Adopting it is one import; doing that
automatically could take over a same-named resource of another stack, so the harness prints the command instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    def import_command(self) -> str:
        return f"terraform import '{self.address}' '{self.resource_id}'"


def find_orphans(output: str) -> list[Orphan]:
    """Resources an apply failed to create because they already exist, in the order Terraform reported them."""
    text = _BOX.sub("", _ANSI.sub("", output))
    found = [Orphan(address.strip(), name.strip()) for name, address in _ALREADY_EXISTS.findall(text)]
    return list(dict.fromkeys(found))
