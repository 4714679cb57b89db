"""Q405: one response template reused across many records with tiny variations.

Built on D201's near-duplicate machinery (the same MinHash LSH index, exact Jaccard verification
by re-reading candidates), over the response view only, and reporting clusters of at least
`min-cluster` records rather than every pair, among responses of at most `max-words` words:
"I'm sorry, I can't book flights. Is there anything
else?" fifty times with the city swapped is a template the model will learn verbatim. Exact copies
(collapsed by the index) are counted in their template's cluster, but a record that repeats an
earlier one whole (prompt and response) is D101's finding and is not counted again.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..model import Hit, Sample
from ..registry import RunContext, run_rule
from ..textview import raw_view, view, view_hash
from .duplicates import _LINE_BITS
from .near_duplicates import NearDuplicates

_LINE_MASK = (1 << _LINE_BITS) - 1

MAX_RELATED = 20


@run_rule("Q405")
class TemplatedResponses(NearDuplicates):
    code = "Q405"

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__({**options, "scope": "response", "max-rate": 1.0}, context)
        self.min_cluster = int(options["min-cluster"])
        if self.min_cluster < 2:
            raise ConfigError(f"rules.{self.code}.min-cluster: must be at least 2, got {self.min_cluster}")
        self.max_words = int(options["max-words"])
        # group -> (keys, 64-bit hashes of D101's whole-record view) of the indexed records:
        # a record that repeats an earlier one whole is D101's finding and is left out
        self.records: dict[str, tuple[array, array]] = {}
        self.summary: dict[str, dict[str, Any]] = {}
        self.sizes: dict[int, int] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        """Canned replies are short: longer responses are counted but not indexed, which keeps
        the rule cheap on ordinary SFT data (near-copies of long answers are D201's)."""
        if self.max_words and len(raw_view(sample, "response").split()) > self.max_words:
            group = split or sample.record.path
            self.totals[group] = self.totals.get(group, 0) + 1
            self.group_paths.setdefault(group, sample.record.path)
            return
        super().add(sample, split)
        if view(sample, self.scope, self.how).strip():  # indexed by the parent
            keys, hashes = self.records.setdefault(split or sample.record.path, (array("q"), array("Q")))
            keys.append(self.locations.pack(sample.record.path, sample.record.line))
            hashes.append(view_hash(sample, "record"))

    def merge(self, other: "TemplatedResponses") -> None:
        import numpy as np

        super().merge(other)
        files = np.array([self.locations.pack(path, 0) >> _LINE_BITS for path in other.locations.paths] or [0],
                         dtype=np.int64)
        for group, (keys, hashes) in other.records.items():
            mine = self.records.setdefault(group, (array("q"), array("Q")))
            if len(keys):
                packed = np.frombuffer(keys, dtype=np.int64)
                remapped = (files[packed >> _LINE_BITS] << _LINE_BITS) | (packed & _LINE_MASK)
                mine[0].frombytes(remapped.astype(np.int64).tobytes())
                mine[1].extend(hashes)

    def _repeated(self, group: str) -> set[int]:
        """Keys of indexed records that repeat an earlier record whole."""
        import numpy as np

        keys, hashes = self.records.get(group, (array("q"), array("Q")))
        if not len(keys):
            return set()
        keys_np, hashes_np = np.frombuffer(keys, dtype=np.int64), np.frombuffer(hashes, dtype=np.uint64)
        order = np.lexsort((keys_np, hashes_np))
        first = np.ones(len(order), dtype=bool)
        first[1:] = hashes_np[order[1:]] != hashes_np[order[:-1]]
        return set(keys_np[order[~first]].tolist())

    @staticmethod
    def _digests(index: Any) -> dict[int, str]:
        out: dict[int, str] = {}
        for table in index.tables:
            out.update(zip(table.array("keys").tolist(), (f"{d:x}" for d in table.array("digests").tolist())))
        return out

    def _templates(self, group: str, index: Any) -> list[list[int]]:
        from ..similarity import WORD, CHAR, UnionFind

        result = index.find(self.load_texts)
        uf = UnionFind()
        for pair in result.pairs:
            uf.union(pair.a, pair.b)
        for kind in (WORD, CHAR):
            table = index.tables[kind]
            first: dict[int, int] = {}
            for key, digest in sorted(zip(table.array("keys").tolist(), table.array("digests").tolist())):
                seen = first.setdefault(digest, key)
                if seen != key:
                    uf.union(seen, key)
        repeated = self._repeated(group)
        clusters = ([k for k in members if k not in repeated] for members in uf.groups())
        return [members for members in clusters if len(members) >= self.min_cluster]

    def finish(self) -> Iterator[Hit]:
        for group in sorted(self.indexes):
            clusters = self._templates(group, self.indexes[group])
            digests = self._digests(self.indexes[group])  # content identity of each template's first
            total = self.totals[group]
            templated = sum(len(c) for c in clusters)
            self.summary[group] = {"responses": total, "templates": len(clusters), "templated-responses": templated,
                                   "largest-template": max((len(c) for c in clusters), default=0)}
            for cluster in clusters:
                self.sizes[len(cluster)] = self.sizes.get(len(cluster), 0) + 1
            if not clusters:
                continue
            where = f"split {group!r}" if group != self.group_paths[group] else "this file"
            yield Hit(f"{templated} of {total} responses ({templated / total:.1%}) in {where} follow one of "
                      f"{len(clusters)} response template{'s' * (len(clusters) != 1)} reused {self.min_cluster} or "
                      f"more "
                      f"times ({self._criterion()})", path=self.group_paths[group], key=f"{group}|summary")
            for cluster in sorted(clusters, key=len, reverse=True):
                locations = [self.locations.unpack(key) for key in cluster]
                first = locations[0]
                yield Hit(f"response template reused by {len(cluster)} records (near-identical responses; this is "
                          f"the first): lines {_lines(locations, first.path)}", path=first.path, line=first.line,
                          related=tuple(locations[1:MAX_RELATED + 1]), key=f"{group}|{digests.get(cluster[0])}")

    def statistics(self) -> dict[str, Any]:
        if not self.summary:
            return {}
        stats: dict[str, Any] = {"min-cluster": self.min_cluster, "groups": dict(sorted(self.summary.items()))}
        if self.sizes:
            stats["plots"] = [{"kind": "bars", "title": "Response templates by number of records",
                               "values": {f"{size} records": n for size, n in sorted(self.sizes.items())},
                               "unit": "templates"}]
        return stats


def _lines(locations: list, path: str, most: int = 12) -> str:
    shown = [str(loc.line) if loc.path == path else str(loc) for loc in locations[:most]]
    return ", ".join(shown) + (f" and {len(locations) - most} more" if len(locations) > most else "")
