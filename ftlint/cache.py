"""Per-file result cache keyed by content, settings and ftlint's own code, like ruff's.

A re-run on unchanged datasets (a pre-commit hook with `--all-files`, CI on a big repo) reads
each file once to hash it instead of linting it. Entries are single files written atomically
(temp file + rename), so two runs at once never see a half-written entry; a corrupt or
unreadable entry is a cache miss, never an error.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .config import FileSettings
from .engine import FileResult
from .model import Finding, Location, Severity

CACHE_DIR_NAME = ".ftlint_cache"


@functools.cache
def code_fingerprint() -> str:
    """ftlint's version plus the size and mtime of its code and rule pack, so a development
    checkout whose rules change without a version bump never serves stale results."""
    from .rulepack import rules_dir

    digest = hashlib.sha256(__version__.encode())
    for root in (Path(__file__).parent, rules_dir()):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml", ".json") and path.is_file():
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def settings_fingerprint(settings: FileSettings) -> str:
    payload = [sorted(settings.enabled), settings.format, sorted(settings.configured_severity),
               {code: str(sev) for code, sev in sorted(settings.severities.items())},
               {code: opts for code, opts in sorted(settings.options.items())}]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def content_hash(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None  # unreadable files are never cached: the engine reports them
    return digest.hexdigest()


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / __version__
        self.hits = 0

    def key(self, path: Path, display: str, settings: FileSettings) -> str | None:
        content = content_hash(path)
        if content is None:
            return None
        parts = [code_fingerprint(), settings_fingerprint(settings), content, display]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, key: str) -> FileResult | None:
        try:
            with open(self.directory / f"{key}.json", encoding="utf-8") as fh:
                result = _result_from_json(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.directory.parent)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_result_to_json(result), fh)
            os.replace(tmp, self.directory / f"{key}.json")
        except OSError:
            pass  # a read-only checkout still lints; it just does not cache


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by ftlint automatically.\n*\n", encoding="utf-8")


def _result_to_json(result: FileResult) -> dict[str, Any]:
    data = asdict(result)
    for finding in data["findings"]:
        finding["severity"] = int(finding["severity"])
    return data


def _result_from_json(data: dict[str, Any]) -> FileResult:
    findings = []
    for raw in data["findings"]:
        raw["severity"] = Severity(raw["severity"])
        raw["location"] = Location(**raw["location"])
        raw["related"] = tuple(Location(**r) for r in raw["related"])
        findings.append(Finding(**raw))
    data["findings"] = findings
    return FileResult(**data)
