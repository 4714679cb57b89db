"""pytest plugin: `pytest --ftlint` turns dataset rules into test items.

One item per (dataset file, rule family), so a CI dashboard shows "train.jsonl::structure" failing
separately from "train.jsonl::quality". A failure prints like a linter report, not a traceback.
Off unless `--ftlint` is given, like pytest-mypy's `--mypy`; imports of the engine are lazy so the
plugin costs nothing in runs that do not use it.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .config import Config
    from .engine import FileResult
    from .model import Finding

CACHE_KEY = "ftlint/v1/passed"
MAX_SHOWN = 10
_RESULTS = pytest.StashKey[dict]()
_CONFIG = pytest.StashKey[Any]()
_CACHE = pytest.StashKey[dict]()
_REUSED = pytest.StashKey[set]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ftlint", "fine-tuning dataset linting")
    group.addoption("--ftlint", action="store_true", help="lint the configured dataset files with ftlint")
    group.addoption("--ftlint-no-cache", action="store_true",
                    help="re-check files that passed before even if their content is unchanged")
    parser.addini("ftlint_paths", type="linelist", default=[],
                  help="dataset files, directories or globs for --ftlint (default: [tool.ftlint] paths)")
    parser.addini("ftlint_config", default="", help="ftlint config file (default: discovered from rootdir)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ftlint: dataset checks collected by ftlint (pytest --ftlint)")


@pytest.hookimpl(tryfirst=True)  # before -m/-k deselection sees the list
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("ftlint"):
        return
    from .config import load_config
    from .discovery import discover_files
    from .rulepack import load_rules

    explicit = config.getini("ftlint_config") or None
    lint_config = load_config(config.rootpath / explicit if explicit else None, start=config.rootpath)
    raw_paths = config.getini("ftlint_paths") or lint_config.paths
    base = config.rootpath if config.getini("ftlint_paths") else lint_config.root
    if not raw_paths:
        raise pytest.UsageError("--ftlint: no dataset paths; set `paths` in [tool.ftlint] or the `ftlint_paths` ini option")
    config.stash[_CONFIG] = lint_config
    config.stash[_RESULTS] = {}
    config.stash[_CACHE] = {} if config.getoption("ftlint_no_cache") else dict(config.cache.get(CACHE_KEY, {}))
    config.stash[_REUSED] = set()
    rules = load_rules()
    for path in discover_files([str(base / p) for p in raw_paths], lint_config):
        settings = lint_config.settings_for(path)
        families = sorted({rules[code].family for code in settings.enabled})
        file_node = DatasetFile.from_parent(session, path=path.resolve())
        for family in families:
            items.append(DatasetFamilyItem.from_parent(file_node, name=family, family=family))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _REUSED in config.stash and config.stash[_REUSED]:
        count = len(config.stash[_REUSED])
        terminalreporter.write_line(
            f"ftlint: {count} item{'s' * (count != 1)} passed before on unchanged files and settings "
            "(content-hash cache; --ftlint-no-cache or --cache-clear re-checks)")


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if config.getoption("ftlint", False) and _CACHE in config.stash and config.cache is not None:
        config.cache.set(CACHE_KEY, config.stash[_CACHE])


class DatasetFile(pytest.File):
    """Parent node of a dataset file's items; items are added by the hook above, not collected."""

    def collect(self):  # pragma: no cover - never walked by pytest's own collection
        return []


class LintFailure(Exception):
    """Raised by a failing item; carries the findings for `repr_failure`."""

    def __init__(self, findings: list["Finding"]) -> None:
        super().__init__(f"{len(findings)} findings")
        self.findings = findings


class DatasetFamilyItem(pytest.Item):
    def __init__(self, *, family: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.family = family
        self.add_marker("ftlint")

    def _fingerprint(self) -> str:
        """Content hash of the file plus the resolved settings and ftlint version: mtime lies in
        fresh CI checkouts, content does not."""
        from . import __version__

        digest = hashlib.sha256()
        with open(self.path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        settings = self.config.stash[_CONFIG].settings_for(self.path)
        digest.update(json.dumps([__version__, sorted(settings.enabled), settings.format,
                                  {k: str(v) for k, v in settings.severities.items()}, settings.options],
                                 sort_keys=True, default=str).encode())
        return digest.hexdigest()

    def _result(self) -> "FileResult":
        """Lint the file once for all of its family items (pytest runs them one after another)."""
        results = self.config.stash[_RESULTS]
        if self.path not in results:
            from .engine import Engine

            shown = os.path.relpath(self.path, self.config.invocation_params.dir)
            results[self.path] = Engine(self.config.stash[_CONFIG]).check_file(shown if not shown.startswith("..") else self.path)
        return results[self.path]

    def runtest(self) -> None:
        cache = self.config.stash[_CACHE]
        key = f"{self.path.relative_to(self.config.rootpath) if self.path.is_relative_to(self.config.rootpath) else self.path}::{self.family}"
        fingerprint = self._fingerprint()
        if cache.get(key) == fingerprint:
            self.config.stash[_REUSED].add(key)
            return  # passed before with the same content and settings
        lint_config: Config = self.config.stash[_CONFIG]
        findings = [f for f in self._result().findings
                    if f.location and _family(f.code) == self.family and f.severity >= lint_config.fail_on]
        if findings:
            cache.pop(key, None)
            raise LintFailure(findings)
        cache[key] = fingerprint

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if not isinstance(excinfo.value, LintFailure):
            return super().repr_failure(excinfo)
        return format_failure(excinfo.value.findings)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"ftlint {self.family}: {self.path.name}"


def _family(code: str) -> str:
    from .rulepack import FAMILIES

    return FAMILIES[code[0]]


def format_failure(findings: list["Finding"], shown: int = MAX_SHOWN) -> str:
    """Group by rule: the code, its name and count, then the first offending locations."""
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    lines: list[str] = []
    for code, group in by_code.items():
        lines.append(f"{code} {group[0].rule} ({len(group)} finding{'s' * (len(group) != 1)})")
        for finding in group[:shown]:
            field = f" ({finding.location.field})" if finding.location.field else ""
            lines.append(f"  {finding.location}: {finding.message}{field}")
        if len(group) > shown:
            lines.append(f"  ... and {len(group) - shown} more")
    return "\n".join(lines)
