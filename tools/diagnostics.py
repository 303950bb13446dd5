"""Terraform's error boxes, read back from its output, so a failed command ends with one line that says why.

A failed `terraform plan` can print a thousand lines of partial plan before its error; the harness's last line
repeats the first error (what, where) so the reason is where the user looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOCATION = re.compile(r"^\s+on (.+? line \d+)")


@dataclass(frozen=True)
class TerraformDiagnostic:
    severity: str  # Error or Warning
    summary: str
    detail: str  # the first paragraph of the explanation, on one line
    location: str | None  # "<file> line <n>" when Terraform points at a line

    def line(self) -> str:
        where = f" ({self.location})" if self.location else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.summary}{detail}{where}"


def diagnostics(output: str) -> list[TerraformDiagnostic]:
    """Every framed diagnostic in Terraform's human output, in order."""
    found = []
    text = _ANSI.sub("", output)
    for box in _boxes(text) if "\n╷" in f"\n{text}" else _unframed(text):
        header = next((line for line in box if line.strip()), "")
        severity, _, summary = header.strip().partition(": ")
        if severity not in ("Error", "Warning"):
            continue
        location = next((m.group(1) for m in map(_LOCATION.match, box) if m), None)
        detail = _first_paragraph(box[box.index(header) + 1 :])
        found.append(TerraformDiagnostic(severity, summary.strip(), detail, location))
    return found


def errors(output: str) -> list[TerraformDiagnostic]:
    return [d for d in diagnostics(output) if d.severity == "Error"]


def _boxes(text: str) -> list[list[str]]:
    """The lines inside each ╷ … ╵ frame, without the frame."""
    boxes: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("╷"):
            current = []
        elif line.startswith("╵"):
            if current is not None:
                boxes.append(current)
            current = None
        elif current is not None:
            current.append(line[2:] if line.startswith("│ ") else line.lstrip("│"))
    return boxes


def _unframed(text: str) -> list[list[str]]:
    """With -no-color Terraform draws no frame: each diagnostic starts with `Error: ` or `Warning: ` at column 0."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith(("Error: ", "Warning: ")):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def _first_paragraph(lines: list[str]) -> str:
    """The first unindented paragraph: the explanation, not the source snippet Terraform quotes above it."""
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        if line[0].isspace() and not paragraph:
            continue  # "  on file line n:", the quoted source and its values
        paragraph.append(line.strip())
    return " ".join(paragraph)
