"""SARIF 2.1.0 for code-scanning upload (GitHub, Azure DevOps, GitLab, VS Code viewers)."""
from __future__ import annotations

import json
from typing import Any, TextIO

from .. import __version__
from ..engine import Report
from ..rulepack import load_rules
from .common import SARIF_LEVEL, headline, relative_uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/ftlint/"


def _rule_descriptor(meta) -> dict[str, Any]:
    help_text = f"{meta.why.strip()}\n\nBad:\n{meta.bad.strip()}\n\nGood:\n{meta.good.strip()}"
    help_markdown = (f"{meta.why.strip()}\n\n**Bad**\n\n```json\n{meta.bad.strip()}\n```\n\n"
                     f"**Good**\n\n```json\n{meta.good.strip()}\n```")
    return {
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.why.strip()},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": SARIF_LEVEL[meta.severity], "enabled": meta.default_enabled},
        "properties": {"tags": [meta.family], "precision": "high"},
    }


def _location(path: str, line: int | None, column: int | None, field: str | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": relative_uri(path), "uriBaseId": "%SRCROOT%"}}
    if line:
        region: dict[str, Any] = {"startLine": line}
        if column:
            region["startColumn"] = column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if field:
        location["logicalLocations"] = [{"fullyQualifiedName": field, "kind": "member"}]
    return location


def report_sarif(report: Report) -> dict[str, Any]:
    rules = load_rules()
    used = sorted({f.code for f in report.findings} | set(rules))
    index = {code: i for i, code in enumerate(used)}
    results = []
    for finding in report.findings:
        loc = finding.location
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": SARIF_LEVEL[finding.severity],
            "message": {"text": headline(finding)},
            "locations": [_location(loc.path, loc.line, loc.column, loc.field)],
        }
        if finding.fingerprint:
            result["partialFingerprints"] = {"ftlintRecord/v1": finding.fingerprint}
        if finding.related:
            result["relatedLocations"] = [
                {"id": i, **_location(r.path, r.line, r.column, r.field)} for i, r in enumerate(finding.related)
            ]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ftlint",
                "version": __version__,
                "informationUri": INFO_URI,
                "rules": [_rule_descriptor(rules[code]) for code in used],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The working directory of the ftlint run."}}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def write(report: Report, out: TextIO, options: dict) -> None:
    json.dump(report_sarif(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
