"""Chance-corrected agreement between annotators, from counters that merge by addition.

Cohen's kappa (two annotators, each record labelled by both): kappa = (p_o - p_e) / (1 - p_e),
p_o the share of records where they agree, p_e = sum over labels of the product of each
annotator's marginal share of that label (Cohen 1960). State: the confusion counts.

Fleiss' kappa (any number of annotators per record; Fleiss 1971): per record with n_i >= 2 labels,
P_i = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1)); P = mean P_i; p_j = share of all labels that are j;
P_e = sum_j p_j^2; kappa = (P - P_e) / (1 - P_e). With a varying number of labels per record this
is the usual generalisation (each record's P_i over its own n_i). State: the count of records, the
sum of P_i and the label totals.

Both are undefined (None) when chance agreement is 1 (every label the same): there is nothing to
disagree about, and the caller says so instead of reporting a number.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping


def cohen_kappa(confusion: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa from counts of (label by annotator A, label by annotator B)."""
    total = sum(confusion.values())
    if not total:
        return None
    rows: dict[str, int] = {}
    cols: dict[str, int] = {}
    agree = 0
    for (a, b), n in confusion.items():
        rows[a] = rows.get(a, 0) + n
        cols[b] = cols.get(b, 0) + n
        if a == b:
            agree += n
    p_o = agree / total
    p_e = sum(rows[label] * cols.get(label, 0) for label in rows) / (total * total)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


class FleissAccumulator:
    """Running sums for Fleiss' kappa; `add` takes one record's labels (any order)."""

    def __init__(self) -> None:
        self.records = 0  # records with at least two labels
        self.agreement = 0.0  # sum of P_i
        self.totals: dict[str, int] = {}  # label -> count over those records

    def add(self, labels: Iterable[str]) -> None:
        counts: dict[str, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        n = sum(counts.values())
        if n < 2:
            return
        self.records += 1
        self.agreement += sum(c * (c - 1) for c in counts.values()) / (n * (n - 1))
        for label, c in counts.items():
            self.totals[label] = self.totals.get(label, 0) + c

    def merge(self, other: "FleissAccumulator") -> None:
        self.records += other.records
        self.agreement += other.agreement
        for label, c in other.totals.items():
            self.totals[label] = self.totals.get(label, 0) + c

    def observed(self) -> float | None:
        return self.agreement / self.records if self.records else None

    def expected(self) -> float | None:
        labels = sum(self.totals.values())
        return sum((c / labels) ** 2 for c in self.totals.values()) if labels else None

    def kappa(self) -> float | None:
        p, p_e = self.observed(), self.expected()
        if p is None or p_e is None or p_e >= 1.0:
            return None
        return (p - p_e) / (1.0 - p_e)


def fleiss_kappa(rows: Iterable[Mapping[str, int]]) -> float | None:
    """Fleiss' kappa of a table given as one {label: raters} mapping per record."""
    acc = FleissAccumulator()
    for row in rows:
        acc.add([label for label, n in row.items() for _ in range(n)])
    return acc.kappa()


def interpretation(kappa: float) -> str:
    """Landis & Koch (1977), the scale most annotation guidelines quote."""
    for bound, name in ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= bound:
            return name
    return "almost perfect"
