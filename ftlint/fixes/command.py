"""The `ftlint fix` command: arguments, output paths, the change summary, exit codes.

Exit codes follow `ruff check --fix`: 0 when everything the fixes target is fixed (or there was
nothing to fix) and the output passes `check`; 1 when findings remain that no enabled fix could
fix (or, with `--diff`, when there is something to change); 2 for usage and input errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..config import ConfigError, load_config
from ..readers import DATASET_SUFFIXES, DEFAULT_MAX_LINE_BYTES, UnreadableFile
from ..rulepack import load_rules
from .base import discover_fixers
from .engine import FixOutcome, enabled_fixers, load_fix_config, resolve_inputs, run_fix

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", help="dataset files or directories to fix")
    group = parser.add_argument_group("fixes (each opt-in; --fix applies the safe ones)")
    group.add_argument("--fix", dest="fix_all", action="store_true",
                       help="apply every safe fix: " + ", ".join(
                           i.flag for i in discover_fixers().values() if i.safe))
    group.add_argument("--fixable", type=_codes, action="extend", metavar="CODES",
                       help="apply the fixes of these rule codes or prefixes (e.g. D,S101; ALL for every fix)")
    group.add_argument("--unfixable", type=_codes, action="extend", metavar="CODES",
                       help="never apply the fixes of these rule codes or prefixes")
    for info in discover_fixers().values():
        group.add_argument(info.flag, dest=info.dest, action="store_true",
                           help=info.help + ("" if info.safe else " (not in --fix)"))
        add = getattr(info.cls, "add_arguments", None)
        if callable(add):
            add(group)
    split = parser.add_argument_group("leakage-free split")
    from .split import parse_ratio

    split.add_argument("--split", type=parse_ratio, metavar="RATIO",
                       help="write a train/test split with this share of records in test (e.g. 0.1)")
    split.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    split.add_argument("--group-by", default="prompt", metavar="prompt|FIELD",
                       help="records with the same normalised prompt (default) or the same value of FIELD "
                            "(a dotted key, e.g. meta.conversation_id) stay on one side; near-duplicate and "
                            "duplicate clusters always do")
    split.add_argument("--test-output", metavar="FILE", help="test file of --split (default: NAME.test.EXT)")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="FILE",
                     help="where to write the fixed file (default: NAME.fixed.EXT next to the input; with "
                          "--split, the train file, default NAME.train.EXT)")
    out.add_argument("--in-place", action="store_true",
                     help="replace the input (atomically), keeping the original as FILE.bak")
    out.add_argument("--backup-suffix", default=".bak", help="suffix of the backup made by --in-place (default .bak)")
    out.add_argument("--diff", action="store_true",
                     help="list what would be dropped or changed, line by line, without writing anything")
    parser.add_argument("--format", metavar="FORMAT", help="treat every file as this format (skips detection)")
    parser.add_argument("--config", help="config file (ftlint.toml or pyproject.toml); default: discovered upward")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary line per file")


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _with_part(path: Path, part: str) -> Path:
    """train.jsonl -> train.fixed.jsonl; data.json.gz -> data.fixed.json.gz."""
    name = path.name
    lower = name.lower()
    suffix = next((s for s in sorted(DATASET_SUFFIXES, key=len, reverse=True) if lower.endswith(s)), path.suffix)
    stem = name[: len(name) - len(suffix)] if suffix else name
    return path.with_name(f"{stem}.{part}{name[len(stem):]}")


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    options = vars(args).copy()
    try:
        return _run(args, options, out)
    except UnreadableFile as exc:
        print(f"ftlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _run(args: argparse.Namespace, options: dict[str, Any], out: TextIO) -> int:
    if args.in_place and (args.output or args.diff or args.split is not None):
        raise ConfigError("fix: --in-place cannot be combined with -o, --diff or --split")
    cli: dict[str, Any] = {}
    if args.format:
        cli["format"] = args.format
    base = load_config(args.config, cli=cli)
    for key in ("fixable", "unfixable"):  # the command line replaces the configuration's list, as in ruff
        if not options.get(key) and key in base.table:
            options[key] = base.table[key]
    enabled = enabled_fixers(options)
    if not enabled and args.split is None:
        flags = ", ".join(i.flag for i in discover_fixers().values())
        raise ConfigError(f"fix: nothing to do; pass --fix (the safe fixes), a fix flag ({flags}, --to FORMAT), "
                          "--split RATIO, or set `fixable` in the configuration")
    files = resolve_inputs(args.paths, base)
    if (args.output or args.split is not None) and len(files) > 1:
        raise ConfigError(f"fix: -o and --split take one input file, got {len(files)}")
    targets: dict[Path, Path | None] = {}
    backups: dict[Path, Path] = {}
    for path in files:
        if args.diff or args.split is not None:
            targets[path] = None
        elif args.in_place:
            targets[path] = path
            backups[path] = path.with_name(path.name + args.backup_suffix)
        else:
            target = Path(args.output) if args.output else _with_part(path, "fixed")
            if target.exists() and target.resolve() == path.resolve():
                raise ConfigError(f"fix: {target} is the input; pass --in-place to replace it (a backup is kept)")
            _same_kind(path, target)
            targets[path] = target
    extra = ("D101", "D201") if args.split is not None else ()
    configs = load_fix_config(args.config, cli, enabled, extra)
    if args.split is not None:
        codes: list[int] = []
        run_fix(files, targets, options, configs, enabled,
                finish=lambda outcome: codes.append(_split(args, configs.full, outcome, out)))
        return codes[0]
    outcome = run_fix(files, targets, options, configs, enabled, backups)
    if args.diff:
        _print_diff(outcome, out)
        changed = any(c.modified for c in outcome.files)
        return EXIT_FINDINGS if changed or _remaining(outcome) else EXIT_CLEAN
    _print_summary(outcome, out, args.quiet)
    return EXIT_FINDINGS if _remaining(outcome) or any(c.unfixed for c in outcome.files) else EXIT_CLEAN


def _same_kind(source: Path, target: Path) -> None:
    def kind(p: Path) -> str:
        name = p.name.lower()
        if name.endswith(".parquet"):
            return "parquet"
        gz = name.endswith(".gz")
        name = name.removesuffix(".gz")
        return ("json" if name.endswith(".json") else "jsonl") + (".gz" if gz else "")

    if kind(source) != kind(target):
        raise ConfigError(f"fix: {target} would be a {kind(target)} file but {source} is {kind(source)}; "
                          "the output keeps the input's layout, name it accordingly")


def _remaining(outcome: FixOutcome) -> bool:
    return not outcome.report.ok


def _lines(lines: list[int], limit: int = 12) -> str:
    shown = ", ".join(map(str, sorted(lines)[:limit]))
    return shown + (f", ... ({len(lines) - limit} more)" if len(lines) > limit else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _print_summary(outcome: FixOutcome, out: TextIO, quiet: bool = False) -> None:
    for change in outcome.files:
        target = change.target or change.source
        where = f"{change.source} (in place, backup {change.backup})" if change.backup and change.modified else (
            f"{change.source} (in place: nothing to fix)" if change.backup else f"{change.source} -> {target}")
        out.write(f"{where}: {_counts(change)}\n")
        if quiet:
            continue
        for info in outcome.enabled:
            if info.name in change.dropped:
                lines = change.dropped[info.name]
                out.write(f"  {info.name}: dropped {len(lines)} (line {_lines(lines)})\n")
            if info.name in change.changed:
                lines = change.changed[info.name]
                out.write(f"  {info.name}: changed {len(lines)} (line {_lines(lines)})\n")
        if change.by_rule:
            rules = ", ".join(f"{rule} {n}" for rule, n in sorted(change.by_rule.items()))
            out.write(f"  dropped per rule: {rules}\n")
        for note in change.notes:
            out.write(f"  {note}\n")
    _print_remaining(outcome, out)


def _counts(change: Any) -> str:
    dropped = change.records_in - change.records_out
    lines = sum(len(v) for v in change.dropped.values()) - dropped  # blank lines hold no record
    gone = {line for lines in change.dropped.values() for line in lines}
    changed = len({line for lines in change.changed.values() for line in lines} - gone)
    text = f"{change.records_in} records in, {change.records_out} out ({dropped} dropped, {changed} changed"
    return text + (f", {_plural(lines, 'blank line')} removed)" if lines > 0 else ")")


def _print_remaining(outcome: FixOutcome, out: TextIO, hint: bool = True) -> None:
    report = outcome.report
    if not report.findings:
        out.write("All fixed: the output passes `ftlint check`.\n")
        return
    rules = load_rules()
    counts = report.statistics()
    failing = sum(1 for f in report.findings if f.severity >= report.fail_on)
    parts = ", ".join(f"{code} {rules[code].name} x{n}" for code, n in counts.items())
    verdict = f"{failing} at or above fail-on ({report.fail_on})" if failing else "none at or above fail-on"
    shown = sorted({outcome.displays.get(r.path, r.path) for r in report.files if r.findings})
    text = f"Remaining: {_plural(len(report.findings), 'finding')} ({verdict}): {parts}"
    out.write(text + (f"; run `ftlint check {' '.join(shown)}` for details.\n" if hint else ".\n"))


def _print_diff(outcome: FixOutcome, out: TextIO) -> None:
    for change in outcome.files:
        if not change.modified:
            out.write(f"{change.source}: nothing to change\n")
            continue
        out.write(f"--- {change.source}\n+++ {change.source} (fixed, not written)\n")
        for line in sorted(change.reasons):
            out.write(f"  line {line}: {change.reasons[line]}\n")
        out.write(f"  {_counts(change)}\n")
        for note in change.notes:
            out.write(f"  {note}\n")
    _print_remaining(outcome, out, hint=False)


def _split(args: argparse.Namespace, config: Any, outcome: FixOutcome, out: TextIO) -> int:
    from .files import atomic_copy
    from .split import split_file

    change = outcome.files[0]
    source = change.source
    train_out = Path(args.output) if args.output else _with_part(source, "train")
    test_out = Path(args.test_output) if args.test_output else _with_part(source, "test")
    for target in (train_out, test_out):
        if target.exists() and target.resolve() == source.resolve():
            raise ConfigError(f"fix: --split would overwrite its input {source}")
        _same_kind(source, target)
    if train_out.resolve() == test_out.resolve():
        raise ConfigError("fix: the train and test outputs are the same file")
    import tempfile

    assert change.current is not None
    settings = config.settings_for(source)
    max_line = int(settings.options.get("S007", {}).get("max-bytes", DEFAULT_MAX_LINE_BYTES))
    with tempfile.TemporaryDirectory(prefix="ftlint-split-") as scratch:
        current = change.current
        train_tmp, test_tmp = Path(scratch) / ("train-" + source.name), Path(scratch) / ("test-" + source.name)
        result = split_file(current, outcome.report, settings.options, args.split, args.seed, args.group_by,
                            train_tmp, test_tmp, max_line)
        atomic_copy(train_tmp, train_out)
        atomic_copy(test_tmp, test_out)
    if change.modified:  # the fixes asked for alongside the split, and what remains after them
        _print_summary(outcome, out, args.quiet)
    total = result.train_records + result.test_records
    out.write(f"split {source} by {args.group_by} (seed {args.seed}): {result.train_records} train -> {train_out}, "
              f"{result.test_records} test -> {test_out} ({result.test_records / total:.1%}); "
              f"{result.groups} groups, the largest {_plural(result.largest_group, 'record')}\n")
    if result.missing_field:
        out.write(f"  {_plural(result.missing_field, 'record')} without {args.group_by!r}: each is its own group\n")
    if not change.modified:
        _print_remaining(outcome, out, hint=False)
    return EXIT_FINDINGS if _remaining(outcome) or change.unfixed else EXIT_CLEAN
