"""X102: held-out records that are near duplicates of training records (MinHash LSH across splits).

X101 catches a held-out prompt that equals a training prompt after normalisation, X103 one that
shares a long word n-gram. Neither sees a paraphrase that reorders or edits every dozen words: a
Jaccard similarity over word 5-gram shingles (character 5-grams for short texts) does. The
machinery is D201's (`ftlint.similarity`): each side keeps ~235 bytes of index per record, never
the text, and candidate pairs are verified with the exact Jaccard by re-reading only the candidate
records. Pairs whose normalised texts are identical are X101's and are not reported again.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..model import Hit, Location, Sample
from ..registry import RunContext, run_rule
from ..similarity import NearDuplicateIndex, Pair
from ..textview import Normalisation, view, view_hash
from .leakage import MAX_RELATED, _comparable_scope, _located, _SplitRule, _train_label, comparable_text
from .near_duplicates import key_remapper, load_views, merge_indexes, params_from_options


def _digests(index: NearDuplicateIndex) -> dict[int, int]:
    """Key -> text digest: the content identity of a finding, so baselines survive reordering."""
    out: dict[int, int] = {}
    for table in index.tables:
        out.update(zip(table.array("keys").tolist(), table.array("digests").tolist()))
    return out


@run_rule("X102")
class NearDuplicateLeak(_SplitRule):
    """One near-duplicate index per split; `finish()` matches each held-out split against the
    training splits' indexes. Keys are packed locations, so merging per-file states only renumbers
    files."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self.scope = options.get("scope", "prompt")
        if self.scope not in ("prompt", "record"):
            raise ConfigError(f"rules.X102.scope: expected 'prompt' or 'record', got {self.scope!r}")
        self.params = params_from_options(options, "X102")
        self.how = Normalisation.from_options(options)
        self.indexes: dict[str, NearDuplicateIndex] = {}  # split -> index of its texts
        self.formats: dict[str, str] = {}  # path -> format name (to re-read candidates)

    def _view(self, sample: Sample) -> str:
        return view(sample, _comparable_scope(sample, self.scope), self.how)

    def add(self, sample: Sample, split: str | None) -> None:
        if self.role(split) is None:
            return
        self.count(sample, split)
        if not comparable_text(sample, self.scope).strip():
            return
        record = sample.record
        self.formats.setdefault(record.path, sample.format)
        index = self.indexes.get(split)
        if index is None:
            index = self.indexes[split] = NearDuplicateIndex(self.params)
        index.add(self.locations.pack(record.path, record.line), self._view(sample),
                  view_hash(sample, _comparable_scope(sample, self.scope), self.how), self.how.collapse_whitespace)

    def merge(self, other: "NearDuplicateLeak") -> None:
        self.merge_counts(other)
        merge_indexes(self.indexes, other.indexes, key_remapper(self.locations, other.locations), self.params)
        for path, fmt in other.formats.items():
            self.formats.setdefault(path, fmt)

    def statistics(self) -> dict[str, Any]:
        return self.leak_statistics()

    def _load(self, keys: Any) -> dict[int, str]:
        return load_views(keys, self.locations, self.formats, self._view)

    def finish(self) -> Iterator[Hit]:
        if not self.active:
            return
        train = NearDuplicateIndex(self.params)
        for split in sorted(self.train_splits & set(self.indexes)):
            train.merge(self.indexes[split])
        if not len(train):
            return
        self.leaked = {}
        hits: list[Hit] = []
        for split in sorted(self.held_splits & set(self.indexes)):
            partners: dict[int, list[Pair]] = {}
            for pair in self.indexes[split].matches(train, self._load):
                if pair.similarity < 1.0:  # identical normalised texts are X101's
                    partners.setdefault(pair.a, []).append(pair)
            self.leaked[split] = len(partners)
            digests = _digests(self.indexes[split])
            for key in sorted(partners):
                hits.append(self._hit(split, key, partners[key], digests.get(key, key)))
        for split, count in sorted(self.leaked.items()):
            if count:
                total = self.totals[split]
                yield Hit(f"{count / total:.1%} ({count}/{total}) of {split} records have a near duplicate in "
                          f"{_train_label(self.train_splits)} ({self._criterion()})",
                          path=self.split_paths[split], key=f"summary:{split}")
        yield from hits

    def _hit(self, split: str, key: int, pairs: list[Pair], digest: int) -> Hit:
        here = self.unpack(key)
        pairs.sort(key=lambda p: -p.similarity)
        others: list[Location] = [self.unpack(p.b) for p in pairs]
        best = pairs[0]
        how = f"{'' if best.exact else 'estimated '}Jaccard {best.similarity:.2f} over {self.params.describe(best.kind)}"
        return Hit(f"{self.scope} of this {split} record is a near duplicate of {_train_label(self.train_splits)}: "
                   f"{_located(others)} ({how})", path=here.path, line=here.line,
                   related=tuple(others[:MAX_RELATED]), key=f"{digest:016x}")

    def _criterion(self) -> str:
        p = self.params
        return (f"Jaccard >= {p.threshold:g} over word {p.ngram}-grams, >= {p.short_threshold:g} over character "
                f"{p.char_ngram}-grams under {p.short_words} words")
