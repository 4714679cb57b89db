"""Rule implementations register themselves here; the engine only reads this registry.

Checks live in `ftlint.checks.*` modules, which are imported on discovery: adding a rule means
adding its metadata to the rule pack and one decorated function or class to a check module.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from .model import Hit, Sample

RecordCheckFn = Callable[[Sample, dict[str, Any]], Iterable[Hit]]


class DatasetCheck(Protocol):
    """State kept across the records of one file; must stay compact (counters, hashes)."""

    def __init__(self, options: dict[str, Any]) -> None: ...
    def add(self, sample: Sample) -> None: ...
    def merge(self, other: "DatasetCheck") -> None: ...
    def finish(self, path: str) -> Iterable[Hit]: ...


class RunCheck(Protocol):
    """State kept across every file of a run (duplicates across files, split leakage).

    `split` is the file's split name from `[tool.ftlint.splits]` (None when unassigned); hits
    name their file in `Hit.path`. State must stay compact: hashes and sketches, not records.
    """

    def __init__(self, options: dict[str, Any], context: "RunContext") -> None: ...
    def add(self, sample: Sample, split: str | None) -> None: ...
    def merge(self, other: "RunCheck") -> None: ...
    def finish(self) -> Iterable[Hit]: ...


@dataclass(frozen=True)
class RunContext:
    """What a run-wide rule may know about the run besides its samples."""

    splits: dict[str, list[str]]  # split name -> globs, as configured
    settings: dict[str, Any]  # other `[tool.ftlint.splits]` settings (e.g. locked-test)
    root: str  # the configuration's directory
    # Where each file's class labels live: a ftlint.labels.LabelResolver (None: the defaults).
    labels: Any = None


@dataclass(frozen=True)
class Implementation:
    code: str
    kind: str  # "record", "dataset" (per file), "run" (across files) or "builtin" (reader/engine)
    target: Any = None
    formats: frozenset[str] | None = None  # format names or tags; None = every format

    def applies_to(self, format_name: str, tags: frozenset[str]) -> bool:
        return self.formats is None or format_name in self.formats or bool(self.formats & tags)


IMPLEMENTATIONS: dict[str, Implementation] = {}


def _register(impl: Implementation) -> None:
    if impl.code in IMPLEMENTATIONS and IMPLEMENTATIONS[impl.code].target is not impl.target:
        raise ValueError(f"rule {impl.code} is implemented twice")
    IMPLEMENTATIONS[impl.code] = impl


def record_rule(code: str, formats: Iterable[str] | None = None) -> Callable[[RecordCheckFn], RecordCheckFn]:
    def wrap(fn: RecordCheckFn) -> RecordCheckFn:
        _register(Implementation(code, "record", fn, frozenset(formats) if formats else None))
        return fn
    return wrap


def dataset_rule(code: str, formats: Iterable[str] | None = None) -> Callable[[type], type]:
    def wrap(cls: type) -> type:
        _register(Implementation(code, "dataset", cls, frozenset(formats) if formats else None))
        return cls
    return wrap


def run_rule(code: str, formats: Iterable[str] | None = None) -> Callable[[type], type]:
    def wrap(cls: type) -> type:
        _register(Implementation(code, "run", cls, frozenset(formats) if formats else None))
        return cls
    return wrap


def builtin_rules(*codes: str) -> None:
    """Codes the reader or engine reports directly (bad JSON, format detection, schema)."""
    for code in codes:
        _register(Implementation(code, "builtin"))


_discovered = False


def discover() -> dict[str, Implementation]:
    global _discovered
    if not _discovered:
        from . import checks

        for module in pkgutil.iter_modules(checks.__path__):
            importlib.import_module(f"{checks.__name__}.{module.name}")
        _discovered = True
    return IMPLEMENTATIONS
