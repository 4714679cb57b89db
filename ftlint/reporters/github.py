"""GitHub Actions workflow commands: each finding becomes an inline annotation on the PR."""
from __future__ import annotations

from typing import TextIO

from ..engine import Report
from ..model import Severity
from .common import headline, relative_uri

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, out: TextIO, options: dict) -> None:
    for finding in report.findings:
        loc = finding.location
        props = [f"file={_escape_property(relative_uri(loc.path))}"]
        if loc.line:
            props.append(f"line={loc.line}")
            if loc.column:
                props.append(f"col={loc.column}")
        props.append(f"title={_escape_property(f'ftlint {finding.code} ({finding.rule})')}")
        out.write(f"::{_LEVEL[finding.severity]} {','.join(props)}::{_escape_data(headline(finding))}\n")
