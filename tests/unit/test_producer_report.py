"""The reject file: every row not delivered, written so that opening it in a spreadsheet runs nothing.

Its rows come from the input, which nobody vetted: a cell such as `=cmd|' /C calc'!A0` would be a live formula
(CSV injection). OWASP's advice, followed here: a cell starting with = + - @ tab or carriage return is written
with a leading single quote, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io

import pytest

from producer.cli import main
from producer.errors import ExitCode
from producer.reader import REAL_HEADER
from producer.report import FORMULA_TRIGGERS, Problems, Stats, neutralised

pytestmark = pytest.mark.unit

FORMULA = "=cmd|' /C calc'!A0"


def rejects(*rows: tuple[int, str, list[str]]) -> list[list[str]]:
    """The reject file's cells (header first) after writing `rows` as (line, reason, fields)."""
    buffer = io.StringIO()
    problems = Problems(Stats(), buffer)
    for line, reason, fields in rows:
        problems.add(line, reason, fields)
    return list(csv.reader(io.StringIO(buffer.getvalue())))


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_neutralised_prefixes_a_cell_that_starts_like_a_formula(trigger):
    cell = f"{trigger}1+1"
    assert neutralised(cell) == f"'{cell}", f"got {neutralised(cell)!r}, expected the cell behind a single quote"


@pytest.mark.parametrize("cell", ["489400", "GLASS BALL", "", "a=b", "'=already text", "1-2"])
def test_neutralised_keeps_cells_that_are_not_formulas(cell):
    assert neutralised(cell) == cell, f"got {neutralised(cell)!r}, expected {cell!r} unchanged"


def test_reject_file_writes_a_formula_row_as_text():
    # given a row whose first field (here a Description shifted left by a missing column) is a formula
    cells = rejects((7, "rejected: expected 8 fields, got 7", [FORMULA, "X", "1", "2009-12-01", "1", "", "UK"]))
    # then its row cell starts with the quote, and holds the raw row after it
    row = cells[1][2]
    assert row.startswith("'="), f"got {row!r}, expected the row behind a single quote"
    assert row[1:] == f"{FORMULA},X,1,2009-12-01,1,,UK", f"got {row[1:]!r}, expected the raw row after the quote"


def test_reject_file_has_no_cell_a_spreadsheet_would_run():
    cells = rejects(
        (2, "rejected: Quantity 'bad' is not an integer", ["489400", "X", FORMULA, "bad", "2009-12-01", "1", "", "UK"]),
        (3, "+rejected", ["@SUM(A1:A2)"]),
        (4, "rejected: x", ["\t=1+1", "-2"]),
    )
    live = [cell for row in cells for cell in row if cell.startswith(FORMULA_TRIGGERS)]
    assert not live, f"got cells a spreadsheet would run as formulas: {live}"
    assert cells[0] == ["line", "reason", "row"], f"got header {cells[0]}"


def test_cli_reject_file_neutralises_a_formula_description(capsys, tmp_path):
    # given an input whose rejected row starts with a formula (Invoice missing, Description first)
    source = tmp_path / "input.csv"
    source.write_text(f"{REAL_HEADER}\n{FORMULA},12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n")
    reject_file = tmp_path / "rejects.csv"
    # when the producer reads it (a dry run: nothing is sent)
    code = main(["-I", str(source), "--dry-run", "--quiet", "--reject-file", str(reject_file)])
    capsys.readouterr()
    # then the row is rejected and written as text
    assert code == ExitCode.PARTIAL, f"got exit {code}, expected {ExitCode.PARTIAL} (a rejected row)"
    cells = list(csv.reader(reject_file.open(encoding="utf-8")))
    assert len(cells) == 2, f"got {cells}, expected a header and one rejected row"
    assert cells[1][2].startswith(f"'{FORMULA}"), f"got {cells[1][2]!r}, expected the formula behind a quote"
