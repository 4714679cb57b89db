"""Q201: instructions too similar to another one by ROUGE-L, Self-Instruct's diversity filter.

Self-Instruct keeps a generated instruction only if its ROUGE-L F-measure with every kept one is
below 0.7. Here every pair at or above `threshold` is reported, as clusters (connected
components), with each member's location, within a group (the files of one split, or a file in no
split), like the near-duplicate rule D201.

All-pairs ROUGE-L is quadratic, so candidates come from the MinHash LSH index of
`ftlint.similarity`, built over each instruction's word tokens as a set (the k-th occurrence of a
word is its own element, so the set is the multiset of tokens). ROUGE-L >= t implies a multiset
Jaccard >= t / (2 - t) (`ftlint.content.rouge`), so the index searches at that Jaccard (0.538 for
t = 0.7): a pair at the bound becomes a candidate with probability >= 0.99 (42 bands of 3 rows),
more similar pairs with higher probability; the exact Jaccard is verified on the re-read records
and the exact ROUGE-L (bit-parallel LCS) is computed on the survivors only. Instructions with the
same token sequence (exact duplicates up to case and punctuation) are collapsed by the index and
added back as pairs with ROUGE-L 1.

A record whose whole prompt (D102's normalised prompt view) repeats an earlier record's takes no
part: exact duplicates are D101's and D102's findings already, and each distinct prompt counts once.

State per record: ~200 bytes of index and 16 bytes of prompt hash (no text). `finish()` re-reads
only the candidate records.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..content.rouge import from_occurrence_text, jaccard_bound, occurrence_text, rouge_l, tokens
from ..model import Hit, Location, Sample
from ..registry import RunContext, run_rule
from ..textview import raw_view, view_hash
from .diversity import instruction_turn
from .duplicates import LocationTable
from .near_duplicates import key_remapper, load_views, merge_indexes

MAX_RELATED = 20  # locations named per finding; the message gives the cluster size
TEXTS = ("instruction", "prompt")


@run_rule("Q201")
class SimilarInstructions:
    code = "Q201"

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        from ..similarity import Params

        self.threshold = float(options["threshold"])
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"rules.{self.code}.threshold: must be in (0, 1], got {self.threshold:g}")
        self.text = str(options["text"])
        if self.text not in TEXTS:
            raise ConfigError(f"rules.{self.code}.text: expected one of {', '.join(TEXTS)}, got {self.text!r}")
        self.min_tokens = int(options["min-tokens"])
        bound = jaccard_bound(self.threshold)
        try:
            self.params = Params(threshold=bound, short_threshold=bound, short_words=0, ngram=1,
                                 window=int(options["window"]), partners=int(options["partners"]))
        except ValueError as exc:
            raise ConfigError(f"rules.{self.code}.{exc}") from None
        self.locations = LocationTable()
        self.indexes: dict[str, Any] = {}  # group -> NearDuplicateIndex
        self.totals: dict[str, int] = {}
        self.group_paths: dict[str, str] = {}
        self.formats: dict[str, str] = {}
        self.summary: dict[str, dict[str, Any]] = {}  # group -> numbers, filled by finish()
        self.sizes: dict[int, int] = {}
        # group -> (keys, 64-bit hashes of D102's prompt view): 16 bytes a record, so pairs of
        # records whose whole prompts are identical are left to D101/D102
        self.prompts: dict[str, tuple[array, array]] = {}

    # ------------------------------------------------------------------ indexing

    def text_of(self, sample: Sample) -> str:
        """The instruction's tokens as a set-like string ("" when too short to compare)."""
        key = ("Q201.text", self.text, self.min_tokens)
        cached = sample.cache.get(key)
        if cached is None:
            if self.text == "instruction":
                turn = instruction_turn(sample)
                text = turn.text if turn is not None else ""
            else:
                text = raw_view(sample, "prompt")
            words = tokens(text)
            cached = sample.cache[key] = occurrence_text(words) if len(words) >= self.min_tokens else ""
        return cached

    def add(self, sample: Sample, split: str | None) -> None:
        from ..similarity import NearDuplicateIndex

        record = sample.record
        group = split or record.path
        self.totals[group] = self.totals.get(group, 0) + 1
        self.group_paths.setdefault(group, record.path)
        text = self.text_of(sample)
        if not text:
            return
        self.formats.setdefault(record.path, sample.format)
        index = self.indexes.get(group)
        if index is None:
            index = self.indexes[group] = NearDuplicateIndex(self.params)
        key = self.locations.pack(record.path, record.line)
        index.add(key, text)
        keys, hashes = self.prompts.setdefault(group, (array("q"), array("Q")))
        keys.append(key)
        hashes.append(view_hash(sample, "prompt"))

    def merge(self, other: "SimilarInstructions") -> None:
        import numpy as np

        remap = key_remapper(self.locations, other.locations)
        merge_indexes(self.indexes, other.indexes, remap, self.params)
        for group, (keys, hashes) in other.prompts.items():
            my_keys, my_hashes = self.prompts.setdefault(group, (array("q"), array("Q")))
            if len(keys):
                my_keys.frombytes(remap(np.frombuffer(keys, dtype=np.int64)).astype(np.int64).tobytes())
                my_hashes.extend(hashes)
        for group, total in other.totals.items():
            self.totals[group] = self.totals.get(group, 0) + total
            self.group_paths.setdefault(group, other.group_paths[group])
        for path, fmt in other.formats.items():
            self.formats.setdefault(path, fmt)

    def load_texts(self, keys: list[int]) -> dict[int, str]:
        """Re-read the records under `keys`; a record that cannot be re-read is left out."""
        return load_views(keys, self.locations, self.formats, self.text_of)

    # ------------------------------------------------------------------ search

    def _repeated_prompts(self, group: str) -> Any:
        """A test for "this record's whole prompt (D102's view) repeats an earlier record's"."""
        import numpy as np

        keys, hashes = self.prompts.get(group, (array("q"), array("Q")))
        if not len(keys):
            return lambda key: False
        keys_np, hashes_np = np.frombuffer(keys, dtype=np.int64), np.frombuffer(hashes, dtype=np.uint64)
        order = np.lexsort((keys_np, hashes_np))
        first = np.ones(len(order), dtype=bool)
        first[1:] = hashes_np[order[1:]] != hashes_np[order[:-1]]
        repeats = np.sort(keys_np[order[~first]])

        def repeated(key: int) -> bool:
            i = int(np.searchsorted(repeats, key))
            return i < len(repeats) and int(repeats[i]) == key

        return repeated

    def _pairs(self, group: str, index: Any) -> tuple[list[tuple[int, int, float]], dict[int, str], dict[str, int]]:
        """(pairs (a, b, ROUGE-L) at or above the threshold, loaded texts, counters).

        A record whose whole prompt repeats an earlier one's is D101's or D102's finding and takes
        no part here: each distinct prompt counts once. The index collapses instructions with the
        same token sequence to the first of them (never such a repeat), so its pairs join those
        firsts; the other copies with prompts of their own ("Name a prime." and "name a prime?",
        or one instruction with two inputs) join the first at ROUGE-L 1 and pair with its partners
        at the same score. Connected components are then exactly those of all pairs at or above
        the threshold among records with distinct prompts."""
        from ..similarity import WORD

        repeated = self._repeated_prompts(group)
        loaded: dict[int, str] = {}

        def load(keys: list[int]) -> dict[int, str]:
            got = self.load_texts(list(keys))
            loaded.update(got)
            return got

        result = index.find(load)
        pairs: list[tuple[int, int, float]] = []
        unverified = 0
        for pair in result.pairs:
            a, b = loaded.get(pair.a), loaded.get(pair.b)
            if a is None or b is None:
                unverified += 1  # the file changed since it was indexed: no text to score
                continue
            score = rouge_l(from_occurrence_text(a), from_occurrence_text(b))
            if score >= self.threshold:
                pairs.append((pair.a, pair.b, score))
        others: dict[int, list[int]] = {}  # first -> later copies whose prompts are new
        for keys in _copies(index.tables[WORD]):
            later = [k for k in keys[1:] if not repeated(k)]
            if later:
                others[keys[0]] = later
                if keys[0] in loaded:
                    for key in later:
                        loaded.setdefault(key, loaded[keys[0]])
        extra = [(first, key, 1.0) for first, later in others.items() for key in later]
        for a, b, score in pairs:
            extra += [(key, b, score) for key in others.get(a, [])]
            extra += [(a, key, score) for key in others.get(b, [])]
        counters = {"candidates": result.candidates, "jaccard-verified": result.exact,
                    "rouge-computed": len(result.pairs) - unverified, "unverified": unverified}
        return pairs + extra, loaded, counters

    def finish(self) -> Iterator[Hit]:
        from ..similarity import UnionFind

        for group in sorted(self.indexes):
            pairs, loaded, counters = self._pairs(group, self.indexes[group])
            total = self.totals[group]
            uf = UnionFind()
            best: dict[int, tuple[int, float]] = {}
            for a, b, score in pairs:
                uf.union(a, b)
                for here, there in ((a, b), (b, a)):
                    if here not in best or score > best[here][1]:
                        best[here] = (there, score)
            clusters = uf.groups()
            missing = [k for c in clusters for k in c if k not in loaded]
            if missing:  # exact-duplicate members never met as candidates: read them for the messages
                loaded.update(self.load_texts(missing))
            flagged = sum(len(c) - 1 for c in clusters)
            self.summary[group] = {"instructions": total, "flagged": flagged, "clusters": len(clusters),
                                   "largest-cluster": max((len(c) for c in clusters), default=0),
                                   "pairs": len(pairs), **counters}
            for cluster in clusters:
                self.sizes[len(cluster)] = self.sizes.get(len(cluster), 0) + 1
            if not clusters:
                continue
            where = f"split {group!r}" if group != self.group_paths[group] else "this file"
            yield Hit(f"{flagged} of {total} instructions ({flagged / total:.1%}) have ROUGE-L >= {self.threshold:g} "
                      f"with an earlier one in {where} ({len(clusters)} cluster{'s' * (len(clusters) != 1)}, "
                      f"largest {self.summary[group]['largest-cluster']}); Self-Instruct would keep only the first "
                      f"of each cluster", path=self.group_paths[group], key=f"{group}|summary")
            for cluster in clusters:
                yield from self._cluster_hits(group, cluster, best, loaded)

    def _cluster_hits(self, group: str, cluster: list[int], best: dict[int, tuple[int, float]],
                      loaded: dict[int, str]) -> Iterator[Hit]:
        from ..similarity import text_digest

        locations = {key: self.locations.unpack(key) for key in cluster}
        first = cluster[0]
        first_text = loaded.get(first)
        seen: dict[str, int] = {}
        for key in cluster[1:]:
            # Content identity for baselines (the lines may move): both texts' digests and how
            # many earlier members had the same pair of texts.
            ident = "|".join(f"{text_digest(t):x}" if t is not None else "?" for t in (first_text, loaded.get(key)))
            seen[ident] = seen.get(ident, 0) + 1
            member = locations[key]
            text = loaded.get(key)
            if first_text is not None and text is not None:
                score = rouge_l(from_occurrence_text(first_text), from_occurrence_text(text))
                how = f"ROUGE-L {score:.2f} with {_name(locations[first], member)}"
            else:
                how = f"similarity with {_name(locations[first], member)} unknown"
            closest, value = best[key]
            if closest != first:
                how += f"; closest: {_name(locations[closest], member)} at {value:.2f}"
            # The first and the closest member, then others in order: a bounded list even for a
            # cluster of thousands (the message gives the size).
            named = [first, closest] if closest != first else [first]
            named += [k for k in cluster[:MAX_RELATED + 2] if k != key and k not in named]
            others = [locations[k] for k in named[:MAX_RELATED]]
            yield Hit(f"instruction similar to {_name(locations[first], member)} ({how}; cluster of {len(cluster)}, "
                      f"the first is kept)", path=member.path, line=member.line,
                      related=tuple(others[:MAX_RELATED]), key=f"{group}|{ident}#{seen[ident]}")

    def statistics(self) -> dict[str, Any]:
        if not self.summary:
            return {}
        stats: dict[str, Any] = {"threshold": self.threshold,
                                 "jaccard-bound": round(jaccard_bound(self.threshold), 6),
                                 "groups": dict(sorted(self.summary.items()))}
        if self.sizes:
            stats["plots"] = [{"kind": "bars", "title": f"Clusters of instructions with ROUGE-L >= {self.threshold:g}, "
                               "by size",
                               "values": {f"{size} instructions": n for size, n in sorted(self.sizes.items())},
                               "unit": "clusters"}]
        return stats


def _copies(table: Any) -> Iterator[list[int]]:
    """Keys of the texts that share a digest (the same token sequence), in key order, for each
    digest held more than once; one sort of the index's arrays, no per-record Python objects."""
    import numpy as np

    keys, digests = table.array("keys"), table.array("digests")
    if len(keys) < 2:
        return
    order = np.lexsort((keys, digests))
    digests, keys = digests[order], keys[order]
    same = digests[1:] == digests[:-1]
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    ends = np.append(starts[1:], len(keys))
    for start, end in zip(starts.tolist(), ends.tolist()):
        if end - start > 1:
            yield keys[start:end].tolist()


def _name(location: Location, seen_from: Location) -> str:
    return f"line {location.line}" if location.path == seen_from.path else str(location)
