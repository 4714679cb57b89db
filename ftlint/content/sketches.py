"""Compact, mergeable dataset state for the diversity statistics: distinct counts, frequent
items and histograms whose size does not grow with the data.

- `DistinctCounter`: HyperLogLog (Flajolet et al. 2007) over 32-bit hashes, 2^14 one-byte
  registers (16 KiB, standard error 1.04 / sqrt(2^14) = 0.8%), linear counting below 2.5 x 2^14
  (where it is nearly exact). Merging takes the register-wise maximum, so per-file or per-process
  states combine into exactly the sketch of all the data.
- `FrequentCounter`: exact counts until `capacity` x 2 distinct items, then pruned to the
  `capacity` most frequent (lossy counting). An item that was pruned and seen again restarts from
  zero, so a count can be low by at most `error`, the sum of the largest pruned count of each
  pruning; heavy hitters (a 30% opening) are never pruned. `exact` says whether it ever pruned.
  Every key it counts also goes, hashed, into a `DistinctCounter`: once pruned, its number of
  distinct items is that estimate, which (unlike the pruned table's size) does not depend on how
  the data was cut into batches and merged.
- `Histogram`: counts over fixed edges.
"""
from __future__ import annotations

import heapq
import math
import zlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

HLL_BITS = 14


class DistinctCounter:
    def __init__(self) -> None:
        self.registers: Any = None  # numpy uint8 array, created on first use (lazy numpy)

    def add_hashes(self, hashes: Any) -> None:
        """Add 32-bit hashes (a numpy uint32 array)."""
        import numpy as np

        if self.registers is None:
            self.registers = np.zeros(1 << HLL_BITS, dtype=np.uint8)
        if not len(hashes):
            return
        hashes = hashes.astype(np.uint32, copy=False)
        index = (hashes >> np.uint32(32 - HLL_BITS)).astype(np.int64)
        rest = (hashes << np.uint32(HLL_BITS)) & np.uint32(0xFFFFFFFF)
        width = 32 - HLL_BITS
        # rank = leading zeros of the remaining `width` bits, plus one (width + 1 when all zero)
        lengths = np.zeros(len(rest), dtype=np.uint8)
        nonzero = rest != 0
        lengths[nonzero] = (32 - np.floor(np.log2(rest[nonzero].astype(np.float64)))).astype(np.uint8)
        lengths[~nonzero] = width + 1
        np.maximum.at(self.registers, index, lengths)

    def merge(self, other: "DistinctCounter") -> None:
        import numpy as np

        if other.registers is None:
            return
        if self.registers is None:
            self.registers = other.registers.copy()
        else:
            np.maximum(self.registers, other.registers, out=self.registers)

    def estimate(self) -> float:
        import numpy as np

        if self.registers is None:
            return 0.0
        m = float(1 << HLL_BITS)
        alpha = 0.7213 / (1.0 + 1.079 / m)
        raw = alpha * m * m / float(np.sum(np.ldexp(1.0, -self.registers.astype(np.int64))))
        zeros = int(np.count_nonzero(self.registers == 0))
        if raw <= 2.5 * m and zeros:
            return m * math.log(m / zeros)
        if raw > (1 << 32) / 30.0:
            return -(1 << 32) * math.log(1.0 - raw / (1 << 32))
        return raw


def _rank(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


class FrequentCounter:
    def __init__(self, capacity: int = 2000, examples: int = 0) -> None:
        self.capacity = capacity
        self.counts: dict[str, int] = {}
        self.shown: dict[str, str] = {}  # key -> how it first appeared (display form)
        self.examples: dict[str, list[Any]] = {}  # key -> its first `examples` locations
        self.keep_examples = examples
        self.total = 0
        self.error = 0
        self.seen = DistinctCounter()  # every key ever counted (see the module docstring)
        self._unseen: list[int] = []  # their hashes, not yet in `seen`

    @property
    def exact(self) -> bool:
        return self.error == 0

    def add(self, key: str, shown: str | None = None, n: int = 1, example: Any = None) -> None:
        self.total += n
        counts = self.counts
        count = counts.get(key)
        if count is None:
            counts[key] = n
            unseen = self._unseen
            unseen.append(zlib.crc32(key.encode("utf-8", "surrogatepass")))
            if len(unseen) >= 4096:
                self._see()
            if shown is not None:
                self.shown[key] = shown
            if example is not None and self.keep_examples:
                self.examples[key] = [example]
            if len(counts) > 2 * self.capacity:
                self._prune()
        else:
            counts[key] = count + n
            if example is not None:
                seen = self.examples.get(key)
                if seen is not None and len(seen) < self.keep_examples:
                    seen.append(example)

    def add_many(self, keys: list[str], shown: list[str] | None = None, examples: list[Any] | None = None) -> None:
        """`add(keys[i], shown[i], example=examples[i])` for each i in order (the same counts,
        pruning points and examples), without a call per key: batched states count this way."""
        if not keys:
            return
        self.total += len(keys)
        counts = self.counts
        keep = self.keep_examples if examples is not None else 0
        all_examples = self.examples
        all_shown = self.shown if shown is not None else None
        limit = 2 * self.capacity
        room = limit - len(counts)  # new keys before the table must be pruned
        fresh: list[str] = []  # new keys, hashed for `seen` after the loop (its order does not matter)
        for i, key in enumerate(keys):
            count = counts.get(key)
            if count is None:
                counts[key] = 1
                fresh.append(key)
                if all_shown is not None:
                    all_shown[key] = shown[i]  # type: ignore[index]
                if keep:
                    all_examples[key] = [examples[i]]  # type: ignore[index]
                room -= 1
                if room < 0:
                    self._prune()
                    counts, all_examples = self.counts, self.examples
                    if all_shown is not None:
                        all_shown = self.shown
                    room = limit - len(counts)
            else:
                counts[key] = count + 1
                if keep:
                    seen = all_examples.get(key)
                    if seen is not None and len(seen) < keep:
                        seen.append(examples[i])  # type: ignore[index]
        if fresh:
            crc32 = zlib.crc32
            unseen = self._unseen
            unseen += [crc32(key.encode("utf-8", "surrogatepass")) for key in fresh]
            if len(unseen) >= 4096:
                self._see()

    def _prune(self) -> None:
        """Keep the `capacity` first items in (-count, key) order. Most items have the same low
        count, so the counts are bucketed and only the items tied at the cut are sorted (by key,
        no tuples): the same items as sorting everything, several times faster."""
        counts, capacity = self.counts, self.capacity
        if len(counts) <= capacity:
            return
        histogram = Counter(counts.values())
        above = 0  # items with a count above `cut`
        for cut in sorted(histogram, reverse=True):
            if above + histogram[cut] >= capacity:
                break
            above += histogram[cut]
        tied = [k for k, n in counts.items() if n == cut]
        tied.sort()
        needed = capacity - above
        # the first dropped item: the next tied one, else the largest count below the cut
        self.error += cut if needed < len(tied) else max(n for n in histogram if n < cut)
        keep = {k: n for k, n in counts.items() if n > cut} if above else {}
        keep.update(dict.fromkeys(tied[:needed], cut))
        self.counts = keep
        # looked up per kept key: the kept items are at most half of the table
        shown, examples = self.shown, self.examples
        if shown:
            self.shown = {k: shown[k] for k in keep if k in shown}
        if examples:
            self.examples = {k: examples[k] for k in keep if k in examples}

    def _see(self) -> None:
        if self._unseen:
            import numpy as np

            self.seen.add_hashes(np.array(self._unseen, dtype=np.uint32))
            self._unseen.clear()

    def distinct(self) -> int | str:
        """How many different items were counted: exact until the first pruning, then the
        HyperLogLog estimate, marked with "~"."""
        if self.exact:
            return len(self.counts)
        self._see()
        return f"~{round(self.seen.estimate())}"

    def merge(self, other: "FrequentCounter") -> None:
        """The parallel engine merges every batch's counters in the main process: keys both
        counted are added one by one, the rest join in bulk (key order does not matter: `top`
        and `_prune` order by count, then key)."""
        self.total += other.total
        self.error += other.error
        self._unseen.extend(other._unseen)
        self.seen.merge(other.seen)
        if len(self._unseen) >= 4096:
            self._see()
        counts, theirs = self.counts, other.counts
        common = theirs.keys() & counts.keys()
        for key in common:
            counts[key] += theirs[key]
        if len(common) < len(theirs):
            counts.update({key: n for key, n in theirs.items() if key not in common})
        if other.shown:
            shown = self.shown
            shown.update({key: text for key, text in other.shown.items() if key not in shown})
        if other.examples:
            room = self.keep_examples
            for key, found in other.examples.items():
                mine = self.examples.setdefault(key, [])
                mine.extend(found[:max(0, room - len(mine))])
        if len(counts) > 2 * self.capacity:
            self._prune()

    def top(self, k: int) -> list[tuple[str, int]]:
        counts = self.counts
        items: Any = counts.items()
        if 0 < k < len(counts) // 4:
            # only items counted at least as often as the k-th most frequent can be among the first k
            cut = heapq.nlargest(k, counts.values())[-1]
            items = [item for item in items if item[1] >= cut]
        return sorted(items, key=_rank)[:k]

    def display(self, key: str) -> str:
        """How the item first appeared, personal data masked (it is record text)."""
        from .responses import masked

        return masked(self.shown.get(key, key))


class Histogram:
    def __init__(self, edges: Iterable[float]) -> None:
        self.edges = list(edges)
        self.counts = [0] * (len(self.edges) - 1)

    def add(self, value: float) -> None:
        edges = self.edges
        if value < edges[0] or value > edges[-1]:
            return
        for i in range(len(self.counts)):  # few bins: a scan beats bisect's call overhead
            if value < edges[i + 1] or i == len(self.counts) - 1:
                self.counts[i] += 1
                return

    def add_many(self, values: Any) -> None:
        """Add a numpy array of values (bins as in `add`: the last bin includes its upper edge)."""
        import numpy as np

        values = values[(values >= self.edges[0]) & (values <= self.edges[-1])]
        bins = np.minimum(np.searchsorted(self.edges, values, side="right") - 1, len(self.counts) - 1)
        for i, n in enumerate(np.bincount(bins, minlength=len(self.counts)).tolist()):
            self.counts[i] += n

    def merge(self, other: "Histogram") -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts)]

    def plot(self, title: str, unit: str, limit: float | None = None) -> dict[str, Any]:
        return {"kind": "histogram", "title": title, "edges": [round(e, 6) for e in self.edges],
                "counts": list(self.counts), "limit": limit, "unit": unit}


def bars(title: str, values: dict[str, int], unit: str = "records") -> dict[str, Any]:
    return {"kind": "bars", "title": title, "values": dict(values), "unit": unit}
