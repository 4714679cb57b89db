"""Baselines: grandfather today's findings so CI fails only on new ones (like detect-secrets).

JSONL has no comments, so there is no `# noqa`; instead `.ftlint-baseline.json` lists each
finding's fingerprint (rule + hash of the normalised record + field), which survives
re-ordering and inserted records, unlike a line number. Identical findings are counted, so a
second copy of a baselined bad record is still new.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import write_atomically
from .config import ConfigError
from .engine import Report
from .model import Finding

DEFAULT_BASELINE = ".ftlint-baseline.json"
FORMAT_VERSION = 1


@dataclass
class BaselineEntry:
    code: str
    count: int
    message: str  # for people reading the file; findings about secrets are masked upstream


@dataclass
class Baseline:
    path: Path
    entries: dict[tuple[str, str], BaselineEntry] = field(default_factory=dict)  # (file, fingerprint)

    def key(self, finding: Finding) -> tuple[str, str]:
        return (_relative(finding.location.path, self.path.parent), finding.fingerprint or "")


@dataclass
class BaselineOutcome:
    """What applying a baseline did: how many findings it hid, and which entries went stale."""

    baselined: int = 0
    stale: list[tuple[str, str, BaselineEntry]] = field(default_factory=list)


def _relative(path: str, base: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:
        return Path(path).as_posix()


def load_baseline(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline not found (create it with `ftlint baseline`)") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable ftlint baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or not isinstance(data.get("files"), dict):
        raise ConfigError(f"{path}: not an ftlint baseline (version {FORMAT_VERSION})")
    baseline = Baseline(path)
    try:
        for file, fingerprints in data["files"].items():
            for fp, entry in fingerprints.items():
                baseline.entries[(file, fp)] = BaselineEntry(entry["code"], int(entry["count"]), entry.get("message", ""))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: malformed baseline entry: {exc}") from None
    return baseline


def baseline_from_report(report: Report, path: Path) -> Baseline:
    baseline = Baseline(path)
    for finding in report.findings:
        if not finding.fingerprint or finding.code == "S000":
            continue  # an unreadable file is an input error to fix, never to grandfather
        key = baseline.key(finding)
        entry = baseline.entries.get(key)
        if entry:
            entry.count += 1
        else:
            baseline.entries[key] = BaselineEntry(finding.code, 1, finding.message)
    return baseline


def write_baseline(baseline: Baseline) -> None:
    """Atomic write: a crash never leaves a truncated baseline behind."""
    files: dict[str, dict[str, Any]] = {}
    for (file, fp), entry in sorted(baseline.entries.items()):
        files.setdefault(file, {})[fp] = {"code": entry.code, "count": entry.count, "message": entry.message}
    payload = {"version": FORMAT_VERSION, "generated_by": f"ftlint {__version__}", "files": files}
    baseline.path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    write_atomically(baseline.path, text.encode("utf-8"), prefix=".ftlint-baseline-")


def apply_baseline(report: Report, baseline: Baseline) -> BaselineOutcome:
    """Remove baselined findings from the report (in place) and list stale entries."""
    remaining = Counter({key: entry.count for key, entry in baseline.entries.items()})
    checked_files = {_relative(r.path, baseline.path.parent) for r in report.files}
    outcome = BaselineOutcome()

    def unbaselined(findings: list[Finding]) -> list[Finding]:
        kept = []
        for finding in findings:
            key = baseline.key(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                outcome.baselined += 1
            else:
                kept.append(finding)
        return kept

    for result in report.files:
        result.findings = unbaselined(result.findings)
    report.run_findings = unbaselined(report.run_findings)
    report.__dict__.pop("findings", None)  # drop the cached sorted list
    for key, left in remaining.items():
        if left > 0 and key[0] in checked_files:  # files not checked this run are not stale
            entry = baseline.entries[key]
            outcome.stale.append((key[0], key[1], BaselineEntry(entry.code, left, entry.message)))
    return outcome


def prune_stale(baseline: Baseline, outcome: BaselineOutcome) -> Baseline:
    """`--update-baseline`: forget what no longer occurs; never add new findings silently."""
    for file, fp, entry in outcome.stale:
        current = baseline.entries[(file, fp)]
        current.count -= entry.count
        if current.count <= 0:
            del baseline.entries[(file, fp)]
    return baseline
