"""Human output: one `path:line: CODE message (field)` line per finding, then a summary."""
from __future__ import annotations

import os
from typing import TextIO

from ..engine import Report
from ..model import Finding, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def format_finding(finding: Finding, color: bool = False) -> str:
    code = finding.code
    if color:
        code = f"{_COLORS[finding.severity]}{_BOLD}{code}{_RESET}"
    tag = "" if finding.severity is Severity.ERROR else f" [{finding.severity}]"
    field = f" ({finding.location.field})" if finding.location.field else ""
    return f"{finding.location}: {code}{tag} {finding.message}{field}"


def write_concise(report: Report, out: TextIO, options: dict) -> None:
    """Findings and the summary, without the per-file format lines."""
    write(report, out, {**options, "show_formats": False})


def write(report: Report, out: TextIO, options: dict) -> None:
    color = options.get("color", use_color(out))  # a report file never gets colour codes
    quiet = options.get("quiet", False)
    if not quiet and options.get("show_formats", True):
        for result in report.files:
            fmt = result.format or "unknown format"
            out.write(f"{result.path}: {fmt} ({result.format_reason}), {result.records} records\n")
    for finding in report.findings:
        out.write(format_finding(finding, color) + "\n")
    if not quiet:
        for file, _, entry in report.stale:
            times = f" ({entry.count} times)" if entry.count > 1 else ""
            out.write(f"{file}: stale baseline entry{times}: {entry.code} {entry.message}\n")
    if options.get("statistics"):
        write_statistics(report, out)
    if not quiet:
        out.write(summary_line(report) + "\n")


def write_statistics(report: Report, out: TextIO) -> None:
    rules = {f.code: f.rule for f in report.findings}
    for code, count in report.statistics().items():
        out.write(f"{count:>7}  {code}  {rules[code]}\n")
    for result in report.files:
        for code, stats in result.statistics.items():
            out.write(f"{result.path}: {code} {_numbers(stats)}\n")
    for code, stats in report.dataset_statistics.items():
        out.write(f"dataset: {code} {_numbers(stats)}\n")


def _numbers(stats: dict) -> str:
    return ", ".join(f"{key} = {value:.4g}" if isinstance(value, float) else f"{key} = {value}"
                     for key, value in stats.items() if key != "plots")  # plots are the HTML report's


def summary_line(report: Report) -> str:
    counts = report.counts_by_severity()
    files = len(report.files)
    head = f"Checked {report.records} records in {files} file{'s' * (files != 1)}"
    tail = ""
    if report.baselined:
        tail += f" {report.baselined} baselined finding{'s' * (report.baselined != 1)} not shown."
    if report.stale:
        stale = sum(entry.count for _, _, entry in report.stale)
        tail += (f" {stale} baseline entr{'ies no longer occur' if stale != 1 else 'y no longer occurs'}:"
                 " refresh with --update-baseline.")
    if not any(counts.values()):
        return f"{head}: all checks passed.{tail}"
    parts = [f"{n} {name}{'s' * (n != 1)}" for name, n in counts.items() if n]
    verdict = "passed" if report.ok else "failed"
    return f"{head}: {', '.join(parts)} ({verdict}, fail-on = {report.fail_on}).{tail}"
