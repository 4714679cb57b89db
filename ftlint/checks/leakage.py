"""Family X: leakage between the splits of `[tool.ftlint.splits]` (train vs test/validation/benchmarks).

Roles. A split named `test`, `validation` or `benchmarks` (or a common alias: `val`, `valid`,
`dev`, `eval`, `benchmark`, `heldout`, `held-out`) is held out. The training side is the split
named `train`; when no split is named so, every configured split that is not held out. Files in
no split take no part. Nothing is kept (and no n-gram is computed) unless both sides are configured.

Order independence. The engine checks each file with fresh states that it then merges (and caches
per file), so a state never knows what the other files hold: train and held-out records are kept
side by side in the same compact layout and only compared in `finish()`. Reading the test file
before or after the train file, or restoring either from the cache, gives the same findings.

Memory (X103, the only rule whose state grows with text). Per record and side: the 64-bit hashes
of its word n-grams (8 bytes per n-gram window, in `array`s that pickle as raw bytes) plus 23
bytes. The held-out side is bounded by the held-out sets, which are small. The training side is
NOT bounded: about 8 bytes per training word (a 100M-word training set keeps ~800 MB, in memory and
in its cache entries). That is the price of independent per-file states: a train file's state
cannot know which n-grams the held-out files hold, so it keeps all of its own. Keeping only the
held-out n-grams and counting train hits against them would be bounded by the held-out size, but
only if the engine read every held-out file first and handed their n-gram set to the train files'
states (and made it part of their cache key). `finish()` adds transient work arrays of about 8
bytes per train n-gram plus a bitmap of at most 32 MB.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ..atomic import write_atomically
from ..config import ConfigError
from ..model import Hit, Location, Record, Sample, Severity, Turn
from ..registry import RunContext, run_rule
from ..textview import Normalisation, normalise, raw_view, view_hash
from .duplicates import _LINE_BITS, LocationTable

HELD_OUT_SPLITS = frozenset({"test", "validation", "benchmarks"})
HELD_OUT_ALIASES = frozenset({"val", "valid", "dev", "eval", "benchmark", "heldout", "held-out"})
BENCHMARK_SPLITS = frozenset({"benchmarks", "benchmark"})  # external sets: not part of the split ratio
LOCK_FILE = ".ftlint-lock.json"
MAX_RELATED = 20  # train locations listed per finding; the message gives the full count
_LOC_MASK = (1 << _LINE_BITS) - 1


def is_held_out(split: str) -> bool:
    return split.lower() in HELD_OUT_SPLITS | HELD_OUT_ALIASES


def split_roles(splits: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(training splits, held-out splits) among the configured split names."""
    names = set(splits)
    held = frozenset(n for n in names if is_held_out(n))
    if "train" in names:
        return frozenset({"train"}), held
    return frozenset(names - held), held


def _train_label(train: frozenset[str]) -> str:
    return "train" if train == {"train"} else "the training splits (" + ", ".join(sorted(train)) + ")"


def comparable_text(sample: Sample, scope: str) -> str:
    """The raw text a leakage rule compares: the prompt, or the whole record. Formats without a
    prompt (TRL `text`) fall back to the whole record, so a benchmark given as plain text is still
    compared with the training prompts."""
    if scope == "prompt":
        prompt = raw_view(sample, "prompt")
        if prompt.strip():
            return prompt
    return raw_view(sample, "record")


def _comparable_scope(sample: Sample, scope: str) -> str:
    if scope == "prompt" and not raw_view(sample, "prompt").strip():
        return "record"
    return scope


class _Records:
    """Records of one side (train or held out) in flat arrays: no Python object per record.

    Record `i` owns `counts[i]` consecutive entries of `hashes` (its n-gram hashes, or one
    prompt or whole-text hash); `locs` holds packed locations (see `LocationTable`), `groups` the split's
    index in `names`, `keys` a content hash used as the finding's identity, `short` whether the
    text was compared whole.
    """

    def __init__(self) -> None:
        self.hashes = array("Q")
        self.counts = array("I")
        self.locs = array("q")
        self.groups = array("H")
        self.keys = array("Q")
        self.short = array("B")
        self.names: list[str] = []

    def __len__(self) -> int:
        return len(self.counts)

    def group_index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            self.names.append(name)
            return len(self.names) - 1

    def append(self, hashes: Any, count: int, loc: int, group: str, key: int, short: bool = False) -> None:
        if isinstance(hashes, np.ndarray):
            self.hashes.frombytes(hashes.astype(np.uint64, copy=False).tobytes())
        else:
            self.hashes.extend(hashes)
        self.counts.append(count)
        self.locs.append(loc)
        self.groups.append(self.group_index(group))
        self.keys.append(key)
        self.short.append(short)

    def extend(self, other: "_Records", mine: LocationTable, theirs: LocationTable) -> None:
        self.hashes.extend(other.hashes)
        self.counts.extend(other.counts)
        self.keys.extend(other.keys)
        self.short.extend(other.short)
        self.locs.frombytes(_repack(np.frombuffer(other.locs, np.int64), mine, theirs).tobytes())
        group_map = np.array([self.group_index(n) for n in other.names] or [0], np.uint16)
        self.groups.frombytes(group_map[np.frombuffer(other.groups, np.uint16)].tobytes())

    def ends(self) -> np.ndarray:
        """Exclusive end offset of each record's hashes."""
        return np.cumsum(np.frombuffer(self.counts, np.uint32), dtype=np.int64)


def _repack(packed: np.ndarray, mine: LocationTable, theirs: LocationTable) -> np.ndarray:
    """Packed locations of `theirs` re-expressed in `mine`'s file numbering."""
    if not len(packed):
        return packed
    index = np.array([mine.pack(path, 0) >> _LINE_BITS for path in theirs.paths], np.int64)
    return (index[packed >> _LINE_BITS] << _LINE_BITS) | (packed & _LOC_MASK)


class _SplitRule:
    """What every leakage rule shares: which splits are train and which are held out.

    What `add` keeps depends on the split's own name only, never on the rest of the configuration:
    the engine caches a file's state under its own split, so a train file cached before a test
    split was configured must still carry its hashes. Which splits are the training side (`train`,
    or every split that is not held out) is decided in `finish()`.
    """

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.train_splits, self.held_splits = split_roles(context.splits)
        self.active = bool(self.train_splits and self.held_splits)
        self.locations = LocationTable()
        self.split_paths: dict[str, str] = {}  # split -> its first file by name (where summaries go)
        self.totals: dict[str, int] = {}  # split -> records seen
        self.leaked: dict[str, int] = {}  # held-out split -> leaked records, set by `finish()`

    @staticmethod
    def role(split: str | None) -> str | None:
        """"held" for a held-out split, "train" for any other split (a training candidate)."""
        if split is None:
            return None
        return "held" if is_held_out(split) else "train"

    def count(self, sample: Sample, split: str) -> None:
        self.totals[split] = self.totals.get(split, 0) + 1
        self._path(split, sample.record.path)

    def _path(self, split: str, path: str) -> None:
        known = self.split_paths.get(split)
        if known is None or path < known:
            self.split_paths[split] = path

    def merge_counts(self, other: "_SplitRule") -> None:
        for split, total in other.totals.items():
            self.totals[split] = self.totals.get(split, 0) + total
            self._path(split, other.split_paths[split])

    def leak_statistics(self) -> dict[str, Any]:
        """Per held-out split seen: records, leaked records and their share (after `finish()`)."""
        stats: dict[str, Any] = {}
        if not self.active or not any(self.totals.get(s) for s in self.train_splits):
            return stats
        for split in sorted(s for s in self.held_splits if self.totals.get(s)):
            total, leaked = self.totals[split], self.leaked.get(split, 0)
            stats.update({f"{split} records": total, f"{split} leaked": leaked, f"{split} rate": leaked / total})
        return stats

    def leak_plot(self, stats: dict[str, Any], title: str) -> dict[str, Any]:
        """`stats` plus the leaked share of each held-out split against training, for the HTML report."""
        if stats:
            train = "+".join(sorted(self.train_splits))
            values = {f"{split} vs {train}": round(100 * stats[f"{split} rate"], 2)
                      for split in sorted(s for s in self.held_splits if self.totals.get(s))}
            stats["plots"] = [{"kind": "bars", "title": title, "values": values, "unit": "% of held-out records"}]
        return stats

    def training(self, records: "_Records") -> np.ndarray:
        """Per record of the train side: is its split one of the configured training splits?"""
        allowed = np.array([name in self.train_splits for name in records.names] or [False], bool)
        return allowed[np.frombuffer(records.groups, np.uint16)]

    def unpack(self, packed: int) -> Location:
        return self.locations.unpack(int(packed))


def _located(locations: list[Location]) -> str:
    first = str(locations[0])
    more = len(locations) - 1
    return first + (f" and {more} more" if more else "")


@run_rule("X101")
class PromptLeak(_SplitRule):
    """Held-out records whose normalised prompt equals a training record's prompt.

    State: one 64-bit prompt hash and one packed location per record of either side (16 bytes of
    array per record, no dict entry), matched in `finish()` by a sorted search.
    """

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self.how = Normalisation.from_options(options)
        self.train = _Records()
        self.held = _Records()

    def add(self, sample: Sample, split: str | None) -> None:
        role = self.role(split)
        if role is None:
            return
        self.count(sample, split)
        if not comparable_text(sample, "prompt").strip():
            return  # nothing to compare: an empty prompt leaks nothing
        digest = view_hash(sample, _comparable_scope(sample, "prompt"), self.how)
        side = self.held if role == "held" else self.train
        side.append((digest,), 1, self.locations.pack(sample.record.path, sample.record.line), split, digest)

    def statistics(self) -> dict[str, Any]:
        return self.leak_plot(self.leak_statistics(), "Held-out records whose prompt is in training")

    def merge(self, other: "PromptLeak") -> None:
        self.merge_counts(other)
        self.train.extend(other.train, self.locations, other.locations)
        self.held.extend(other.held, self.locations, other.locations)

    def finish(self) -> Iterator[Hit]:
        if not self.active or not len(self.train) or not len(self.held):
            return
        held_hashes = np.frombuffer(self.held.hashes, np.uint64)
        train_hashes = np.frombuffer(self.train.hashes, np.uint64)
        wanted = np.unique(held_hashes)
        found = np.nonzero(np.isin(train_hashes, wanted) & self.training(self.train))[0]
        train_locs = np.frombuffer(self.train.locs, np.int64)
        where: dict[int, list[int]] = {}
        for position in found.tolist():
            where.setdefault(int(train_hashes[position]), []).append(int(train_locs[position]))
        leaked = self.leaked = {}
        hits = []
        for i, digest in enumerate(held_hashes.tolist()):
            partners = where.get(digest)
            if not partners:
                continue
            split = self.held.names[self.held.groups[i]]
            if split not in self.held_splits:
                continue
            leaked[split] = leaked.get(split, 0) + 1
            here = self.unpack(self.held.locs[i])
            others = sorted((self.unpack(p) for p in partners), key=lambda loc: (loc.path, loc.line or 0))
            hits.append(Hit(f"prompt of this {split} record also appears in {_train_label(self.train_splits)}: "
                            f"{_located(others)}",
                            path=here.path, line=here.line, related=tuple(others[:MAX_RELATED]),
                            key=f"{digest:016x}"))
        for split, count in sorted(leaked.items()):
            total = self.totals[split]
            yield Hit(f"{count / total:.1%} ({count}/{total}) of {split} records appear in "
                      f"{_train_label(self.train_splits)} (same normalised prompt)",
                      path=self.split_paths[split], key=f"summary:{split}")
        yield from hits


_WORD = re.compile(r"\w+")
_WORDS_NORMALISATION = Normalisation(True, True, False)  # NFKC and case folding; \w+ splits
_BASE = 0x9E3779B97F4A7C17  # odd multiplier of the rolling n-gram hash


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class _WordHashes(dict):
    """word -> 64-bit hash, filled on first use (lookups through `map` stay in C)."""

    def __missing__(self, word: str) -> int:
        value = self[word] = _word_hash(word)
        return value


_BATCH_WORDS = 1 << 18  # words hashed into n-grams per numpy pass (a few MB of temporaries)


def _probe_sample(text: str) -> Sample:
    return Sample(Record("-", 1, {}), "trl-prompt-only", [Turn("user", text, "prompt")])


def _short_hash(words: list[str]) -> int:
    """A text shorter than one n-gram is compared whole, in a hash domain of its own."""
    text = "\x00short\x00" + " ".join(words)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


@run_rule("X103")
class NgramOverlap(_SplitRule):
    """Word n-gram (13-gram) overlap between training and held-out records, as in lm-eval-harness
    and NeMo Curator's task decontamination.

    Texts are normalised (NFKC, case folding), punctuation is dropped and the remaining words are
    cut into overlapping n-grams, each kept as a 64-bit hash (a polynomial hash over per-word
    blake2b hashes, computed for many records per numpy pass). A held-out record and a training
    record that share at least `min-matches` distinct n-grams form a leak pair. An n-gram found in
    more than `max-document-frequency` training records is "too common" (shared boilerplate, a
    license line) and is ignored. A text shorter than one n-gram is compared whole (its word
    sequence hashed in a domain of its own), so it only matches a training text with exactly the
    same words; it is not searched for inside longer texts.

    Lightly edited copies are caught: changing k words kills at most k*n n-grams, and any run of n
    unchanged words survives as a shared n-gram.

    Memory: see the module docstring. The held-out side is bounded by the held-out data; the train
    side keeps every n-gram hash of every training record (8 bytes each) because a per-file state
    cannot know the held-out n-grams. `finish()` only builds Python objects for the train n-grams
    that also occur in a held-out record and are not too common: at most `max-document-frequency`
    times the number of distinct held-out n-grams.
    """

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self.n = int(options.get("ngram", 13))
        self.max_df = int(options.get("max-document-frequency", 10))
        self.min_matches = int(options.get("min-matches", 1))
        self.scope = options.get("scope", "prompt")
        if self.scope not in ("prompt", "record"):
            raise ConfigError(f"rules.X103.scope: expected \"prompt\" or \"record\", got {self.scope!r}")
        numbers = {"ngram": self.n, "max-document-frequency": self.max_df, "min-matches": self.min_matches}
        for key, value in numbers.items():
            if value < 1:
                raise ConfigError(f"rules.X103.{key}: must be at least 1, got {value}")
        self.train = _Records()
        self.held = _Records()
        # h = sum(word[i + j] * BASE**(n - 1 - j)) mod 2**64: powers[j] = BASE**(n - 1 - j)
        self._powers = np.array([pow(_BASE, self.n - 1 - j, 1 << 64) for j in range(self.n)], np.uint64)
        self._words = _WordHashes()  # a speed-up, never pickled
        self._pending_words: list[int] = []  # word hashes of long records not yet cut into n-grams
        # (words, location, held out?, split, key) of each record whose words are pending
        self._pending: list[tuple[int, int, bool, str, int]] = []

    def words(self, text: str) -> list[str]:
        """NFKC, case folding, punctuation dropped: the words n-grams are made of."""
        return _WORD.findall(normalise(text, _WORDS_NORMALISATION))

    def add(self, sample: Sample, split: str | None) -> None:
        role = self.role(split)
        if role is None:
            return
        self.count(sample, split)
        words = self.words(comparable_text(sample, self.scope))
        if not words:
            return
        record = sample.record
        side = self.held if role == "held" else self.train
        key = view_hash(sample, "record") if role == "held" else 0
        loc = self.locations.pack(record.path, record.line)
        if len(words) < self.n:
            side.append((_short_hash(words),), 1, loc, split, key, True)
            return
        # Long texts wait in a batch: hashing many records' n-grams in one numpy pass is several
        # times faster than one record at a time.
        if len(self._words) > 500_000:
            self._words.clear()
        self._pending_words.extend(map(self._words.__getitem__, words))
        self._pending.append((len(words), loc, role == "held", split, key))
        if len(self._pending_words) >= _BATCH_WORDS:
            self._flush()

    def _flush(self) -> None:
        """Turn the pending records' word hashes into their n-gram hashes, many records per pass."""
        if not self._pending:
            return
        n, pending = self.n, self._pending
        values = np.array(self._pending_words, np.uint64)
        self._pending_words, self._pending = [], []
        lengths = np.array([p[0] for p in pending], np.int64)
        ends = np.cumsum(lengths)
        m = len(values) - n + 1  # window starts over the whole batch, some crossing two records
        rolled = values[:m] * self._powers[0]
        for j in range(1, n):
            rolled += values[j:j + m] * self._powers[j]
        owner = np.repeat(np.arange(len(pending)), lengths)[:m]
        inside = np.arange(n, m + n) <= ends[owner]
        rolled, owner = rolled[inside], owner[inside]
        # Repeats within a record are kept here (8 bytes each) and collapsed in `finish()`, on the
        # few n-grams that also occur in held-out records: cheaper than sorting every batch.
        held = np.array([p[2] for p in pending], bool)
        for side, chosen in ((self.held, held), (self.train, ~held)):
            if not chosen.any():
                continue
            side.hashes.frombytes(rolled[chosen[owner]].tobytes())
            for i in np.nonzero(chosen)[0].tolist():
                words, loc, _, split, key = pending[i]
                side.counts.append(words - n + 1)
                side.locs.append(loc)
                side.groups.append(side.group_index(split))
                side.keys.append(key)
                side.short.append(False)

    def ngram_hashes(self, text: str) -> np.ndarray:
        """The distinct n-gram hashes of one text, as `add` computes them (for inspection)."""
        probe = NgramOverlap(self.options, RunContext({"train": ["-"], "test": ["-"]}, {}, "."))
        probe.add(_probe_sample(text), "test")
        probe._flush()
        return np.unique(np.frombuffer(probe.held.hashes, np.uint64))

    def __getstate__(self) -> dict[str, Any]:
        self._flush()
        state = dict(self.__dict__)
        state["_words"] = _WordHashes()
        return state

    def statistics(self) -> dict[str, Any]:
        return self.leak_plot(self.leak_statistics(), "Held-out records sharing a word n-gram with training")

    def merge(self, other: "NgramOverlap") -> None:
        self._flush()
        other._flush()
        self.merge_counts(other)
        self.train.extend(other.train, self.locations, other.locations)
        self.held.extend(other.held, self.locations, other.locations)

    def _train_postings(self, wanted: np.ndarray) -> dict[int, list[int]]:
        """n-gram hash -> training records (indexes) holding it, for the held-out n-grams that
        occur in at most `max-document-frequency` training records."""
        train_hashes = np.frombuffer(self.train.hashes, np.uint64)
        # A bitmap over the low hash bits rules out nearly every train n-gram in one gather; only
        # the candidates pay for a binary search in the sorted held-out hashes.
        size = 1 << max(16, min(25, (len(wanted) * 32).bit_length()))
        low = np.uint64(size - 1)
        bitmap = np.zeros(size, bool)
        bitmap[wanted & low] = True
        candidates = np.nonzero(bitmap[train_hashes & low])[0]
        del bitmap
        slot = np.searchsorted(wanted, train_hashes[candidates])
        slot[slot == len(wanted)] = 0
        positions = candidates[wanted[slot] == train_hashes[candidates]]
        if not len(positions):
            return {}
        records = np.searchsorted(self.train.ends(), positions, side="right")
        training = self.training(self.train)[records]
        positions, records = positions[training], records[training]
        matched = train_hashes[positions]
        order = np.lexsort((records, matched))  # by hash, then record: a repeat within a record is adjacent
        matched, records = matched[order], records[order]
        first = np.ones(len(matched), bool)
        first[1:] = (matched[1:] != matched[:-1]) | (records[1:] != records[:-1])
        matched, records = matched[first], records[first]
        distinct, df = np.unique(matched, return_counts=True)  # now one entry per (n-gram, record): df
        keep = np.isin(matched, distinct[df <= self.max_df])
        postings: dict[int, list[int]] = {}
        for digest, record in zip(matched[keep].tolist(), records[keep].tolist()):
            postings.setdefault(digest, []).append(record)
        return postings

    def finish(self) -> Iterator[Hit]:
        self._flush()
        if not self.active or not len(self.train) or not len(self.held):
            return
        held_hashes = np.frombuffer(self.held.hashes, np.uint64)
        postings = self._train_postings(np.unique(held_hashes))
        if not postings:
            return
        held_ends = self.held.ends().tolist()
        held_list = held_hashes.tolist()
        train_locs = np.frombuffer(self.train.locs, np.int64)
        leaked = self.leaked = {}
        hits = []
        start = 0
        for i, end in enumerate(held_ends):
            shared: dict[int, int] = {}
            distinct = set(held_list[start:end])
            for digest in distinct:
                for record in postings.get(digest, ()):
                    shared[record] = shared.get(record, 0) + 1
            total, start = len(distinct), end
            pairs = [(count, record) for record, count in shared.items() if count >= self.min_matches]
            split = self.held.names[self.held.groups[i]]
            if not pairs or split not in self.held_splits:
                continue
            leaked[split] = leaked.get(split, 0) + 1
            here = self.unpack(self.held.locs[i])
            ranked = sorted(pairs, key=lambda p: (-p[0], self.unpack(train_locs[p[1]]).path, int(train_locs[p[1]])))
            others = [self.unpack(train_locs[record]) for _, record in ranked]
            best = ranked[0][0]
            where = f"{others[0]}" + (f" and {len(others) - 1} more training records" if len(others) > 1 else "")
            if self.held.short[i]:
                what = (f"has the same words as training record {where} (texts under {self.n} words "
                        f"are compared whole)")
            else:
                what = f"shares {best} of its {total} word {self.n}-grams with training record {where}"
            hits.append(Hit(f"this {split} record {what}", path=here.path, line=here.line,
                            related=tuple(others[:MAX_RELATED]), key=f"{self.held.keys[i]:016x}"))
        for split, count in sorted(leaked.items()):
            total = self.totals[split]
            yield Hit(f"{count / total:.1%} ({count}/{total}) of {split} records share word {self.n}-grams with "
                      f"{_train_label(self.train_splits)}", path=self.split_paths[split], key=f"summary:{split}")
        yield from hits


@run_rule("X104")
class SplitRatio(_SplitRule):
    """Share of each held-out split (test, validation; benchmarks are external and not counted)
    among the records of the training and held-out splits. State: a counter per split."""

    def add(self, sample: Sample, split: str | None) -> None:
        if self.role(split) is not None:
            self.count(sample, split)

    def merge(self, other: "SplitRatio") -> None:
        self.merge_counts(other)

    def statistics(self) -> dict[str, Any]:
        """Records per configured split seen in the run."""
        if not self.active:
            return {}
        return {split: count for split, count in sorted(self.totals.items())
                if split in self.train_splits or split in self.held_splits}

    def finish(self) -> Iterator[Hit]:
        if not self.active:
            return
        low, high = float(self.options["min-share"]), float(self.options["max-share"])
        train = sum(self.totals.get(s, 0) for s in self.train_splits)
        held = {s: self.totals.get(s, 0) for s in self.held_splits if s.lower() not in BENCHMARK_SPLITS}
        held = {s: c for s, c in held.items() if c}
        if not train or not held:
            return
        whole = train + sum(held.values())
        parts = "/".join([_train_label(self.train_splits).removeprefix("the ")] + sorted(held))
        for split, count in sorted(held.items()):
            share = count / whole
            if low <= share <= high:
                continue
            side = "below" if share < low else "above"
            yield Hit(f"split {split!r} holds {share:.1%} ({count}/{whole}) of the {parts} records, {side} the "
                      f"usual {low:.0%}–{high:.0%} share of a held-out split",
                      path=self.split_paths[split], key=f"ratio:{split}")


def record_digest(data: Any) -> int:
    """128-bit hash of a record's content with sorted keys (key order and spacing don't count)."""
    try:
        canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, lone surrogates
        canonical = json.dumps(data, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(canonical, digest_size=16).digest(), "little")


_SUM_MASK = (1 << 128) - 1


def _shown(path: Path) -> str:
    """A path as findings show it: relative to the working directory when it is below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


@run_rule("X105")
class LockedTestSplit(_SplitRule):
    """With `locked-test = true`, every held-out split's content is pinned in `.ftlint-lock.json`.

    A split's hash is the sum (mod 2^128) of its records' 128-bit content hashes: it does not
    depend on the order of records or files, and merging two states adds their sums. The lock
    also keeps each file's hash, to name the file that changed, and to check a run that lints
    only some of a split's files (pre-commit passes changed files only): then only those files
    are compared. A locked file that no longer exists counts as a change.
    State: per held-out file a record count and a 128-bit sum. They are kept whether or not
    `locked-test` is set (a file's cached state must not depend on it) and compared only with it.
    """

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self.locked = bool(context.settings.get("locked-test", False))
        self.root = context.root
        self.active = self.locked and bool(self.held_splits)
        self.files: dict[str, dict[str, list[int]]] = {}  # split -> path as the run names it -> [records, sum]
        self.display: dict[str, str] = {}  # path relative to the configuration -> path as the run names it

    def _lock_path(self, path: str) -> str:
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive on Windows
            rel = path
        return Path(rel).as_posix()

    def add(self, sample: Sample, split: str | None) -> None:
        if self.role(split) != "held":
            return
        entry = self.files.setdefault(split, {}).setdefault(sample.record.path, [0, 0])
        entry[0] += 1
        entry[1] = (entry[1] + record_digest(sample.record.data)) & _SUM_MASK

    def merge(self, other: "LockedTestSplit") -> None:
        for split, files in other.files.items():
            mine = self.files.setdefault(split, {})
            for key, (records, digest) in files.items():
                entry = mine.setdefault(key, [0, 0])
                entry[0] += records
                entry[1] = (entry[1] + digest) & _SUM_MASK

    @staticmethod
    def _summary(files: dict[str, list[int]]) -> dict[str, Any]:
        records = sum(e[0] for e in files.values())
        digest = sum(e[1] for e in files.values()) & _SUM_MASK
        return {"records": records, "hash": f"{digest:032x}",
                "files": {k: {"records": e[0], "hash": f"{e[1]:032x}"} for k, e in sorted(files.items())}}

    def finish(self) -> Iterator[Hit]:
        lock_path = Path(self.root) / LOCK_FILE
        if not self.active:
            return
        # From here on files are named relative to the configuration, as in the lock file.
        files_now = {split: files for split, files in self.files.items() if split in self.held_splits}
        self.display = {self._lock_path(path): path for files in files_now.values() for path in files}
        self.files = {split: {self._lock_path(path): entry for path, entry in files.items()}
                      for split, files in files_now.items()}
        if not (self.files or lock_path.exists()):
            return
        first_path = self.display[min(self.display)] if self.display else _shown(lock_path)
        try:
            lock = json.loads(lock_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            lock = None
        except (OSError, ValueError) as exc:
            yield Hit(f"cannot read {LOCK_FILE}: {exc}; fix or delete it to lock the held-out splits again",
                      path=first_path, key="lock:unreadable")
            return
        if lock is not None and not (isinstance(lock, dict) and isinstance(lock.get("splits"), dict)):
            yield Hit(f"{LOCK_FILE} is not an ftlint lock file (no \"splits\" table); delete it to lock again",
                      path=first_path, key="lock:invalid")
            return
        locked = dict(lock["splits"]) if lock else {}
        added = []
        for split in sorted(self.files):
            files = self.files[split]
            now = self._summary(files)
            where = self.display[min(files)]
            if split not in locked:
                locked[split] = now
                added.append(split)
                yield Hit(f"locked held-out split {split!r}: {now['records']} records, hash {now['hash'][:16]} "
                          f"(stored in {LOCK_FILE}; commit it)", path=where, severity=Severity.INFO,
                          key=f"lock:new:{split}")
                continue
            yield from self._compare(split, locked[split], files, now, where)
        for split in sorted(set(locked) - set(self.files)):
            # Not linted in this run: fine unless every file it was locked with is gone.
            then = locked[split]
            then_files = list(then.get("files", {})) if isinstance(then, dict) else []
            if split in self.held_splits and then_files and not any((Path(self.root) / k).exists() for k in then_files):
                yield Hit(f"held-out split {split!r} changed since it was locked in {LOCK_FILE}: "
                          f"{then.get('records', '?')} records then, its files are gone now (removed: "
                          f"{', '.join(sorted(then_files))}); if intended, delete the lock file to lock the new "
                          "content",
                          path=_shown(lock_path), key=f"lock:changed:{split}")
        if added:
            try:
                self._write(lock_path, locked)
            except OSError as exc:
                yield Hit(f"cannot write {LOCK_FILE}: {exc.strerror or exc}", path=first_path,
                          severity=Severity.WARNING, key="lock:unwritable")

    def _compare(self, split: str, then: Any, files: dict[str, list[int]], now: dict[str, Any],
                 where: str) -> Iterator[Hit]:
        then_files = then.get("files", {}) if isinstance(then, dict) else {}
        not_linted = [k for k in then_files if k not in files]
        removed = [k for k in not_linted if not (Path(self.root) / k).exists()]
        partial = len(removed) < len(not_linted)
        changed = sorted(k for k in files if k in then_files and then_files[k].get("hash") != now["files"][k]["hash"])
        new = sorted(k for k in files if k not in then_files)
        details = []
        if changed:
            details.append("changed: " + ", ".join(changed))
        if new:
            details.append("new: " + ", ".join(new))
        if removed:
            details.append("removed: " + ", ".join(sorted(removed)))
        if not partial:
            if isinstance(then, dict) and then.get("hash") == now["hash"] and then.get("records") == now["records"]:
                return
            records_then = then.get("records", "?") if isinstance(then, dict) else "?"
            if changed:
                where = self.display[changed[0]]
            elif new:
                where = self.display[new[0]]
            yield Hit(f"held-out split {split!r} changed since it was locked in {LOCK_FILE}: {records_then} records "
                      f"then, {now['records']} now" + (f" ({'; '.join(details)})" if details else "")
                      + "; if intended, delete the lock file to lock the new content",
                      path=where, key=f"lock:changed:{split}")
            return
        # Only some of the split's files were linted: compare those (and flag removed files).
        if not (changed or new or removed):
            return
        then_records = sum(then_files[k].get("records", 0) for k in files if k in then_files)
        checked = sum(files[k][0] for k in files)
        target = self.display[(changed or new or [min(files)])[0]]
        yield Hit(f"held-out split {split!r} changed since it was locked in {LOCK_FILE}: {then_records} records "
                  f"then, {checked} now in the {len(files)} of its {len(then_files)} locked files linted here "
                  f"({'; '.join(details)}); if intended, delete the lock file to lock the new content",
                  path=target, key=f"lock:changed:{split}")

    @staticmethod
    def _write(lock_path: Path, splits: dict[str, Any]) -> None:
        content = {
            "about": "ftlint held-out split lock ([tool.ftlint.splits] locked-test = true): content hashes of "
                     "the test/validation/benchmark splits. Commit it; delete it to lock new content.",
            "version": 1,
            "splits": dict(sorted(splits.items())),
        }
        write_atomically(lock_path, (json.dumps(content, indent=2) + "\n").encode("utf-8"), prefix=".ftlint-lock.")
