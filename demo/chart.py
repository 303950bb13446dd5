"""The report's charts (PNG): revenue by month and by hour of day (InvoiceDate, UTC) and the top countries; and the
search branch's, the lab's Dashboards chart (sum of Quantity per 10 minutes of InvoiceDate).

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global state).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demo.summary import Country, HourOfDay, Month, Summary

COLOR = "#2f6f9f"
ACCENT = "#d9822b"
DPI = 110
SIZE_INCHES = (15.0, 4.6)


def write_chart(summary: Summary, path: Path, title: str) -> Path:
    """Write the three panels to `path` (PNG); a panel whose query did not run says so instead."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    left, middle, right = figure.subplots(1, 3, width_ratios=[1.5, 1.0, 1.0])
    _months(left, summary.months)
    _hours(middle, summary.hours_of_day)
    _countries(right, summary.countries, summary.revenue)
    figure.suptitle(title, fontsize=12)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _money(value: float, _: object = None) -> str:
    return f"{value / 1000:,.0f}k" if abs(value) >= 1000 else f"{value:,.0f}"


def _missing(axes: Axes, what: str) -> None:
    axes.text(0.5, 0.5, f"{what}:\nquery not run", ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()


def _months(axes: Axes, months: list[Month] | None) -> None:
    if not months:
        _missing(axes, "revenue by month")
        return
    labels = [m.month for m in months]
    values = [float(m.revenue) for m in months]
    axes.bar(range(len(values)), values, color=COLOR)
    step = max(1, len(labels) // 12)
    axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right", fontsize=8)
    axes.yaxis.set_major_formatter(_money)
    axes.set_title("Revenue by month (InvoiceDate, UTC)", fontsize=10)
    axes.set_ylabel("sum(price × quantity)")


def _hours(axes: Axes, hours: list[HourOfDay] | None) -> None:
    if not hours:
        _missing(axes, "revenue by hour")
        return
    by_hour = {h.hour: float(h.revenue) for h in hours}
    values = [by_hour.get(hour, 0.0) for hour in range(24)]
    peak = max(range(24), key=lambda hour: values[hour])
    axes.bar(range(24), values, color=[ACCENT if hour == peak else COLOR for hour in range(24)])
    axes.set_xticks(range(0, 24, 3), [f"{hour:02d}:00" for hour in range(0, 24, 3)], fontsize=8)
    axes.yaxis.set_major_formatter(_money)
    axes.set_title("Revenue by hour of day (InvoiceDate, UTC)", fontsize=10)


def _countries(axes: Axes, countries: list[Country] | None, revenue: Decimal | None) -> None:
    if not countries:
        _missing(axes, "top countries")
        return
    total = revenue or sum((c.revenue for c in countries), Decimal(0)) or Decimal(1)
    shown = list(reversed(countries[:8]))
    values = [float(c.revenue) for c in shown]
    bars = axes.barh([c.country for c in shown], values, color=COLOR)
    axes.bar_label(bars, [f"{float(c.revenue / total):.1%}" for c in shown], padding=3, fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    if all(value > 0 for value in values):  # one country usually dwarfs the rest; a log axis shows them all
        axes.set_xscale("log")
        axes.set_xlim(right=max(values) * 4)  # room for the share labels
        axes.set_title("Top countries by revenue (log scale, % of all)", fontsize=10)
    else:
        axes.xaxis.set_major_formatter(_money)
        axes.set_title("Top countries by revenue (% of all)", fontsize=10)


def write_search_chart(buckets: list[tuple[str, int]], path: Path, title: str) -> Path:
    """The lab's Dashboards chart: sum of Quantity per 10 minutes of InvoiceDate, over the whole range (left) and on
    the day with the most 10-minute buckets of sales (right, every bucket of its opening hours, empty ones included),
    from the documents the search engine received."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    whole, day = figure.subplots(1, 2, width_ratios=[1.6, 1.0])
    if not buckets:
        for axes in (whole, day):
            _missing(axes, "sum of Quantity per 10 minutes")
    else:
        moments = [datetime.fromisoformat(bucket) for bucket, _ in buckets]
        values = [quantity for _, quantity in buckets]
        whole.vlines(moments, 0, values, color=COLOR, linewidth=0.8)
        whole.axhline(0, color="#999999", linewidth=0.5)
        whole.set_title("Sum of Quantity per 10 minutes of InvoiceDate (UTC), every document", fontsize=10)
        whole.set_ylabel("sum(Quantity)")
        whole.tick_params(axis="x", labelsize=8, labelrotation=30)
        _busiest_day(day, moments, values)
    figure.suptitle(title, fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path


def _busiest_day(axes: Axes, moments: list[datetime], values: list[int]) -> None:
    per_day: dict[str, dict[datetime, int]] = {}
    for moment, quantity in zip(moments, values, strict=True):
        per_day.setdefault(f"{moment:%Y-%m-%d}", {})[moment] = quantity
    name = max(per_day, key=lambda day: (len(per_day[day]), day))
    sales = per_day[name]
    first, last = min(sales), max(sales)
    grid = [first + timedelta(minutes=10 * i) for i in range(int((last - first).total_seconds() // 600) + 1)]
    axes.bar(range(len(grid)), [sales.get(moment, 0) for moment in grid], color=ACCENT)
    step = max(1, len(grid) // 12)
    axes.set_xticks(range(0, len(grid), step), [f"{m:%H:%M}" for m in grid[::step]], rotation=45, ha="right",
                    fontsize=8)  # fmt: skip
    axes.axhline(0, color="#999999", linewidth=0.5)
    axes.set_title(f"{name}, the day with the most 10-minute buckets of sales", fontsize=10)
