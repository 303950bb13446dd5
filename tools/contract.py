"""Generate the views of the data contract from `contract/record.schema.json`: `python -m tools.contract`
(`make contract`, also run by `make docs`); `--check` changes nothing and fails when a view is stale (`make lint`).

The schema (JSON Schema, draft 2020-12) is the one definition of the record. Its `x-` annotations carry what
each target needs (CSV header and aliases, Athena column and type, OpenSearch mapping, date fields, document id),
and every place that needs the field list gets it from a view written here:

- producer/contract.py: fields, kinds, required fields, CSV header names and the JSON encoder of the producer;
- lambda_src/ingest_opensearch/contract.py and the `mappings.properties` of its index_template.json;
- lambda_src/compact_parquet/contract.py: the Parquet columns and DuckDB's reading and casts;
- terraform/contract.tf.json: a `local.record_contract` with the Glue and QuickSight columns, the ingest
  function's required and date fields and the event-time field;
- docs/data-contract.md: the table of fields between its markers.

The Lambda packages get generated modules (not the schema) so each zip stays self-contained; Terraform gets
a generated local (not `jsondecode(file(...))` of the schema) because Terraform iterates a decoded object's
attributes in lexical order and the tables' column order is the contract's. No existing generator fits:
JSON Schema code generators (datamodel-code-generator and the like) write classes for one language, while this
needs constants for Python, HCL and an OpenSearch template from the same annotations.

Exit codes: 0 ok, 1 a view is stale or the schema is invalid, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from tools.targets import REPO_ROOT

PROG = "contract"
SCHEMA_PATH = REPO_ROOT / "contract" / "record.schema.json"
SCHEMA_NAME = "contract/record.schema.json"
DOC_BEGIN = "<!-- BEGIN_CONTRACT_FIELDS -->"
DOC_END = "<!-- END_CONTRACT_FIELDS -->"

JSON_TYPES = ("string", "integer", "number")
# Athena (Hive DDL) type -> DuckDB type of the Parquet column and QuickSight column type.
ATHENA_TYPES = {
    "string": ("VARCHAR", "STRING"),
    "int": ("INTEGER", "INTEGER"),
    "bigint": ("BIGINT", "INTEGER"),
    "float": ("FLOAT", "DECIMAL"),
    "double": ("DOUBLE", "DECIMAL"),
    "boolean": ("BOOLEAN", "BOOLEAN"),
    "timestamp": ("TIMESTAMP", "DATETIME"),
}
# JSON type -> how DuckDB reads the key from the JSON before the casts.
DUCKDB_JSON_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE"}
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
COLUMN = re.compile(r"^[a-z_][a-z0-9_]*$")
MAX_LINE = 120
MAX_REPORTED = 20  # invalid records named one by one by --validate; the rest are counted


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2


class ContractError(Exception):
    """The schema is invalid or lacks an annotation a view needs; the message names the field and the key."""


@dataclass(frozen=True)
class Field:
    """One property of the schema with its per-target annotations."""

    name: str
    json_type: str  # string | integer | number
    description: str
    required: bool
    date: bool  # x-date-field: a `YYYY-MM-DD HH:MM:SS` string in UTC, ISO-8601 in OpenSearch
    document_id: bool  # x-document-id (default true): part of the OpenSearch document id
    csv_header: str
    csv_aliases: tuple[str, ...]
    athena_column: str
    athena_type: str
    opensearch_mapping: dict[str, Any]
    examples: tuple[Any, ...]
    min_length: int = 0
    pattern: str | None = None

    @property
    def kind(self) -> str:
        """string, integer, number or datetime: how the producer parses and writes the field."""
        return "datetime" if self.date else self.json_type

    @property
    def duckdb_type(self) -> str:
        return ATHENA_TYPES[self.athena_type][0]

    @property
    def quicksight_type(self) -> str:
        return ATHENA_TYPES[self.athena_type][1]


@dataclass(frozen=True)
class Contract:
    schema: dict[str, Any]
    fields: tuple[Field, ...]
    partition_keys: tuple[str, ...]

    def names(self, keep: Callable[[Field], bool] = lambda f: True) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if keep(f))

    @property
    def date_fields(self) -> tuple[str, ...]:
        return self.names(lambda f: f.date)


def load_schema(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContractError(f"cannot read {path}: {exc}") from None
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ContractError(f"{path} is not a valid JSON Schema (draft 2020-12): {exc.message}") from None
    return schema


def load(path: Path = SCHEMA_PATH) -> Contract:
    """The contract: the schema's properties in order, with their annotations checked."""
    schema = load_schema(path)
    properties = schema.get("properties") or {}
    required = schema.get("required", [])
    unknown = [name for name in required if name not in properties]
    if not properties or unknown:
        raise ContractError(f"{path}: needs properties, and every required name among them (unknown: {unknown})")
    fields = tuple(_field(name, spec, name in required) for name, spec in properties.items())
    for attribute in ("csv_header", "athena_column"):
        values = [getattr(f, attribute) for f in fields]
        if len(set(values)) != len(values):
            raise ContractError(f"{path}: two fields share an x-{attribute.replace('_', '-')}: {values}")
    if not any(f.date for f in fields):
        raise ContractError(f"{path}: no property has x-date-field: true (the event time of the records)")
    partition_keys = tuple(schema.get("x-athena-partition-keys", ()))
    clash = sorted(set(partition_keys) & {f.athena_column for f in fields})
    if clash:
        raise ContractError(f"{path}: x-athena-column {clash} is also a partition key")
    return Contract(schema, fields, partition_keys)


def _field(name: str, spec: dict[str, Any], required: bool) -> Field:
    def annotation(key: str, kind: type, default: Any = None) -> Any:
        value = spec.get(key, default)
        if not isinstance(value, kind):
            raise ContractError(f"property {name}: {key} must be a {kind.__name__}, got {value!r}")
        return value

    if not KEY.match(name):
        raise ContractError(f"property {name!r}: keys must be letters, digits and underscores")
    json_type = spec.get("type")
    if json_type not in JSON_TYPES:
        raise ContractError(f"property {name}: type must be one of {', '.join(JSON_TYPES)}, got {json_type!r}")
    date = annotation("x-date-field", bool, False)
    if date and json_type != "string":
        raise ContractError(f"property {name}: an x-date-field must be of type string")
    column = annotation("x-athena-column", str)
    if not COLUMN.match(column):
        raise ContractError(f"property {name}: x-athena-column {column!r} must be lowercase letters, digits, _")
    athena_type = annotation("x-athena-type", str)
    if athena_type not in ATHENA_TYPES:
        raise ContractError(f"property {name}: x-athena-type must be one of {', '.join(ATHENA_TYPES)}")
    aliases = annotation("x-csv-aliases", list, [])
    if not all(isinstance(alias, str) for alias in aliases):
        raise ContractError(f"property {name}: x-csv-aliases must be strings")
    return Field(
        name=name,
        json_type=json_type,
        description=annotation("description", str),
        required=required,
        date=date,
        document_id=annotation("x-document-id", bool, True),
        csv_header=annotation("x-csv-header", str),
        csv_aliases=tuple(aliases),
        athena_column=column,
        athena_type=athena_type,
        opensearch_mapping=annotation("x-opensearch-mapping", dict),
        examples=tuple(annotation("examples", list)),
        min_length=annotation("minLength", int, 0),
        pattern=spec.get("pattern"),
    )


def non_empty(field: Field) -> bool:
    """Required, and the schema admits no empty value: a number, or a string with a minLength or a pattern that
    the empty string does not match. These are the fields the ingest function refuses when missing or empty."""
    if not field.required:
        return False
    if field.json_type != "string":
        return True
    return field.min_length > 0 or (field.pattern is not None and re.search(field.pattern, "") is None)


# --- rendering --------------------------------------------------------------------------------------


def literal(value: str) -> str:
    """A Python string literal as ruff formats it: double quotes unless the text holds some."""
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return json.dumps(value)


def assignment(name: str, items: Iterable[str] | dict[str, str]) -> str:
    """`NAME = (...)` or `NAME = {...}` on one line when it fits, else one item per line."""
    if isinstance(items, dict):
        parts, opening, closing = [f"{literal(k)}: {literal(v)}" for k, v in items.items()], "{", "}"
    else:
        parts, opening, closing = [literal(v) for v in items], "(", ")"
    one_line = f"{name} = {opening}{', '.join(parts)}{',' if len(parts) == 1 and opening == '(' else ''}{closing}"
    if len(one_line) <= MAX_LINE:
        return one_line
    body = "".join(f"    {part},\n" for part in parts)
    return f"{name} = {opening}\n{body}{closing}"


def dict_of_tuples(name: str, items: dict[str, tuple[str, ...]]) -> str:
    parts = []
    for key, values in items.items():
        inner = ", ".join(literal(v) for v in values) + ("," if len(values) == 1 else "")
        parts.append(f"    {literal(key)}: ({inner}),\n")
    return f"{name} = {{\n{''.join(parts)}}}"


def header(purpose: str) -> str:
    return (
        f'"""{purpose}\n\n'
        f"Generated from {SCHEMA_NAME} by `make contract` (tools/contract.py): do not edit, change the schema and\n"
        f'regenerate. docs/data-contract.md explains the fields."""\n\n'
        f"from __future__ import annotations\n"
    )


def json_encoder_lines(fields: Sequence[Field]) -> list[str]:
    """The f-string lines of the producer's encode_json: one `"Key":value` per line, braces at both ends."""
    value = {
        "string": 'quote(record["{n}"])',
        "datetime": 'quote(record["{n}"])',
        "integer": 'int(record["{n}"])',
        "number": 'float(record["{n}"])!r',
    }
    pieces = [f'"{f.name}":{{{value[f.kind].format(n=f.name)}}}' for f in fields]
    pieces = [piece + ("," if i < len(pieces) - 1 else "") for i, piece in enumerate(pieces)]
    pieces[0] = "{{" + pieces[0]
    pieces[-1] = pieces[-1] + "}}\\n"
    return [f"        f'{piece}'" for piece in pieces]


def python_names(fields: Sequence[Field]) -> list[str]:
    """A local variable name per field (its Athena column name: lowercase, digits, underscores)."""
    return [f"{f.athena_column}_" if keyword.iskeyword(f.athena_column) else f.athena_column for f in fields]


def record_from_lines(fields: Sequence[Field]) -> list[str]:
    """The body of the producer's record_from: strings stripped inline, the other kinds parsed by the callables."""
    names = python_names(fields)
    call = {"integer": "integer", "number": "number", "datetime": "datetime"}
    unpack = f"    {', '.join(names)}{',' if len(names) == 1 else ''} = values"
    lines = [unpack] if len(unpack) <= MAX_LINE else ["    (", *[f"        {n}," for n in names], "    ) = values"]
    for f, var in zip(fields, names, strict=True):
        if f.kind == "string" and non_empty(f):
            lines += [f"    {var} = {var}.strip()", f"    if not {var}:", f'        raise error("{f.name} is empty")']
    lines.append("    return {")
    for f, var in zip(fields, names, strict=True):
        if f.kind != "string":
            value = f'{call[f.kind]}({var}, "{f.name}")'
        else:
            value = var if non_empty(f) else f"{var}.strip()"
        lines.append(f'        "{f.name}": {value},')
    lines.append("    }")
    return lines


def producer_module(contract: Contract) -> str:
    fields = contract.fields
    return "\n".join(
        [
            header("The data contract as the producer reads and writes it: fields, kinds, CSV names, the encoder."),
            "from collections.abc import Callable, Sequence",
            "from json.encoder import encode_basestring",
            "from typing import Any",
            "",
            "# The record's keys, in wire order.",
            assignment("FIELDS", contract.names()),
            '# Fields that must not be empty; the others may be "".',
            assignment("REQUIRED_FIELDS", contract.names(non_empty)),
            "# How each field is parsed and written: string, integer, number or datetime (YYYY-MM-DD HH:MM:SS, UTC).",
            assignment("KINDS", {f.name: f.kind for f in fields}),
            "# The source CSV's header (Online Retail II).",
            assignment("CSV_HEADER", [f.csv_header for f in fields]),
            "# Every header name accepted for each field (matched ignoring case, spaces and underscores).",
            dict_of_tuples("CSV_NAMES", {f.name: (f.csv_header, *f.csv_aliases) for f in fields}),
            "",
            "",
            "def record_from(",
            "    values: Sequence[str],",
            "    integer: Callable[[str, str], int],",
            "    number: Callable[[str, str], float],",
            "    datetime: Callable[[str, str], str],",
            "    error: type[Exception],",
            ") -> dict[str, Any]:",
            '    """The record of one CSV row from its values in FIELDS order: strings stripped (a required one',
            "    raising `error` when empty), integers, numbers and datetimes converted by the callables given, which",
            "    take the text and the field's name.",
            "",
            "    Written out field by field, as the reader's hot loop would be by hand.",
            '    """',
            *record_from_lines(fields),
            "",
            "",
            "def encode_json(record: dict[str, Any]) -> bytes:",
            '    """The record as compact UTF-8 JSON, keys in contract order, `\\\\n`-terminated.',
            "",
            '    Byte for byte what `json.dumps(record, ensure_ascii=False, separators=(",", ":"))` writes (the tests',
            "    check it), assembled from the json module's own string escaper: the keys and value types are fixed",
            "    by the contract, and this is 3x faster than the generic encoder, which the producer's throughput",
            "    feels. Numbers must be finite (the reader guarantees it); JSON has no NaN.",
            '    """',
            "    quote = encode_basestring",
            "    return (",
            *json_encoder_lines(fields),
            "    ).encode()",
            "",
        ]
    )


def ingest_module(contract: Contract) -> str:
    def plain_string(f: Field) -> bool:
        return f.json_type == "string" and not f.date

    return "\n".join(
        [
            header("The data contract as the ingest function validates it: required, date and typed fields."),
            "# The record's keys, in contract order.",
            assignment("FIELDS", contract.names()),
            "# Fields the function refuses when missing, null or empty (the REQUIRED_FIELDS default).",
            assignment("REQUIRED_FIELDS", contract.names(non_empty)),
            "# `YYYY-MM-DD HH:MM:SS` strings in UTC, indexed as ISO-8601 dates (the DATE_FIELDS default).",
            assignment("DATE_FIELDS", contract.date_fields),
            assignment("STRING_FIELDS", contract.names(plain_string)),
            assignment("INTEGER_FIELDS", contract.names(lambda f: f.json_type == "integer")),
            assignment("NUMBER_FIELDS", contract.names(lambda f: f.json_type == "number")),
            "# The fields that identify an invoice line, in the order they are hashed into the document id.",
            assignment("IDENTITY_FIELDS", contract.names(lambda f: f.document_id)),
            "",
        ]
    )


def compaction_module(contract: Contract) -> str:
    fields = contract.fields
    order = [f for f in fields if f.date] + [f for f in fields if not f.date]
    return "\n".join(
        [
            header("The data contract as the compaction writes it: the Parquet table's columns and DuckDB's casts."),
            "# The Parquet table's columns, in order; the partition columns live in the folder names.",
            assignment("COLUMNS", [f.athena_column for f in fields]),
            "# The JSON record keys and how DuckDB reads them before the casts below.",
            assignment("JSON_COLUMNS", {f.name: DUCKDB_JSON_TYPES[f.json_type] for f in fields}),
            "# The Parquet columns, typed as the Athena table declares them.",
            assignment("PARQUET_SELECT", [f'CAST("{f.name}" AS {f.duckdb_type}) AS {f.athena_column}' for f in fields]),
            "# A stable row order for the Parquet files: the dates first, then every other column.",
            assignment("ORDER_BY", [f.athena_column for f in order]),
            "",
        ]
    )


def terraform_view(contract: Contract) -> str:
    columns = [
        {"name": f.athena_column, "type": f.athena_type, "json_key": f.name, "comment": f.description}
        for f in contract.fields
    ]
    quicksight = [{"name": f.athena_column, "type": f.quicksight_type} for f in contract.fields]
    quicksight += [{"name": key, "type": "STRING"} for key in contract.partition_keys]
    view = {
        "//": f"Generated from {SCHEMA_NAME} by `make contract` (tools/contract.py): do not edit.",
        "locals": {
            "record_contract": {
                "columns": columns,
                "quicksight_columns": quicksight,
                "required_fields": list(contract.names(non_empty)),
                "date_fields": list(contract.date_fields),
                "event_time_field": contract.date_fields[0],
            }
        },
    }
    return json.dumps(view, indent=2, ensure_ascii=False) + "\n"


def index_template(contract: Contract, current: str) -> str:
    """The index template file with its `mappings.properties` replaced by the contract's; the rest is kept."""
    template = json.loads(current)
    try:
        mappings = template["template"]["mappings"]
    except (KeyError, TypeError):
        raise ContractError("index_template.json has no template.mappings to fill") from None
    mappings["properties"] = {f.name: f.opensearch_mapping for f in contract.fields}
    return pretty_json(template) + "\n"


def inline_json(value: Any) -> str:
    if isinstance(value, dict) and value:
        members = (f"{json.dumps(k, ensure_ascii=False)}: {inline_json(v)}" for k, v in value.items())
        return "{ " + ", ".join(members) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(inline_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def pretty_json(value: Any, depth: int = 0) -> str:
    """JSON indented by two spaces, with lists of scalars and small objects below the top levels on one line
    (`"Invoice": { "type": "keyword" }`), as the index template was written by hand."""
    inline = inline_json(value)
    is_scalar_list = isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)
    if not isinstance(value, dict | list) or is_scalar_list or (depth >= 4 and len(inline) <= 80):
        return inline
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, list):
        items = [inner + pretty_json(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {pretty_json(v, depth + 1)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + f"\n{pad}}}"


def doc_table(contract: Contract) -> str:
    rows = [
        "| key | JSON type | required | example | CSV header (aliases) | Athena column | OpenSearch mapping |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in contract.fields:
        json_type = f"{f.json_type} `YYYY-MM-DD HH:MM:SS` (UTC)" if f.date else f.json_type
        required = "yes" if non_empty(f) else ("present, may be empty" if f.required else 'no, may be `""`')
        example = ", ".join(f"`{json.dumps(e, ensure_ascii=False)}`" for e in f.examples)
        csv_names = f"`{f.csv_header}`" + "".join(f", `{alias}`" for alias in f.csv_aliases)
        mapping = f"`{json.dumps(f.opensearch_mapping, separators=(',', ':'))}`"
        column = f"`{f.athena_column} {f.athena_type}`"
        rows.append(f"| `{f.name}` | {json_type} | {required} | {example} | {csv_names} | {column} | {mapping} |")
    return "\n".join(rows) + "\n"


def document(contract: Contract, current: str) -> str:
    begin, end = current.find(DOC_BEGIN), current.find(DOC_END)
    if begin < 0 or end < begin:
        raise ContractError(f"docs/data-contract.md lacks the markers {DOC_BEGIN} and {DOC_END}")
    return f"{current[: begin + len(DOC_BEGIN)]}\n{doc_table(contract)}{current[end:]}"


# --- records ---------------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def validate_record(data: bytes, validator: Draft202012Validator | None = None) -> str | None:
    """Why one record on the wire breaks the contract (UTF-8 JSON object, exactly one trailing newline, the
    schema), or None when it meets it."""
    if not data.endswith(b"\n") or data.endswith(b"\n\n") or b"\n" in data[:-1]:
        return "a record is one line ending in exactly one newline"
    try:
        record = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte {exc.start})"
    except ValueError as exc:
        return f"not JSON ({exc})"
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, expected an object"
    checker = validator or Draft202012Validator(load_schema())
    error = next(iter(sorted(checker.iter_errors(record), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.path)
    return f"{where}: {error.message}" if where else error.message


def validate_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, str | None]]:
    """(line number, reason or None) for each record of a newline-delimited stream."""
    validator = Draft202012Validator(load_schema())
    for number, line in enumerate(lines, start=1):
        yield number, validate_record(line if line.endswith(b"\n") else line + b"\n", validator)


# --- the views -------------------------------------------------------------------------------------

VIEWS: dict[str, Callable[[Contract, str], str]] = {
    "producer/contract.py": lambda c, _: producer_module(c),
    "lambda_src/ingest_opensearch/contract.py": lambda c, _: ingest_module(c),
    "lambda_src/ingest_opensearch/index_template.json": index_template,
    "lambda_src/compact_parquet/contract.py": lambda c, _: compaction_module(c),
    "terraform/contract.tf.json": lambda c, _: terraform_view(c),
    "docs/data-contract.md": document,
}


def render(root: Path = REPO_ROOT, schema_path: Path | None = None) -> dict[str, tuple[str, str]]:
    """Each view's path -> (current content, content from the schema)."""
    contract = load(schema_path or root / SCHEMA_NAME)
    views = {}
    for name, make in VIEWS.items():
        path = root / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        views[name] = (current, make(contract, current))
    return views


def stale_views(root: Path = REPO_ROOT) -> list[str]:
    return [name for name, (current, wanted) in render(root).items() if current != wanted]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 when a view is stale")
    mode.add_argument(
        "--validate",
        metavar="FILE",
        type=argparse.FileType("rb"),
        help="check newline-delimited JSON records (- for stdin) against the schema; exit 1 when one breaks it",
    )
    return parser


def validate_file(stream: Any) -> int:
    total, bad = 0, 0
    try:
        for total, reason in validate_lines(stream):
            if reason is not None:
                bad += 1
                if bad <= MAX_REPORTED:
                    print(f"{stream.name}:{total}: {reason}", file=sys.stderr)
    except ContractError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.ERROR
    if bad:
        print(f"{PROG}: error: {bad} of {total} records break {SCHEMA_NAME}", file=sys.stderr)
        return Exit.ERROR
    print(f"{PROG}: {total} records meet {SCHEMA_NAME}", file=sys.stderr)
    return Exit.OK


def main(argv: Sequence[str] | None = None, root: Path = REPO_ROOT) -> int:
    args = build_parser().parse_args(argv)
    if args.validate is not None:
        return validate_file(args.validate)
    try:
        views = render(root)
        stale = [name for name, (current, wanted) in views.items() if current != wanted]
        if not args.check:
            for name in stale:
                (root / name).write_text(views[name][1], encoding="utf-8")
                print(f"{PROG}: wrote {name}")
            if not stale:
                print(f"{PROG}: the {len(views)} views of {SCHEMA_NAME} are current")
    except (ContractError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return Exit.ERROR
    if args.check and stale:
        print(
            f"{PROG}: error: {', '.join(stale)} out of date with {SCHEMA_NAME}; run `make contract`",
            file=sys.stderr,
        )
        return Exit.ERROR
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main())
