"""Family B: class balance and preference balance (run-wide rules); composition is composition.py.

Grouping. Counts are kept per group: the files of one split from `[splits]`, or a single file that
is in no split. Class-size rules (B101, B102) judge training groups only: a held-out split
(`test`, `validation`, `benchmarks` and their usual aliases) is small by design; B103 compares
the held-out splits with the training side. Labels come from the shared `[labels]` table
(ftlint/labels.py), resolved per file.

State. Counters only (labels, KTO booleans, pair-length tallies): nothing grows with text, and each
state merges by adding counters, so one state over all files equals the merge of per-file states.

Statistics carry a `plots` list (bars and histograms as plain data) for the HTML report.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..labels import LabelTracker
from ..model import Hit, Sample, Severity
from ..registry import RunContext, run_rule
from . import leakage

MAX_LISTED = 10  # classes named in one message; the message gives the full count
MAX_PLOTTED_GROUPS = 10  # class-balance bar charts per run


def is_held_out(split: str | None) -> bool:
    """The same notion of held-out split as the leakage rules."""
    return split is not None and leakage.is_held_out(split)


def where(group: str, path: str) -> str:
    return f"split {group!r}" if group != path else "this file"


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def listing(items: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{label!r} ({n})" for label, n in items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def ordered(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def add_counts(mine: dict, other: dict) -> None:
    for key, n in other.items():
        mine[key] = mine.get(key, 0) + n


def bars(title: str, values: dict[str, int], unit: str = "records") -> dict[str, Any]:
    """A bar-chart entry of a rule's `plots` (the contract of ftlint/reporters/svg.py)."""
    return {"kind": "bars", "title": title, "values": ordered(values), "unit": unit}


def group_title(group: str, path: str) -> str:
    return group if group != path else path.replace("\\", "/").rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- class labels


class _ClassRule:
    code = ""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.tracker = LabelTracker(context.labels)

    def add(self, sample: Sample, split: str | None) -> None:
        self.tracker.add(sample, split)

    def merge(self, other: "_ClassRule") -> None:
        self.tracker.merge(other.tracker)

    def training_groups(self) -> list[tuple[str, dict[str, int]]]:
        return [(group, counts) for group, counts in sorted(self.tracker.counts.items())
                if not is_held_out(self.tracker.group_splits[group])]

    def class_statistics(self) -> dict[str, Any]:
        tracker = self.tracker
        stats: dict[str, Any] = {"label-source": tracker.describe(), "classification": tracker.is_classification()}
        if reason := tracker.stopped_reason():
            stats["stopped"] = reason
        per_group = tracker.counts
        if not any(per_group.values()):
            return stats
        totals = tracker.totals()
        labelled = sum(totals.values())
        stats.update({"records": sum(tracker.records.values()), "labelled": labelled, "classes": len(totals),
                      "counts": ordered(totals),
                      "shares": {k: round(share(n, labelled), 6) for k, n in ordered(totals).items()},
                      "imbalance-ratio": round(max(totals.values()) / min(totals.values()), 6)})
        groups = {group: {"split": tracker.group_splits[group], "labelled": sum(counts.values()),
                          "counts": ordered(counts)} for group, counts in sorted(per_group.items()) if counts}
        stats["groups"] = groups
        stats["plots"] = [bars(f"Class balance ({group_title(g, tracker.group_paths[g])})", entry["counts"])
                          for g, entry in list(groups.items())[:MAX_PLOTTED_GROUPS]]
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
                yield Hit(f"class {label!r} has {n} example{'s' * (n != 1)} in {where(group, path)} "
                          f"(error below {error_below}, warning below {warning_below}; "
                          f"labels from {self.tracker.describe()})",
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
                yield Hit(f"class imbalance in {where(group, path)}: " + "; ".join(parts),
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
                add_counts(train, counts)
            elif is_held_out(split):
                held[split] = (counts, tracker.group_paths[group])
        return train, held

    def statistics(self) -> dict[str, Any]:
        per_split: dict[str, dict[str, int]] = {}
        for group, counts in sorted(self.tracker.counts.items()) if self.tracker.active() else []:
            split = self.tracker.group_splits[group]
            if split is not None:
                per_split[split] = ordered(counts)
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
                          f"training ({n} record{'s' * (n != 1)}): {listing(unseen)}", path=path, key=f"{split}|unseen")
            untested = sorted(((c, n) for c, n in train.items() if c not in counts), key=lambda i: (-i[1], i[0]))
            if untested:
                yield Hit(f"{len(untested)} training class{'es' * (len(untested) != 1)} never occur in split "
                          f"{split!r} (not evaluated): {listing(untested)}", path=path,
                          severity=Severity.INFO, key=f"{split}|untested")


@run_rule("B108")
class ClassificationDetected(_ClassRule):
    """Says when assistant replies were recognised as class labels (auto mode)."""

    code = "B108"

    def statistics(self) -> dict[str, Any]:
        return {"classification": self.tracker.is_classification(),
                "classes": len(self.tracker.auto.totals()) if self.tracker.is_classification() else 0}

    def finish(self) -> Iterator[Hit]:
        tracker = self.tracker
        if not tracker.is_classification():
            return
        totals = sorted(tracker.auto.totals().items(), key=lambda i: (-i[1], i[0]))
        group = min(tracker.auto.counts)
        yield Hit(f"classification-style data: the final assistant replies take {len(totals)} distinct short "
                  f"values over {sum(n for _, n in totals)} records: {listing(totals)}; class rules B101-B103 "
                  f"treat them as labels (set [labels] from = \"field\" or \"assistant\" to choose the source "
                  f"yourself)", path=tracker.group_paths[group], key="classification")


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
        return {"desirable": good, "undesirable": bad, "desirable-share": round(share(good, good + bad), 6),
                "groups": {g: {"desirable": c[0], "undesirable": c[1]} for g, c in sorted(self.counts.items())},
                "plots": [bars(f"KTO labels ({group_title(g, self.group_paths[g])})",
                               {"desirable": c[0], "undesirable": c[1]})
                          for g, c in sorted(self.counts.items())[:MAX_PLOTTED_GROUPS]]}

    def finish(self) -> Iterator[Hit]:
        low, high = float(self.options["min-ratio"]), float(self.options["max-ratio"])
        wd, wu = float(self.options["desirable-weight"]), float(self.options["undesirable-weight"])
        minimum = int(self.options["min-records"])
        for group, (good, bad) in sorted(self.counts.items()):
            if good + bad < minimum:
                continue
            path = self.group_paths[group]
            weighted = "" if wd == wu == 1 else f" after weights {wd:g}/{wu:g}"
            head = (f"KTO labels in {where(group, path)}: {good} desirable, {bad} undesirable "
                    f"({share(good, good + bad):.1%} desirable)")
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
                "chosen-longer-share": round(share(longer, pairs), 6),
                "chosen-shorter-share": round(share(shorter, pairs), 6),
                f"mean-chosen-{self.unit}": round(share(lc, pairs), 3),
                f"mean-rejected-{self.unit}": round(share(lr, pairs), 3),
                "plots": [bars("Chosen vs rejected length", {"chosen longer": longer, "chosen shorter": shorter,
                                                             "equal": equal}, unit="pairs")]}

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
                    yield Hit(f"length bias in {where(group, path)}: the chosen answer is {word} than the rejected "
                              f"one in {count} of {pairs} pairs ({count / pairs:.1%}, max-share {max_share:.0%}; "
                              f"mean {self.unit} {lc / pairs:.1f} chosen vs {lr / pairs:.1f} rejected)",
                              path=path, key=f"{group}|{word}")
