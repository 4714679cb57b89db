"""Static SVG plots from the `plots` entries of rule statistics, drawn in Python.

A report must open offline from a CI artifact, so there is no charting library: each plot is a
small hand-built SVG with its title, an aria-label that says what it shows, and a `<title>` on
every bar (a tooltip). Rules describe plots as plain data (the contract in `validate`), so a new
rule family gets plots without touching this module.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH = 640
MAX_BARS = 40  # a bar chart of more labels shows the largest ones and says how many are left out

_BAR = "#3b6fb6"
_LIMIT = "#c0392b"
_AXIS = "#555"
_GRID = "#ddd"
_TEXT = "#222"


class PlotError(ValueError):
    """A `plots` entry that does not follow the contract: the report says so instead of crashing."""


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PlotError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def validate(plot: Any) -> dict[str, Any]:
    """Check a plot entry against the contract and return it normalised.

    histogram: {"kind": "histogram", "title": str, "edges": [n+1 increasing numbers],
                "counts": [n counts >= 0], "limit": number or None, "unit": str}
    bars:      {"kind": "bars", "title": str, "values": {label: number}, "unit": str}
    """
    if not isinstance(plot, Mapping):
        raise PlotError(f"a plot must be a mapping, got {type(plot).__name__}")
    kind = plot.get("kind")
    title = str(plot.get("title") or "untitled plot")
    unit = str(plot.get("unit") or "")
    if kind == "histogram":
        edges, counts = plot.get("edges"), plot.get("counts")
        if not isinstance(edges, Sequence) or not isinstance(counts, Sequence) or isinstance(edges, str):
            raise PlotError("a histogram needs lists `edges` and `counts`")
        if len(counts) < 1 or len(edges) != len(counts) + 1:
            raise PlotError(f"a histogram needs len(edges) == len(counts) + 1 >= 2, got {len(edges)} and {len(counts)}")
        edges = [_number(e, "an edge") for e in edges]
        counts = [_number(c, "a count") for c in counts]
        if any(b <= a for a, b in zip(edges, edges[1:])):
            raise PlotError("histogram edges must increase")
        if any(c < 0 for c in counts):
            raise PlotError("histogram counts must not be negative")
        limit = plot.get("limit")
        limit = None if limit is None else _number(limit, "the limit")
        return {"kind": kind, "title": title, "unit": unit, "edges": edges, "counts": counts, "limit": limit}
    if kind == "bars":
        values = plot.get("values")
        if not isinstance(values, Mapping):
            raise PlotError("a bar chart needs a mapping `values`")
        values = {str(label): _number(v, f"the value of {label!r}") for label, v in values.items()}
        return {"kind": kind, "title": title, "unit": unit, "values": values}
    raise PlotError(f"unknown plot kind {kind!r} (expected histogram or bars)")


def is_empty(plot: Any) -> bool:
    """Nothing to draw: a bar chart without values, a histogram without counts."""
    plot = validate(plot)
    return not plot["values"] if plot["kind"] == "bars" else not any(plot["counts"])


def render(plot: Any) -> str:
    """The SVG markup of one plot entry; raises PlotError when the entry is malformed."""
    plot = validate(plot)
    if is_empty(plot):
        raise PlotError("nothing to draw")
    return _histogram(plot) if plot["kind"] == "histogram" else _bars(plot)


def describe(plot: Any) -> str:
    """A one-sentence text alternative: what a screen reader announces for the image."""
    plot = validate(plot)
    unit = f" {plot['unit']}" if plot["unit"] else ""
    if plot["kind"] == "histogram":
        edges, counts = plot["edges"], plot["counts"]
        total = sum(counts)
        peak = max(range(len(counts)), key=lambda i: counts[i])
        bins = f"{len(counts)} bin{'s' * (len(counts) != 1)}"
        text = (f"Histogram of {fmt(total)} value{'s' * (total != 1)} from {fmt(edges[0])} to {fmt(edges[-1])}{unit} "
                f"in {bins}; the largest bin is {fmt(edges[peak])} to {fmt(edges[peak + 1])}{unit} with {fmt(counts[peak])}.")
        if plot["limit"] is not None:
            above = sum(c for c, lo in zip(counts, edges) if lo >= plot["limit"])
            text += f" Limit {fmt(plot['limit'])}{unit}: {fmt(above)} values in bins at or above it."
        return text
    ordered = sorted(plot["values"].items(), key=lambda item: -item[1])
    top = ", ".join(f"{label} {fmt(v)}" for label, v in ordered[:5])
    more = f" and {len(ordered) - 5} more" if len(ordered) > 5 else ""
    measured = f" in{unit}" if unit else ""
    return f"Bar chart of {len(ordered)} value{'s' * (len(ordered) != 1)}{measured}: {top}{more}."


def rows(plot: Any) -> list[tuple[str, str]]:
    """The plot's numbers as (label, value) rows: the data table shown under the image."""
    plot = validate(plot)
    if plot["kind"] == "histogram":
        edges = plot["edges"]
        return [(f"{fmt(edges[i])} – {fmt(edges[i + 1])}", fmt(c)) for i, c in enumerate(plot["counts"])]
    return [(label, fmt(v)) for label, v in plot["values"].items()]


def fmt(value: float) -> str:
    """Compact numbers for axes and labels: 1200 -> 1,200; 0.125 -> 0.125; 3.0 -> 3."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, count: int = 5, integer: bool = False) -> list[float]:
    """About `count` round tick values from at or below `low` to at or above `high` (steps of 1, 2,
    2.5 or 5 times a power of ten); with `integer`, no fractional step (there are no 0.2 clusters)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * power for m in steps if m * power >= raw)
    if integer and step < 1:
        step = 1
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 12) for i in range(first, last + 1)]


def _open(plot: dict[str, Any], height: int) -> list[str]:
    label = escape(describe(plot))
    return [f'<svg class="plot" role="img" aria-label="{label}" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
            f"<title>{escape(plot['title'])}</title>", f"<desc>{label}</desc>"]


def _histogram(plot: dict[str, Any]) -> str:
    edges, counts, limit, unit = plot["edges"], plot["counts"], plot["limit"], plot["unit"]
    height, left, right, top, bottom = 260, 56, 16, 16, 44
    low, high = edges[0], edges[-1]
    if limit is not None:
        low, high = min(low, limit), max(high, limit)
    x_ticks = nice_ticks(low, high)
    low, high = min(low, x_ticks[0]), max(high, x_ticks[-1])
    y_ticks = nice_ticks(0, max(max(counts), 1), integer=all(c == int(c) for c in counts))
    y_high = max(y_ticks[-1], max(counts), 1)
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * plot_w

    def y(value: float) -> float:
        return top + plot_h - value / y_high * plot_h

    out = _open(plot, height)
    for tick in y_ticks:
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{_GRID}"/>')
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{_TEXT}">{fmt(tick)}</text>')
    unit_text = f" {unit}" if unit else ""
    for i, count in enumerate(counts):
        x0, x1 = x(edges[i]), x(edges[i + 1])
        tip = escape(f"{fmt(edges[i])} – {fmt(edges[i + 1])}{unit_text}: {fmt(count)}")
        out.append(f'<rect class="bar" x="{x0:.1f}" y="{y(count):.1f}" width="{max(x1 - x0 - 1, 0.5):.1f}" '
                   f'height="{y(0) - y(count):.1f}" fill="{_BAR}"><title>{tip}</title></rect>')
    out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{_AXIS}"/>')
    for tick in x_ticks:
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{y(0):.1f}" y2="{y(0) + 4:.1f}" stroke="{_AXIS}"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{y(0) + 16:.1f}" text-anchor="middle" fill="{_TEXT}">{fmt(tick)}</text>')
    if unit:
        out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="{_TEXT}">'
                   f"{escape(unit)}</text>")
    if limit is not None:
        out.append(f'<line class="limit" x1="{x(limit):.1f}" x2="{x(limit):.1f}" y1="{top}" y2="{y(0):.1f}" '
                   f'stroke="{_LIMIT}" stroke-width="2" stroke-dasharray="6 3"><title>limit {fmt(limit)}{escape(unit_text)}'
                   f"</title></line>")
        anchor = "end" if x(limit) > left + plot_w * 0.7 else "start"
        shift = -4 if anchor == "end" else 4
        out.append(f'<text x="{x(limit) + shift:.1f}" y="{top + 10}" text-anchor="{anchor}" fill="{_LIMIT}">'
                   f"limit {fmt(limit)}{escape(unit_text)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def _bars(plot: dict[str, Any]) -> str:
    """Horizontal bars: labels (class names, split pairs) can be long and stay readable."""
    items = list(plot["values"].items())
    left_out = 0
    if len(items) > MAX_BARS:
        items = sorted(items, key=lambda item: -item[1])
        left_out, items = len(items) - MAX_BARS, items[:MAX_BARS]
    unit = plot["unit"]
    row, top, bottom = 22, 10, 34 + (16 if left_out else 0)
    longest = max(len(label) for label, _ in items)
    left = min(max(60, 7 * min(longest, 32) + 12), 260)
    right = 70
    height = top + row * len(items) + bottom
    low = min(0.0, min(v for _, v in items))
    ticks = nice_ticks(low, max(max(v for _, v in items), low + 1e-12) if any(v for _, v in items) else 1,
                       integer=all(v == int(v) for _, v in items))
    low, high = min(low, ticks[0]), max(ticks[-1], max(v for _, v in items))
    plot_w = WIDTH - left - right

    def x(value: float) -> float:
        return left + (value - low) / (high - low) * plot_w

    out = _open(plot, height)
    base = top + row * len(items)
    for tick in ticks:
        out.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top}" y2="{base}" stroke="{_GRID}"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{base + 14}" text-anchor="middle" fill="{_TEXT}">{fmt(tick)}</text>')
    unit_text = f" {unit}" if unit else ""
    for i, (label, value) in enumerate(items):
        y0 = top + i * row
        x0, x1 = sorted((x(0), x(value)))
        shown = label if len(label) <= 34 else label[:33] + "…"
        out.append(f'<text x="{left - 6}" y="{y0 + row / 2 + 4:.1f}" text-anchor="end" fill="{_TEXT}">{escape(shown)}</text>')
        out.append(f'<rect class="bar" x="{x0:.1f}" y="{y0 + 3}" width="{max(x1 - x0, 0.5):.1f}" height="{row - 6}" '
                   f'fill="{_BAR}"><title>{escape(f"{label}: {fmt(value)}{unit_text}")}</title></rect>')
        out.append(f'<text x="{x1 + 4:.1f}" y="{y0 + row / 2 + 4:.1f}" fill="{_TEXT}">{fmt(value)}</text>')
    out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top}" y2="{base}" stroke="{_AXIS}"/>')
    if unit:
        out.append(f'<text x="{left + plot_w / 2:.1f}" y="{base + 30}" text-anchor="middle" fill="{_TEXT}">'
                   f"{escape(unit)}</text>")
    if left_out:
        out.append(f'<text x="{left}" y="{height - 4}" fill="{_TEXT}">the {MAX_BARS} largest of '
                   f"{MAX_BARS + left_out} shown</text>")
    out.append("</svg>")
    return "\n".join(out)
