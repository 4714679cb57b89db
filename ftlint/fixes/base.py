"""The fixer registry and protocol: what `ftlint fix` knows about a fix is what is declared here.

How to write a fixer
====================

A fixer is a class in a module of the `ftlint.fixes` package, decorated with `@fixer`::

    from ftlint.fixes.base import FixContext, fixer

    @fixer(name="dedup", flag="--dedup", codes=("D101",), safe=True, order=20,
           help="drop exact duplicate records (the first copy is kept)")
    class DropDuplicates:
        def __init__(self, options: dict, context: FixContext) -> None:
            self.context = context

        def apply(self, data, sample, findings):
            return None if findings else data

The framework (`ftlint.fixes.engine`) discovers fixers by importing every module of this package,
as `ftlint.registry` discovers checks, so adding a fixer never touches the engine or the CLI.

Declaration (`@fixer` arguments)
--------------------------------
- `name`: short identifier, shown in the change summary ("dedup: dropped 3 records").
- `flag`: the command-line switch that turns it on (a `store_true` option). A fixer that needs
  a value (a target format, a ratio) defines a classmethod `add_arguments(group)` that adds its
  options to the `fix` parser, and `enabled(options) -> bool` that says whether they ask for it.
- `codes`: the rule codes it fixes. Before fixing, the framework checks the input with these
  rules enabled (opt-in ones too) and hands each record the findings of these codes on its line;
  after fixing it re-checks the output, so a user sees which findings remain.
- `safe`: applied by `--fix` (like ruff's safe fixes). Unsafe fixes need their own flag.
- `order`: fixers run in ascending order on each record: drops (10-49) before rewrites (50-99),
  so a record that is dropped anyway is never rewritten.

Protocol (methods of the class)
-------------------------------
- `__init__(self, options, context)`: `options` is the parsed `fix` command line as a dict
  (`options["dedup"]`, plus whatever `add_arguments` added); `context` is the `FixContext` of the
  file being fixed. A fixer instance lives for one file.
- `observe(self, data, sample, findings)` (optional): a first pass over every record of the file,
  before any `apply`, for fixers that must see the whole file first (keep the most complete
  member of a near-duplicate cluster). Keep compact state (line numbers, lengths), not records.
- `apply(self, data, sample, findings) -> data | None`: return `data` itself (or an equal value)
  to keep the record, a NEW object to replace it, or None to drop it. Never mutate `data` in
  place: unchanged records are written back byte for byte, and the framework decides "unchanged"
  by comparing what you return with what it gave you.

Arguments of `observe` / `apply`:
- `data`: the parsed record (a dict).
- `sample`: the format layer's `Sample` of the record, or None when the record failed its
  format's schema (no sample can be built).
- `findings`: the `Finding`s of this fixer's `codes` located on this record's line.

Lines that hold no usable record (invalid JSON, a non-object, a blank line) never reach `apply`.
A fixer that removes them defines `drop_unparsed(self, findings) -> bool`; `findings` holds the
reader's problems on that line (S001, S005...) among the fixer's codes; True drops the line.

Fixer modules are imported to build the command line of every `ftlint` command: import heavy
libraries (presidio, numpy, tokenizers) inside methods, never at module top level.

A fixer may offer `unfixed(self) -> int`: records it was asked to fix and had to leave as they
were (a conversion that would lose data); `fix` then exits 1.

A fixer may offer `notes(self) -> list[str]`: extra lines for the change summary (e.g. "kept
line 7, the longest of its cluster, instead of line 3").
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..model import Finding, Sample


@dataclass(frozen=True)
class FixContext:
    """What a fixer may know about the file it fixes and the run around it."""

    path: Path  # the input file
    format: str | None  # the file's detected (or configured) format, None if unknown
    config: Any  # the run's ftlint.config.Config
    rule_options: dict[str, dict[str, Any]]  # rule code -> options in effect for this file
    # Every finding of the pre-fix check for this file, by code (fixers usually need only theirs).
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    split: str | None = None  # the file's configured split name, if any
    # The whole pre-fix check (every file of the run, split context included): run-wide rules
    # report some findings on another file (a leaked test record names its train copies in
    # `related`). It has `.files` and `.findings` like an `ftlint.engine.Report`, without the
    # findings of rules the configuration turns off for their file (those are not fixed).
    # `fixed_files` are the resolved paths of every file this run fixes.
    report: Any = None
    fixed_files: frozenset[Path] = frozenset()
    # One dict shared by the fixers of every file of the run, for state that spans files (the
    # best member of a near-duplicate cluster may be in another file). Every file is observed
    # before any file is applied.
    shared: dict[str, Any] = field(default_factory=dict)
    round: int = 1  # 1 reads the input; later rounds read the previous round's output

    def is_here(self, location: Any) -> bool:
        """Does a finding's (or related) location point into this file?"""
        return location is not None and _resolved(str(location.path)) == _resolved(str(self.path))


@functools.lru_cache(maxsize=4096)
def _resolved(path: str) -> Path:
    return Path(path).resolve()


class Fixer(Protocol):
    def __init__(self, options: dict[str, Any], context: FixContext) -> None: ...
    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any: ...


@dataclass(frozen=True)
class FixerInfo:
    name: str
    flag: str
    codes: tuple[str, ...]
    help: str
    safe: bool
    order: int
    cls: type

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def handles_unparsed(self) -> bool:
        return callable(getattr(self.cls, "drop_unparsed", None))

    def enabled(self, options: dict[str, Any]) -> bool:
        """On when its flag is given, or with `--fix` for a safe fixer, or by its own test."""
        custom = getattr(self.cls, "enabled", None)
        if callable(custom) and custom(options):
            return True
        return bool(options.get(self.dest)) or (self.safe and bool(options.get("fix_all")))


FIXERS: dict[str, FixerInfo] = {}


def fixer(name: str, flag: str, codes: Iterable[str] = (), help: str = "", safe: bool = False,
          order: int = 50) -> Callable[[type], type]:
    """Register a fixer class; see the module docstring for the protocol."""

    def wrap(cls: type) -> type:
        info = FixerInfo(name, flag, tuple(codes), help, safe, order, cls)
        existing = FIXERS.get(name)
        if existing is not None and existing.cls is not cls:
            raise ValueError(f"fixer {name!r} is defined twice")
        FIXERS[name] = info
        return cls

    return wrap


_discovered = False


def discover_fixers() -> dict[str, FixerInfo]:
    """Import every module of `ftlint.fixes` so their `@fixer` classes register; sorted by order."""
    global _discovered
    if not _discovered:
        import importlib
        import pkgutil

        from .. import fixes

        for module in pkgutil.iter_modules(fixes.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{fixes.__name__}.{module.name}")
        _discovered = True
    return dict(sorted(FIXERS.items(), key=lambda item: (item[1].order, item[0])))
