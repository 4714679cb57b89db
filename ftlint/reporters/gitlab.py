"""GitLab Code Quality report (a JSON array of issues, shown in merge requests)."""
from __future__ import annotations

import hashlib
import json
from typing import TextIO

from ..engine import Report
from ..model import Severity
from .common import headline, relative_uri

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def write(report: Report, out: TextIO, options: dict) -> None:
    issues = []
    seen: dict[str, int] = {}
    for finding in report.findings:
        path = relative_uri(finding.location.path)
        identity = finding.fingerprint or f"{finding.code}:{path}:{finding.location.line}:{finding.message}"
        # GitLab keys issues by fingerprint, and a record fingerprint is shared by identical
        # records (and by two schema errors at one field of one record): number the repeats, in
        # file order, so each finding keeps its own issue and inserting other records changes none.
        repeat = seen.get(f"{identity}:{path}", 0)
        seen[f"{identity}:{path}"] = repeat + 1
        if repeat:
            identity = f"{identity}#{repeat}"
        issues.append({
            "type": "issue",
            "check_name": f"{finding.code} {finding.rule}",
            "description": f"{finding.code} {headline(finding)}",
            "categories": ["Bug Risk"],
            "severity": _SEVERITY[finding.severity],
            "fingerprint": hashlib.sha256(f"{identity}:{path}".encode()).hexdigest(),
            "location": {"path": path, "lines": {"begin": finding.location.line or 1}},
        })
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")
