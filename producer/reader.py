"""Read an Online Retail II CSV as a stream of data-contract records, one row at a time.

Memory stays flat in the file size: rows are parsed and handed on one by one. A row that cannot be
parsed becomes a `Reject` carrying its line number and the reason; it never stops the run.
"""

from __future__ import annotations

import codecs
import csv
import math
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from producer import contract
from producer.errors import InputError

# The record on the wire, in this key order, and the source CSV's header: the data contract
# (contract/record.schema.json, explained in docs/data-contract.md), through its generated view producer/contract.py.
FIELDS = contract.FIELDS
REAL_HEADER = ",".join(contract.CSV_HEADER)
# Fields that may be empty in the real data; the others are required.
OPTIONAL_FIELDS = frozenset(FIELDS) - frozenset(contract.REQUIRED_FIELDS)

CONTRACT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
# Other spellings of InvoiceDate found in exports of the dataset; all are normalised to the contract's.
OTHER_DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M",  # the first Online Retail dataset's CSV: 12/1/2010 8:26
    "%m/%d/%Y %H:%M:%S",
)


@dataclass(slots=True)
class Row:
    """A parsed row: the record (contract keys and JSON types) and the raw fields it came from."""

    line: int
    record: dict[str, Any]
    fields: list[str]


@dataclass(slots=True)
class Reject:
    """A row that cannot become a record, and why."""

    line: int
    reason: str
    fields: list[str]


class RowError(ValueError):
    """One field of a row breaks the data contract; the message names the field and the value."""


@dataclass(frozen=True)
class Columns:
    """Where each contract field sits in the file's rows."""

    index: tuple[int, ...]  # position of FIELDS[i] in a row
    width: int  # fields per row
    ignored: tuple[str, ...]  # header names that are not contract fields


def normalise_name(name: str) -> str:
    return "".join(name.replace("\ufeff", "").split()).replace("_", "").casefold()


# Header names are matched ignoring case, spaces and underscores, so the real file (`Customer ID`), the
# lab's records (`Customer_ID`) and the first Online Retail dataset (`InvoiceNo`, `UnitPrice`,
# `CustomerID`) all map to the contract's fields.
HEADER_ALIASES = {normalise_name(name): field for field, names in contract.CSV_NAMES.items() for name in names}


def resolve_header(header: Sequence[str]) -> Columns:
    """Map a header row to the contract's fields; InputError names what is missing or duplicated."""
    positions: dict[str, int] = {}
    ignored = []
    for position, name in enumerate(header):
        field = HEADER_ALIASES.get(normalise_name(name))
        if field is None:
            ignored.append(name)
        elif field in positions:
            raise InputError(f"the header names {field} twice (columns {positions[field] + 1} and {position + 1})")
        else:
            positions[field] = position
    missing = [field for field in FIELDS if field not in positions]
    if missing:
        raise InputError(
            f"the header lacks {', '.join(missing)} (got {','.join(header)!r}); "
            f"the first line must name the columns, e.g. {REAL_HEADER}"
        )
    return Columns(tuple(positions[field] for field in FIELDS), len(header), tuple(ignored))


def parse_integer(text: str, name: str = "Quantity") -> int:
    value = text.strip()
    if "_" not in value:
        try:
            return int(value)
        except ValueError:
            try:
                number = float(value)  # "12.0", as spreadsheet exports write integers
            except ValueError:
                number = math.nan
            if number.is_integer():
                return int(number)
    raise RowError(f"{name} {text!r} is not an integer")


def parse_number(text: str, name: str = "Price") -> float:
    value = text.strip()
    try:
        number = float(value) if "_" not in value else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # also refuses "nan" and "inf", which JSON cannot carry
        raise RowError(f"{name} {text!r} is not a number")
    return number


def parse_datetime(text: str, name: str = "InvoiceDate") -> str:
    """The date as `YYYY-MM-DD HH:MM:SS` (no zone, as in the source); other known spellings are normalised."""
    value = text.strip()
    if len(value) == 19 and value[10] == " ":  # the contract's own format: the fast path
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None and parsed.isoformat(" ") == value:
            return value
    for layout in OTHER_DATE_FORMATS:
        try:
            return datetime.strptime(value, layout).strftime(CONTRACT_DATE_FORMAT)
        except ValueError:
            continue
    raise RowError(f"{name} {text!r} is not a date like 2009-12-01 07:45:00")


class RowParser:
    """Turns the fields of one row into a contract record; raises RowError naming the first bad field.

    Each field is read by its kind in the contract: strings are stripped (a required one must not be empty),
    integers and numbers parsed, datetimes normalised to `YYYY-MM-DD HH:MM:SS`.
    """

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self._pick = operator.itemgetter(*columns.index) if len(columns.index) > 1 else lambda row: (row[0],)
        self._last_date: tuple[str, str] = ("", "")  # an invoice's lines share their date: parse it once

    def __call__(self, fields: Sequence[str]) -> dict[str, Any]:
        if len(fields) != self.columns.width:
            raise RowError(f"{len(fields)} fields, expected {self.columns.width}")
        return contract.record_from(self._pick(fields), parse_integer, parse_number, self._datetime, RowError)

    def _datetime(self, text: str, name: str) -> str:
        if text != self._last_date[0]:
            self._last_date = (text, parse_datetime(text, name))
        return self._last_date[1]


def is_cancellation(record: dict[str, Any]) -> bool:
    """Cancellations (Invoice starting with C) and other negative-quantity rows (returns, stock adjustments)."""
    return record["Invoice"][:1] in ("C", "c") or record["Quantity"] < 0


def check_encoding(name: str) -> str:
    """The codec's canonical name; InputError when Python does not know it."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(f"unknown encoding {name!r}; use e.g. utf-8 or latin-1") from None


# Files people pass by mistake instead of the CSV: the dataset ships as an .xlsx workbook (a zip), or compressed.
NOT_CSV = (
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one)", "export the sheet as CSV, or unzip it"),
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip -k)"),
    (b"BZh", "bzip2-compressed", "decompress it first (bunzip2 -k)"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it first (unxz -k)"),
)


def open_input(path: Path, encoding: str = "utf-8") -> TextIO:
    """Open the CSV for streaming. Undecodable bytes are kept as surrogates so their rows can be rejected."""
    codec = check_encoding(encoding)
    if codec == "utf-8":
        codec = "utf-8-sig"  # tolerate the byte-order mark spreadsheet tools write
    try:
        if path.is_dir():
            raise InputError(f"input file {str(path)!r} is a directory; pass a CSV file with -I/--input-file")
        with path.open("rb") as raw:
            head = raw.read(8)
        for magic, what, fix in NOT_CSV:
            if head.startswith(magic):
                raise InputError(f"input file {str(path)!r} is {what}, not a CSV; {fix}, then pass the .csv with -I")
        return path.open(encoding=codec, errors="surrogateescape", newline="")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot read input file {str(path)!r}: {reason}; check the -I/--input-file path") from None


def read_header(stream: TextIO, name: str) -> tuple[Columns, Any]:
    """Read the header row; returns the column map and the csv reader positioned on the first data row."""
    reader = csv.reader(stream, strict=False)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except (csv.Error, OSError) as exc:
        raise InputError(f"cannot read the header of {name!r}: {exc}") from None
    if header is None:
        raise InputError(f"input file {name!r} is empty; it needs a header line ({REAL_HEADER}) and rows")
    if any(_undecodable(cell) for cell in header):
        raise InputError(f"the header of {name!r} is not valid text in this encoding; pass --encoding (e.g. latin-1)")
    return resolve_header(header), reader


def read_rows(stream: TextIO, name: str = "<input>") -> tuple[Columns, Iterator[Row | Reject]]:
    """Resolve the header (InputError if unusable), then yield a Row or a Reject for each data row."""
    columns, reader = read_header(stream, name)
    return columns, _rows(reader, columns, name)


def _rows(reader: Any, columns: Columns, name: str) -> Iterator[Row | Reject]:
    parse = RowParser(columns)
    last_line = reader.line_num
    while True:
        first_line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the csv module's size limit; the reader moves on
            last_line = reader.line_num
            yield Reject(first_line, f"unreadable CSV: {exc}", [])
            continue
        except (OSError, UnicodeError) as exc:  # the file itself failed: nothing after this can be trusted
            raise InputError(f"reading {name!r} failed at line {first_line}: {exc}") from None
        last_line = reader.line_num
        if not fields:  # a blank line holds no data
            continue
        try:
            record = parse(fields)
        except RowError as exc:
            reason = str(exc)
            if last_line > first_line:
                reason += f" (the row spans lines {first_line}-{last_line}: an unbalanced quote?)"
            yield Reject(first_line, reason, fields)
            continue
        yield Row(first_line, record, fields)


def _undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)
