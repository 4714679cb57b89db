"""`ftlint stats PATHS`: the dataset statistics alone, as a terminal table or JSON.

The numbers a dataset owner would otherwise compute in a notebook (records and formats per file,
and whatever the dataset-level rules measured: duplicate rates, class counts, token lengths,
personal-data rates) without the findings. It runs the same engine as `check`, so the numbers
are the ones the findings were judged on. Exit 0 unless the input could not be read (2).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from .engine import Report

SCHEMA_VERSION = 1
MAX_ROWS = 60  # rows per rule in the terminal table (class counts can be long); JSON has them all
MAX_HIST_ROWS = 16  # a terminal histogram merges neighbouring bins down to this many rows
BAR_WIDTH = 30


def run_stats(args: argparse.Namespace, lint: Callable[[argparse.Namespace], tuple[Any, Report]], out: TextIO) -> int:
    """`lint` is the CLI's own configuration-and-engine step, so options mean the same as in check."""
    _, report = lint(args)
    for finding in report.by_rule("S000"):
        print(f"ftlint: error: {finding.location}: {finding.message}", file=sys.stderr)
    data = stats_dict(report)
    if args.output_format == "json":
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        from .reporters.text import use_color

        write_text(data, out, use_color(out))
    return 2 if report.input_error else 0


def stats_dict(report: Report) -> dict[str, Any]:
    """The JSON document: a summary, the files, and every rule's statistics by scope."""
    formats: dict[str, dict[str, int]] = {}
    for result in report.files:
        entry = formats.setdefault(result.format or "unknown", {"files": 0, "records": 0})
        entry["files"] += 1
        entry["records"] += result.records
    return {
        "version": SCHEMA_VERSION,
        "summary": {"files": len(report.files), "records": report.records,
                    "formats": dict(sorted(formats.items()))},
        "files": [{"path": r.path, "format": r.format, "format_reason": r.format_reason, "records": r.records,
                   "statistics": r.statistics} for r in report.files],
        "dataset_statistics": report.dataset_statistics,
    }


# ---------------------------------------------------------------------------- terminal table


def write_text(data: Mapping[str, Any], out: TextIO, color: bool = False) -> None:
    from .reporters.html import flatten, format_value
    from .rulepack import load_rules

    rules = load_rules()
    bold = (lambda s: f"\033[1m{s}\033[0m") if color else (lambda s: s)
    summary = data["summary"]
    files = data["files"]
    out.write(bold("Files") + "\n")
    table = [("file", "format", "records", "detected because")]
    table += [(f["path"], f["format"] or "unknown", f"{f['records']:,}", f["format_reason"]) for f in files]
    _table(out, table, right={2}, header=True)
    formats = ", ".join(f"{name} ({v['files']} file{'s' * (v['files'] != 1)}, {v['records']:,} records)"
                        for name, v in summary["formats"].items())
    out.write(f"  {summary['files']} file{'s' * (summary['files'] != 1)}, {summary['records']:,} records"
              f"{': ' + formats if formats else ''}\n")
    sources = [("whole run", code, stats) for code, stats in data["dataset_statistics"].items()]
    sources += [(f["path"], code, stats) for f in files for code, stats in f["statistics"].items()]
    if not sources:
        out.write("\nNo dataset-level rule reported statistics for this run.\n")
    for scope, code, stats in sources:
        meta = rules.get(code)
        out.write("\n" + bold(f"{code} {meta.name if meta else ''}".rstrip()) + f" ({scope})\n")
        rows = [(key, format_value(value, key)) for key, value in flatten(stats, sep=".")]
        shown = rows[:MAX_ROWS]
        if shown:
            _table(out, shown, right={1})
        if len(rows) > MAX_ROWS:
            out.write(f"  ... {len(rows) - MAX_ROWS} more (see --output-format json)\n")
        plots = stats.get("plots") if isinstance(stats, Mapping) else None
        for plot in plots if isinstance(plots, list) else []:
            _plot(out, plot)


def _table(out: TextIO, rows: list[tuple[str, ...]], right: set[int] = frozenset(), header: bool = False) -> None:
    """Aligned columns; in `right` columns numbers line up on the right, text starts on the left."""
    widths = [min(max(len(row[i]) for row in rows), 48) for i in range(len(rows[0]))]
    numbers = [max((len(row[i]) for row in rows if _numeric(row[i])), default=0) for i in range(len(rows[0]))]
    if header:
        numbers = [max(n, len(name)) for n, name in zip(numbers, rows[0])]
        out.write("  " + "  ".join(cell.rjust(numbers[i]).ljust(widths[i]) if i in right else cell.ljust(widths[i])
                                   for i, cell in enumerate(rows[0])).rstrip() + "\n")
        rows = rows[1:]
    for row in rows:
        cells = [cell.rjust(numbers[i]).ljust(widths[i]) if i in right and _numeric(cell) else cell.ljust(widths[i])
                 for i, cell in enumerate(row)]
        out.write("  " + "  ".join(cells).rstrip() + "\n")


def _numeric(cell: str) -> bool:
    try:
        float(cell.replace(",", "").removesuffix("%"))
    except ValueError:
        return False
    return True


def _plot(out: TextIO, plot: Any) -> None:
    """A plot entry as text bars, so the terminal shows the shape the HTML report draws."""
    from .reporters import svg

    try:
        full = svg.validate(plot)
        norm = _merged(full)
    except svg.PlotError as exc:
        out.write(f"  (a plot could not be shown: {exc})\n")
        return
    if svg.is_empty(norm):
        return
    unit = f" {norm['unit']}" if norm["unit"] else ""
    out.write(f"  {norm['title']}{f' ({unit.strip()})' if unit else ''}\n")
    numbers = norm["counts"] if norm["kind"] == "histogram" else list(norm["values"].values())
    rows = svg.rows(norm)
    top = max((abs(n) for n in numbers), default=0) or 1
    width = min(max(len(label) for label, _ in rows), 36)
    for (label, value), number in zip(rows, numbers):
        bar = "█" * round(abs(number) / top * BAR_WIDTH)
        out.write(f"    {label[:width]:>{width}}  {bar} {value}\n")
    if norm["kind"] == "histogram" and norm["limit"] is not None:
        limit = norm["limit"]
        above = sum(c for c, low in zip(full["counts"], full["edges"]) if low >= limit)  # before merging
        out.write(f"    limit {svg.fmt(limit)}{unit}: {svg.fmt(above)} in bins at or above it\n")


def _merged(plot: dict[str, Any]) -> dict[str, Any]:
    """A histogram with more bins than a terminal shows, neighbouring bins added up."""
    if plot["kind"] != "histogram" or len(plot["counts"]) <= MAX_HIST_ROWS:
        return plot
    edges, counts = plot["edges"], plot["counts"]
    step = -(-len(counts) // MAX_HIST_ROWS)
    return {**plot, "edges": edges[::step] + ([edges[-1]] if (len(edges) - 1) % step else []),
            "counts": [sum(counts[i:i + step]) for i in range(0, len(counts), step)]}
