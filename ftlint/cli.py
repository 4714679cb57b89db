"""The `ftlint` command: check, rule, rules, formats, stats, report.

Exit codes follow linters: 0 clean, 1 findings at or above `fail-on`, 2 usage, configuration or
unreadable-input error.
"""
from __future__ import annotations

import sys

from . import __version__

# Nothing beyond `sys` at import time: a replayed run (ftlint.fastpath) must start as fast as a
# bare interpreter. argparse, pathlib and the linter are imported by _load_linter.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from pathlib import Path
    from typing import Any, Sequence, TextIO

    from .config import Config
    from .engine import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _load_linter() -> None:
    """Import the linter's modules, which `ftlint.fastpath` replays without (see main)."""
    global argparse, Path, _Parser, DEFAULT_BASELINE, ConfigError, load_config, Engine, FORMATS, load_rules
    import argparse
    import os

    # ftlint does no linear algebra: numpy's BLAS thread pool would only keep this process from
    # forking its workers (a fork is safe only with one thread; see ftlint.parallel).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    from pathlib import Path

    from .baseline import DEFAULT_BASELINE
    from .config import ConfigError, load_config
    from .engine import Engine
    from .formats import FORMATS
    from .rulepack import load_rules

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # argparse exits 2 already; keep its message short
            self.print_usage(sys.stderr)
            self.exit(EXIT_ERROR, f"ftlint: error: {message}\n")


def _format_list(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r} (see `ftlint formats`)")
    return names


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    _load_linter()
    from .reporters import REPORTERS

    parser = _Parser(prog="ftlint", description="Lint LLM fine-tuning datasets.")
    parser.add_argument("--version", action="version", version=f"ftlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check dataset files (default command)")
    _add_lint_arguments(check)
    check.add_argument("--output-format", choices=sorted(REPORTERS), default="text")
    check.add_argument("-o", "--output-file", help="write the report here instead of standard output")
    check.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails (default error)")
    check.add_argument("--statistics", action="store_true", help="show the number of findings per rule")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no per-file or summary lines")
    check.add_argument("--baseline", metavar="FILE",
                       help="report only findings not in this baseline (default: `baseline` from config)")
    check.add_argument("--update-baseline", action="store_true",
                       help="with a baseline: drop its entries that no longer occur (never adds new findings)")

    baseline = sub.add_parser("baseline", help="record current findings so `check --baseline` reports only new ones")
    _add_lint_arguments(baseline)
    baseline.add_argument("--baseline", metavar="FILE",
                          help=f"file to write (default: `baseline` from config, or {DEFAULT_BASELINE})")

    rule = sub.add_parser("rule", help="explain a rule")
    rule.add_argument("code", nargs="?", help="rule code, e.g. S101")
    rule.add_argument("--all", action="store_true", help="explain every rule")

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--output-format", choices=["text", "json"], default="text")
    sub.add_parser("formats", help="list the supported dataset formats and their keys")
    from .fixes.command import add_arguments as add_fix_arguments
    add_fix_arguments(sub.add_parser("fix", help="fix what can be fixed mechanically: duplicates, invalid records, "
                                                  "leaked items, formats; or write a leakage-free split"))

    stats = sub.add_parser("stats", help="show the dataset statistics alone (records, formats, duplicates, classes...)")
    _add_lint_arguments(stats)
    stats.add_argument("--output-format", choices=["text", "json"], default="text")

    report = sub.add_parser("report", help="write the self-contained HTML report (summary, plots, findings table)")
    _add_lint_arguments(report)
    report.add_argument("-o", "--output-file", default="ftlint-report.html",
                        help="where to write the report (default: ftlint-report.html; - for standard output)")
    report.add_argument("--fail-on", choices=["error", "warning", "info"], help="lowest severity that fails (default error)")
    report.add_argument("--baseline", metavar="FILE", help="show only findings not in this baseline")
    return parser


def _add_lint_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that lints: what to check and with which rules."""
    parser.add_argument("paths", nargs="*", help="files, directories or globs (default: `paths` from config, or .)")
    parser.add_argument("--format", type=_format_list, metavar="FORMAT[,FORMAT...]",
                        help="treat every file as this format (skips detection), or detect only among these")
    parser.add_argument("--select", type=_codes, action="extend", help="rule codes or prefixes to enable (replaces the default set)")
    parser.add_argument("--extend-select", type=_codes, action="extend", help="rule codes or prefixes to add")
    parser.add_argument("--ignore", type=_codes, action="extend", help="rule codes or prefixes to disable")
    parser.add_argument("--config", help="config file (ftlint.toml or pyproject.toml); default: discovered upward")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply `exclude` to files named on the command line too (for pre-commit)")
    parser.add_argument("--split-context", action="store_true",
                        help="also read the other files of the configured splits for dataset-level rules "
                             "(duplicates, leakage); report only findings involving the named files (for pre-commit)")
    parser.add_argument("--no-cache", action="store_true", help="lint every file even if unchanged since the last run")
    parser.add_argument("--cache-dir", help="where to keep the result cache (default: .ftlint_cache next to the config)")
    parser.add_argument("-j", "--jobs", type=_positive_int, metavar="N",
                        help="worker processes for big JSONL files (default: `jobs` from config, or every CPU; 1 = no workers)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is shown only on a terminal, never in CI or with --quiet)")


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Records may hold lone surrogates (valid JSON escapes, invalid UTF-8): print them escaped.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if argv == ["--version"]:  # asked by scripts and pre-commit; argparse and the linter are not needed
        print(f"ftlint {__version__}")
        return EXIT_CLEAN
    from . import fastpath

    typed = list(argv)
    replayable = fastpath.eligible(typed)
    if replayable and (code := fastpath.replay(typed)) is not None:
        return code  # an unchanged run: its recorded output, without importing the linter
    if argv and argv[0] not in {"check", "baseline", "rule", "rules", "formats", "stats", "report", "fix", "-h", "--help", "--version"}:
        argv.insert(0, "check")  # `ftlint data/` means `ftlint check data/`
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in (None, "check"):
            if args.command is None:
                args = parser.parse_args(["check"])
            return _recorded(typed, args) if replayable else _check(args)
        if args.command == "baseline":
            return _write_baseline(args)
        if args.command == "rule":
            return _rule(args, sys.stdout)
        if args.command == "rules":
            return _list_rules(args, sys.stdout)
        if args.command == "stats":
            from .stats_command import run_stats
            return run_stats(args, _lint, sys.stdout)
        if args.command == "report":
            from .report_command import run_report
            return run_report(args, _check)
        if args.command == "fix":
            from .fixes.command import run as run_fix
            return run_fix(args, sys.stdout)
        return _list_formats(sys.stdout)
    except ConfigError as exc:
        print(f"ftlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `ftlint check | head`
        return EXIT_ERROR


def _lint(args: argparse.Namespace) -> tuple[Config, Report]:
    """Load the configuration and lint the requested paths (shared by check and baseline)."""
    from .cache import ResultCache
    from .progress import ProgressBar
    from .progress import wanted as progress_wanted

    cli: dict[str, Any] = {}
    for key in ("select", "extend_select", "ignore", "format", "fail_on", "baseline", "cache_dir", "jobs"):
        value = getattr(args, key, None)
        if value is not None:
            cli[key.replace("_", "-")] = value
    config = load_config(args.config, cli=cli)
    paths = args.paths or config.paths or ["."]
    if args.paths or config.paths:
        base = Path.cwd() if args.paths else config.root
        paths = [str(base / p) if not Path(p).is_absolute() and not args.paths else p for p in paths]
    cache = None if args.no_cache else ResultCache(config.cache_dir)
    progress = None
    if not getattr(args, "no_progress", False) and progress_wanted(sys.stderr, quiet=getattr(args, "quiet", False)):
        progress = ProgressBar(getattr(sys.stderr, "_stream", sys.stderr))  # never into a replay recording
    engine = Engine(config, cache, progress=progress)
    report = engine.run(paths, force_exclude=args.force_exclude, split_context=args.split_context)
    if cache is not None:  # what the output depends on, for ftlint.fastpath to replay it
        from .fastpath import directories_searched

        args.replay_depends = ([r.path for r in report.files] + directories_searched(paths, config.is_excluded)
                               + ([str(config.baseline)] if config.baseline else []))
        args.replay_cache_dir = str(config.cache_dir)
    return config, report


def _recorded(argv: list[str], args: argparse.Namespace) -> int:
    """Run `check` keeping what it prints, so an identical re-run can replay it (fastpath)."""
    from . import fastpath

    out, err = fastpath.Recorder(sys.stdout), fastpath.Recorder(sys.stderr)
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        code = _check(args)
    finally:
        sys.stdout, sys.stderr = out._stream, err._stream  # type: ignore[assignment]
    if getattr(args, "replay_depends", None) is not None:
        fastpath.record(argv, code, out, err, args.replay_depends, args.replay_cache_dir)
    return code


def _check(args: argparse.Namespace) -> int:
    from .baseline import apply_baseline, load_baseline, prune_stale, write_baseline
    from .reporters import REPORTERS

    config, report = _lint(args)
    if args.update_baseline and config.baseline is None:
        raise ConfigError("--update-baseline needs a baseline: pass --baseline FILE or set `baseline` in the config")
    if config.baseline is not None:
        baseline = load_baseline(config.baseline)
        outcome = apply_baseline(report, baseline)
        report.baselined, report.stale = outcome.baselined, outcome.stale
        if args.update_baseline and outcome.stale:
            write_baseline(prune_stale(baseline, outcome))
            report.stale = []
            print(f"ftlint: removed {sum(e.count for _, _, e in outcome.stale)} stale entries from {config.baseline}",
                  file=sys.stderr)
    options = {"quiet": args.quiet, "statistics": args.statistics}
    if args.output_file:
        try:
            out = open(args.output_file, "w", encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise ConfigError(f"{args.output_file}: cannot write the report: {exc.strerror or exc}") from None
        with out:
            REPORTERS[args.output_format](report, out, {**options, "color": False})
    else:
        REPORTERS[args.output_format](report, sys.stdout, options)
    if report.input_error:
        return EXIT_ERROR
    if args.exit_zero or report.ok:
        return EXIT_CLEAN
    return EXIT_FINDINGS


def _write_baseline(args: argparse.Namespace) -> int:
    from .baseline import baseline_from_report, write_baseline

    config, report = _lint(args)
    path = config.baseline or Path(DEFAULT_BASELINE)
    if report.input_error:
        for finding in report.by_rule("S000"):
            print(f"ftlint: error: {finding.location}: {finding.message}", file=sys.stderr)
        return EXIT_ERROR
    baseline = baseline_from_report(report, path)
    write_baseline(baseline)
    count = sum(entry.count for entry in baseline.entries.values())
    print(f"ftlint: wrote {count} finding{'s' * (count != 1)} from {len(report.files)} "
          f"file{'s' * (len(report.files) != 1)} to {path}")
    return EXIT_CLEAN


def _rule(args: argparse.Namespace, out: TextIO) -> int:
    rules = load_rules()
    if args.all:
        out.write("\n\n".join(meta.explain() for meta in rules.values()) + "\n")
        return EXIT_CLEAN
    if not args.code:
        raise ConfigError("rule: give a rule code (e.g. `ftlint rule S101`) or --all")
    code = args.code.strip().upper()
    by_name = {meta.name: meta for meta in rules.values()}
    meta = rules.get(code) or by_name.get(args.code.strip().lower())
    if meta is None:
        raise ConfigError(f"unknown rule {args.code!r} (see `ftlint rules`)")
    out.write(meta.explain() + "\n")
    return EXIT_CLEAN


def _list_rules(args: argparse.Namespace, out: TextIO) -> int:
    rules = load_rules()
    if args.output_format == "json":
        import json

        json.dump([{"code": m.code, "name": m.name, "family": m.family, "severity": str(m.severity),
                    "default": m.default_enabled, "summary": m.summary, "options": m.options}
                   for m in rules.values()], out, indent=2)
        out.write("\n")
        return EXIT_CLEAN
    for meta in rules.values():
        flag = "" if meta.default_enabled else " (off by default)"
        out.write(f"{meta.code}  {meta.name:<32} {str(meta.severity):<8} {meta.summary}{flag}\n")
    return EXIT_CLEAN


def _list_formats(out: TextIO) -> int:
    for spec in FORMATS.values():
        optional = f"; optional {', '.join(sorted(spec.optional))}" if spec.optional else ""
        extra = "; any other key is grader data" if spec.open_keys else ""
        out.write(f"{spec.name:<24} {spec.title}\n{'':<24} keys: {', '.join(sorted(spec.required))}{optional}{extra}\n"
                  f"{'':<24} for: {spec.trainers}\n")
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
