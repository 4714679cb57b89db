"""D201: near-duplicate records (or prompts, or responses) within a group, by MinHash + LSH.

The machinery (shingles, signatures, index, verification, clusters) is `ftlint.similarity`; this
module feeds it normalised text views and turns its clusters into findings. Groups are those of
the exact-duplicate rules: the files of one split, or a file in no split.

State per record: a packed location as the key and ~235 bytes of index (band keys, an 8-bit
signature, the text's digest), never the text. Candidate pairs are verified with the exact Jaccard
of their shingle sets: `finish()` re-reads just the candidate records (JSONL: one pass over the
lines, parsing only those lines) and checks each text's digest against the indexed one, so a file
that changed since it was indexed falls back to the signature estimate instead of a wrong answer.
Exact duplicates (same normalised text) are collapsed before the search: they are D101's.
"""
from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import ConfigError
from ..formats import FORMATS
from ..model import Hit, Location, Record, Sample
from ..readers import BOM, UnreadableFile, parse_json_bytes, read_records
from ..registry import RunContext, run_rule
from ..similarity import NearDuplicateIndex, Params, Result
from ..textview import SCOPES, Normalisation, view, view_hash
from .duplicates import _LINE_BITS, LocationTable, tally_group

_LINE_MASK = (1 << _LINE_BITS) - 1
_FAST_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


def params_from_options(options: dict[str, Any], code: str) -> Params:
    """Similarity parameters from a rule's options; bad values are configuration errors."""
    try:
        return Params(threshold=float(options.get("threshold", 0.8)),
                      short_threshold=float(options.get("short-threshold", 0.7)),
                      short_words=int(options.get("short-words", 20)),
                      ngram=int(options.get("ngram", 5)),
                      char_ngram=int(options.get("char-ngram", 5)),
                      num_perm=int(options.get("num-perm", 128)))
    except ValueError as exc:
        raise ConfigError(f"rules.{code}.{exc}") from None


def _size(size: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


@run_rule("D201")
class NearDuplicates:
    code = "D201"

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.scope = options.get("scope", "record")
        if self.scope not in SCOPES:
            raise ConfigError(f"rules.{self.code}.scope: expected one of {', '.join(SCOPES)}, got {self.scope!r}")
        max_rate = float(options.get("max-rate", 0.05))
        if not 0.0 <= max_rate <= 1.0:
            raise ConfigError(f"rules.{self.code}.max-rate: must be between 0 and 1, got {max_rate}")
        self.params = params_from_options(options, self.code)
        self.how = Normalisation.from_options(options)
        self.locations = LocationTable()
        self.indexes: dict[str, NearDuplicateIndex] = {}  # group -> index of its texts
        self.totals: dict[str, int] = {}  # group -> records seen
        self.group_paths: dict[str, str] = {}  # group -> a path to report the rate on
        self.formats: dict[str, str] = {}  # path -> format name (to re-read candidates)
        self.found: dict[str, tuple[int, list[int]]] = {}  # group -> (flagged, cluster sizes), by finish()

    def add(self, sample: Sample, split: str | None) -> None:
        record = sample.record
        path = record.path
        group = split or path
        tally_group(self.totals, self.group_paths, group, path)
        text = view(sample, self.scope, self.how)
        if not text.strip():
            return  # nothing to compare (no prompt, say): not a near duplicate of other empty ones
        if path not in self.formats:
            self.formats[path] = sample.format
        index = self.indexes.get(group)
        if index is None:
            index = self.indexes[group] = NearDuplicateIndex(self.params)
        # view_hash is the index's own text digest of this text, already computed by D101.
        index.add(self.locations.pack(path, record.line), text, view_hash(sample, self.scope, self.how),
                  self.how.collapse_whitespace)

    def merge(self, other: "NearDuplicates") -> None:
        merge_indexes(self.indexes, other.indexes, key_remapper(self.locations, other.locations), self.params)
        for group, total in other.totals.items():
            self.totals[group] = self.totals.get(group, 0) + total
            self.group_paths.setdefault(group, other.group_paths[group])
        for path, fmt in other.formats.items():
            self.formats.setdefault(path, fmt)

    # ------------------------------------------------------------------ verification texts

    def load_texts(self, keys: Sequence[int]) -> dict[int, str]:
        """Re-read the records under `keys` and return their normalised views (what was indexed)."""
        return load_views(keys, self.locations, self.formats, lambda sample: view(sample, self.scope, self.how))

    # ------------------------------------------------------------------ findings

    def finish(self) -> Iterator[Hit]:
        max_rate = float(self.options.get("max-rate", 0.05))
        noun = self.scope
        for group in sorted(self.indexes):
            index = self.indexes[group]
            result = index.find(self.load_texts)
            self.found[group] = (result.flagged, [len(c.members) for c in result.clusters])
            total = self.totals[group]
            rate = result.flagged / total if total else 0.0
            if not result.clusters or rate <= max_rate:
                continue
            where = f"split {group!r}" if group != self.group_paths[group] else "this file"
            clusters = len(result.clusters)
            yield Hit(f"{result.flagged} of {total} records ({rate:.1%}) have a near-duplicate {noun} in {where} "
                      f"({clusters} cluster{'s' * (clusters != 1)}; {self._criterion()}); max-rate is {max_rate:.1%}; "
                      f"index: {_size(result.index_bytes)} for {result.texts} texts, {_verified(result)}",
                      path=self.group_paths[group])
            yield from self._cluster_hits(result, noun)

    def statistics(self) -> dict[str, Any]:
        """Near-duplicate rate and cluster sizes (after `finish()`, as the engine calls it)."""
        records = sum(self.totals.values())
        if not records:
            return {}
        flagged = sum(n for n, _ in self.found.values())
        sizes: dict[int, int] = {}
        for _, clusters in self.found.values():
            for size in clusters:
                sizes[size] = sizes.get(size, 0) + 1
        stats: dict[str, Any] = {"records": records, "near-duplicates": flagged, "rate": flagged / records,
                                 "clusters": sum(sizes.values())}
        if sizes:
            stats["plots"] = [{"kind": "bars", "title": f"Near-duplicate {self.scope} clusters by size",
                               "values": {f"{size} records": n for size, n in sorted(sizes.items())},
                               "unit": "clusters"}]
        return stats

    def _criterion(self) -> str:
        p = self.params
        return (f"Jaccard >= {p.threshold:g} over word {p.ngram}-grams, >= {p.short_threshold:g} over character "
                f"{p.char_ngram}-grams for texts under {p.short_words} words")

    def _cluster_hits(self, result: Result, noun: str) -> Iterator[Hit]:
        for cluster in result.clusters:
            locations = {key: self.locations.unpack(key) for key in cluster.members}
            first = locations[cluster.members[0]]
            size = len(cluster.members)
            for key in cluster.members[1:]:
                member = locations[key]
                similar = cluster.to_first.get(key)
                if similar is not None:
                    value, exact, kind = similar
                    how = f"{'' if exact else 'estimated '}Jaccard {value:.2f} over {self.params.describe(kind)}"
                else:
                    how = "similarity with it unknown"
                closest, closest_value = cluster.best[key]
                if closest != cluster.members[0]:
                    how += f"; closest: {_name(locations[closest], member)} at {closest_value:.2f}"
                yield Hit(f"near-duplicate {noun} of {_name(first, member)} ({how}; cluster of {size}, "
                          f"the first is kept)", path=member.path, line=member.line,
                          related=tuple(locations[k] for k in cluster.members if k != key))


def key_remapper(mine: LocationTable, theirs: LocationTable) -> Callable[[np.ndarray], np.ndarray]:
    """Packed-location keys of another state, re-expressed in `mine`'s file numbering (vectorised)."""
    files = np.array([mine.pack(path, 0) >> _LINE_BITS for path in theirs.paths] or [0], dtype=np.int64)

    def remap(keys: np.ndarray) -> np.ndarray:
        return (files[keys >> _LINE_BITS] << _LINE_BITS) | (keys & _LINE_MASK)

    return remap


def merge_indexes(mine: dict[str, NearDuplicateIndex], theirs: Mapping[str, NearDuplicateIndex],
                  remap: Callable[[np.ndarray], np.ndarray], params: Params) -> None:
    """Merge another state's per-group indexes into ours (the states of D201, X102, Q201)."""
    for group, index in theirs.items():
        target = mine.get(group)
        if target is None:
            target = mine[group] = NearDuplicateIndex(params)
        target.merge(index, remap)


def load_views(keys: Sequence[int], locations: LocationTable, formats: Mapping[str, str],
               view_of: Callable[[Sample], str]) -> dict[int, str]:
    """Re-read the records under packed-location `keys` and return `view_of` their samples: the
    exact text a near-duplicate index was built from, for exact verification of candidates. A
    record that cannot be re-read is left out: its pairs are then decided by the estimate."""
    wanted: dict[str, dict[int, int]] = {}
    for key in keys:
        path = locations.paths[key >> _LINE_BITS]
        wanted.setdefault(path, {})[key & _LINE_MASK] = key
    out: dict[int, str] = {}
    for path, lines in wanted.items():
        spec = FORMATS.get(formats.get(path, ""))
        if spec is None:
            continue
        try:
            for line, data in _records_at(path, lines):
                try:
                    out[lines[line]] = view_of(spec.to_sample(Record(path, line, data)))
                except Exception:  # the record changed shape since it was indexed
                    continue
        except (OSError, UnreadableFile, EOFError, ValueError):
            continue
    return out


def _verified(result: Result) -> str:
    if result.estimated and not result.exact:
        return "similarities estimated from signatures (the records could not be re-read)"
    if result.estimated:
        return f"{result.exact} pairs verified exactly, {result.estimated} estimated (records could not be re-read)"
    return "every pair verified with the exact Jaccard"


def _name(location: Location, seen_from: Location) -> str:
    return f"line {location.line}" if location.path == seen_from.path else str(location)


def _records_at(path: str, lines: Mapping[int, int]) -> Iterator[tuple[int, Any]]:
    """(line, data) of the wanted lines of a dataset file. JSONL is scanned line by line and only
    the wanted lines are parsed; other layouts go through the regular reader."""
    if path.lower().endswith(_FAST_SUFFIXES):
        opener = gzip.open if path.lower().endswith(".gz") else open
        with opener(Path(path), "rb") as fh:
            for number, raw in _lines_at(fh, lines):
                if number == 1 and raw.startswith(BOM):
                    raw = raw[len(BOM):]
                data = parse_json_bytes(raw, [])
                if data is not None:
                    yield number, data
        return
    for record in read_records(path):
        if record.line in lines and record.data is not None:
            yield record.line, record.data


_BLOCK = 1 << 20


def _lines_at(fh: Any, wanted: Iterable[int]) -> Iterator[tuple[int, bytes]]:
    """(number, raw line with its newline) of the `wanted` lines (numbered from 1) of a binary
    file, as iterating the file would give them. Reads 1 MiB blocks and finds the newlines only
    of blocks that end a wanted line (numpy): no bytes object per line, as iterating would make."""
    targets = sorted(set(wanted))
    i, number = 0, 1  # number: the line that `pending` begins
    pending: list[bytes] = []  # pieces of the line that the next block continues
    while i < len(targets):
        block = fh.read(_BLOCK)
        if not block:
            if pending and targets[i] == number and any(pending):
                yield number, b"".join(pending)
            return
        complete = block.count(b"\n")
        if not complete:
            pending.append(block)
            continue
        if targets[i] >= number + complete:  # no wanted line ends in this block
            pending = [block[block.rfind(b"\n") + 1:]]
            number += complete
            continue
        data = b"".join(pending) + block if pending else block
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10).tolist()  # newline offsets
        while i < len(targets) and targets[i] < number + complete:
            k = targets[i] - number
            yield targets[i], data[ends[k - 1] + 1 if k else 0:ends[k] + 1]
            i += 1
        pending = [data[ends[-1] + 1:]]
        number += complete
