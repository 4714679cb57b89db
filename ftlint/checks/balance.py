"""Family B: class balance, preference balance and dataset composition (run-wide rules).

Grouping. Counts are kept per group: the files of one split from `[splits]`, or a single file that
is in no split. Class-size rules (B101, B102) judge training groups only: a held-out split
(`test`, `validation`, `benchmarks` and their usual aliases) is small by design; B103 compares
the held-out splits with the training side.

State. Counters only (labels, KTO booleans, pair-length tallies, hashes of system prompts and
source values): nothing grows with text, and each state merges by adding counters, so one state
over all files equals the merge of per-file states.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..labels import LabelSpec, LabelTracker, field_value
from ..model import Hit, Sample, Severity
from ..registry import RunContext, run_rule
from . import leakage

MAX_LISTED = 10  # classes named in one message; the message gives the full count
MAX_SOURCES = 50  # distinct source values tabulated (B106)
MIN_REUSE = 2  # B107: records per variant on average, at least
MAX_SYSTEM_PROMPTS = 10000  # distinct system prompts tracked per group (B107)


def is_held_out(split: str | None) -> bool:
    """The same notion of held-out split as the leakage rules."""
    return split is not None and leakage.is_held_out(split)


def _where(group: str, path: str) -> str:
    return f"split {group!r}" if group != path else "this file"


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _listing(items: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{label!r} ({n})" for label, n in items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _add_counts(mine: dict, other: dict) -> None:
    for key, n in other.items():
        mine[key] = mine.get(key, 0) + n


# --------------------------------------------------------------------------- class labels


class _ClassRule:
    code = ""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.tracker = LabelTracker(LabelSpec(options, self.code))

    def add(self, sample: Sample, split: str | None) -> None:
        self.tracker.add(sample, split)

    def merge(self, other: "_ClassRule") -> None:
        self.tracker.merge(other.tracker)

    def training_groups(self) -> list[tuple[str, dict[str, int]]]:
        if not self.tracker.active():
            return []
        return [(group, counts) for group, counts in sorted(self.tracker.counts.items())
                if not is_held_out(self.tracker.group_splits[group])]

    def class_statistics(self) -> dict[str, Any]:
        tracker = self.tracker
        stats: dict[str, Any] = {"label-source": tracker.spec.describe(),
                                 "classification": tracker.is_classification()}
        if tracker.overflow:
            stats["stopped"] = f"more than {tracker.limit} distinct labels"
        if tracker.free_form:
            stats["stopped"] = "a reply longer than a short label: not classification data"
        if not tracker.active():
            return stats
        totals = tracker.totals()
        labelled = sum(totals.values())
        stats.update({"records": sum(tracker.records.values()), "labelled": labelled, "classes": len(totals),
                      "counts": _ordered(totals),
                      "shares": {k: round(_share(n, labelled), 6) for k, n in _ordered(totals).items()},
                      "imbalance-ratio": round(max(totals.values()) / min(totals.values()), 6)})
        return stats


@run_rule("B101")
class MinExamplesPerClass(_ClassRule):
    code = "B101"

    def statistics(self) -> dict[str, Any]:
        return self.class_statistics()

    def finish(self) -> Iterator[Hit]:
        error_below = int(self.options["error-below"])
        warning_below = int(self.options["warning-below"])
        for group, counts in self.training_groups():
            path = self.tracker.group_paths[group]
            for label, n in sorted(counts.items(), key=lambda item: (item[1], item[0])):
                if n < error_below:
                    severity = Severity.ERROR
                elif n < warning_below:
                    severity = Severity.WARNING
                else:
                    continue
                yield Hit(f"class {label!r} has {n} example{'s' * (n != 1)} in {_where(group, path)} "
                          f"(error below {error_below}, warning below {warning_below}; "
                          f"labels from {self.tracker.spec.describe()})",
                          path=path, severity=severity, key=f"{group}|{label}")


@run_rule("B102")
class ClassImbalance(_ClassRule):
    code = "B102"

    def statistics(self) -> dict[str, Any]:
        stats: dict[str, Any] = {}
        for group, counts in self.training_groups():
            if len(counts) < 2:
                continue
            total = sum(counts.values())
            stats[group] = {"classes": len(counts), "labelled": total,
                            "imbalance-ratio": round(max(counts.values()) / min(counts.values()), 6),
                            "rarest-share": round(min(counts.values()) / total, 6)}
        return {"groups": stats} if stats else {}

    def finish(self) -> Iterator[Hit]:
        max_ratio = float(self.options["max-ratio"])
        factor = float(self.options["min-share-factor"])
        for group, counts in self.training_groups():
            if len(counts) < 2:
                continue
            path = self.tracker.group_paths[group]
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            (top, most), (rare, least) = ordered[0], ordered[-1]
            total, k = sum(counts.values()), len(counts)
            parts = []
            ratio = most / least
            if ratio > max_ratio:
                parts.append(f"majority class {top!r} has {most} examples, minority class {rare!r} {least} "
                             f"({ratio:.1f}:1, max-ratio {max_ratio:g}:1)")
            floor = factor / k
            if least / total < floor:
                parts.append(f"rarest class {rare!r} is {least / total:.2%} ({least} of {total}) of the labelled "
                             f"records, below {factor:g} x 1/{k} = {floor:.2%}")
            if parts:
                yield Hit(f"class imbalance in {_where(group, path)}: " + "; ".join(parts),
                          path=path, key=group)


@run_rule("B103")
class SplitClassMismatch(_ClassRule):
    code = "B103"

    def _sides(self) -> tuple[dict[str, int], dict[str, tuple[dict[str, int], str]]]:
        """(training class counts, held-out split -> (class counts, a path)); empty without splits."""
        tracker = self.tracker
        if not tracker.active():
            return {}, {}
        splits = {s for s in tracker.group_splits.values() if s is not None}
        named_train = {s for s in splits if s.lower() == "train"}
        train_splits = named_train or {s for s in splits if not is_held_out(s)}
        train: dict[str, int] = {}
        held: dict[str, tuple[dict[str, int], str]] = {}
        for group, counts in tracker.counts.items():
            split = tracker.group_splits[group]
            if split in train_splits:
                _add_counts(train, counts)
            elif is_held_out(split):
                held[split] = (counts, tracker.group_paths[group])
        return train, held

    def statistics(self) -> dict[str, Any]:
        per_split: dict[str, dict[str, int]] = {}
        for group, counts in sorted(self.tracker.counts.items()) if self.tracker.active() else []:
            split = self.tracker.group_splits[group]
            if split is not None:
                per_split[split] = _ordered(counts)
        return {"per-split": per_split} if per_split else {}

    def finish(self) -> Iterator[Hit]:
        train, held = self._sides()
        if not train or not held:
            return
        for split, (counts, path) in sorted(held.items()):
            unseen = sorted(((c, n) for c, n in counts.items() if c not in train), key=lambda i: (-i[1], i[0]))
            if unseen:
                n = sum(k for _, k in unseen)
                yield Hit(f"{len(unseen)} class{'es' * (len(unseen) != 1)} of split {split!r} never occur in "
                          f"training ({n} record{'s' * (n != 1)}): {_listing(unseen)}", path=path, key=f"{split}|unseen")
            untested = sorted(((c, n) for c, n in train.items() if c not in counts), key=lambda i: (-i[1], i[0]))
            if untested:
                yield Hit(f"{len(untested)} training class{'es' * (len(untested) != 1)} never occur in split "
                          f"{split!r} (not evaluated): {_listing(untested)}", path=path,
                          severity=Severity.INFO, key=f"{split}|untested")


@run_rule("B108")
class ClassificationDetected(_ClassRule):
    """Says when assistant replies were recognised as class labels (auto mode)."""

    code = "B108"

    def statistics(self) -> dict[str, Any]:
        return {"classification": self.tracker.is_classification(),
                "classes": len(self.tracker.totals()) if self.tracker.active() else 0}

    def finish(self) -> Iterator[Hit]:
        tracker = self.tracker
        if not tracker.spec.auto or not tracker.active():
            return
        totals = sorted(tracker.totals().items(), key=lambda i: (-i[1], i[0]))
        group = min(tracker.counts)
        yield Hit(f"classification-style data: the final assistant replies take {len(totals)} distinct short "
                  f"values over {sum(n for _, n in totals)} records: {_listing(totals)}; class rules B101-B103 "
                  f"treat them as labels (set label-from to turn this off or choose another source)",
                  path=tracker.group_paths[group], key="classification")


# --------------------------------------------------------------------------- KTO


@run_rule("B104", formats=["unpaired", "alpaca", "sharegpt"])
class KtoBalance:
    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        low, high = float(options["min-ratio"]), float(options["max-ratio"])
        if not 0 < low <= high:
            raise ConfigError(f"rules.B104: need 0 < min-ratio <= max-ratio, got {low:g} and {high:g}")
        self.counts: dict[str, list[int]] = {}  # group -> [desirable, undesirable]
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        label = sample.label
        if sample.format == "sharegpt":
            label = sample.data.get("kto_tag")
        if not isinstance(label, bool):
            return
        group = split or sample.record.path
        self.group_paths.setdefault(group, sample.record.path)
        self.counts.setdefault(group, [0, 0])[0 if label else 1] += 1

    def merge(self, other: "KtoBalance") -> None:
        for group, (good, bad) in other.counts.items():
            mine = self.counts.setdefault(group, [0, 0])
            mine[0] += good
            mine[1] += bad
            self.group_paths.setdefault(group, other.group_paths[group])

    def statistics(self) -> dict[str, Any]:
        if not self.counts:
            return {}
        good = sum(c[0] for c in self.counts.values())
        bad = sum(c[1] for c in self.counts.values())
        return {"desirable": good, "undesirable": bad, "desirable-share": round(_share(good, good + bad), 6),
                "groups": {g: {"desirable": c[0], "undesirable": c[1]} for g, c in sorted(self.counts.items())}}

    def finish(self) -> Iterator[Hit]:
        low, high = float(self.options["min-ratio"]), float(self.options["max-ratio"])
        wd, wu = float(self.options["desirable-weight"]), float(self.options["undesirable-weight"])
        minimum = int(self.options["min-records"])
        for group, (good, bad) in sorted(self.counts.items()):
            if good + bad < minimum:
                continue
            path = self.group_paths[group]
            weighted = "" if wd == wu == 1 else f" after weights {wd:g}/{wu:g}"
            head = (f"KTO labels in {_where(group, path)}: {good} desirable, {bad} undesirable "
                    f"({_share(good, good + bad):.1%} desirable)")
            if bad == 0 or good == 0:
                yield Hit(f"{head}: the trainer needs both kinds", path=path, key=group)
                continue
            ratio = (wd * good) / (wu * bad)
            if not low <= ratio <= high:
                yield Hit(f"{head}: desirable:undesirable is {ratio:.2f}:1{weighted}, outside "
                          f"{low:g}:1 to {high:g}:1", path=path, key=group)


# --------------------------------------------------------------------------- preference pairs


def _length(turns: list | None, unit: str) -> int:
    text = "\n".join(t.text for t in turns or [] if t.text)
    return len(text.split()) if unit == "words" else len(text)


@run_rule("B105", formats=["preference"])
class LengthBias:
    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.unit = str(options["unit"])
        if self.unit not in ("words", "characters"):
            raise ConfigError(f"rules.B105.unit: expected \"words\" or \"characters\", got {self.unit!r}")
        self.tally: dict[str, list[int]] = {}  # group -> [chosen longer, chosen shorter, equal, chosen len, rejected len]
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        if sample.chosen is None or sample.rejected is None:
            return
        chosen, rejected = _length(sample.chosen, self.unit), _length(sample.rejected, self.unit)
        group = split or sample.record.path
        self.group_paths.setdefault(group, sample.record.path)
        tally = self.tally.setdefault(group, [0, 0, 0, 0, 0])
        tally[0 if chosen > rejected else 1 if chosen < rejected else 2] += 1
        tally[3] += chosen
        tally[4] += rejected

    def merge(self, other: "LengthBias") -> None:
        for group, tally in other.tally.items():
            mine = self.tally.setdefault(group, [0, 0, 0, 0, 0])
            for i, n in enumerate(tally):
                mine[i] += n
            self.group_paths.setdefault(group, other.group_paths[group])

    def statistics(self) -> dict[str, Any]:
        if not self.tally:
            return {}
        longer, shorter, equal, lc, lr = (sum(t[i] for t in self.tally.values()) for i in range(5))
        pairs = longer + shorter + equal
        return {"pairs": pairs, "chosen-longer": longer, "chosen-shorter": shorter, "equal": equal,
                "chosen-longer-share": round(_share(longer, pairs), 6),
                "chosen-shorter-share": round(_share(shorter, pairs), 6),
                f"mean-chosen-{self.unit}": round(_share(lc, pairs), 3),
                f"mean-rejected-{self.unit}": round(_share(lr, pairs), 3)}

    def finish(self) -> Iterator[Hit]:
        max_share = float(self.options["max-share"])
        min_pairs = int(self.options["min-pairs"])
        for group, (longer, shorter, equal, lc, lr) in sorted(self.tally.items()):
            pairs = longer + shorter + equal
            if pairs < min_pairs:
                continue
            path = self.group_paths[group]
            for count, word in ((longer, "longer"), (shorter, "shorter")):
                if count / pairs > max_share:
                    yield Hit(f"length bias in {_where(group, path)}: the chosen answer is {word} than the rejected "
                              f"one in {count} of {pairs} pairs ({count / pairs:.1%}, max-share {max_share:.0%}; "
                              f"mean {self.unit} {lc / pairs:.1f} chosen vs {lr / pairs:.1f} rejected)",
                              path=path, key=f"{group}|{word}")


# --------------------------------------------------------------------------- composition


@run_rule("B106")
class SyntheticShare:
    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.field = str(options["source-field"])
        self.synthetic = {v.strip().casefold() for v in options["synthetic-values"]}
        self.records: dict[str, int] = {}
        self.values: dict[str, dict[str, int]] = {}  # group -> source value -> records (bounded)
        self.synthetic_counts: dict[str, int] = {}
        self.group_paths: dict[str, str] = {}

    def _is_synthetic(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().casefold() in self.synthetic

    def add(self, sample: Sample, split: str | None) -> None:
        group = split or sample.record.path
        self.records[group] = self.records.get(group, 0) + 1
        value = field_value(sample.data, self.field)
        if value is None:
            return
        self.group_paths.setdefault(group, sample.record.path)
        key = value.strip().casefold() if isinstance(value, str) else str(value).lower()
        values = self.values.setdefault(group, {})
        if key in values or len(values) < MAX_SOURCES:
            values[key] = values.get(key, 0) + 1
        else:
            values["(other)"] = values.get("(other)", 0) + 1
        if self._is_synthetic(value):
            self.synthetic_counts[group] = self.synthetic_counts.get(group, 0) + 1

    def merge(self, other: "SyntheticShare") -> None:
        _add_counts(self.records, other.records)
        _add_counts(self.synthetic_counts, other.synthetic_counts)
        for group, values in other.values.items():
            self.group_paths.setdefault(group, other.group_paths[group])
            mine = self.values.setdefault(group, {})
            for key, n in values.items():
                if key not in mine and len(mine) >= MAX_SOURCES:
                    key = "(other)"
                mine[key] = mine.get(key, 0) + n

    def statistics(self) -> dict[str, Any]:
        if not self.values:
            return {}
        with_field = sum(sum(v.values()) for v in self.values.values())
        synthetic = sum(self.synthetic_counts.values())
        sources: dict[str, int] = {}
        for values in self.values.values():
            _add_counts(sources, values)
        return {"records": sum(self.records.values()), "with-source": with_field, "synthetic": synthetic,
                "synthetic-share": round(_share(synthetic, with_field), 6), "sources": _ordered(sources)}

    def finish(self) -> Iterator[Hit]:
        max_share = float(self.options["max-share"])
        for group, values in sorted(self.values.items()):
            with_field = sum(values.values())
            synthetic = self.synthetic_counts.get(group, 0)
            if with_field and synthetic / with_field > max_share:
                path = self.group_paths[group]
                yield Hit(f"{synthetic} of {with_field} records with a {self.field!r} field in {_where(group, path)} "
                          f"are synthetic ({synthetic / with_field:.1%}, max-share {max_share:.0%})",
                          path=path, key=group)


def _system_prompt(sample: Sample) -> str | None:
    texts = [t.text for t in sample.turns if t.role in ("system", "developer")]
    return " ".join(" ".join(texts).split()) if texts else None


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


@run_rule("B107")
class SystemPromptVariants:
    """Many slightly different system prompts: distinct prompts that open with the same words."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.prefix_words = int(options["prefix-words"])
        if self.prefix_words < 1:
            raise ConfigError(f"rules.B107.prefix-words: must be at least 1, got {self.prefix_words}")
        self.records: dict[str, int] = {}
        self.prompts: dict[str, dict[int, list[int]]] = {}  # group -> prompt hash -> [records, family hash]
        self.overflow: set[str] = set()
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        group = split or sample.record.path
        self.records[group] = self.records.get(group, 0) + 1
        prompt = _system_prompt(sample)
        if prompt is None:
            return
        self.group_paths.setdefault(group, sample.record.path)
        self._count(group, _digest(prompt), _digest(" ".join(prompt.casefold().split()[:self.prefix_words])), 1)

    def _count(self, group: str, digest: int, family: int, n: int) -> None:
        prompts = self.prompts.setdefault(group, {})
        entry = prompts.get(digest)
        if entry is not None:
            entry[0] += n
        elif group not in self.overflow:
            if len(prompts) >= MAX_SYSTEM_PROMPTS:
                self.overflow.add(group)  # one prompt per record (personas): deliberate diversity
            else:
                prompts[digest] = [n, family]

    def merge(self, other: "SystemPromptVariants") -> None:
        _add_counts(self.records, other.records)
        self.overflow |= other.overflow
        for group, prompts in other.prompts.items():
            self.group_paths.setdefault(group, other.group_paths[group])
            for digest, (n, family) in prompts.items():
                self._count(group, digest, family, n)

    def _families(self, group: str) -> list[tuple[int, int]]:
        """(distinct prompts, records) per opening, largest first."""
        families: dict[int, list[int]] = {}
        for n, family in self.prompts[group].values():
            entry = families.setdefault(family, [0, 0])
            entry[0] += 1
            entry[1] += n
        return sorted(((v, r) for v, r in families.values()), reverse=True)

    def statistics(self) -> dict[str, Any]:
        groups = {}
        for group, prompts in sorted(self.prompts.items()):
            with_system = sum(n for n, _ in prompts.values())
            families = self._families(group)
            groups[group] = {"records": self.records[group], "with-system-prompt": with_system,
                             "distinct": len(prompts), "overflow": group in self.overflow,
                             "top-share": round(_share(max(n for n, _ in prompts.values()), with_system), 6),
                             "largest-family-variants": families[0][0]}
        return {"groups": groups} if groups else {}

    def finish(self) -> Iterator[Hit]:
        min_variants = int(self.options["min-variants"])
        min_share = float(self.options["min-share"])
        min_records = int(self.options["min-records"])
        for group, prompts in sorted(self.prompts.items()):
            with_system = sum(n for n, _ in prompts.values())
            if group in self.overflow or with_system < min_records:
                continue
            variants, covered = self._families(group)[0]
            # A prompt per record (a session id, a persona) is deliberate: variants must be reused.
            if variants >= min_variants and covered / with_system >= min_share and covered >= MIN_REUSE * variants:
                path = self.group_paths[group]
                yield Hit(f"{variants} slightly different system prompts (same first {self.prefix_words} words) "
                          f"cover {covered} of {with_system} records with a system prompt in {_where(group, path)} "
                          f"({covered / with_system:.1%}; {len(prompts)} distinct in all): one fixed prompt per task "
                          f"trains more reliably", path=path, key=group)
