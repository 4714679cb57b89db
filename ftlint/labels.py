"""Where a record's class label comes from, for the class-balance rules (B101-B103, B108).

Sources (option `label-from`, with `label-field` and `label-regex`):

- `field`: the value at a dotted path of the raw record (`label`, `metadata.category`, `tags.0`);
  strings, numbers and booleans become their text; lists, objects and null leave the record
  unlabelled.
- `assistant`: the final assistant reply (classification-style SFT).
- `kto`: KTO's boolean `label` (chat-kto, TRL unpaired preference) or LLaMA-Factory's `kto_tag`,
  as `desirable` / `undesirable`.
- `auto` (default): `field` when `label-field` is set; otherwise the final assistant reply, but
  only if the replies look like class labels (see `LabelTracker.is_classification`). KTO labels are
  left to B104 in auto mode: they are a preference signal, not classes.

`label-regex` (optional) is searched in the text of the source; its first group (or the whole
match) is the label; no match leaves the record unlabelled. Labels are stripped of surrounding
whitespace and punctuation and optionally case-folded.

State is compact: a counter of labels per group (a split, or a file that is in no split), at most
`max-classes` (auto) or `MAX_TRACKED` (configured source) distinct labels; past that the tracker
stops counting and says so (`overflow`), so a mistaken label field (an id) costs nothing.
"""
from __future__ import annotations

import re
from typing import Any

from .config import ConfigError
from .model import Sample

SOURCES = ("auto", "field", "assistant", "kto")
MAX_TRACKED = 1000  # distinct labels kept for a configured source
MAX_LABEL_CHARS = 64  # an auto-detected label is also at most this long
_EDGE = " \t\r\n.,;:!?\"'`*()[]{}"


def field_value(data: Any, path: str) -> Any:
    """The value at a dotted path (`metadata.category`, `labels.0`), or None."""
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
    if isinstance(label, bool):
        return "desirable" if label else "undesirable"
    return None


class LabelSpec:
    """The label options of one rule, validated; `extract` gives a sample's label or None."""

    def __init__(self, options: dict[str, Any], code: str) -> None:
        self.source = str(options.get("label-from", "auto"))
        self.field = str(options.get("label-field", ""))
        pattern = str(options.get("label-regex", ""))
        self.case_fold = bool(options.get("case-fold", False))
        self.max_classes = int(options.get("max-classes", 50))
        self.max_words = int(options.get("max-label-words", 3))
        if self.source not in SOURCES:
            raise ConfigError(f"rules.{code}.label-from: expected one of {', '.join(SOURCES)}, got {self.source!r}")
        if self.source == "field" and not self.field:
            raise ConfigError(f"rules.{code}.label-from: \"field\" needs label-field (e.g. \"metadata.category\")")
        if self.source in ("assistant", "kto") and self.field:
            raise ConfigError(f"rules.{code}.label-field: not used with label-from = {self.source!r}")
        if self.source == "auto" and self.field:
            self.source = "field"
        try:
            self.regex = re.compile(pattern) if pattern else None
        except re.error as exc:
            raise ConfigError(f"rules.{code}.label-regex: invalid regular expression {pattern!r}: {exc}") from None
        if self.max_classes < 2:
            raise ConfigError(f"rules.{code}.max-classes: must be at least 2, got {self.max_classes}")
        self.auto = self.source == "auto"  # labels only count if the data looks like classification

    def describe(self) -> str:
        where = {"field": f"field {self.field!r}", "assistant": "the final assistant reply",
                 "kto": "the KTO label", "auto": "the final assistant reply (auto-detected)"}[self.source]
        return where + (f", regex {self.regex.pattern!r}" if self.regex else "")

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
        value = value.strip(_EDGE) or value.strip()
        if self.case_fold:
            value = value.casefold()
        return value or None

    def too_long(self, label: str) -> bool:
        """An auto-detected label is a few short words; a longer reply means free-form SFT."""
        return len(label) > MAX_LABEL_CHARS or len(label.split()) > self.max_words


class LabelTracker:
    """Label counts per group, mergeable and order independent."""

    def __init__(self, spec: LabelSpec) -> None:
        self.spec = spec
        self.limit = spec.max_classes if spec.auto else MAX_TRACKED
        self.counts: dict[str, dict[str, int]] = {}  # group -> label -> records
        self.records: dict[str, int] = {}  # group -> records that could carry a label
        self.group_paths: dict[str, str] = {}
        self.group_splits: dict[str, str | None] = {}
        self.overflow = False  # more distinct labels than `limit`: counts dropped
        self.free_form = False  # auto mode saw a long reply: not classification, counts dropped

    @property
    def stopped(self) -> bool:
        return self.overflow or self.free_form

    def add(self, sample: Sample, split: str | None) -> None:
        if self.stopped:
            return
        group = split or sample.record.path
        label = self.spec.extract(sample)
        if label is None and self.spec.auto and self.spec.raw(sample) is None:
            return  # no assistant reply at all (prompt-only, preference, KTO): not part of the count
        self.records[group] = self.records.get(group, 0) + 1
        self.group_paths.setdefault(group, sample.record.path)
        self.group_splits.setdefault(group, split)
        if label is None:
            return
        if self.spec.auto and self.spec.too_long(label):
            self._stop("free_form")
            return
        counts = self.counts.setdefault(group, {})
        new = label not in counts
        counts[label] = counts.get(label, 0) + 1
        if new and len(self.labels()) > self.limit:
            self._stop("overflow")

    def _stop(self, why: str) -> None:
        setattr(self, why, True)
        self.counts = {}

    def merge(self, other: "LabelTracker") -> None:
        self.overflow |= other.overflow
        self.free_form |= other.free_form
        for group, n in other.records.items():
            self.records[group] = self.records.get(group, 0) + n
            self.group_paths.setdefault(group, other.group_paths[group])
            self.group_splits.setdefault(group, other.group_splits[group])
        if self.stopped:
            self.counts = {}
            return
        for group, counts in other.counts.items():
            mine = self.counts.setdefault(group, {})
            for label, n in counts.items():
                mine[label] = mine.get(label, 0) + n
        if len(self.labels()) > self.limit:
            self._stop("overflow")

    def labels(self) -> set[str]:
        return {label for counts in self.counts.values() for label in counts}

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for counts in self.counts.values():
            for label, n in counts.items():
                total[label] = total.get(label, 0) + n
        return total

    def is_classification(self) -> bool:
        """Auto mode: every reply is a short label, 2..max-classes distinct values, and each value
        repeats at least 3 times on average (short free answers, e.g. capitals, rarely repeat)."""
        if self.stopped:
            return False
        total = self.totals()
        if not self.spec.auto:
            return bool(total)
        return 2 <= len(total) and sum(total.values()) >= 3 * len(total)

    def active(self) -> bool:
        """Are there class labels to judge?"""
        return self.is_classification() and bool(self.counts)
