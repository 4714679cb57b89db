"""Family D: exact duplicates over a normalised text view (whole record, prompt, response).

State per record is one 64-bit hash and one packed location; clusters keep their members'
locations only once a hash repeats, so memory grows with distinct records, not with text.
Duplicates are counted within a group: the files of one split, or a file that is in no split.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Hit, Location, Sample
from ..registry import RunContext, run_rule
from ..textview import Normalisation, raw_view, view_hash

_LINE_BITS = 40  # a packed location is (file index << 40) | line


class LocationTable:
    """Interns file paths so a location costs one Python int."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._index: dict[str, int] = {}

    def pack(self, path: str, line: int) -> int:
        index = self._index.get(path)
        if index is None:
            index = self._index[path] = len(self.paths)
            self.paths.append(path)
        return (index << _LINE_BITS) | line

    def packer(self, path: str) -> int:
        """`pack(path, line)` is `packer(path) | line`: rules pack a file's records with one `|`."""
        return self.pack(path, 0)

    def unpack(self, packed: int) -> Location:
        return Location(self.paths[packed >> _LINE_BITS], packed & ((1 << _LINE_BITS) - 1))


def tally_group(totals: dict[str, int], group_paths: dict[str, str], group: str, path: str) -> None:
    """Count a record in its group (a split, or its file) and remember a path to report on."""
    if group in totals:
        totals[group] += 1
    else:
        totals[group] = 1
        group_paths.setdefault(group, path)


class ExactDuplicates:
    scope = "record"
    noun = "record"
    _path: str | None = None  # the file of the previous record, and its packed index (LocationTable.packer)
    _file = 0

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.how = Normalisation.from_options(options)
        self.locations = LocationTable()
        # Per group: hash -> packed first location. Clusters hold members only once a hash repeats.
        self.first: dict[str, dict[int, int]] = {}
        self.clusters: dict[tuple[str, int], list[int]] = {}
        self.first_whole: dict[str, dict[int, int]] = {}  # whole-record hash of first occurrences (D102/D103)
        self.member_whole: dict[int, int] = {}  # packed cluster member -> its whole-record hash (D102/D103)
        self.whole_copies: dict[tuple[str, int], list[tuple[int, int]]] = {}  # whole duplicates of a first
        self.totals: dict[str, int] = {}  # group -> records seen
        self.group_paths: dict[str, str] = {}  # group -> a path to report the rate on

    def add(self, sample: Sample, split: str | None) -> None:
        record = sample.record
        path = record.path
        group = split or path
        tally_group(self.totals, self.group_paths, group, path)
        if path != self._path:  # records come file by file
            self._path, self._file = path, self.locations.packer(path)
        if self.scope == "record":
            self._remember_packed(group, view_hash(sample, "record", self.how), self._file | record.line, 0)
            return
        if not raw_view(sample, self.scope).strip():
            return  # no prompt (or response) to compare: not a duplicate of other empty ones
        # A prompt (or response) duplicate that is also a whole-record duplicate is D101's to
        # report; remembering the first record's hash keeps D102/D103 about different records.
        whole = view_hash(sample, "record", self.how)
        self._remember_packed(group, view_hash(sample, self.scope, self.how), self._file | record.line, whole)

    def _remember_packed(self, group: str, digest: int, packed: int, whole: int) -> None:
        firsts = self.first.get(group)
        if firsts is None:
            firsts = self.first[group] = {}
        first = firsts.get(digest)
        if first is None:
            firsts[digest] = packed
            if whole:
                wholes = self.first_whole.get(group)
                if wholes is None:
                    wholes = self.first_whole[group] = {}
                wholes[digest] = whole
        elif not whole or self.first_whole.get(group, {}).get(digest) != whole:
            self.clusters.setdefault((group, digest), [first]).append(packed)
            if whole:
                self.member_whole[packed] = whole
        else:  # D102/D103: the first record's whole duplicate; kept for merges (it may differ from theirs)
            self.whole_copies.setdefault((group, digest), []).append((packed, whole))

    def merge(self, other: "ExactDuplicates") -> None:
        """Replays the other state's records in their order, each with its own whole-record hash,
        so a merged state (parallel batches, cached files) equals one that saw every record.

        The parallel engine merges every batch in the main process, so the common case is done
        in bulk: a hash new to this state that did not repeat in the other one simply becomes a
        first occurrence (set and dict operations in C). Only the rest is replayed one by one, in
        the other state's order (its first occurrences are in file order)."""
        files = [self.locations.pack(path, 0) for path in other.locations.paths]
        same_files = all(packed == index << _LINE_BITS for index, packed in enumerate(files))
        mask = (1 << _LINE_BITS) - 1
        repeated: dict[str, set[int]] = {}
        for group, digest in [*other.clusters, *other.whole_copies]:
            repeated.setdefault(group, set()).add(digest)
        for group, firsts in other.first.items():
            mine = self.first.get(group)
            if mine is None:
                mine = self.first[group] = {}
            first_whole = other.first_whole.get(group, {})
            replay = firsts.keys() & (mine.keys() | repeated.get(group, set()))
            fresh = firsts.keys() - replay
            if same_files:
                mine.update({digest: firsts[digest] for digest in fresh})
            else:
                mine.update({digest: files[firsts[digest] >> _LINE_BITS] | (firsts[digest] & mask) for digest in fresh})
            if first_whole:
                wholes = self.first_whole.get(group)
                if wholes is None:
                    wholes = self.first_whole[group] = {}
                wholes.update({digest: first_whole[digest] for digest in fresh if digest in first_whole})
            for digest in sorted(replay, key=firsts.__getitem__):
                key = (group, digest)
                members = other.clusters.get(key)
                copies = other.whole_copies.get(key)
                entries = [(firsts[digest], first_whole.get(digest, 0))]
                if members is not None:
                    entries += [(packed, other.member_whole.get(packed, 0)) for packed in members[1:]]
                if copies is not None:
                    entries = sorted(entries + copies)  # packed locations sort in file order
                for packed, whole in entries:
                    self._remember_packed(group, digest, files[packed >> _LINE_BITS] | (packed & mask), whole)
        for group, total in other.totals.items():
            self.totals[group] = self.totals.get(group, 0) + total
            self.group_paths.setdefault(group, other.group_paths[group])

    def _flagged_by_group(self) -> dict[str, int]:
        flagged: dict[str, int] = {}
        for (group, _), members in self.clusters.items():
            flagged[group] = flagged.get(group, 0) + len(members) - 1
        return flagged

    def statistics(self) -> dict[str, Any]:
        records = sum(self.totals.values())
        if not records:
            return {}
        duplicates = sum(self._flagged_by_group().values())
        stats: dict[str, Any] = {"records": records, "duplicates": duplicates,
                                 "rate": duplicates / records if records else 0.0}
        if self.clusters:  # the HTML report draws it; no clusters, nothing to draw
            sizes: dict[int, int] = {}
            for members in self.clusters.values():
                sizes[len(members)] = sizes.get(len(members), 0) + 1
            stats["plots"] = [{"kind": "bars", "title": f"Exact duplicate {self.noun} clusters by size",
                               "values": {f"{size} copies": n for size, n in sorted(sizes.items())},
                               "unit": "clusters"}]
        return stats

    def finish(self) -> Iterator[Hit]:
        max_rate = float(self.options["max-rate"])
        by_group: dict[str, list[list[Location]]] = {}
        for (group, digest), members in self.clusters.items():
            by_group.setdefault(group, []).append((digest, [self.locations.unpack(p) for p in members]))
        for group, clusters in sorted(by_group.items()):
            flagged = sum(len(c) - 1 for _, c in clusters)
            total = self.totals[group]
            rate = flagged / total
            if rate <= max_rate:
                continue
            where = f"split {group!r}" if group != self.group_paths[group] else "this file"
            yield Hit(f"{flagged} of {total} records ({rate:.1%}) are exact duplicate {self.noun}s in {where} "
                      f"({len(clusters)} cluster{'s' * (len(clusters) != 1)}); max-rate is {max_rate:.1%}",
                      path=self.group_paths[group])
            for digest, cluster in sorted(clusters, key=lambda c: (c[1][0].path, c[1][0].line or 0)):
                first = cluster[0]
                for member in cluster[1:]:
                    original = f"line {first.line}" if first.path == member.path else str(first)
                    yield Hit(f"exact duplicate {self.noun} of {original} (cluster of {len(cluster)}; the first is kept)",
                              path=member.path, line=member.line, key=f"{digest:016x}",
                              related=tuple(m for m in cluster if m != member))


@run_rule("D101")
class DuplicateRecords(ExactDuplicates):
    scope = "record"
    noun = "record"


@run_rule("D102")
class DuplicatePrompts(ExactDuplicates):
    scope = "prompt"
    noun = "prompt"


@run_rule("D103")
class DuplicateResponses(ExactDuplicates):
    scope = "response"
    noun = "response"
