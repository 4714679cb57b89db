"""Family B, composition: what the dataset is made of (sources, system prompts, difficulty,
languages, conversation length). Run-wide rules, each silent unless its field is configured or
present, and each reporting its table in the statistics (with `plots` for the HTML report).

State. Counters only: value tallies (bounded, the rest as "(other)"), hashes of system prompts,
turn-count histograms and a handful of example locations; each merges by adding.
"""
from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator
from typing import Any

from .. import language
from ..config import ConfigError
from ..labels import field_value
from ..model import Hit, Location, Sample, Severity
from ..registry import RunContext, run_rule
from .balance import add_counts, bars, listing, ordered, share, where

MAX_SOURCES = 50  # distinct source values tabulated (B106)
MAX_VALUES = 50  # distinct difficulty / language-field values tabulated (B109, B110)
MIN_REUSE = 2  # B107: records per variant on average, at least
MAX_SYSTEM_PROMPTS = 10000  # distinct system prompts tracked per group (B107)
MAX_EXAMPLES = 5  # example locations kept per group (B110, B111)
OTHER = "(other)"


def _tally(counts: dict[str, int], key: str, n: int = 1, limit: int = MAX_VALUES) -> None:
    """Count `key`, or "(other)" once `limit` distinct keys are held: a free-text field costs nothing."""
    if key not in counts and len(counts) >= limit:
        key = OTHER
    counts[key] = counts.get(key, 0) + n


def _merge_tallies(mine: dict[str, dict[str, int]], other: dict[str, dict[str, int]], limit: int = MAX_VALUES) -> None:
    for group, counts in other.items():
        target = mine.setdefault(group, {})
        for key, n in counts.items():
            _tally(target, key, n, limit)


def value_key(value: Any) -> str | None:
    """A field value as a table key: text stripped and case-folded, 3.0 as "3"; lists, objects and
    null are no value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip().casefold()
    return None


def _examples(mine: list, other: list) -> list:
    """The MAX_EXAMPLES smallest entries of both lists (entries sort by what should come first)."""
    return heapq.nsmallest(MAX_EXAMPLES, [*mine, *other])


def _lines(examples: list[tuple]) -> str:
    return ", ".join(f"{path}:{line}" for *_, path, line in examples)


# --------------------------------------------------------------------------- sources and system prompts


@run_rule("B106")
class SyntheticShare:
    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.field = str(options["source-field"])
        self.synthetic = {v.strip().casefold() for v in options["synthetic-values"]}
        self.records: dict[str, int] = {}
        self.values: dict[str, dict[str, int]] = {}  # group -> source value -> records (bounded)
        self.synthetic_counts: dict[str, int] = {}
        self.group_paths: dict[str, str] = {}

    def _is_synthetic(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().casefold() in self.synthetic

    def add(self, sample: Sample, split: str | None) -> None:
        group = split or sample.record.path
        self.records[group] = self.records.get(group, 0) + 1
        value = field_value(sample.data, self.field)
        if value is None:
            return
        self.group_paths.setdefault(group, sample.record.path)
        key = value.strip().casefold() if isinstance(value, str) else str(value).lower()
        _tally(self.values.setdefault(group, {}), key, limit=MAX_SOURCES)
        if self._is_synthetic(value):
            self.synthetic_counts[group] = self.synthetic_counts.get(group, 0) + 1

    def merge(self, other: "SyntheticShare") -> None:
        add_counts(self.records, other.records)
        add_counts(self.synthetic_counts, other.synthetic_counts)
        _merge_tallies(self.values, other.values, limit=MAX_SOURCES)
        for group, path in other.group_paths.items():
            self.group_paths.setdefault(group, path)

    def statistics(self) -> dict[str, Any]:
        if not self.values:
            return {}
        with_field = sum(sum(v.values()) for v in self.values.values())
        synthetic = sum(self.synthetic_counts.values())
        sources: dict[str, int] = {}
        for values in self.values.values():
            add_counts(sources, values)
        return {"records": sum(self.records.values()), "with-source": with_field, "synthetic": synthetic,
                "synthetic-share": round(share(synthetic, with_field), 6), "sources": ordered(sources),
                "plots": [bars(f"Sources ({self.field})", sources)]}

    def finish(self) -> Iterator[Hit]:
        max_share = float(self.options["max-share"])
        for group, values in sorted(self.values.items()):
            with_field = sum(values.values())
            synthetic = self.synthetic_counts.get(group, 0)
            if with_field and synthetic / with_field > max_share:
                path = self.group_paths[group]
                yield Hit(f"{synthetic} of {with_field} records with a {self.field!r} field in {where(group, path)} "
                          f"are synthetic ({synthetic / with_field:.1%}, max-share {max_share:.0%})",
                          path=path, key=group)


def _system_prompt(sample: Sample) -> str | None:
    texts = [t.text for t in sample.turns if t.role in ("system", "developer")]
    return " ".join(" ".join(texts).split()) if texts else None


# System prompts repeat in most datasets: (raw text, prefix words) -> B107's two digests. Per
# process (parallel workers each keep their own), short prompts only, and few: the prompts that
# repeat are met early; a dataset of one prompt per record fills it and then computes as before.
# At most 2048 x 4 KB = 8 MB.
_PROMPT_DIGESTS: dict[tuple[str, int], tuple[int, int]] = {}
_MAX_CACHED_PROMPTS = 2048
_MAX_CACHED_CHARS = 4096


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


@run_rule("B107")
class SystemPromptVariants:
    """Many slightly different system prompts: distinct prompts that open with the same words."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.prefix_words = int(options["prefix-words"])
        if self.prefix_words < 1:
            raise ConfigError(f"rules.B107.prefix-words: must be at least 1, got {self.prefix_words}")
        self.records: dict[str, int] = {}
        self.prompts: dict[str, dict[int, list[int]]] = {}  # group -> prompt hash -> [records, family hash]
        self.overflow: set[str] = set()
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        group = split or sample.record.path
        self.records[group] = self.records.get(group, 0) + 1
        texts = [t.text for t in sample.turns if t.role == "system" or t.role == "developer"]
        if not texts:
            return
        self.group_paths.setdefault(group, sample.record.path)
        raw = texts[0] if len(texts) == 1 else " ".join(texts)  # what _system_prompt() collapses
        key = (raw, self.prefix_words)
        digests = _PROMPT_DIGESTS.get(key)
        if digests is None:
            digests = self._digests(" ".join(raw.split()))
            if len(raw) <= _MAX_CACHED_CHARS and len(_PROMPT_DIGESTS) < _MAX_CACHED_PROMPTS:
                _PROMPT_DIGESTS[key] = digests
        self._count(group, digests[0], digests[1], 1)

    def _digests(self, prompt: str) -> tuple[int, int]:
        """The prompt's digest and its family's (the digest of its first words, case-folded)."""
        return _digest(prompt), _digest(" ".join(prompt.casefold().split()[:self.prefix_words]))

    def _count(self, group: str, digest: int, family: int, n: int) -> None:
        prompts = self.prompts.get(group)
        if prompts is None:
            prompts = self.prompts[group] = {}
        entry = prompts.get(digest)
        if entry is not None:
            entry[0] += n
        elif group not in self.overflow:
            if len(prompts) >= MAX_SYSTEM_PROMPTS:
                self.overflow.add(group)  # one prompt per record (personas): deliberate diversity
            else:
                prompts[digest] = [n, family]

    def merge(self, other: "SystemPromptVariants") -> None:
        add_counts(self.records, other.records)
        self.overflow |= other.overflow
        for group, prompts in other.prompts.items():
            self.group_paths.setdefault(group, other.group_paths[group])
            for digest, (n, family) in prompts.items():
                self._count(group, digest, family, n)

    def _families(self, group: str) -> list[tuple[int, int]]:
        """(distinct prompts, records) per opening, largest first."""
        families: dict[int, list[int]] = {}
        for n, family in self.prompts[group].values():
            entry = families.setdefault(family, [0, 0])
            entry[0] += 1
            entry[1] += n
        return sorted(((v, r) for v, r in families.values()), reverse=True)

    def statistics(self) -> dict[str, Any]:
        groups = {}
        for group, prompts in sorted(self.prompts.items()):
            with_system = sum(n for n, _ in prompts.values())
            families = self._families(group)
            groups[group] = {"records": self.records[group], "with-system-prompt": with_system,
                             "distinct": len(prompts), "overflow": group in self.overflow,
                             "top-share": round(share(max(n for n, _ in prompts.values()), with_system), 6),
                             "largest-family-variants": families[0][0]}
        return {"groups": groups} if groups else {}

    def finish(self) -> Iterator[Hit]:
        min_variants = int(self.options["min-variants"])
        min_share = float(self.options["min-share"])
        min_records = int(self.options["min-records"])
        for group, prompts in sorted(self.prompts.items()):
            with_system = sum(n for n, _ in prompts.values())
            if group in self.overflow or with_system < min_records:
                continue
            variants, covered = self._families(group)[0]
            # A prompt per record (a session id, a persona) is deliberate: variants must be reused.
            if variants >= min_variants and covered / with_system >= min_share and covered >= MIN_REUSE * variants:
                path = self.group_paths[group]
                yield Hit(f"{variants} slightly different system prompts (same first {self.prefix_words} words) "
                          f"cover {covered} of {with_system} records with a system prompt in {where(group, path)} "
                          f"({covered / with_system:.1%}; {len(prompts)} distinct in all): one fixed prompt per task "
                          f"trains more reliably", path=path, key=group)


# --------------------------------------------------------------------------- difficulty


def parse_target(value: Any, where_: str) -> dict[str, float]:
    """`{easy = 0.6, medium = 0.25, hard = 0.15}` (or percentages adding up to 100) -> shares."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where_}: expected a table of level = share")
    target: dict[str, float] = {}
    for level, amount in value.items():
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            raise ConfigError(f"{where_}.{level}: expected a share (a number >= 0), got {amount!r}")
        key = value_key(level)
        if key is None:
            raise ConfigError(f"{where_}: empty level name")
        target[key] = target.get(key, 0.0) + float(amount)
    total = sum(target.values())
    if target and abs(total - 100) <= 1:
        target = {k: v / 100 for k, v in target.items()}
    elif target and abs(total - 1) > 0.01:
        raise ConfigError(f"{where_}: the shares must add up to 1 (or 100), got {total:g}")
    return target


@run_rule("B109")
class DifficultyMix:
    """The difficulty levels' shares, against a configured target mix."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.field = str(options["difficulty-field"])
        self.target = parse_target(options["target"], "rules.B109.target")
        self.tolerance = float(options["tolerance"])
        if not 0 <= self.tolerance < 1:
            raise ConfigError(f"rules.B109.tolerance: expected a share between 0 and 1, got {self.tolerance:g}")
        self.records: dict[str, int] = {}
        self.values: dict[str, dict[str, int]] = {}  # group -> level -> records (bounded)
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        group = split or sample.record.path
        self.records[group] = self.records.get(group, 0) + 1
        key = value_key(field_value(sample.data, self.field))
        if key is None:
            return
        self.group_paths.setdefault(group, sample.record.path)
        _tally(self.values.setdefault(group, {}), key)

    def merge(self, other: "DifficultyMix") -> None:
        add_counts(self.records, other.records)
        _merge_tallies(self.values, other.values)
        for group, path in other.group_paths.items():
            self.group_paths.setdefault(group, path)

    def statistics(self) -> dict[str, Any]:
        if not self.values:
            return {}
        totals: dict[str, int] = {}
        for counts in self.values.values():
            add_counts(totals, counts)
        labelled = sum(totals.values())
        stats: dict[str, Any] = {
            "field": self.field, "records": sum(self.records.values()), "with-field": labelled,
            "counts": ordered(totals), "shares": {k: round(share(n, labelled), 6) for k, n in ordered(totals).items()},
            "groups": {g: ordered(c) for g, c in sorted(self.values.items())},
            "plots": [bars(f"Difficulty mix ({self.field})", totals)]}
        if self.target:
            stats["target"] = self.target
        return stats

    def finish(self) -> Iterator[Hit]:
        if not self.target:
            return
        min_records = int(self.options["min-records"])
        for group, counts in sorted(self.values.items()):
            total = sum(counts.values())
            if total < min_records:
                continue
            parts = []
            for level, wanted in self.target.items():
                got = share(counts.get(level, 0), total)
                if abs(got - wanted) > self.tolerance:
                    parts.append(f"{level!r} {got:.1%} ({counts.get(level, 0)}) vs target {wanted:.0%}")
            outside = sorted(((k, n) for k, n in counts.items() if k not in self.target), key=lambda i: (-i[1], i[0]))
            n_out = sum(n for _, n in outside)
            if outside and share(n_out, total) > self.tolerance:
                parts.append(f"{n_out} records ({share(n_out, total):.1%}) have levels outside the target: "
                             f"{listing(outside)}")
            if parts:
                path = self.group_paths[group]
                yield Hit(f"difficulty mix in {where(group, path)} is off target (tolerance {self.tolerance:.0%} "
                          f"points; {total} records with a {self.field!r} field): " + "; ".join(parts),
                          path=path, key=group)


# --------------------------------------------------------------------------- languages


_SKIPPED_ROLES = {"system", "developer", "tool", "function", "ipython", "observation"}


def sample_text(sample: Sample) -> str:
    """What a record says, for language detection: user and assistant turns (and the chosen answer),
    not system prompts or tool output, which are often English or JSON in any dataset."""
    parts: list[str] = []
    size = 0
    for turn in [*sample.turns, *(sample.chosen or [])]:
        if turn.role in _SKIPPED_ROLES or not turn.text:
            continue
        parts.append(turn.text)
        size += len(turn.text)
        if size >= language.MAX_CHARS:
            break
    return "\n".join(parts)[:language.MAX_CHARS]


def record_language(sample: Sample) -> str:
    cached = sample.cache.get("composition.language")
    if cached is None:
        cached = sample.cache["composition.language"] = language.detect(sample_text(sample))
    return cached


KNOWN_LANGUAGES = (*language.LATIN_LANGUAGES, "zh", "ja", "ko", "el", "he", "th", "cyrillic", "arabic", "devanagari")
UNDETERMINED = (language.UNDETERMINED, language.LATIN)


@run_rule("B110")
class LanguageMix:
    """Records per language, detected or read from a field."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.field = str(options["language-field"])
        self.expected = [value_key(v) or "" for v in options["expected"]]
        if not self.field:
            unknown = [v for v in self.expected if v not in KNOWN_LANGUAGES]
            if unknown:
                raise ConfigError(f"rules.B110.expected: {unknown[0]!r} is not a detected language; known: "
                                  f"{', '.join(KNOWN_LANGUAGES)} (or set language-field to read your own codes)")
        for key in ("min-share", "dominant-share"):
            if not 0 < float(options[key]) <= 1:
                raise ConfigError(f"rules.B110.{key}: expected a share in (0, 1], got {options[key]!r}")
        self.counts: dict[str, dict[str, int]] = {}  # group -> language -> records (bounded)
        self.examples: dict[str, dict[str, list]] = {}  # group -> language -> [(path, line)]
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        if self.field:
            key = value_key(field_value(sample.data, self.field))
            if key is None:
                return
        else:
            key = record_language(sample)
        group = split or sample.record.path
        self.group_paths.setdefault(group, sample.record.path)
        counts = self.counts.setdefault(group, {})
        _tally(counts, key)
        if key not in UNDETERMINED:
            examples = self.examples.setdefault(group, {}).setdefault(key, [])
            if len(examples) < MAX_EXAMPLES:
                examples.append((sample.record.path, sample.record.line))

    def merge(self, other: "LanguageMix") -> None:
        _merge_tallies(self.counts, other.counts)
        for group, path in other.group_paths.items():
            self.group_paths.setdefault(group, path)
        for group, per_language in other.examples.items():
            mine = self.examples.setdefault(group, {})
            for key, examples in per_language.items():
                mine[key] = sorted([*mine.get(key, []), *examples])[:MAX_EXAMPLES]

    def statistics(self) -> dict[str, Any]:
        if not self.counts:
            return {}
        totals: dict[str, int] = {}
        for counts in self.counts.values():
            add_counts(totals, counts)
        known = {k: n for k, n in totals.items() if k not in UNDETERMINED}
        determined = sum(known.values())
        return {"method": f"field {self.field!r}" if self.field else "detected (scripts and function words)",
                "records": sum(totals.values()), "determined": determined,
                "undetermined": {k: totals[k] for k in UNDETERMINED if k in totals},
                "counts": ordered(known), "shares": {k: round(share(n, determined), 6) for k, n in ordered(known).items()},
                "groups": {g: ordered(c) for g, c in sorted(self.counts.items())},
                "plots": [bars("Languages", known)] if known else []}

    def finish(self) -> Iterator[Hit]:
        min_records = int(self.options["min-records"])
        for group, counts in sorted(self.counts.items()):
            known = sorted(((k, n) for k, n in counts.items() if k not in UNDETERMINED), key=lambda i: (-i[1], i[0]))
            determined = sum(n for _, n in known)
            if determined < min_records:
                continue
            path = self.group_paths[group]
            if self.expected:
                yield from self._expected(group, path, known, determined)
            else:
                yield from self._strays(group, path, known, determined)

    def _others(self, group: str, others: list[tuple[str, int]]) -> tuple[Location, ...]:
        examples = self.examples.get(group, {})
        found = sorted(e for key, _ in others for e in examples.get(key, []))[:MAX_EXAMPLES]
        return tuple(Location(p, line) for p, line in found)

    def _expected(self, group: str, path: str, known: list, determined: int) -> Iterator[Hit]:
        min_share = float(self.options["min-share"])
        inside = sum(n for k, n in known if k in self.expected)
        if share(inside, determined) >= min_share:
            return
        others = [(k, n) for k, n in known if k not in self.expected]
        related = self._others(group, others)
        yield Hit(f"{inside} of {determined} records with a {'language value' if self.field else 'detected language'} "
                  f"in {where(group, path)} are in {', '.join(self.expected)} ({share(inside, determined):.1%}, "
                  f"min-share {min_share:.0%}); others: {listing(others)}"
                  + (f"; e.g. {_lines([(r.path, r.line) for r in related])}" if related else ""),
                  path=path, related=related, severity=Severity.WARNING, key=f"{group}|expected")

    def _strays(self, group: str, path: str, known: list, determined: int) -> Iterator[Hit]:
        """A dominant language and a few records in others: usually scraped or untranslated text."""
        dominant = float(self.options["dominant-share"])
        (top, n_top), others = known[0], known[1:]
        if not others or share(n_top, determined) < dominant:
            return  # one language, or a multilingual set on purpose
        n_other = determined - n_top
        related = self._others(group, others)
        yield Hit(f"{n_other} record{'s' * (n_other != 1)} ({share(n_other, determined):.1%}) in {where(group, path)} "
                  f"{'is' if n_other == 1 else 'are'} not in {top!r}, the language of {share(n_top, determined):.1%} of the records: "
                  f"{listing(others)}" + (f"; e.g. {_lines([(r.path, r.line) for r in related])}" if related else "")
                  + " (set expected to say which languages belong)",
                  path=path, related=related, key=f"{group}|strays")


# --------------------------------------------------------------------------- turns


def user_turns(sample: Sample) -> int:
    """Exchanges: runs of consecutive user turns (alpaca's instruction + input is one)."""
    count, previous = 0, None
    for turn in sample.turns:
        if turn.role == "user" and previous != "user":
            count += 1
        previous = turn.role
    return count


def _percentile(histogram: dict[int, int], q: float) -> int:
    total = sum(histogram.values())
    rank, seen = q * (total - 1), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen > rank:
            return value
    return max(histogram)


def histogram_plot(title: str, histogram: dict[int, int], unit: str, limit: float | None,
                   max_bins: int = 30) -> dict[str, Any]:
    """Integer values binned into at most `max_bins` equal-width bins, [low, high) each."""
    low, high = min(histogram), max(histogram) + 1
    width = max(1, -(-(high - low) // max_bins))
    edges = list(range(low, high + width, width))
    if edges[-1] < high:
        edges.append(edges[-1] + width)
    counts = [0] * (len(edges) - 1)
    for value, n in histogram.items():
        counts[(value - low) // width] += n
    return {"kind": "histogram", "title": title, "edges": edges, "counts": counts, "limit": limit, "unit": unit}


@run_rule("B111")
class TurnCount:
    """Turns (user exchanges) per record: the distribution, an expectation, and a few extremes."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.expect = str(options["expect"])
        if self.expect not in ("any", "single", "multi"):
            raise ConfigError(f"rules.B111.expect: expected \"any\", \"single\" or \"multi\", got {self.expect!r}")
        if float(options["extreme-factor"]) <= 1:
            raise ConfigError(f"rules.B111.extreme-factor: must be above 1, got {options['extreme-factor']!r}")
        self.histograms: dict[str, dict[int, int]] = {}  # group -> turns -> records
        self.longest: dict[str, list[tuple[int, str, int]]] = {}  # group -> [(-turns, path, line)]
        self.group_paths: dict[str, str] = {}

    def add(self, sample: Sample, split: str | None) -> None:
        turns = user_turns(sample)
        if turns == 0:
            return  # plain text or a completion without a prompt: no conversation to count
        record = sample.record
        group = split or record.path
        histogram = self.histograms.get(group)
        if histogram is None:
            self.group_paths.setdefault(group, record.path)
            histogram = self.histograms[group] = {}
            self.longest[group] = []
        histogram[turns] = histogram.get(turns, 0) + 1
        longest = self.longest[group]
        if len(longest) < MAX_EXAMPLES:
            longest.append((-turns, record.path, record.line))
            longest.sort()
        elif -turns <= longest[-1][0]:  # else it sorts after the last kept entry: nothing to do
            entry = (-turns, record.path, record.line)
            if entry < longest[-1]:
                longest[-1] = entry
                longest.sort()

    def merge(self, other: "TurnCount") -> None:
        for group, histogram in other.histograms.items():
            add_counts(self.histograms.setdefault(group, {}), histogram)
            self.group_paths.setdefault(group, other.group_paths[group])
            self.longest[group] = _examples(self.longest.get(group, []), other.longest[group])

    def _threshold(self, histogram: dict[int, int]) -> int:
        factor, floor = float(self.options["extreme-factor"]), int(self.options["min-extreme"])
        return max(int(factor * _percentile(histogram, 0.5)), floor)

    def statistics(self) -> dict[str, Any]:
        if not self.histograms:
            return {}
        total: dict[int, int] = {}
        for histogram in self.histograms.values():
            add_counts(total, histogram)
        records = sum(total.values())
        single = total.get(1, 0)
        threshold = self._threshold(total)
        return {"records": records, "min": min(total), "max": max(total),
                "mean": round(sum(k * n for k, n in total.items()) / records, 3),
                "median": _percentile(total, 0.5), "p90": _percentile(total, 0.9), "p99": _percentile(total, 0.99),
                "single-turn": single, "multi-turn": records - single,
                "single-turn-share": round(share(single, records), 6),
                "distribution": {str(k): total[k] for k in sorted(total)},
                "groups": {g: {str(k): h[k] for k in sorted(h)} for g, h in sorted(self.histograms.items())},
                "plots": [histogram_plot("Turns per record", total, "turns",
                                         threshold if max(total) > threshold else None)]}

    def finish(self) -> Iterator[Hit]:
        min_records = int(self.options["min-records"])
        min_share = float(self.options["min-share"])
        max_extreme = float(self.options["max-extreme-share"])
        for group, histogram in sorted(self.histograms.items()):
            records = sum(histogram.values())
            if records < min_records:
                continue
            path = self.group_paths[group]
            single = histogram.get(1, 0)
            if self.expect != "any":
                matching = single if self.expect == "single" else records - single
                if share(matching, records) < min_share:
                    kind = "single-turn (one user message)" if self.expect == "single" else "multi-turn"
                    yield Hit(f"only {matching} of {records} records in {where(group, path)} are {kind} "
                              f"({share(matching, records):.1%}; expect = {self.expect!r}, min-share {min_share:.0%})",
                              path=path, severity=Severity.WARNING, key=f"{group}|expect")
            threshold = self._threshold(histogram)
            extreme = sum(n for turns, n in histogram.items() if turns > threshold)
            if 0 < extreme <= max(1, max_extreme * records):
                examples = [(p, line) for t, p, line in self.longest[group] if -t > threshold]
                yield Hit(f"{extreme} record{'s' * (extreme != 1)} in {where(group, path)} ha{'ve' if extreme != 1 else 's'} "
                          f"more than {threshold} turns (up to {max(histogram)}; median {_percentile(histogram, 0.5)}): "
                          f"e.g. {_lines(examples)}; check for concatenated conversations or a runaway loop",
                          path=path, related=tuple(Location(p, line) for p, line in examples),
                          severity=Severity.INFO, key=f"{group}|extreme")
