"""Runs the enabled fixers over files until nothing changes, then verifies the result with `check`.

A round is: check the current files with the rules the fixers fix (plus the configured ones),
let every fixer observe every record, then apply the fixers record by record and write the
round's output to a scratch directory. Rounds repeat on their own output until a round changes
nothing (at most `MAX_ROUNDS`), like ruff's fix loop: one fix can reveal another (redacting two
records can make them exact duplicates), and the round that changes nothing is also the proof
that the output passes `check` for the fixed rules. Only then is the output put in place,
atomically; the input is never written to unless `--in-place` asks for it (with a backup).

Files of the scratch rounds are checked as if they were the input (same split, same per-file
settings), and the input itself is hidden from the split context, so leakage and duplicate
rules see the fixed content in place of the original.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError, load_config
from ..discovery import discover_files
from ..engine import Engine, Report
from ..formats import FORMATS
from ..model import Finding, Record
from ..readers import DEFAULT_MAX_LINE_BYTES, UnreadableFile
from ..rulepack import load_rules
from .base import FixContext, FixerInfo, discover_fixers
from .files import Writer, atomic_copy, entries

MAX_ROUNDS = 5


@dataclass
class FileChange:
    """What the fixes did to one input file; line numbers are the input's."""

    source: Path
    target: Path | None  # where the result goes (None with --diff)
    backup: Path | None = None
    records_in: int = 0
    records_out: int = 0
    dropped: dict[str, list[int]] = field(default_factory=dict)  # fixer name -> input lines
    changed: dict[str, list[int]] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)  # input line -> what happened (for --diff)
    by_rule: dict[str, int] = field(default_factory=dict)  # "S001 invalid-json" -> records dropped for it
    notes: list[str] = field(default_factory=list)
    unfixed: int = 0  # records a fixer had to leave as they were (a conversion that would lose data)
    notes_taken: bool = False
    current: Path | None = None  # the latest round's file
    origins: list[int] = field(default_factory=list)  # entry ordinal in `current` -> input line

    @property
    def modified(self) -> bool:
        return bool(self.dropped or self.changed)


@dataclass
class FixOutcome:
    files: list[FileChange]
    report: Report  # the check of the fixed files (converged round)
    rounds: int
    enabled: list[FixerInfo]
    displays: dict[str, str] = field(default_factory=dict)  # scratch path -> path to show


@dataclass
class _FixConfig(Config):
    """The user's configuration, with scratch files standing in for the inputs they replace."""

    aliases: dict[Path, Path] = field(default_factory=dict)  # resolved scratch path -> input
    hidden: frozenset[Path] = frozenset()  # resolved inputs, kept out of the split context

    def _original(self, path: str | Path) -> Path:
        return self.aliases.get(Path(path).resolve(), Path(path))

    def split_of(self, path: str | Path) -> str | None:
        return super().split_of(self._original(path))

    def settings_for(self, path: str | Path) -> Any:
        return super().settings_for(self._original(path))

    def is_excluded(self, path: Path) -> bool:
        return Path(path).resolve() in self.hidden or super().is_excluded(self._original(path))


def check_overrides(enabled: Sequence[FixerInfo], extra_codes: Sequence[str] = ()) -> tuple[list[str], dict[str, Any]]:
    """(every code the fix run needs, the command-line config layer of its checks).

    The layer leaves the user's rule selection alone: a rule the configuration turns off (for a
    file, or everywhere) is not fixed either, like ruff's `--fix` for unselected rules. It turns
    on opt-in rules a requested fixer needs, and `extra_codes` (the split's duplicate clusters)
    whatever the selection says; and rules that stay quiet below a rate (`max-rate`) report
    every instance, because `--dedup` means every duplicate, not only those above a share."""
    rules = load_rules()
    fixer_codes = {c for info in enabled for c in info.codes}
    codes = sorted(fixer_codes | set(extra_codes))
    overrides = {code: {"max-rate": 0.0} for code in codes if "max-rate" in rules[code].options}
    forced = sorted(set(extra_codes) | {c for c in fixer_codes if not rules[c].default_enabled})
    layer: dict[str, Any] = {"extend-select": forced} if forced else {}
    if overrides:
        layer["rules"] = overrides
    return codes, layer


@dataclass
class FixConfigs:
    """`full`: the user's configuration plus the fixers' rules (what the output must pass);
    `narrow`: only the fixers' rules, for the first look at the input (cheaper than everything).
    Both see scratch files as the inputs they replace."""

    full: _FixConfig
    narrow: _FixConfig

    def link(self, scratch: Path, source: Path) -> None:
        for config in (self.full, self.narrow):
            config.aliases[scratch.resolve()] = source

    def hide(self, files: Sequence[Path]) -> None:
        for config in (self.full, self.narrow):
            config.hidden = frozenset(p.resolve() for p in files)


def load_fix_config(config_path: str | None, cli: dict[str, Any], enabled: Sequence[FixerInfo],
                    extra_codes: Sequence[str] = ()) -> FixConfigs:
    codes, fix_layer = check_overrides(enabled, extra_codes)
    layer = {**cli, **fix_layer}
    base = load_config(config_path, cli=layer)
    full = _FixConfig(root=base.root, source=base.source, table=base.table, cli=base.cli)
    # The narrow check runs every code the fixers need; the user's selection is applied to its
    # findings afterwards (`_FindingIndex`), as a command-line `select` would override it.
    narrow_cli = {key: value for key, value in base.cli.items() if key not in ("extend-select", "ignore")}
    narrow_cli["select"] = codes
    narrow = _FixConfig(root=base.root, source=base.source, table=base.table, cli=narrow_cli)
    return FixConfigs(full, narrow)


def enabled_fixers(options: dict[str, Any]) -> list[FixerInfo]:
    """Fixers turned on by their flag, by `--fix` (safe ones), or by `--fixable` naming one of
    their rule codes (or a prefix, or ALL); `--unfixable` turns off any fixer of those codes."""
    from ..config import expand_selectors

    fixable = expand_selectors(options.get("fixable") or [], "--fixable")
    unfixable = expand_selectors(options.get("unfixable") or [], "--unfixable")
    return [info for info in discover_fixers().values()
            if (info.enabled(options) or fixable & set(info.codes)) and not unfixable & set(info.codes)]


def run_fix(files: Sequence[Path], targets: dict[Path, Path | None], options: dict[str, Any],
            configs: FixConfigs, enabled: Sequence[FixerInfo], backups: dict[Path, Path] | None = None,
            finish: Callable[[FixOutcome], Any] | None = None) -> FixOutcome:
    """Fix `files`, put each result at its target (None: write nothing, for --diff) and return
    what changed and the final check. `finish` runs while the fixed scratch files still exist
    (`FileChange.current`), e.g. to split them.

    The input is first checked with the fixers' rules only; every later check is the full one
    (the user's rules plus the fixers'), so the check that proves a round changed nothing is also
    the report of what remains."""
    changes = [FileChange(path, targets.get(path)) for path in files]
    configs.hide(files)
    shared: dict[str, Any] = {}

    def check(config: _FixConfig) -> Report:
        report = Engine(config, None).run([str(c.current) for c in changes], split_context=bool(config.splits),
                                          context_exclude=config.hidden)
        _raise_input_errors(report, changes)
        return report

    with tempfile.TemporaryDirectory(prefix="ftlint-fix-") as scratch:
        for change in changes:
            change.current = change.source
        report, full = check(configs.narrow), False
        rounds = 0
        while rounds < MAX_ROUNDS:
            rounds += 1
            round_dir = Path(scratch) / f"round{rounds}"
            if not _fix_round(changes, round_dir, report, options, configs.full, enabled, shared):
                break
            if rounds > 1:  # scratch copies cost disk space ($TMPDIR): keep only the latest round
                shutil.rmtree(Path(scratch) / f"round{rounds - 1}", ignore_errors=True)
            for change in changes:
                assert change.current is not None
                configs.link(change.current, change.source)
            report, full = check(configs.full), True
        if not full:
            report = check(configs.full)
        displays = {str(c.current): str(c.target or c.source) for c in changes}
        for change in changes:
            change.backup = (backups or {}).get(change.source)
            _put_in_place(change)
        outcome = FixOutcome(changes, report, rounds, list(enabled), displays)
        if finish is not None:
            finish(outcome)
        return outcome


def _put_in_place(change: FileChange) -> None:
    if change.target is None or change.current is None:
        return
    in_place = change.target.resolve() == change.source.resolve()
    if in_place and not change.modified:
        return  # nothing to fix: the input is not touched at all (no backup either)
    try:
        atomic_copy(change.current, change.target, change.backup if in_place else None)
    except OSError as exc:
        raise ConfigError(f"{change.target}: cannot write the fixed file: {exc.strerror or exc}") from None


def _raise_input_errors(report: Report, changes: Sequence[FileChange]) -> None:
    unreadable = report.by_rule("S000")
    if unreadable:
        finding = unreadable[0]
        shown = {str(c.current): str(c.source) for c in changes}
        raise UnreadableFile(f"{shown.get(finding.location.path, finding.location.path)}: {finding.message}")


class _FindingIndex:
    """The findings of a check by (resolved file, line), without those of rules the
    configuration turns off for their file."""

    def __init__(self, report: Report, config: _FixConfig) -> None:
        self.files = report.files
        self.findings: list[Finding] = []  # what fixers see as `context.report.findings`
        self.at: dict[tuple[Path, int], list[Finding]] = {}
        self.by_file: dict[Path, dict[str, list[Finding]]] = {}
        resolved: dict[str, Path] = {}
        enabled: dict[str, frozenset[str]] = {}
        from ..registry import discover

        kinds = {code: impl.kind for code, impl in discover().items()}
        # Run-wide rules (duplicates, leakage) follow the top-level selection, as in `check`.
        self.run_enabled = run_enabled = config.settings_for(config.root / "__ftlint_run__").enabled
        for finding in report.findings:
            where = finding.location.path
            if kinds.get(finding.code) == "run":
                on = run_enabled
            else:
                if where not in enabled:
                    enabled[where] = config.settings_for(where).enabled
                on = enabled[where]
            if finding.code not in on:
                continue
            self.findings.append(finding)
            path = resolved.get(where)
            if path is None:
                path = resolved[where] = Path(where).resolve()
            self.by_file.setdefault(path, {}).setdefault(finding.code, []).append(finding)
            if finding.location.line is not None:
                self.at.setdefault((path, finding.location.line), []).append(finding)
        self.formats = {Path(r.path).resolve(): r.format for r in report.files}

    def at_line(self, path: Path, line: int, codes: tuple[str, ...]) -> list[Finding]:
        return [f for f in self.at.get((path, line), ()) if f.code in codes]


def _fix_round(changes: Sequence[FileChange], round_dir: Path, report: Report, options: dict[str, Any],
               config: _FixConfig, enabled: Sequence[FixerInfo], shared: dict[str, Any]) -> bool:
    index = _FindingIndex(report, config)
    fixed_files = frozenset(c.current.resolve() for c in changes if c.current is not None)
    per_file = []
    for change in changes:
        assert change.current is not None
        path = change.current.resolve()
        context = FixContext(path=change.current, format=index.formats.get(path), config=config,
                             rule_options=config.settings_for(change.current).options,
                             findings=index.by_file.get(path, {}), split=config.split_of(change.current),
                             report=index, fixed_files=fixed_files, shared=shared,
                             round=int(round_dir.name.removeprefix("round") or 1))
        fixers = [(info, info.cls(options, context)) for info in enabled]
        per_file.append((change, context, fixers))
        if not change.notes_taken:
            on = config.settings_for(change.current).enabled | index.run_enabled
            change.notes.extend(f"{info.name}: {', '.join(info.codes)} turned off for this file by the configuration, "
                                "so not fixed" for info in enabled if info.codes and not on & set(info.codes))
    for change, context, fixers in per_file:  # every file is observed before any is applied
        observers = [(info, fx) for info, fx in fixers if callable(getattr(fx, "observe", None))]
        if observers:
            for entry, data, sample in _records(change, context):
                for info, fx in observers:
                    if data is not None:
                        fx.observe(data, sample, index.at_line(context.path.resolve(), entry.line, info.codes))
    anything = False
    previous = [(change, change.current) for change in changes]
    for n, (change, context, fixers) in enumerate(per_file):
        assert change.current is not None
        target = round_dir / str(n) / change.source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if _apply_file(change, context, fixers, index, target):
            anything = True
        change.current = target
    if not anything:  # the round's output equals its input: the last check stands for it
        for change, path in previous:
            change.current = path
    for change, context, fixers in per_file:
        if change.notes_taken:
            continue
        # Notes and counts of the first round only: it reads the input, so its line numbers are
        # the input's (later rounds read a scratch copy and would repeat them shifted).
        change.notes_taken = True
        for _, fx in fixers:
            notes = getattr(fx, "notes", None)
            if callable(notes):
                change.notes.extend(note for note in notes() if note not in change.notes)
            unfixed = getattr(fx, "unfixed", None)
            if callable(unfixed):  # what a fixer was asked to do and could not
                change.unfixed += int(unfixed())
    return anything


def _sample_for(spec: Any, record: Record) -> Any:
    if spec is None or record.data is None:
        return None
    try:
        from ..formats.schemas import validator_for  # jsonschema: not at `ftlint --help` time

        if not validator_for(spec.name).is_valid(record.data):
            return None
        return spec.to_sample(record)
    except Exception:  # a record the format cannot map: fixers see no sample
        return None


def _max_line(context: FixContext) -> int:
    return int(context.rule_options.get("S007", {}).get("max-bytes", DEFAULT_MAX_LINE_BYTES))


def _records(change: FileChange, context: FixContext):
    """(entry, data, sample) for every entry of the round's current file."""
    spec = FORMATS.get(context.format or "")
    assert change.current is not None
    for entry in entries(change.current, _max_line(context)):
        record = entry.record
        data = record.data if record is not None else None
        yield entry, data, _sample_for(spec, record) if record is not None else None


def _apply_file(change: FileChange, context: FixContext, fixers: list[tuple[FixerInfo, Any]],
                index: _FindingIndex, target: Path) -> bool:
    first_round = change.current == change.source
    origins: list[int] = []
    writer = Writer(change.current, target)  # type: ignore[arg-type]
    spec = FORMATS.get(context.format or "")
    path = context.path.resolve()
    anything = False
    records_out = 0
    try:
        for ordinal, (entry, data, sample) in enumerate(_records(change, context)):
            origin = entry.line if first_round else change.origins[ordinal]
            if first_round and entry.record is not None:
                change.records_in += 1
            dropped_by, changed_by = None, []
            if data is None:  # a line that did not parse, or no record at all (blank line)
                for info, fx in fixers:
                    found = index.at_line(path, entry.line, info.codes)
                    if info.handles_unparsed and fx.drop_unparsed(found):
                        dropped_by = (info, found)
                        break
            else:
                current = data
                for info, fx in fixers:
                    found = index.at_line(path, entry.line, info.codes)
                    result = fx.apply(current, sample, found)
                    if result is None:
                        dropped_by = (info, found)
                        break
                    if result is not current and result != current:
                        current = result
                        changed_by.append(info.name)
                        record = Record(str(change.current), entry.line, current, [],
                                        entry.record.index if entry.record else 0)
                        sample = _sample_for(spec, record)
            if dropped_by is not None:
                info, found = dropped_by
                writer.drop(entry)
                change.dropped.setdefault(info.name, []).append(origin)
                rules = sorted({f"{f.code} {f.rule}" for f in found})
                for rule in rules:
                    change.by_rule[rule] = change.by_rule.get(rule, 0) + 1
                change.reasons[origin] = f"dropped by {info.name} [{', '.join(rules) or info.name}]"
                anything = True
                continue
            if changed_by:
                writer.change(entry, current)
                for name in changed_by:
                    change.changed.setdefault(name, []).append(origin)
                change.reasons.setdefault(origin, f"changed by {', '.join(changed_by)}")
                anything = True
            else:
                writer.keep(entry)
            origins.append(origin)
            records_out += entry.record is not None
    finally:
        writer.close()
    change.origins = origins
    change.records_out = records_out
    return anything


def resolve_inputs(paths: Sequence[str], config: Config) -> list[Path]:
    files = discover_files(paths, config)
    if not files:
        raise ConfigError("no dataset files found in " + ", ".join(paths))
    for path in files:
        if not path.exists():
            raise UnreadableFile(f"{path}: file not found")
        if not path.is_file():
            raise UnreadableFile(f"{path}: not a file")
    return files
