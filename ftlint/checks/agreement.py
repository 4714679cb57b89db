"""Q301: agreement between annotators' labels, per file: Cohen's kappa for two annotators,
Fleiss' kappa for more, and the records on which they disagree.

Where the labels are (options):
- `field`: a path with `[]` for "every element of this list": `annotations[].label` (a list of
  objects, one per annotator), `labels` or `labels[]` (a list of labels, annotator = position),
  `meta.votes[].value`. `annotator-key` names the annotator inside each element
  (`annotations[].annotator`), so Cohen's kappa pairs the right labels when the order varies.
- `fields`: one path per annotator (`["label_a", "label_b"]`); the annotator is the field.

State: the confusion counts (Cohen) and Fleiss' running sums, label totals, and the lines of the
records with disagreement (with a short summary, up to `max-listed`): counters, never text.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..content.kappa import FleissAccumulator, cohen_kappa, interpretation
from ..content.responses import masked
from ..content.sketches import bars
from ..model import Hit, Location, Sample, Severity
from ..registry import dataset_rule
from ..textview import view_hash

METHODS = ("auto", "cohen", "fleiss")
MAX_LABEL_CHARS = 40
MAX_RELATED = 20


def _segments(path: str, code: str) -> list[tuple[str, bool]]:
    """"annotations[].label" -> [("annotations", True), ("label", False)]."""
    out = []
    for part in path.split("."):
        each = part.endswith("[]")
        name = part[:-2] if each else part
        if not name:
            raise ConfigError(f"rules.{code}: invalid label path {path!r} (expected e.g. \"annotations[].label\")")
        out.append((name, each))
    return out


def _walk(value: Any, segments: list[tuple[str, bool]], annotator: str | None, ident: str
          ) -> Iterator[tuple[str, Any]]:
    """(annotator id, value) at the end of the path; a list at the end is a list of labels."""
    if not segments:
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield f"{ident}#{i + 1}", item
        else:
            yield ident, value
        return
    (name, each), rest = segments[0], segments[1:]
    if isinstance(value, dict):
        value = value.get(name)
    elif isinstance(value, list) and name.isdigit() and int(name) < len(value):
        value = value[int(name)]
    else:
        return
    if not each:
        yield from _walk(value, rest, annotator, ident)
        return
    if not isinstance(value, list):
        return
    for i, item in enumerate(value):
        who = f"#{i + 1}"
        if annotator and isinstance(item, dict) and item.get(annotator) is not None:
            who = str(item[annotator])
        yield from _walk(item, rest, annotator, who)


def _label(value: Any, case_fold: bool) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        value = value.strip()
        return value.casefold() if case_fold else value
    return None


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 3] + "..."


@dataset_rule("Q301")
class AnnotatorAgreement:
    code = "Q301"

    def __init__(self, options: dict[str, Any]) -> None:
        self.field = str(options["field"])
        self.fields = [str(f) for f in options["fields"]]
        if self.field and self.fields:
            raise ConfigError(f"rules.{self.code}: set either field or fields, not both")
        if len(self.fields) == 1:
            raise ConfigError(f"rules.{self.code}.fields: needs one path per annotator (two or more)")
        self.annotator = str(options["annotator-key"])
        self.method = str(options["method"])
        if self.method not in METHODS:
            raise ConfigError(f"rules.{self.code}.method: expected one of {', '.join(METHODS)}, got {self.method!r}")
        self.min_kappa = float(options["min-kappa"])
        self.min_records = int(options["min-records"])
        self.case_fold = bool(options["case-fold"])
        self.listing = bool(options["list-disagreements"])
        self.max_listed = int(options["max-listed"])
        self.paths = ([_segments(self.field, self.code)] if self.field
                      else [_segments(f, self.code) for f in self.fields])
        self.active = bool(self.field or self.fields)
        self.records = 0
        self.labelled = 0  # records with at least two labels
        self.single = 0  # records with fewer than two usable labels
        self.pairs: dict[tuple[str, str, str, str], int] = {}  # (id a, label a, id b, label b) -> n
        self.other_counts = 0  # records not labelled by exactly two annotators
        self.fleiss = FleissAccumulator()
        self.annotators: set[str] = set()
        self.disagreements = 0
        self.listed: list[tuple[int, str, str]] = []  # (line, labels as shown, content key)

    def labels_of(self, sample: Sample) -> list[tuple[str, str]]:
        out = []
        for n, segments in enumerate(self.paths):
            ident = self.fields[n] if self.fields else ""
            for who, value in _walk(sample.data, segments, self.annotator or None, ident):
                label = _label(value, self.case_fold)
                if label is not None:
                    out.append((who or f"#{len(out) + 1}", label))
        return out

    def add(self, sample: Sample) -> None:
        if not self.active:
            return
        self.records += 1
        labels = self.labels_of(sample)
        if len(labels) < 2:
            self.single += 1
            return
        self.labelled += 1
        self.fleiss.add(label for _, label in labels)
        ids = {who for who, _ in labels}
        self.annotators.update(ids)
        if len(labels) == 2 and len(ids) == 2:
            (ia, la), (ib, lb) = sorted(labels)
            key = (ia, la, ib, lb)
            self.pairs[key] = self.pairs.get(key, 0) + 1
        else:
            self.other_counts += 1
        if len({label for _, label in labels}) > 1:
            self.disagreements += 1
            if self.listing and len(self.listed) < self.max_listed:
                shown = ", ".join(f"{who}: {_short(label)!r}" for who, label in labels)
                self.listed.append((sample.record.line, shown, f"{view_hash(sample, 'record'):x}"))

    def merge(self, other: "AnnotatorAgreement") -> None:
        self.records += other.records
        self.labelled += other.labelled
        self.single += other.single
        for key, n in other.pairs.items():
            self.pairs[key] = self.pairs.get(key, 0) + n
        self.other_counts += other.other_counts
        self.fleiss.merge(other.fleiss)
        self.annotators |= other.annotators
        self.disagreements += other.disagreements
        self.listed = (self.listed + other.listed)[:self.max_listed]

    def where(self) -> str:
        return repr(self.field) if self.field else ", ".join(repr(f) for f in self.fields)

    def result(self) -> dict[str, Any]:
        """Which coefficient applies and its value: Cohen's when every compared record has the
        same two annotators (the method asked for allowing), Fleiss' otherwise."""
        two = len(self.annotators) == 2 and not self.other_counts
        method = "cohen" if self.method in ("auto", "cohen") and two else "fleiss"
        out: dict[str, Any] = {"method": method}
        if self.method == "cohen" and not two:
            out["note"] = (f"Cohen's kappa needs the same two annotators on every record; found "
                           f"{len(self.annotators)} annotators: Fleiss' kappa instead")
        if method == "cohen":
            first, second = sorted(self.annotators)
            confusion: dict[tuple[str, str], int] = {}
            for (_, la, _, lb), n in self.pairs.items():
                confusion[(la, lb)] = confusion.get((la, lb), 0) + n
            total = sum(confusion.values())
            agree = sum(n for (a, b), n in confusion.items() if a == b)
            out.update(kappa=cohen_kappa(confusion), annotators=[first, second],
                       observed=agree / total if total else None, confusion=confusion)
            rows: dict[str, int] = {}
            cols: dict[str, int] = {}
            for (a, b), n in confusion.items():
                rows[a] = rows.get(a, 0) + n
                cols[b] = cols.get(b, 0) + n
            out["expected"] = sum(rows[k] * cols.get(k, 0) for k in rows) / (total * total) if total else None
        else:
            out.update(kappa=self.fleiss.kappa(), observed=self.fleiss.observed(), expected=self.fleiss.expected(),
                       annotators=sorted(self.annotators))
        return out

    def finish(self, path: str) -> Iterator[Hit]:
        if not self.active or not self.records:
            return
        if not self.labelled:
            yield Hit(f"no record has two or more annotator labels at {self.where()} ({self.records} records; "
                      f"{self.single} with one label or none): check the field option", key="no-labels")
            return
        found = self.result()
        kappa = found["kappa"]
        name = "Cohen's" if found["method"] == "cohen" else "Fleiss'"
        first, second = (masked(a) for a in found["annotators"][:2]) if found["method"] == "cohen" else ("", "")
        between = (f"between annotators {first!r} and {second!r}"
                   if found["method"] == "cohen" else f"among {len(found['annotators'])} annotator positions")
        note = f" ({found['note']})" if "note" in found else ""
        if kappa is not None and self.labelled >= self.min_records and kappa < self.min_kappa:
            yield Hit(f"{name} kappa {kappa:.3f} {between} over {self.labelled} records is below min-kappa "
                      f"{self.min_kappa:g} ({interpretation(kappa)} agreement: observed {found['observed']:.1%}, "
                      f"chance {found['expected']:.1%}); the labels are noisy: {self.disagreements} record"
                      f"{'s' * (self.disagreements != 1)} with disagreement{note}",
                      related=tuple(Location(path, line) for line, _, _ in self.listed[:MAX_RELATED]), key="kappa")
        elif kappa is None and self.labelled >= self.min_records:
            yield Hit(f"{name} kappa is undefined over {self.labelled} records: every label is "
                      f"{next(iter(self.fleiss.totals))!r}, so agreement cannot be told from chance",
                      severity=Severity.INFO, key="kappa")
        for line, shown, key in self.listed:
            # Labels and annotator names are record text: masked like any quote.
            yield Hit(f"annotators disagree: {masked(shown)}", line=line, field=self.field or None,
                      severity=Severity.INFO, key=key)
        if self.disagreements > len(self.listed) and self.listing:
            yield Hit(f"{self.disagreements - len(self.listed)} more records with disagreement not listed "
                      f"(max-listed {self.max_listed})", severity=Severity.INFO, key="more")

    def statistics(self) -> dict[str, Any]:
        if not self.active or not self.records:
            return {}
        stats: dict[str, Any] = {"labels-from": self.where(), "records": self.records,
                                 "records-compared": self.labelled, "records-without-two-labels": self.single,
                                 "disagreements": self.disagreements, "annotators": len(self.annotators)}
        if self.labelled:
            found = self.result()
            kappa = found["kappa"]
            stats.update({"method": found["method"], "kappa": round(kappa, 6) if kappa is not None else None,
                          "interpretation": interpretation(kappa) if kappa is not None else None,
                          "observed-agreement": round(found["observed"], 6) if found["observed"] is not None else None,
                          "chance-agreement": round(found["expected"], 6) if found["expected"] is not None else None,
                          "label-counts": {masked(k): n for k, n in
                                           sorted(self.fleiss.totals.items(), key=lambda i: (-i[1], i[0]))}})
            plots = [bars("Labels given by annotators", stats["label-counts"], "labels")]
            if found["method"] == "cohen":
                a, b = found["annotators"]
                stats["confusion"] = {masked(f"{la} / {lb}"): n for (la, lb), n in sorted(found["confusion"].items())}
                plots.append(bars(f"Label pairs ({masked(a)} / {masked(b)})", stats["confusion"], "records"))
            stats["plots"] = plots
        return stats
