"""Where a record's class label comes from, for the class-balance rules (B101-B103, B108).

One `[tool.ftlint.labels]` table serves every class rule, so the rules cannot disagree about what
a class is. Keys (`LABEL_KEYS`):

- `from`: `field` (the value at a dotted path of the raw record: `label`, `metadata.category`,
  `tags.0`; strings, numbers and booleans become their text; lists, objects and null leave the
  record unlabelled), `assistant` (the final assistant reply: classification-style SFT), `kto`
  (KTO's boolean `label`, or LLaMA-Factory's `kto_tag`, as `desirable` / `undesirable`), or `auto`
  (default): `field` when `field` is set; otherwise the final assistant reply, but only if the
  replies look like class labels (see `LabelTracker.is_classification`). KTO labels are left to
  B104 in auto mode: they are a preference signal, not classes.
- `field`: the dotted path for `from = "field"` (setting it alone implies `field`).
- `regex`: searched in the text of the source; its first group (or the whole match) is the label;
  no match leaves the record unlabelled.
- `strip` (default true): strip surrounding whitespace and punctuation; `case-fold` (default
  false): compare labels case-insensitively.
- `max-classes`, `max-label-words`: the auto-detection limits.

Per file. Where the label lives is a property of a file's data, not of a rule, so a
`[per-file."GLOB".labels]` table overrides these keys for matching files (unlike rule options,
which run-wide rules read from the top level only). The run-wide rule resolves the label of each
sample when it is added, through `LabelResolver.spec_for(path)`. Within a layer, setting `from`
without `field` drops an inherited `field`, and setting `field` without `from` means `field`: a
per-file table says where the label is without unsetting the top-level keys first.
`max-classes` counts over the whole run, so it is a top-level key only.

State is compact: counters of labels per group (a split, or a file that is in no split), at most
`max-classes` (auto) or `MAX_TRACKED` (configured source) distinct labels; past that the tracker
stops counting and says so (`overflow`), so a mistaken label field (an id) costs nothing.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .config import ConfigError, _glob_match, _relative
from .model import Sample

SOURCES = ("auto", "field", "assistant", "kto")
# key -> (type, default); every key may be set per file except RUN_WIDE_KEYS.
LABEL_KEYS: dict[str, tuple[type, Any]] = {
    "from": (str, "auto"), "field": (str, ""), "regex": (str, ""), "strip": (bool, True),
    "case-fold": (bool, False), "max-classes": (int, 50), "max-label-words": (int, 3),
}
RUN_WIDE_KEYS = frozenset({"max-classes"})
MAX_TRACKED = 1000  # distinct labels kept for a configured source
MAX_LABEL_CHARS = 64  # an auto-detected label is also at most this long
_EDGE = " \t\r\n.,;:!?\"'`*()[]{}"


def field_value(data: Any, path: str) -> Any:
    """The value at a dotted path (`metadata.category`, `labels.0`), or None."""
    if "." not in path and isinstance(data, dict):  # a top-level key: most fields, every record
        return data.get(path)
    value = data
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def final_reply(sample: Sample) -> str | None:
    """The text of the last assistant turn of the conversation (not of a preference pair)."""
    if sample.chosen is not None:
        return None
    for turn in reversed(sample.turns):
        if turn.role == "assistant":
            return turn.text
    return None


def kto_label(sample: Sample) -> str | None:
    label = sample.label
    if label is None and sample.format == "sharegpt" and isinstance(sample.data, dict):
        label = sample.data.get("kto_tag")
    if isinstance(label, bool):
        return "desirable" if label else "undesirable"
    return None


# --------------------------------------------------------------------------- configuration


def validate_label_table(table: Any, where: str, top_level: bool = True) -> None:
    """Keys and value types of one `labels` table (top level or per file); ConfigError otherwise."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: labels must be a table (from, field, regex, strip, case-fold, ...)")
    for key, value in table.items():
        if key not in LABEL_KEYS:
            hint = f"; did you mean {key[6:]!r}?" if key.startswith("label-") and key[6:] in LABEL_KEYS else ""
            raise ConfigError(f"{where}: labels: unknown key {key!r} (known: {', '.join(LABEL_KEYS)}){hint}")
        if key in RUN_WIDE_KEYS and not top_level:
            raise ConfigError(f"{where}: labels.{key} counts over the whole run: set it in the top-level "
                              f"[labels] table, not per file")
        kind = LABEL_KEYS[key][0]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ConfigError(f"{where}: labels.{key}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    source = table.get("from")
    if source is not None and source not in SOURCES:
        raise ConfigError(f"{where}: labels.from: expected one of {', '.join(SOURCES)}, got {source!r}")
    if source in ("assistant", "kto") and table.get("field"):
        raise ConfigError(f"{where}: labels.field: not used with from = {source!r}")
    if source == "field" and not table.get("field", "x"):
        raise ConfigError(f"{where}: labels.from: \"field\" needs a field path (e.g. \"metadata.category\")")
    if "regex" in table:
        try:
            re.compile(table["regex"])
        except re.error as exc:
            raise ConfigError(f"{where}: labels.regex: invalid regular expression {table['regex']!r}: {exc}") from None
    if table.get("max-classes", 2) < 2:
        raise ConfigError(f"{where}: labels.max-classes: must be at least 2, got {table['max-classes']}")
    if table.get("max-label-words", 1) < 1:
        raise ConfigError(f"{where}: labels.max-label-words: must be at least 1, got {table['max-label-words']}")


def layered(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """Later tables override earlier ones; `from` and `field` move together (see the module doc)."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if "from" in layer and "field" not in layer:
            merged.pop("field", None)
        if "field" in layer and "from" not in layer:
            merged.pop("from", None)
        merged.update(layer)
    return merged


class LabelSpec:
    """Resolved label settings of one file; `extract` gives a sample's label or None."""

    def __init__(self, settings: dict[str, Any] | None = None, where: str = "labels") -> None:
        settings = settings or {}
        validate_label_table(settings, where)
        value = {key: settings.get(key, default) for key, (_, default) in LABEL_KEYS.items()}
        self.source = value["from"]
        self.field = value["field"]
        self.strip = value["strip"]
        self.case_fold = value["case-fold"]
        self.max_classes = value["max-classes"]
        self.max_words = value["max-label-words"]
        if self.source == "field" and not self.field:
            raise ConfigError(f"{where}: labels.from: \"field\" needs a field path (e.g. \"metadata.category\")")
        if self.source == "auto" and self.field:
            self.source = "field"
        self.regex = re.compile(value["regex"]) if value["regex"] else None
        self.auto = self.source == "auto"  # labels only count if the data looks like classification
        where_ = {"field": f"field {self.field!r}", "assistant": "the final assistant reply",
                  "kto": "the KTO label", "auto": "the final assistant reply (auto-detected)"}[self.source]
        self.description = where_ + (f", regex {self.regex.pattern!r}" if self.regex else "")

    def describe(self) -> str:
        return self.description

    def raw(self, sample: Sample) -> Any:
        if self.source == "field":
            return field_value(sample.data, self.field)
        if self.source == "kto":
            return kto_label(sample)
        if self.source == "auto" and kto_label(sample) is not None:
            return None  # KTO data: B104's, not a class label
        return final_reply(sample)

    def extract(self, sample: Sample) -> str | None:
        value = self.raw(sample)
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str):
            return None
        if self.regex is not None:
            match = self.regex.search(value)
            if match is None:
                return None
            value = next((g for g in match.groups() if g is not None), match.group(0))
        if self.strip:
            value = value.strip(_EDGE) or value.strip()
        if self.case_fold:
            value = value.casefold()
        return value or None

    def too_long(self, label: str) -> bool:
        """An auto-detected label is a few short words; a longer reply means free-form SFT."""
        return len(label) > MAX_LABEL_CHARS or len(label.split()) > self.max_words


class LabelResolver:
    """The label settings of each file: the top-level `labels` table, the `labels` tables of the
    per-file globs that match the file (in configuration order), then the command line's.

    Built from plain tables (no Config), so it pickles with the run-wide states that hold it."""

    def __init__(self, root: str = ".", base: dict[str, Any] | None = None,
                 per_file: list[tuple[str, dict[str, Any]]] | None = None, cli: dict[str, Any] | None = None,
                 source: str = "configuration") -> None:
        self.root = Path(root)
        self.base = dict(base or {})
        self.per_file = list(per_file or [])
        self.cli = dict(cli or {})
        self.source = source
        self._by_globs: dict[tuple[str, ...], LabelSpec] = {}
        self._by_path: dict[str, LabelSpec] = {}
        self.run = self._spec(())  # the run-wide knobs (max-classes) and the default source
        for glob, _ in self.per_file:
            self._spec((glob,))  # surface per-file mistakes before any file is read

    @classmethod
    def from_config(cls, config: Any) -> "LabelResolver":
        per_file = [(glob, table["labels"]) for glob, table in config.table.get("per-file", {}).items()
                    if isinstance(table, dict) and "labels" in table]
        return cls(str(config.root), config.table.get("labels"), per_file, config.cli.get("labels"), config.source)

    def _spec(self, globs: tuple[str, ...]) -> LabelSpec:
        spec = self._by_globs.get(globs)
        if spec is None:
            tables = dict(self.per_file)
            merged = layered([self.base, *(tables[g] for g in globs), self.cli])
            where = f"{self.source}: per-file.{globs[-1]!r}" if globs else self.source
            spec = self._by_globs[globs] = LabelSpec(merged, where)
        return spec

    def spec_for(self, path: str) -> LabelSpec:
        spec = self._by_path.get(path)
        if spec is None:
            if self.per_file:
                rel = _relative(Path(path), self.root)
                spec = self._spec(tuple(g for g, _ in self.per_file if _glob_match(rel, g)))
            else:
                spec = self.run
            self._by_path[path] = spec
        return spec


# --------------------------------------------------------------------------- counting


class _Counts:
    """Label counts per group with a cap on distinct labels, past which counting stops."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: dict[str, dict[str, int]] = {}  # group -> label -> records
        self.stopped: str | None = None  # "overflow" or "free_form": counts dropped

    def add(self, group: str, label: str) -> None:
        if self.stopped:
            return
        counts = self.counts.setdefault(group, {})
        new = label not in counts
        counts[label] = counts.get(label, 0) + 1
        if new and len(self.labels()) > self.limit:
            self.stop("overflow")

    def stop(self, why: str) -> None:
        self.stopped = self.stopped or why
        self.counts = {}

    def merge(self, other: "_Counts") -> None:
        if other.stopped:
            self.stop(other.stopped)
        if self.stopped:
            return
        for group, counts in other.counts.items():
            mine = self.counts.setdefault(group, {})
            for label, n in counts.items():
                mine[label] = mine.get(label, 0) + n
        if len(self.labels()) > self.limit:
            self.stop("overflow")

    def labels(self) -> set[str]:
        return {label for counts in self.counts.values() for label in counts}

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for counts in self.counts.values():
            for label, n in counts.items():
                total[label] = total.get(label, 0) + n
        return total


class LabelTracker:
    """Label counts per group, mergeable and order independent.

    Labels from a configured source and auto-detected ones are counted apart: a run may mix files
    with a label field and free-form chat files, and free-form replies must only stop the auto
    count. The auto count joins the class counts when it looks like classification."""

    _last_path: str | None = None  # the file of the previous sample and its label settings
    _last_spec: "LabelSpec | None" = None

    def __init__(self, resolver: LabelResolver | None = None) -> None:
        self.resolver = resolver or LabelResolver()
        self.auto = _Counts(self.resolver.run.max_classes)
        self.configured = _Counts(MAX_TRACKED)
        self.records: dict[str, int] = {}  # group -> records that could carry a label
        self.group_paths: dict[str, str] = {}
        self.group_splits: dict[str, str | None] = {}
        self.sources: set[str] = set()  # descriptions of the label sources seen

    def add(self, sample: Sample, split: str | None) -> None:
        path = sample.record.path
        if path == self._last_path:  # records come file by file: one resolution per file
            spec = self._last_spec
        else:
            spec = self._last_spec = self.resolver.spec_for(path)
            self._last_path = path
        part = self.auto if spec.auto else self.configured
        if part.stopped:
            return
        group = split or sample.record.path
        label = spec.extract(sample)
        if label is None and spec.auto and spec.raw(sample) is None:
            return  # no assistant reply at all (prompt-only, preference, KTO): not part of the count
        self.sources.add(spec.describe())
        self.records[group] = self.records.get(group, 0) + 1
        self.group_paths.setdefault(group, sample.record.path)
        self.group_splits.setdefault(group, split)
        if label is None:
            return
        if spec.auto and spec.too_long(label):
            part.stop("free_form")
            return
        part.add(group, label)

    def merge(self, other: "LabelTracker") -> None:
        for group, n in other.records.items():
            self.records[group] = self.records.get(group, 0) + n
            self.group_paths.setdefault(group, other.group_paths[group])
            self.group_splits.setdefault(group, other.group_splits[group])
        self.sources |= other.sources
        self.auto.merge(other.auto)
        self.configured.merge(other.configured)

    @property
    def overflow(self) -> bool:
        return "overflow" in (self.auto.stopped, self.configured.stopped)

    @property
    def free_form(self) -> bool:
        return self.auto.stopped == "free_form"

    def is_classification(self) -> bool:
        """Auto mode: every reply is a short label, 2..max-classes distinct values, and each value
        repeats at least 3 times on average (short free answers, e.g. capitals, rarely repeat)."""
        total = self.auto.totals()
        return not self.auto.stopped and len(total) >= 2 and sum(total.values()) >= 3 * len(total)

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """Class counts per group: configured labels, plus auto-detected ones when they are classes."""
        result = {group: dict(counts) for group, counts in self.configured.counts.items()}
        if self.is_classification():
            for group, counts in self.auto.counts.items():
                mine = result.setdefault(group, {})
                for label, n in counts.items():
                    mine[label] = mine.get(label, 0) + n
        return result

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for counts in self.counts.values():
            for label, n in counts.items():
                total[label] = total.get(label, 0) + n
        return total

    def active(self) -> bool:
        """Are there class labels to judge?"""
        return any(self.counts.values())

    def describe(self) -> str:
        return "; ".join(sorted(self.sources)) or self.resolver.run.describe()

    def stopped_reason(self) -> str | None:
        if self.configured.stopped:
            return f"more than {self.configured.limit} distinct labels"
        if self.auto.stopped == "overflow":
            return f"more than {self.auto.limit} distinct labels"
        if self.auto.stopped == "free_form":
            return "a reply longer than a short label: not classification data"
        return None
