"""pytest plugin: `pytest --ftlint` turns dataset rules into test items.

One item per (dataset file, rule family), so a CI dashboard shows "train.jsonl::structure" failing
separately from "train.jsonl::quality". A failure prints like a linter report, not a traceback.
Off unless `--ftlint` is given, like pytest-mypy's `--mypy`; imports of the engine are lazy so the
plugin costs nothing in runs that do not use it.

Collection: the configured dataset files are not where pytest looks for tests (they may lie
outside `testpaths`), so the session's own collection gets one extra collector, `DatasetRoot`,
which yields a `DatasetFile` per configured file and a `DatasetFamilyItem` per rule family. The
items therefore go through pytest's normal collection reports (counts, `--collect-only`, `-m`,
`-k`, `--lf`). A dataset file named on the command line (`pytest --ftlint data/train.jsonl` or the
node id of a failed item, `data/train.jsonl::structure`) is collected where pytest finds it, and
then only the named files get items, as for test files.

Linting goes through `Engine.run` and the configured baseline, so an item fails exactly when
`ftlint check` reports a finding of its family at or above `fail-on`; with run-wide rules enabled
(duplicates across the files of a split) all configured files are linted together. Passing items
are remembered in pytest's cache under a hash of everything that decides the outcome.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .baseline import Baseline
    from .config import Config
    from .engine import Engine, FileResult
    from .model import Finding

CACHE_KEY = "ftlint/v1/passed"
MAX_SHOWN = 10


@dataclass
class _State:
    """Everything one `--ftlint` session knows, built once at collection."""

    lint_config: "Config"
    files: list[Path]  # discovered dataset files, in discovery order
    real: set[str]  # their real paths, to recognise a file pytest reaches by another spelling
    baseline: "Baseline | None"
    baseline_digest: str | None  # content hash of the baseline file: it decides what fails, too
    stored: dict[str, str]  # the content-hash cache as read at the start: node id -> fingerprint
    use_cache: bool  # False with --ftlint-no-cache or without the cacheprovider plugin
    engine: "Engine | None" = None
    run_families: set[str] | None = None  # families with an enabled run-wide (cross-file) rule
    run_digest: str | None = None
    results: dict[Path, "FileResult"] = field(default_factory=dict)
    digests: dict[Path, str | None] = field(default_factory=dict)
    reused: set[str] = field(default_factory=set)
    updates: dict[str, str | None] = field(default_factory=dict)  # this session's changes; None drops
    explicit: bool = False  # a dataset file was named on the command line


_STATE = pytest.StashKey[_State]()


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


def _state(config: pytest.Config) -> _State:
    """Load the ftlint config and discover the dataset files once; mistakes are usage errors."""
    if _STATE in config.stash:
        return config.stash[_STATE]
    from .config import ConfigError, load_config
    from .discovery import discover_files

    # Relative paths in the ini file are relative to it (the rootdir, unless --rootdir moves that).
    ini_dir = config.inipath.parent if config.inipath is not None else config.rootpath
    try:
        config_file = config.getini("ftlint_config")
        lint_config = load_config(ini_dir / config_file if config_file else None, start=config.rootpath)
        ini_paths = config.getini("ftlint_paths")
        raw_paths, base = (ini_paths, ini_dir) if ini_paths else (lint_config.paths, lint_config.root)
        if not raw_paths:
            raise pytest.UsageError(
                "--ftlint: no dataset paths; set `paths` in [tool.ftlint] or the `ftlint_paths` ini option")
        files = [_under_rootdir(Path(os.path.abspath(p)), config.rootpath)
                 for p in discover_files([str(base / p) for p in raw_paths], lint_config)]
        baseline = baseline_digest = None
        if lint_config.baseline is not None:
            from .baseline import load_baseline

            baseline = load_baseline(lint_config.baseline)
            baseline_digest = _digest(lint_config.baseline)
    except ConfigError as exc:
        raise pytest.UsageError(f"--ftlint: {exc}") from None
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    stored = cache.get(CACHE_KEY, {}) if cache is not None else {}
    state = _State(lint_config=lint_config, files=files, real={os.path.realpath(p) for p in files},
                   baseline=baseline, baseline_digest=baseline_digest,
                   stored=dict(stored) if isinstance(stored, dict) else {},
                   use_cache=cache is not None and not config.getoption("ftlint_no_cache"))
    config.stash[_STATE] = state
    return state


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """Set up before collection starts, so that a configuration mistake is a usage error, not a
    collection error of whichever node first needed the configuration."""
    if session.config.getoption("ftlint"):
        _state(session.config)


def _under_rootdir(path: Path, rootpath: Path) -> Path:
    """The ftlint config's root is a resolved path, pytest's rootdir may not be (a symlinked
    checkout): spell a file under the resolved rootdir from the rootdir, for sensible node ids."""
    if not path.is_relative_to(rootpath):
        real_root = rootpath.resolve()
        if path.is_relative_to(real_root):
            return rootpath / path.relative_to(real_root)
    return path


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> "DatasetFile | None":
    """A configured dataset file named on the command line (or by a node id) is collected in place."""
    config = parent.config
    if not config.getoption("ftlint") or not parent.session.isinitpath(file_path):
        return None
    state = _state(config)
    if os.path.realpath(file_path) not in state.real:
        return None
    state.explicit = True
    return DatasetFile.create(parent, file_path)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """Add the dataset collector to the session's top-level collectors, after the test paths."""
    report = yield
    if isinstance(collector, pytest.Session) and collector.config.getoption("ftlint") and report.passed:
        state = _state(collector.config)
        if not state.explicit:
            report.result.append(DatasetRoot.from_parent(collector, name="ftlint"))
    return report


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None and state.reused:
        count = len(state.reused)
        terminalreporter.write_line(
            f"ftlint: {count} item{'s' * (count != 1)} passed before on unchanged files and settings "
            "(content-hash cache; --ftlint-no-cache or --cache-clear re-checks)")


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    cache = getattr(config, "cache", None)
    if state is None or cache is None or not state.updates:
        return  # nothing ran here (e.g. the pytest-xdist controller): do not overwrite the workers' writes
    # Apply only this session's changes to the cache as it is now, so that concurrent sessions
    # (pytest-xdist workers) do not drop each other's entries.
    current = cache.get(CACHE_KEY, {})
    merged = dict(current) if isinstance(current, dict) else {}
    for key, fingerprint in state.updates.items():
        if fingerprint is None:
            merged.pop(key, None)
        else:
            merged[key] = fingerprint
    cache.set(CACHE_KEY, merged)


class DatasetRoot(pytest.Collector):
    """The session-level collector of the configured dataset files (wherever they are)."""

    def collect(self) -> Iterator["DatasetFile"]:
        for path in _state(self.config).files:
            yield DatasetFile.create(self, path)


class DatasetFile(pytest.File):
    """One dataset file; its children are its rule families."""

    @classmethod
    def create(cls, parent: pytest.Collector, path: Path) -> "DatasetFile":
        rootpath = parent.config.rootpath
        if path.is_relative_to(rootpath):
            return cls.from_parent(parent, path=path)
        # Outside the rootdir pytest would name the node after the bare file name (or nothing).
        return cls.from_parent(parent, path=path, nodeid=Path(os.path.relpath(path, rootpath)).as_posix())

    def collect(self) -> Iterator["DatasetFamilyItem"]:
        from .rulepack import FAMILIES, load_rules

        rules = load_rules()
        enabled = {rules[code].family for code in _state(self.config).lint_config.settings_for(self.path).enabled}
        for family in FAMILIES.values():  # structure first, in rule-pack order
            if family in enabled:
                yield DatasetFamilyItem.from_parent(self, name=family, family=family)


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

    def _fingerprint(self) -> str | None:
        """Hash of everything that decides pass or fail: the file's content (mtime lies in fresh CI
        checkouts, content does not), its resolved settings, fail-on, the baseline, the ftlint
        version and, for a family with run-wide rules, every file of the run. None when a file
        cannot be read; such an item is never cached."""
        from . import __version__

        state = _state(self.config)
        content = _file_digest(state, self.path)
        if content is None:
            return None
        run = None
        if self.family in _run_families(state):
            run = _run_digest(state)
            if run is None:
                return None
        settings = state.lint_config.settings_for(self.path)
        return hashlib.sha256(json.dumps(
            [content, __version__, sorted(settings.enabled), settings.format,
             {k: str(v) for k, v in settings.severities.items()}, sorted(settings.configured_severity),
             settings.options, str(state.lint_config.fail_on), state.baseline_digest, run],
            sort_keys=True, default=str).encode()).hexdigest()

    def _result(self) -> "FileResult":
        """Lint the file once for all of its family items (pytest runs them one after another);
        with run-wide rules enabled, lint every file of the run together, as `ftlint check` does."""
        state = _state(self.config)
        if self.path not in state.results:
            _lint(self.config, state, state.files if _run_families(state) else [self.path])
        return state.results[self.path]

    def runtest(self) -> None:
        state = _state(self.config)
        key = self.nodeid
        fingerprint = self._fingerprint()
        if state.use_cache and fingerprint is not None and state.stored.get(key) == fingerprint:
            state.reused.add(key)
            return  # passed before with the same content and settings
        fail_on = state.lint_config.fail_on
        # S000 (the file could not be read) fails every family: none of them was checked.
        findings = [f for f in self._result().findings
                    if (f.code == "S000" or _family(f.code) == self.family) and f.severity >= fail_on]
        if findings:
            state.updates[key] = None
            raise LintFailure(findings)
        if fingerprint is not None:
            state.updates[key] = fingerprint

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None) -> str:
        if not isinstance(excinfo.value, LintFailure):
            return super().repr_failure(excinfo, style)
        return format_failure(excinfo.value.findings)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"ftlint {self.family}: {self.parent.nodeid}"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_digest(state: _State, path: Path) -> str | None:
    if path not in state.digests:
        try:
            state.digests[path] = _digest(path)
        except OSError:
            state.digests[path] = None
    return state.digests[path]


def _engine(state: _State) -> "Engine":
    if state.engine is None:
        from .engine import Engine

        state.engine = Engine(state.lint_config)
    return state.engine


def _run_families(state: _State) -> set[str]:
    """Families of the enabled rules that look across files (exact duplicates between train and
    validation): their items depend on every file, not only their own."""
    if state.run_families is None:
        engine = _engine(state)
        # Run-wide rules use the top-level settings, whatever the per-file overrides say.
        settings = state.lint_config.settings_for(state.lint_config.root / "__ftlint_run__")
        state.run_families = {_family(code) for code in settings.enabled
                              if engine.implementations[code].kind == "run"}
    return state.run_families


def _run_digest(state: _State) -> str | None:
    if state.run_digest is None:
        digests = [_file_digest(state, path) for path in state.files]
        if None in digests:
            return None
        state.run_digest = hashlib.sha256(json.dumps(
            [[str(p), d] for p, d in zip(state.files, digests)]
            + [state.lint_config.table, state.lint_config.cli], sort_keys=True, default=str).encode()).hexdigest()
    return state.run_digest


def _lint(config: pytest.Config, state: _State, paths: list[Path]) -> None:
    """Lint `paths` in one engine run, apply the baseline, and file the results by path."""
    by_display: dict[str, Path] = {}
    for path in paths:
        shown = os.path.relpath(path, config.invocation_params.dir)
        by_display[str(path) if shown.startswith("..") else shown] = path
    report = _engine(state).run(list(by_display))
    if state.baseline is not None:
        from .baseline import apply_baseline

        apply_baseline(report, state.baseline)
    for result in report.files:
        state.results[by_display.get(result.path, Path(result.path))] = result
    if report.run_findings and paths:  # run-wide findings about no single file: shown with the first
        state.results[paths[0]].findings.extend(report.run_findings)


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
            field_ = f" ({finding.location.field})" if finding.location.field else ""
            lines.append(f"  {finding.location}: {finding.message}{field_}")
        if len(group) > shown:
            lines.append(f"  ... and {len(group) - shown} more")
    return "\n".join(lines)
