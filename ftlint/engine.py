"""Runs the rule pack over files: read -> detect format -> validate -> Sample -> rules -> findings.

One streaming pass per file. Per-record rules see one `Sample` at a time; dataset-level rules
keep compact state and report at the end of the file. The engine knows no rule by name except
the few it reports itself (unreadable file, format detection, schema), so adding a rule never
touches this module.

A big JSONL file is cut into batches of raw lines that worker processes parse and check
(`ftlint.parallel`); their findings and rule states come back in file order and are merged, so
the report is the one a single process would write. Rule modules (numpy, tokenizers...) are
imported only when a file must really be linted: a run served from the cache never loads them.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import orjson

from .config import TOP_LEVEL_KEYS, Config, FileSettings, load_config, validate_table
from .discovery import discover_files
from .formats import FORMATS, Detection, detect_file_format, detect_record_format
from .gcpolicy import relaxed_gc
from .labels import LabelResolver
from .model import Finding, Hit, Location, Record, Severity
from .readers import DEFAULT_MAX_LINE_BYTES, ReadPosition, UnreadableFile, is_jsonl_file, read_records
from .registry import Implementation, RunContext
from .rulepack import load_rules

DETECTION_SAMPLE = 50
MAX_SCHEMA_ERRORS_PER_RECORD = 5
# Files smaller than this are linted in-process: starting worker processes (each imports the
# rule modules) costs more than checking a few thousand records on one core.
PARALLEL_MIN_BYTES = 2 << 20


@dataclass
class FileResult:
    path: str
    format: str | None
    format_reason: str
    records: int = 0
    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)  # codes that applied to this file
    # Numbers per-file dataset rules computed on the way (`statistics()`), by rule code.
    statistics: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    """What every front-end renders: per-file results and the findings, sorted by location."""

    files: list[FileResult]
    fail_on: Severity = Severity.ERROR
    # Run-wide findings that belong to no single checked file (rare: most name the file they are in).
    run_findings: list[Finding] = field(default_factory=list)
    # Dataset statistics from run-wide rules (duplicate rates, class counts...), by rule code:
    # the numbers a user would otherwise compute in a notebook, in every report.
    dataset_statistics: dict[str, Any] = field(default_factory=dict)
    baselined: int = 0  # findings hidden by a baseline
    stale: list[Any] = field(default_factory=list)  # baseline entries that no longer occur

    @functools.cached_property
    def findings(self) -> list[Finding]:
        return sorted(chain(chain.from_iterable(f.findings for f in self.files), self.run_findings),
                      key=Finding.sort_key)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def ok(self) -> bool:
        return not any(f.severity >= self.fail_on for f in self.findings)

    @property
    def input_error(self) -> bool:
        """A file could not be read at all: the CLI exits 2, as for a usage error."""
        return any(f.code == "S000" for f in self.findings)

    def by_rule(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def statistics(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.code] = counts.get(finding.code, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def counts_by_severity(self) -> dict[str, int]:
        counts = {str(s): 0 for s in sorted(Severity, reverse=True)}
        for finding in self.findings:
            counts[str(finding.severity)] += 1
        return counts


def default_jobs() -> int:
    """The CPUs this process may use (a container's CPU set, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class Engine:
    def __init__(self, config: Config, cache: Any = None, jobs: int | None = None, progress: Any = None,
                 parallel_min_bytes: int = PARALLEL_MIN_BYTES) -> None:
        self.config = config
        self.cache = cache  # a ftlint.cache.ResultCache, or None
        # Worker processes for big JSONL files: --jobs, then `jobs` in the config, then every CPU.
        configured = config.cli.get("jobs") or config.table.get("jobs")
        self.jobs = int(jobs or configured or default_jobs())
        self.progress = progress  # a ftlint.progress.ProgressBar, or None
        self.parallel_min_bytes = parallel_min_bytes
        self._pool: Any = None

    @functools.cached_property
    def rules(self) -> dict:
        return load_rules()

    @functools.cached_property
    def implementations(self) -> dict[str, Implementation]:
        """The rule modules, imported on first use: a run served from the cache needs none."""
        from .registry import discover

        implementations = discover()
        missing = sorted(set(self.rules) - set(implementations))
        orphans = sorted(set(implementations) - set(self.rules))
        if missing or orphans:
            raise RuntimeError(f"rule pack and implementations disagree: no code for {missing}, no metadata for {orphans}")
        return implementations

    # ------------------------------------------------------------------ public

    def run(self, paths: Iterable[str], force_exclude: bool = False, split_context: bool = False,
            context_exclude: Iterable[str | Path] = ()) -> Report:
        """Lint `paths`. With `split_context`, the other files of the configured splits are read
        too, for run-wide rules only (pre-commit passes just the changed file, but a leak needs
        train and test together); only findings that involve the named files are reported.
        `context_exclude` keeps files out of that context (`ftlint fix` checks a fixed copy in
        place of its input, which a split glob would otherwise bring back)."""
        files = discover_files(paths, self.config, force_exclude)
        context = self._split_files(set(files), {Path(p).resolve() for p in context_exclude}) if split_context else []
        run_key = None
        if self.cache is not None:
            every = [*files, *context]
            run_key = self.cache.run_key([(Path(p), str(p)) for p in every],
                                         [self.config.table, _without_jobs(self.config.cli), str(self.config.root),
                                          split_context])
            cached = self.cache.get(run_key, files=len(every)) if run_key is not None else None
            if cached is not None:
                results, leftover, statistics = cached
                return Report(results, self.config.fail_on, leftover, dataset_statistics=statistics)
        if self.progress is not None:
            self.progress.start(sum(_size_of(p) for p in [*files, *context]))
        try:
            with relaxed_gc():
                results, leftover, statistics = self._run_files(files, context)
        finally:
            self.close()
            if self.progress is not None:
                self.progress.close()
        if run_key is not None:
            if not any(f.code == "S000" for r in results for f in r.findings):
                self.cache.put(run_key, (results, leftover, statistics))
            self.cache.maybe_prune()
        return Report(results, self.config.fail_on, leftover, dataset_statistics=statistics)

    def _run_files(self, files: list[Path], context: list[Path]) -> tuple[list[FileResult], list[Finding], dict]:
        run_checks: list[tuple[Implementation, Any]] | None = None
        results = []
        self._start_workers_early([*files, *context])
        for path in [*files, *context]:
            # Each file feeds fresh run-wide states that are then merged: the same mergeable
            # design lets a cached file contribute its saved states without being re-read.
            file_checks = self._start_run_checks()
            results.append(self.check_file(path, file_checks))
            if run_checks is None:
                run_checks = file_checks  # merging into empty states would copy them record by record
                continue
            for (_, total), (_, part) in zip(run_checks, file_checks):
                total.merge(part)
        if run_checks is None:
            run_checks = self._start_run_checks()
        leftover = self._finish_run_checks(run_checks, results)
        statistics = {impl.code: stats for impl, state in run_checks if (stats := _statistics_of(state))}
        if context:
            named = {str(p) for p in files}
            for result in results[len(files):]:  # context files report only what involves a named file
                result.findings = [f for f in result.findings if any(r.path in named for r in f.related)]
            results = results[:len(files)] + [r for r in results[len(files):] if r.findings]
        return results, leftover, statistics

    def _start_workers_early(self, paths: list[Path]) -> None:
        """Fork the worker processes before the run's states load threaded libraries, when a
        file is big enough to need them (see `ftlint.parallel.start_forked_pool`)."""
        if self._pool is not None or self.jobs < 2:
            return
        if not any(is_jsonl_file(p) and _size_of(p) >= self.parallel_min_bytes for p in paths):
            return
        from .formats.schemas import validator_for
        from .parallel import start_forked_pool

        _ = self.implementations, self.rules  # loaded once here, inherited by every worker
        validator_for("openai-chat")  # the schema library too
        self._pool = start_forked_pool(self.jobs)  # None: this process runs threads; a fork server later

    def close(self) -> None:
        """Stop the worker processes, if a big file started them."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _split_files(self, named: set[Path], exclude: set[Path] | None = None) -> list[Path]:
        globs = [str(self.config.root / g) for patterns in self.config.splits.values() for g in patterns]
        if not globs:
            return []
        resolved = {p.resolve() for p in named} | (exclude or set())
        return [p for p in discover_files(globs, self.config, ignore_unmatched=True)
                if p.exists() and p.resolve() not in resolved]

    def _run_settings(self) -> FileSettings:
        """Run-wide rules use the configuration's top-level settings (per-file ones don't apply)."""
        return self.config.settings_for(self.config.root / "__ftlint_run__")

    def _run_context(self) -> RunContext:
        return RunContext(self.config.splits, self.config.split_settings, str(self.config.root),
                             LabelResolver.from_config(self.config))

    def _start_run_checks(self) -> list[tuple[Implementation, Any]]:
        settings = self._run_settings()
        context = self._run_context()
        return [(impl, impl.target(settings.options[code], context))
                for code in sorted(settings.enabled)
                if (impl := self.implementations[code]).kind == "run"]

    def _finish_run_checks(self, run_checks: list[tuple[Implementation, Any]],
                           results: list[FileResult]) -> list[Finding]:
        emit = _Emitter(self.rules, self._run_settings())
        by_path = {r.path: r for r in results}
        for impl, state in run_checks:
            for hit in state.finish():
                emit.hit(impl.code, hit, hit.path or str(self.config.root), None)
        leftover = []
        for finding in emit.findings:
            target = by_path.get(finding.location.path)
            if target is not None:
                target.findings.append(finding)
            else:
                leftover.append(finding)
        return leftover

    def check_file(self, path: str | Path, run_checks: list[tuple[Implementation, Any]] | None = None) -> FileResult:
        """Lint one file; `run_checks` are fresh run-wide states this file alone feeds."""
        settings = self.config.settings_for(path)
        display = str(path)
        run_checks = run_checks or []
        split = self.config.split_of(path)
        key = None
        if self.cache is not None:
            run_part = [split, sorted(impl.code for impl, _ in run_checks)]
            key = self.cache.key(Path(path), display, settings, extra=[run_part, self._run_settings()])
        if key is not None:
            cached = self.cache.get(key)
            if cached is not None and self._restore_states(run_checks, cached[1]):
                if self.progress is not None:
                    self.progress.file_done(_size_of(path))
                return cached[0]
        result = self._lint_file(path, display, settings, _RunFeeds(run_checks, split))
        if self.progress is not None:
            self.progress.file_done(_size_of(path))
        if key is not None and not any(f.code == "S000" for f in result.findings):
            self.cache.put(key, (result, {impl.code: state for impl, state in run_checks}))
        return result

    @staticmethod
    def _restore_states(run_checks: list[tuple[Implementation, Any]], saved: dict[str, Any]) -> bool:
        """Merge a cached file's saved states into its fresh ones (not a swap: the fresh states
        carry this run's options and split context, the saved ones those of the run that saved them)."""
        if set(saved) != {impl.code for impl, _ in run_checks}:
            return False
        for impl, state in run_checks:
            state.merge(saved[impl.code])
        return True

    def _lint_file(self, path: str | Path, display: str, settings: FileSettings, feeds: "_RunFeeds") -> FileResult:
        emit = _Emitter(self.rules, settings)
        max_line = settings.options.get("S007", {}).get("max-bytes", DEFAULT_MAX_LINE_BYTES)
        position = ReadPosition()
        try:
            if self.jobs > 1 and is_jsonl_file(path) and _size_of(path) >= self.parallel_min_bytes:
                from .parallel import check_in_workers

                result = check_in_workers(self, path, display, settings, emit, feeds, max_line, position)
            else:
                records = self._counted(read_records(path, max_line_bytes=max_line, position=position), position)
                head, rest = _take_head(records, DETECTION_SAMPLE)
                result = self._check_stream(display, settings, emit, head, rest, feeds)
        except UnreadableFile as exc:
            result = FileResult(display, None, "file could not be read")
            emit.raw("S000", str(exc).removeprefix(f"{display}: "), Location(display))
        result.findings = emit.findings
        return result

    def _counted(self, records: Iterator[Record], position: ReadPosition) -> Iterator[Record]:
        """Pass records through, telling the progress bar every few hundred."""
        if self.progress is None:
            yield from records
            return
        count = 0
        for record in records:
            yield record
            count += 1
            if count == 256:
                self.progress.advance(count, position.tell())
                count = 0
        self.progress.advance(count, position.tell())

    # ------------------------------------------------------------------ internals

    def start_file(self, display: str, settings: FileSettings, emit: "_Emitter",
                   head: list[Record]) -> tuple[FileResult, Any]:
        """Detect the format from the first records and decide which rules apply to this file
        (once per file, not per record); reports S010/S011 when the format is unknown."""
        detection = self._detect(head, settings)
        result = FileResult(display, detection.format, detection.reason)
        if detection.format is None:
            first = next((r for r in head if r.data is not None), None)
            if first is not None:
                code = "S011" if detection.ambiguous else "S010"
                hint = "; set `format` in the configuration or pass --format"
                emit.raw(code, detection.reason + hint, Location(display, first.line))
        spec = FORMATS.get(detection.format or "")
        for code in sorted(settings.enabled):
            impl = self.implementations[code]
            if impl.kind == "builtin" or (spec is not None and impl.applies_to(spec.name, spec.tags)):
                result.rules_run.append(code)
        return result, spec

    def _check_stream(self, display: str, settings: FileSettings, emit: "_Emitter",
                      head: list[Record], rest: Iterator[Record], feeds: "_RunFeeds") -> FileResult:
        result, spec = self.start_file(display, settings, emit, head)
        checker = RecordChecker(display, settings, spec, self.implementations, emit, feeds.states_for(spec), feeds.split)
        for record in chain(head, rest):
            checker.feed(record)
        result.records = checker.records
        self.finish_file(result, checker.dataset_states, emit)
        return result

    @staticmethod
    def finish_file(result: FileResult, dataset_states: list[tuple[str, Any]], emit: "_Emitter") -> None:
        for code, state in dataset_states:
            for hit in state.finish(result.path):
                emit.hit(code, hit, result.path, None)
            if stats := _statistics_of(state):
                result.statistics[code] = stats

    def _detect(self, head: list[Record], settings: FileSettings) -> Detection:
        forced = settings.format
        if forced and len(forced) == 1:
            return Detection(forced[0], "set by configuration or --format", forced)
        return detect_file_format((r.data for r in head if r.data is not None), forced)



class RecordChecker:
    """Checks the records of one file once its format is known: parse problems, schema,
    per-record rules, and the dataset-level and run-wide states they feed. The same code runs
    in-process and in pool workers on batches of lines (`ftlint.parallel`), which is what keeps
    the two paths' reports identical.

    Which rules apply, with which options, is settled here once per file: the per-record loop
    only calls functions."""

    def __init__(self, display: str, settings: FileSettings, spec: Any, implementations: dict[str, Implementation],
                 emit: "_Emitter", run_states: list[Any], split: str | None) -> None:
        self.display = display
        self.spec = spec
        self.emit = emit
        self.split = split
        self.records = 0
        self.record_checks: list[tuple[str, Any, dict[str, Any]]] = []
        self.dataset_states: list[tuple[str, Any]] = []
        self.run_states = run_states
        self.validator = None
        if spec is None:
            return
        from .formats.schemas import validator_for  # jsonschema: only when records are checked

        self.validator = validator_for(spec.name)
        for code in sorted(settings.enabled):
            impl = implementations[code]
            if impl.kind == "builtin" or not impl.applies_to(spec.name, spec.tags):
                continue
            if impl.kind == "record":
                self.record_checks.append((code, impl.target, settings.options[code]))
            elif impl.kind == "dataset":
                self.dataset_states.append((code, impl.target(settings.options[code])))

    def feed(self, record: Record) -> None:
        emit = self.emit
        for problem in record.problems:
            emit.raw(problem.code, problem.message, Location(self.display, record.line or None, problem.column),
                     record if record.is_record else None)
        if not record.is_record:
            return
        self.records += 1
        if record.data is None or self.validator is None:
            return
        if not self.validator.is_valid(record.data):
            self._explain_invalid(record)
            return
        sample = self.spec.to_sample(record)
        for code, check, options in self.record_checks:
            for hit in check(sample, options):
                emit.hit(code, hit, self.display, record)
        for _, state in self.dataset_states:
            state.add(sample)
        for state in self.run_states:
            state.add(sample, self.split)

    def _explain_invalid(self, record: Record) -> None:
        emit, format_name, validator = self.emit, self.spec.name, self.validator
        spec = FORMATS[format_name]
        if not spec.required <= set(record.data):
            own = detect_record_format(record.data)
            if own.format and own.format != format_name:
                emit.raw("S012", f"record is in format {own.format} ({own.reason}), but the file is {format_name}",
                         Location(record.path, record.line), record)
                return
        for count, (path, message) in enumerate(validator.explain(record.data)):
            if count == MAX_SCHEMA_ERRORS_PER_RECORD:
                emit.raw("S101", "more schema errors in this record not shown", Location(record.path, record.line), record)
                break
            emit.raw("S101", message, Location(record.path, record.line, field=path or None), record)


class _RunFeeds:
    """The run-wide rule states one file feeds, with the file's split."""

    def __init__(self, run_checks: list[tuple[Implementation, Any]], split: str | None) -> None:
        self.run_checks = run_checks
        self.split = split

    def __bool__(self) -> bool:
        return bool(self.run_checks)

    def states_for(self, spec: Any) -> list[Any]:
        if spec is None:
            return []
        return [state for impl, state in self.run_checks if impl.applies_to(spec.name, spec.tags)]


class _Emitter:
    """Turns rule output into findings, applying selection and severity overrides in one place."""

    def __init__(self, rules: dict, settings: FileSettings) -> None:
        self.rules = rules
        self.settings = settings
        self.findings: list[Finding] = []

    def raw(self, code: str, message: str, location: Location, record: Record | None = None) -> None:
        if code in self.settings.enabled or code == "S000":
            meta = self.rules[code]
            # The engine's own messages carry no line numbers, so they can tell apart two
            # findings on one field (two missing keys at a record's root).
            print_fp = fingerprint(code, record, location.field, message)
            self.findings.append(Finding(code, self.settings.severities[code], _scrub(code, message),
                                         _scrub_location(code, location), meta.name, fingerprint=print_fp))

    def hit(self, code: str, hit: Hit, path: str, record: Record | None) -> None:
        if code not in self.settings.enabled:
            return
        meta = self.rules[code]
        severity = self.settings.severities[code]
        if hit.severity is not None and code not in self.settings.configured_severity:  # configured wins
            severity = hit.severity
        line = hit.line if hit.line is not None else (record.line if record is not None else None)
        location = _scrub_location(code, Location(path, line, None, hit.field))
        self.findings.append(Finding(code, severity, _scrub(code, hit.message), location, meta.name, hit.related,
                                     _scrub(code, hit.excerpt), fingerprint(code, record, hit.field, key=hit.key)))


def _scrub(code: str, text: str | None) -> str | None:
    """Mask personal data and secrets that a non-privacy rule quotes from a record (a schema
    error's offending value, a repeated phrase, an unknown key): CI logs are public. Privacy rules
    mask their own values. Costs a prefilter pass per finding; presidio runs only on a match."""
    if not text or code.startswith("P"):
        return text
    from .privacy.scrub import mask_pii

    return mask_pii(text)


def _scrub_location(code: str, location: Location) -> Location:
    field = _scrub(code, location.field)
    return location if field == location.field else Location(location.path, location.line, location.column, field)


def record_key(record: Record) -> str:
    """Hash of the record's content with sorted keys: the same record anywhere in the file."""
    if record.data is None:
        return record.raw_key or f"line:{record.line}"
    try:
        canonical = orjson.dumps(record.data, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, lone surrogates: fall back to the stdlib
        canonical = json.dumps(record.data, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(canonical, digest_size=8).hexdigest()


def fingerprint(code: str, record: Record | None, field: str | None, detail: str = "", key: str | None = None) -> str:
    subject = key or (record_key(record) if record is not None else "file")
    text = f"{code}|{subject}|{field or ''}" + (f"|{detail}" if detail else "")
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def _without_jobs(cli: dict[str, Any]) -> dict[str, Any]:
    """The number of workers never changes a report, so it is no part of a cache key."""
    return {key: value for key, value in cli.items() if key != "jobs"}


def _size_of(path: str | Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _statistics_of(state: Any) -> dict[str, Any]:
    """A dataset rule may offer `statistics()`: plain JSON-able numbers about what it saw."""
    method = getattr(state, "statistics", None)
    return dict(method()) if callable(method) else {}


def _take_head(records: Iterator[Record], wanted: int) -> tuple[list[Record], Iterator[Record]]:
    """Buffer entries until `wanted` parsed records are seen, for format detection."""
    head: list[Record] = []
    parsed = 0
    for record in records:
        head.append(record)
        if record.data is not None:
            parsed += 1
            if parsed >= wanted:
                break
    return head, records


def check(paths: Iterable[str | Path] | str | Path, config: Config | str | Path | None = None,
          **overrides: Any) -> Report:
    """Public API: lint `paths` and return a `Report` (`assert report.ok`, `report.by_rule("S101")`).

    `config` is a `Config`, a path to a config file, or None to discover one from the working
    directory; keyword overrides use config keys with underscores (`select=["S"]`, `format="alpaca"`).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    cli = {key.replace("_", "-"): value for key, value in overrides.items()}
    if not isinstance(config, Config):
        config = load_config(config, cli=cli)
    elif cli:
        config = Config(config.root, config.source, config.table, {**config.cli, **cli})
        validate_table(config.cli, "check() arguments", TOP_LEVEL_KEYS)
    return Engine(config).run([str(p) for p in paths])
