"""Machine output with a stable, versioned schema (documented in the README).

Additive changes keep `version`; removing or renaming a field bumps it.
"""
from __future__ import annotations

import json
from typing import Any, TextIO

from .. import __version__
from ..engine import Report
from ..model import Finding, Location

SCHEMA_VERSION = 1


def _location(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column, "field": loc.field}


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "rule": finding.rule,
        "severity": str(finding.severity),
        "message": finding.message,
        **_location(finding.location),
        "related": [_location(r) for r in finding.related],
        "fingerprint": finding.fingerprint,
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "ftlint", "version": __version__},
        "summary": {
            "files": len(report.files),
            "records": report.records,
            "findings": len(report.findings),
            **{f"{name}s": count for name, count in report.counts_by_severity().items()},
            "fail_on": str(report.fail_on),
            "ok": report.ok,
            "baselined": report.baselined,
        },
        "stale_baseline_entries": [
            {"path": file, "fingerprint": fp, "code": entry.code, "count": entry.count, "message": entry.message}
            for file, fp, entry in report.stale
        ],
        "files": [
            {"path": r.path, "format": r.format, "format_reason": r.format_reason, "records": r.records,
             "statistics": r.statistics}
            for r in report.files
        ],
        "dataset_statistics": report.dataset_statistics,
        "findings": [finding_dict(f) for f in report.findings],
        "statistics": report.statistics(),
    }


def write(report: Report, out: TextIO, options: dict) -> None:
    json.dump(report_dict(report), out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_lines(report: Report, out: TextIO, options: dict) -> None:
    """One finding per line (like ruff's json-lines): easy to stream into jq or a log store."""
    for finding in report.findings:
        out.write(json.dumps(finding_dict(finding), ensure_ascii=False) + "\n")
