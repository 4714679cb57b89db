"""Compact, mergeable summaries of token lengths for the dataset-level T rules.

`LengthCounter` keeps a count per distinct length: exact quantiles (the linear interpolation numpy
uses) in memory bounded by the number of distinct lengths, which stays in the thousands for real
data; past `MAX_DISTINCT` values it rounds lengths to 3 significant digits. `Extremes` keeps the
k records with the largest values, with their line numbers, so outliers can be reported once
the file's median is known without keeping every record.
"""
from __future__ import annotations

import heapq
import math
from typing import Any

MAX_DISTINCT = 1 << 16


def _coarse(value: float) -> float:
    if value == 0:
        return 0
    digits = 3 - int(math.floor(math.log10(abs(value)))) - 1
    return round(value, digits)


class LengthCounter:
    def __init__(self) -> None:
        self.counts: dict[float, int] = {}
        self.n = 0
        self.sum = 0.0
        self.coarse = False

    def add(self, value: float) -> None:
        self.n += 1
        self.sum += value
        if self.coarse:
            value = _coarse(value)
        self.counts[value] = self.counts.get(value, 0) + 1
        if len(self.counts) > MAX_DISTINCT and not self.coarse:
            self._coarsen()

    def add_many(self, values: list[int]) -> None:
        """`add` for each of `values` (integers: their sum is exact in any order), in one call:
        the T rules gather a batch of lengths and hand it over, instead of a call per record."""
        if self.coarse:
            for value in values:
                self.add(value)
            return
        self.n += len(values)
        self.sum += sum(values)
        counts = self.counts
        get = counts.get
        for value in values:
            counts[value] = get(value, 0) + 1
        if len(counts) > MAX_DISTINCT:
            self._coarsen()  # coarse keys are idempotent: as if each value past the limit was coarsened

    def _coarsen(self) -> None:
        merged: dict[float, int] = {}
        for value, n in self.counts.items():
            key = _coarse(value)
            merged[key] = merged.get(key, 0) + n
        self.counts = merged
        self.coarse = True

    def merge(self, other: "LengthCounter") -> None:
        self.n += other.n
        self.sum += other.sum
        for value, n in other.counts.items():
            self.counts[value] = self.counts.get(value, 0) + n
        if other.coarse or len(self.counts) > MAX_DISTINCT:
            self._coarsen()

    def quantiles(self, qs: list[float]) -> list[float]:
        """Quantiles with linear interpolation between order statistics (numpy's default)."""
        if not self.n:
            return [0.0 for _ in qs]
        values = sorted(self.counts.items())
        wanted = sorted((q * (self.n - 1), i) for i, q in enumerate(qs))
        out = [0.0] * len(qs)
        needed = []
        for position, i in wanted:
            needed.append((math.floor(position), i, position))
        # Walk the cumulative counts once, answering order statistics in increasing rank.
        ranks = sorted({r for r, _, _ in needed} | {min(r + 1, self.n - 1) for r, _, _ in needed})
        at: dict[int, float] = {}
        cumulative = 0
        it = iter(ranks)
        rank = next(it, None)
        for value, n in values:
            cumulative += n
            while rank is not None and rank < cumulative:
                at[rank] = value
                rank = next(it, None)
        for low, i, position in needed:
            high = min(low + 1, self.n - 1)
            frac = position - low
            out[i] = at[low] + (at[high] - at[low]) * frac
        return out

    def minimum(self) -> float:
        return min(self.counts) if self.counts else 0

    def maximum(self) -> float:
        return max(self.counts) if self.counts else 0

    def count_above(self, threshold: float) -> int:
        return sum(n for value, n in self.counts.items() if value > threshold)

    def count_below(self, threshold: float) -> int:
        return sum(n for value, n in self.counts.items() if value < threshold)

    def summary(self) -> dict[str, float]:
        median, p95 = self.quantiles([0.5, 0.95])
        return {"min": _plain(self.minimum()), "median": _plain(median), "p95": _plain(p95),
                "max": _plain(self.maximum())}

    def histogram(self, title: str, unit: str, limit: int | None = None, bins: int = 24) -> dict[str, Any]:
        """A log-spaced histogram for the report's plots (`edges` has one more entry than `counts`)."""
        low, high = max(1.0, self.minimum()), max(1.0, self.maximum())
        if high <= low:
            edges = [low, low + 1]
        else:
            ratio = (high / low) ** (1 / bins)
            edges = [low * ratio ** i for i in range(bins + 1)]
            edges = sorted({round(e) for e in edges} | {math.floor(low)})
            if edges[-1] <= high:
                edges.append(math.floor(high) + 1)
        counts = [0] * (len(edges) - 1)
        for value, n in self.counts.items():
            index = _bin(edges, value)
            counts[index] += n
        return {"kind": "histogram", "title": title, "edges": [int(e) for e in edges], "counts": counts,
                "limit": limit, "unit": unit}


def _bin(edges: list[float], value: float) -> int:
    lo, hi = 0, len(edges) - 2
    if value < edges[0]:
        return 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if edges[mid] <= value:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


class Extremes:
    """The `k` entries with the largest keys (ties: earliest line first), mergeable."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.heap: list[tuple[float, int, str, int, tuple]] = []  # (key, -line, path, line, payload)

    def add(self, key: float, path: str, line: int, payload: tuple = ()) -> None:
        heap = self.heap
        if len(heap) < self.k:
            heapq.heappush(heap, (key, -line, path, line, payload))
        elif key >= heap[0][0]:  # a smaller key can never beat the heap's least entry
            entry = (key, -line, path, line, payload)
            if entry > heap[0]:
                heapq.heapreplace(heap, entry)

    def merge(self, other: "Extremes") -> None:
        for entry in other.heap:
            key, _, path, line, payload = entry
            self.add(key, path, line, payload)

    def items(self) -> list[tuple[float, str, int, tuple]]:
        return [(key, path, line, payload) for key, _, path, line, payload in sorted(self.heap, reverse=True)]


class Bounded:
    """The first `k` entries in line order, and how many there were in all."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.items: list[tuple] = []
        self.total = 0

    def add(self, *entry: Any) -> None:
        self.total += 1
        if len(self.items) < self.k:
            self.items.append(entry)

    def merge(self, other: "Bounded") -> None:
        self.total += other.total
        self.items = sorted(self.items + other.items)[: self.k]
