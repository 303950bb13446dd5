"""The demo's results: one object, written as JSON (machine-readable) and printed as a short text report."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from demo.athena import QueryRun
from demo.compaction import Compaction
from demo.delivery import Delivery
from demo.produce import Produced
from demo.progress import StageTiming
from demo.search import REAL, STAND_IN, SearchResult
from demo.summary import Check, Summary

SCHEMA_VERSION = 1
SHOWN = 5  # rows per ranking in the text report


@dataclass
class DemoResult:
    run_id: str
    started_at: str  # ISO-8601 UTC
    input_file: str
    target: dict[str, Any]  # name, endpoint, region
    stack: dict[str, Any]  # the outputs the demo used
    removed_objects: int  # what earlier runs left in the lake's data folders, deleted before sending
    produced: Produced
    delivery: Delivery
    queries: dict[str, QueryRun]
    compactions: list[Compaction]
    compaction_skipped: str | None
    summary: Summary
    check: Check
    stages: list[StageTiming] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    search: SearchResult = field(default_factory=lambda: SearchResult(skipped="not run"))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(result: DemoResult) -> dict[str, Any]:
    """A plain-JSON view of the result (Decimal revenue becomes a number, exact to the cent)."""
    sent = result.produced.sent
    summary = result.summary
    document = {
        "schema_version": SCHEMA_VERSION,
        "run": {
            "id": result.run_id,
            "started_at": result.started_at,
            "seconds": round(sum(s.seconds for s in result.stages), 3),
            "input_file": result.input_file,
            "target": result.target,
            "time_mode": "keep: InvoiceDate as in the file; Firehose partitions by arrival time (UTC)",
        },
        "stack": result.stack,
        "reset": {"removed_objects": result.removed_objects},
        "stages": [
            {"name": s.name, "seconds": round(s.seconds, 3), "ok": s.ok, "detail": s.detail} for s in result.stages
        ],
        "producer": result.produced.as_dict(),
        "sent": {
            "lines": sent.all.lines,
            "units": sent.all.units,
            "revenue": sent.all.revenue,
            "invoices": len(sent.invoices),
            "customers": len(sent.customers),
            "first_invoice_date": sent.first,
            "last_invoice_date": sent.last,
        },
        "delivery": {
            "location": result.delivery.location,
            "records": result.delivery.records,
            "objects": result.delivery.objects,
            "seconds": round(result.delivery.seconds, 3),
            "hours": result.delivery.hours,
        },
        "queries": {name: run.as_dict() for name, run in result.queries.items()},
        "compaction": {
            "skipped": result.compaction_skipped,
            "hours": [c.as_dict() for c in result.compactions],
        },
        "search": result.search.as_dict(),
        "summary": {
            "revenue": summary.revenue,
            "customers": summary.customers,
            "revenue_by_month": summary.months,
            "revenue_by_hour_of_day": summary.hours_of_day,
            "top_countries": summary.countries,
            "top_products": summary.products,
        },
        "check": {"ok": result.check.ok, "items": result.check.items},
        "files": result.files,
    }
    # One round trip turns dataclasses, sets and Decimals into plain JSON values.
    return json.loads(json.dumps(document, default=_default))


def write_json(result: DemoResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def text_lines(result: DemoResult) -> list[str]:
    """The short report printed at the end of `make demo`."""
    s, sent, delivery = result.summary, result.produced.sent, result.delivery
    where = result.target.get("endpoint") or "AWS"
    hours = ", ".join(sorted(delivery.hours)) or "none"
    lines = [
        f"Retail pipeline demo, run {result.run_id} (ENV={result.target.get('name')}, {where})",
        f"  sent        {result.produced.stats.sent:,} records from {result.input_file} to "
        f"{result.produced.service} {result.produced.stream!r}; InvoiceDate kept ({sent.first} .. {sent.last})",
        f"  delivered   {delivery.records:,} records in {delivery.objects:,} objects under {delivery.location} "
        f"(arrival hour {hours} UTC)",
    ]
    ran = sum(1 for q in result.queries.values() if q.ok)
    if s.customers is not None:
        lines.append(
            f"  totals      revenue {money(s.revenue)} from {s.customers.lines:,} invoice lines, "
            f"{s.customers.invoices:,} invoices, {s.customers.customers:,} known customers "
            f"({ran} of {len(result.queries)} saved queries ran on Athena)"
        )
    lines += _search(result.search)
    lines += _months(s) + _hours(s) + _countries(s) + _products(s) + _compaction(result) + _check(result)
    if result.files:
        lines.append(f"  files       {'  '.join(result.files.values())}")
    return lines


def _search(search: SearchResult) -> list[str]:
    if search.skipped:
        return [f"  search      skipped: {search.skipped}"]
    return [
        f"  search      {search.sent:,} records through the stream: {search.indexed:,} indexed "
        f"({search.documents:,} documents: identical lines share one), {search.dead_lettered:,} dead-lettered, "
        f"{search.kept:,} in the failure store, {search.missing:,} missing; {search.bulk_requests:,} bulk requests "
        f"({search.signed_requests:,} SigV4-signed), item statuses {search.item_statuses or '{}'}",
        f"              real: the {REAL}; {STAND_IN}, at {search.endpoint}",
    ]


def _months(s: Summary) -> list[str]:
    if not s.months:
        return ["  by month    (revenue_by_month did not run)"]
    best = max(s.months, key=lambda m: m.revenue)
    worst = min(s.months, key=lambda m: m.revenue)
    return [
        f"  by month    {len(s.months)} months of InvoiceDate: best {best.month} ({money(best.revenue)}), "
        f"weakest {worst.month} ({money(worst.revenue)})"
    ]


def _hours(s: Summary) -> list[str]:
    if not s.hours_of_day:
        return ["  by hour     (revenue_by_hour did not run)"]
    ranked = sorted(s.hours_of_day, key=lambda h: h.revenue, reverse=True)[:3]
    first, last = s.hours_of_day[0].hour, s.hours_of_day[-1].hour
    busiest = ", ".join(f"{h.hour:02d}:00 ({money(h.revenue)})" for h in ranked)
    return [f"  by hour     sales from {first:02d}:00 to {last:02d}:59 UTC; busiest {busiest}"]


def _countries(s: Summary) -> list[str]:
    if not s.countries:
        return ["  countries   (top_countries did not run)"]
    total = s.revenue or Decimal(1)
    lines = ["  countries        revenue  share  invoices  country"]
    lines += [
        f"              {money(c.revenue):>12}  {float(c.revenue / total):>5.1%}  {c.invoices:>8,}  {c.country}"
        for c in s.countries[:SHOWN]
    ]
    return lines


def _products(s: Summary) -> list[str]:
    if not s.products:
        return ["  products    (top_products did not run)"]
    lines = ["  products     units       revenue  stock code and description"]
    lines += [
        f"              {p.units:>6,}  {money(p.revenue):>12}  {p.stockcode} {p.description}"
        for p in s.products[:SHOWN]
    ]
    return lines


def _compaction(result: DemoResult) -> list[str]:
    if result.compaction_skipped:
        return [f"  compaction  skipped: {result.compaction_skipped}"]
    lines = []
    for c in result.compactions:
        lines.append(f"  compaction  {c.summary}")
        reads = [_read_back(table, run) for table, run in c.reads.items()]
        lines.append(f"              read back through Athena: {'; '.join(reads)}")
    return lines


def _read_back(table: str, run: QueryRun) -> str:
    if not run.ok or not run.rows:
        return f"{table} table: {run.state} {run.reason}".rstrip()
    lines, revenue = run.rows[0][0] or "0", run.rows[0][1] or "0"
    return f"{table} table {int(lines):,} lines, revenue {money(Decimal(revenue))} in {run.seconds:.1f} s"


def _check(result: DemoResult) -> list[str]:
    check = result.check
    if check.ok:
        search = "" if result.search.skipped else ", sent = indexed + dead-lettered + in the failure store"
        return [
            f"  check       OK: {len(check.items)} of {len(check.items)} checks equal (records sent = delivered = "
            f"counted by Athena, monthly revenue to the cent, Parquet = JSON{search}); details in the JSON"
        ]
    lines = [f"  check       FAILED: {len(check.failures())} of {len(check.items)} checks differ"]
    lines += [
        f"              {item.name}: got {_short(item.got)}, expected {_short(item.expected)}"
        for item in check.failures()
    ]
    return lines


def _short(value: object, width: int = 200) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 3] + "..."
