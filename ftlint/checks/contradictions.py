"""Family D, contradictions: the same input taught two incompatible ways.

D301 (SFT): one normalised prompt with materially different responses. D302 (KTO, unpaired
preference, stepwise labels): one normalised prompt + completion with different labels. D303
(preference pairs): a chosen/rejected pair that another record with the same prompt reverses.

State is hashes and, for D301, one compact response fingerprint per record (about 90 bytes,
never text): a b-bit MinHash of character 4-grams, small Bloom filters of the words, numbers and
names, and a few flags (leading yes/no, negation parity). Records are grouped as in D101: the files
of one split, or a single file that is in no split. Members are kept in the order they were added,
so merging per-file states replays exactly what one state fed every record would have seen.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..model import Hit, Location, Sample, Turn
from ..registry import RunContext, run_rule
from ..textview import Normalisation, normalise, view
from .duplicates import LocationTable

SFT_FORMATS = ("openai-chat", "prompt-completion", "alpaca", "sharegpt")
LABELLED_FORMATS = ("chat-kto", "trl-unpaired-preference", "alpaca", "sharegpt", "trl-stepwise")
PREFERENCE_FORMATS = ("openai-dpo", "sharegpt-preference", "trl-preference", "alpaca-preference")

_LOCATION_BITS = 64  # a member is (payload << 64) | packed location
_LOCATION_MASK = (1 << _LOCATION_BITS) - 1
SYSTEM_ROLES = frozenset({"system", "developer"})


def _digest(*parts: str) -> int:
    data = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _joined(turns: Iterable[Turn], roles: frozenset[str] | None, how: Normalisation) -> str:
    return normalise("\n".join(t.text for t in turns if t.text and (roles is None or t.role in roles)), how)


def _context(sample: Sample, how: Normalisation, with_system: bool) -> str:
    """The prompt a record answers: user and tool turns, with the system prompt unless told not to.

    A different system prompt ("answer in French", another persona) legitimately changes the
    answer, so by default records are only compared when their system prompts match too.
    """
    key = ("contradictions.context", how, with_system)
    cached = sample.cache.get(key)
    if cached is None:
        system = _joined(sample.turns, SYSTEM_ROLES, how) if with_system else ""
        # Earlier assistant turns of a multi-turn prompt are part of what is being answered.
        earlier = _joined(sample.turns, frozenset({"assistant"}), how) if sample.chosen is not None else ""
        cached = sample.cache[key] = "\x1e".join((system, view(sample, "prompt", how), earlier))
    return cached


class _Members:
    """Per group and key: the first member as one int; every member once the key repeats."""

    def __init__(self) -> None:
        self.locations = LocationTable()
        self.first: dict[str, dict[int, int]] = {}
        self.repeats: dict[tuple[str, int], list[int]] = {}

    def add(self, group: str, key: int, path: str, line: int, payload: int) -> None:
        member = (payload << _LOCATION_BITS) | self.locations.pack(path, line)
        firsts = self.first.setdefault(group, {})
        first = firsts.get(key)
        if first is None:
            firsts[key] = member
        else:
            self.repeats.setdefault((group, key), [first]).append(member)

    def merge(self, other: "_Members") -> None:
        for group, firsts in other.first.items():
            for key, first in firsts.items():
                for member in other.repeats.get((group, key), [first]):
                    location = other.locations.unpack(member & _LOCATION_MASK)
                    self.add(group, key, location.path, location.line or 0, member >> _LOCATION_BITS)

    def groups(self) -> Iterator[tuple[int, list[tuple[Location, int]]]]:
        """(key, [(location, payload)]) for every key seen more than once, in a stable order."""
        found = []
        for (_, key), members in self.repeats.items():
            found.append((key, [(self.locations.unpack(m & _LOCATION_MASK), m >> _LOCATION_BITS) for m in members]))
        found.sort(key=lambda item: (item[1][0][0].path, item[1][0][0].line or 0))
        yield from found


def _where(location: Location, other: Location) -> str:
    return f"line {location.line}" if location.path == other.path else str(location)


# --------------------------------------------------------------------------- D301 fingerprints

# CJK ideographs and kana are written without spaces: each counts as a word of its own.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+(?:'(?:(?![{_CJK}])\w)+)*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# The same substitutions, faster: on ASCII text no CJK character can occur (so no look-ahead per
# character), a thousands comma is matched from its digit on (a leading lookbehind makes the
# regex engine try every position), and every closer contains "hope" or "questions".
_ASCII_WORD = re.compile(r"\w+(?:'\w+)*")
_THOUSANDS_FROM_DIGIT = re.compile(r"(\d),(?=\d{3}\b)")
# Politeness around an answer is not its substance ("Sure! ...", "... Hope this helps!").
_OPENERS = re.compile(r"^(?:(?:sure|certainly|of course|okay|ok|good question|great question|no problem|"
                      r"happy to help|here you go|here is the answer|here's the answer)\b\W*)+")
_CLOSERS = re.compile(r"(?:\W+(?:i hope (?:this|that) helps|hope (?:this|that) helps|"
                      r"let me know if you have (?:any )?(?:more |other |further )?questions|"
                      r"feel free to ask if you have (?:any )?(?:more |other |further )?questions))+\W*$")
_NEGATIONS = frozenset({"not", "no", "never", "nothing", "none", "nobody", "neither", "nor",
                        "nowhere", "without"})
_CONTRACTED = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "is", "cannot": "can"}
_NEGATION_COUNTS = {word: 1 for word in _NEGATIONS | {"cannot"}}  # "n't" forms are counted apart
_YES = frozenset({"yes", "yeah", "yep", "yup", "correct", "indeed", "absolutely"})
_NO = frozenset({"no", "nope", "nah", "incorrect"})
# A capitalised word that does not start a sentence is taken for a name ("Canberra", "Python").
_LETTERED = re.compile(r"(?<![\w'’])[^\W\d_a-z][\w'’-]*")  # not lowercase ASCII: the common case
_SENTENCE_START = frozenset(".!?:;\n\"'“”‘’(*#>-|")

_PERMUTATIONS = 128  # MinHash values; 2 bits of each are kept (b-bit MinHash)
_MATCH_BY_CHANCE = 0.25  # two unrelated 2-bit values agree 1 time in 4
_BLOOM_BITS = 128
_FACT_BITS = 128
_SHORT_MAX = 4  # words of a short answer kept (as 15-bit hashes): short-answer-words is capped here
_SHORT_HASH_BITS = 15
_MAX_SHINGLES = (1 << 16) - 1
# Containment (the share of the smaller 4-gram set inside the larger) is estimated from the Jaccard
# estimate and the set sizes only for sizes within a factor 3: its error grows with the ratio (sd
# about 0.05 at 1, 0.08 at 2, 0.13 at 3), beyond which it is noise.
_CONTAINMENT_RATIO = 3.0


def _constants(label: str, count: int) -> np.ndarray:
    """Fixed odd 64-bit multipliers derived from a label: fingerprints are cached on disk, so
    they must not depend on the process (no `hash()`) or on numpy's random stream."""
    data = b"".join(hashlib.blake2b(f"{label}:{i}".encode(), digest_size=8).digest() for i in range(count))
    return np.frombuffer(data, dtype="<u8").astype(np.uint64) | np.uint64(1)


_MUL = _constants("ftlint-minhash-mul", _PERMUTATIONS)
_ADD = _constants("ftlint-minhash-add", _PERMUTATIONS)
_ROLL = _constants("ftlint-shingle", 4)


def _word_bits(word: str, bits: int) -> int:
    """Two bits of a Bloom filter for `word` (two hashes keep sparse filters nearly exact)."""
    digest = int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
    return (1 << (digest & 0xFFFFFFFF) % bits) | (1 << (digest >> 32) % bits)


@functools.lru_cache(maxsize=1 << 16)
def _bloom_bits(word: str) -> int:
    return _word_bits(word, _BLOOM_BITS)


@functools.lru_cache(maxsize=1 << 12)
def _fact_bits(word: str) -> int:
    return _word_bits(word, _FACT_BITS)


def _base_word(token: str) -> str:
    if token in _CONTRACTED:
        return _CONTRACTED[token]
    if token.endswith("n't"):
        return token[:-3]
    return token.split("'")[0] if "'" in token else token  # it's, you're: the clitic is no content


def _minhash(text: str) -> tuple[int, int, int]:
    """b-bit MinHash (b = 2) of the character 4-grams of `text`: low bits, high bits (128 each) and
    the number of distinct 4-grams."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    if len(codes) < 4:
        codes = np.concatenate([codes, np.zeros(4 - len(codes), dtype=np.uint64)])
    shingles = (codes[:-3] * _ROLL[0] + codes[1:-2] * _ROLL[1] + codes[2:-1] * _ROLL[2] + codes[3:] * _ROLL[3])
    shingles = np.sort(shingles ^ (shingles >> np.uint64(29)))
    shingles = shingles[np.concatenate(([True], shingles[1:] != shingles[:-1]))]  # distinct (np.unique is slower)
    # Multiply-shift hashing: a*x + b (mod 2^64) for 128 odd multipliers; bits 32-33 of each minimum
    # are kept (the high half of a multiply-shift hash is the well-mixed one).
    products = np.multiply.outer(shingles, _MUL)
    products += _ADD
    minima = products.min(axis=0) >> np.uint64(32)
    low = int.from_bytes(np.packbits((minima & np.uint64(1)).astype(np.uint8)).tobytes(), "big")
    high = int.from_bytes(np.packbits(((minima >> np.uint64(1)) & np.uint64(1)).astype(np.uint8)).tobytes(), "big")
    return low, high, len(shingles)


def _starts_sentence(text: str, index: int) -> bool:
    index -= 1
    while index >= 0 and text[index] in " \t":
        index -= 1
    return index < 0 or text[index] in _SENTENCE_START


class Fingerprint:
    """What D301 keeps of one response, packed into a single int (about 90 bytes, no text).

    Layout from bit 0: MinHash low bits (128), MinHash high bits (128), Bloom filters of the words,
    the numbers and the names (128 each), a short-answer flag with the hashes of its words
    (1 + 4 x 15), the number of distinct 4-grams (16), polarity (2: 0 none, 1 yes, 2 no), negation
    parity (1), caseless (1).
    """

    __slots__ = ("low", "high", "words", "numbers", "names", "short", "shingles", "polarity", "negated", "caseless")
    _FIELDS = (("low", _PERMUTATIONS), ("high", _PERMUTATIONS), ("words", _BLOOM_BITS), ("numbers", _FACT_BITS),
               ("names", _FACT_BITS), ("short", 1 + _SHORT_MAX * _SHORT_HASH_BITS), ("shingles", 16), ("polarity", 2),
               ("negated", 1), ("caseless", 1))

    def __init__(self, **values: int) -> None:
        for name, _ in self._FIELDS:
            setattr(self, name, values.get(name, 0))

    def pack(self) -> int:
        packed, shift = 0, 0
        for name, width in self._FIELDS:
            packed |= (getattr(self, name) & ((1 << width) - 1)) << shift
            shift += width
        return packed

    @classmethod
    def unpack(cls, packed: int) -> "Fingerprint":
        values, shift = {}, 0
        for name, width in cls._FIELDS:
            values[name] = (packed >> shift) & ((1 << width) - 1)
            shift += width
        return cls(**values)

    @classmethod
    def of(cls, raw: str, short_words: int = 3) -> "Fingerprint":
        """Responses are always compared without case, punctuation, whitespace or politeness
        ("Sure! ...", "... Hope this helps!"): none of these is substance."""
        raw = unicodedata.normalize("NFKC", raw) if not raw.isascii() else raw
        text = normalise(raw).replace("\u2019", "'")
        if "," in text:
            text = _THOUSANDS_FROM_DIGIT.sub(r"\1", text)  # _THOUSANDS.sub("", text)
        body = _OPENERS.sub("", text)
        if "hope" in body or "questions" in body:
            body = _CLOSERS.sub("", body)
        tokens = (_ASCII_WORD if body.isascii() else _WORD).findall(body)
        polarity = 0
        if tokens and (tokens[0] in _YES or tokens[0] in _NO):
            polarity = 1 if tokens[0] in _YES else 2
            tokens = tokens[1:]  # "Yes." agrees with "Yes, whales are mammals."
        # Set operations and C-level maps: this runs once per record of the dataset.
        distinct = set(tokens)
        negations = sum(map(_NEGATION_COUNTS.get, tokens, itertools.repeat(0)))
        if "'" in text:
            negations += sum(tokens.count(token) for token in distinct if token.endswith("n't"))
        content = distinct - _NEGATIONS
        if "'" in text or "cannot" in content:
            content = set(map(_base_word, content))  # can't -> can, isn't -> is, it's -> it
        words = functools.reduce(operator.or_, map(_bloom_bits, content), 0)
        numbers = functools.reduce(operator.or_, map(_fact_bits, filter(str.isdigit, content)), 0)
        caseless = raw.lower() == raw or raw.upper() == raw
        short = 0
        if len(tokens) + (polarity > 0) <= min(short_words, _SHORT_MAX):
            short = 1  # bit 0 marks a short answer; the hashes of its words follow
            for i, token in enumerate(sorted(distinct)):
                digest = int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=4)
                                        .digest(), "little")
                short |= ((digest % ((1 << _SHORT_HASH_BITS) - 1)) + 1) << (1 + _SHORT_HASH_BITS * i)
        low, high, shingles = _minhash(" " + " ".join(tokens) + " ")
        return cls(low=low, high=high, words=words, numbers=numbers, names=0 if caseless else cls._names(raw),
                   short=short, shingles=min(shingles, _MAX_SHINGLES), polarity=polarity, negated=negations & 1,
                   caseless=int(caseless))

    @staticmethod
    def _names(raw: str) -> int:
        names = 0
        for match in _LETTERED.finditer(raw):
            word = match.group(0)
            if not word[0].isupper() or word == "I" or word.startswith(("I'", "I’")):
                continue
            if (len(word) < 2 or not word.isupper()) and _starts_sentence(raw, match.start()):
                continue  # a sentence starts with a capital; acronyms count anywhere
            token = word.casefold().replace("’", "'").split("'")[0]
            names |= _fact_bits(token)
        return names

    def similarity(self, other: "Fingerprint") -> float:
        """Estimated Jaccard similarity of the two responses' character 4-gram sets."""
        mask = (1 << _PERMUTATIONS) - 1
        agree = (~(self.low ^ other.low) & ~(self.high ^ other.high) & mask).bit_count() / _PERMUTATIONS
        return max(0.0, (agree - _MATCH_BY_CHANCE) / (1 - _MATCH_BY_CHANCE))

    def short_words(self) -> set[int]:
        mask = (1 << _SHORT_HASH_BITS) - 1
        return {(self.short >> (1 + _SHORT_HASH_BITS * i)) & mask for i in range(_SHORT_MAX)} - {0}

    def conflict(self, other: "Fingerprint", max_similarity: float, min_containment: float = 0.8) -> str | None:
        """Why two responses to one prompt disagree in substance, or None when they agree.

        A response holding `min_containment` of the other's 4-grams elaborates on it ("Paris." /
        "Paris. It is also the largest city.") rather than contradicting it."""
        if self.polarity and other.polarity and self.polarity != other.polarity:
            return "one answers yes, the other no"
        if self.short and other.short:
            # Labels ("positive" / "negative", "A" / "B") differ when they differ at all; one
            # that only adds a word to the other ("Paris" / "Paris, France") does not.
            if self.negated != other.negated:
                return "one negates the other"
            mine, theirs = self.short_words(), other.short_words()
            return None if mine <= theirs or theirs <= mine else "different short answers"
        if self.short or other.short:
            short, long = (self, other) if self.short else (other, self)
            # A label inside a longer answer ("positive" / "The review is positive.") agrees with it.
            return None if short.words & ~long.words == 0 else "the short answer is not in the longer one"
        if (self.numbers & ~other.numbers) and (other.numbers & ~self.numbers):
            return "different numbers"
        if not (self.caseless or other.caseless) and (self.names & ~other.names) and (other.names & ~self.names):
            return "different names"
        if self.negated != other.negated and self.words == other.words:
            return "one negates the other"
        similarity = self.similarity(other)
        if similarity >= max_similarity or self.containment(other, similarity) >= min_containment:
            return None
        return f"about {similarity:.0%} of their wording is shared"

    def containment(self, other: "Fingerprint", similarity: float) -> float:
        """Estimated share of the smaller 4-gram set inside the larger one (0 when unreliable)."""
        small, large = sorted((max(self.shingles, 1), max(other.shingles, 1)))
        if large > _CONTAINMENT_RATIO * small or large == _MAX_SHINGLES:
            return 0.0
        return min(1.0, similarity * (small + large) / ((1 + similarity) * small))


# --------------------------------------------------------------------------- rules


class _ContradictionRule:
    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.how = Normalisation.from_options(options)
        self.with_system = bool(options.get("match-system-prompt", True))
        self.members = _Members()
        self.records = 0  # records the rule compared

    def _add(self, sample: Sample, split: str | None, key: int, payload: int) -> None:
        record = sample.record
        self.records += 1
        self.members.add(split or record.path, key, record.path, record.line, payload)

    def merge(self, other: "_ContradictionRule") -> None:
        self.members.merge(other.members)
        self.records += other.records

    def finish(self) -> Iterator[Hit]:
        raise NotImplementedError

    def statistics(self) -> dict[str, Any]:
        """Records compared, inputs seen more than once, and how many of those contradict."""
        if not self.records:
            return {}  # the rule saw no record of its formats: nothing to say
        return {"records": self.records, "repeated": len(self.members.repeats),
                "conflicting": sum(1 for _ in self.finish())}


@run_rule("D301", formats=SFT_FORMATS)
class ConflictingResponses(_ContradictionRule):
    """Same prompt, materially different responses (supervised fine-tuning data)."""

    def add(self, sample: Sample, split: str | None) -> None:
        if sample.chosen is not None or _label(sample) is not None:
            return  # preference pairs and KTO-labelled records are D302/D303's
        prompt = view(sample, "prompt", self.how)
        response = "\n".join(t.text for t in sample.turns if t.role == "assistant" and t.text)
        if not prompt.strip() or not response.strip():
            return
        fingerprint = Fingerprint.of(response, int(self.options.get("short-answer-words", 3)))
        self._add(sample, split, _digest(_context(sample, self.how, self.with_system)), fingerprint.pack())

    def finish(self) -> Iterator[Hit]:
        max_similarity = float(self.options.get("max-similarity", 0.5))
        min_containment = float(self.options.get("min-containment", 0.8))
        for key, members in self.members.groups():
            leaders: list[Fingerprint] = []
            reason = None
            for _, packed in members:
                fingerprint = Fingerprint.unpack(packed)
                conflicts = [fingerprint.conflict(leader, max_similarity, min_containment) for leader in leaders]
                if all(conflicts):
                    reason = reason or (conflicts[0] if conflicts else None)
                    leaders.append(fingerprint)
            if len(leaders) < 2:
                continue
            first = members[0][0]
            yield Hit(f"the same prompt has {len(leaders)} materially different responses in {len(members)} "
                      f"records ({reason}); see the related locations",
                      path=first.path, line=first.line, related=tuple(m for m, _ in members[1:]),
                      key=f"{key:016x}")


def _label(sample: Sample) -> Any:
    if sample.label is not None:
        return sample.label
    if sample.format == "sharegpt" and isinstance(sample.data, dict):
        return sample.data.get("kto_tag")  # LLaMA-Factory's KTO tag on ShareGPT records
    return None


_MAX_LABEL_TEXTS = 256  # classes are few; per-record step-label lists are shown by hash past this


def _label_text(label: Any) -> str:
    try:
        text = json.dumps(label, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(label)
    return text if len(text) <= 60 else text[:57] + "..."


@run_rule("D302", formats=LABELLED_FORMATS)
class ConflictingLabels(_ContradictionRule):
    """Same prompt and completion, different labels (KTO, unpaired preference, step labels)."""

    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self.labels: dict[int, str] = {}  # label hash -> how to show it (true, false, a class name)

    def add(self, sample: Sample, split: str | None) -> None:
        label = _label(sample)
        if label is None:
            return
        text = _label_text(label)
        digest = _digest(text) & 0xFFFFFFFF
        if len(self.labels) < _MAX_LABEL_TEXTS:
            self.labels.setdefault(digest, text)
        response = _joined(sample.turns, frozenset({"assistant", "text"}), self.how)
        self._add(sample, split, _digest(_context(sample, self.how, self.with_system), response), digest)

    def merge(self, other: "ConflictingLabels") -> None:
        super().merge(other)
        for digest, text in other.labels.items():
            if len(self.labels) < _MAX_LABEL_TEXTS:
                self.labels.setdefault(digest, text)

    def finish(self) -> Iterator[Hit]:
        for key, members in self.members.groups():
            by_label: dict[int, list[Location]] = {}
            for location, label in members:
                by_label.setdefault(label, []).append(location)
            if len(by_label) < 2:
                continue
            first = members[0][0]
            parts = []
            for label, where in by_label.items():
                lines = ", ".join(_where(w, first) for w in where[:3])
                lines += f" and {len(where) - 3} more" if len(where) > 3 else ""
                parts.append(f"{self.labels.get(label, f'label #{label:08x}')} ({lines})")
            yield Hit(f"the same prompt and completion carry {len(by_label)} different labels: {'; '.join(parts)}",
                      path=first.path, line=first.line, related=tuple(m for m, _ in members[1:]), key=f"{key:016x}")


@run_rule("D303", formats=PREFERENCE_FORMATS)
class SwappedPreference(_ContradictionRule):
    """A chosen/rejected pair that another record with the same prompt prefers the other way."""

    def add(self, sample: Sample, split: str | None) -> None:
        if sample.chosen is None or sample.rejected is None:
            return
        chosen = _joined(sample.chosen, None, self.how)
        rejected = _joined(sample.rejected, None, self.how)
        if chosen == rejected or not chosen.strip() or not rejected.strip():
            return  # an identical or empty pair has nothing to reverse
        context = _context(sample, self.how, self.with_system)
        first, second = sorted((chosen, rejected))
        self._add(sample, split, _digest(context, first, second), int(chosen == first))

    def finish(self) -> Iterator[Hit]:
        for key, members in self.members.groups():
            ways = {orientation for _, orientation in members}
            if len(ways) < 2:
                continue
            first_location, first_way = members[0]
            reversed_ = [m for m, way in members if way != first_way]
            listed = ", ".join(_where(m, first_location) for m in reversed_[:3])
            more = f" and {len(reversed_) - 3} more" if len(reversed_) > 3 else ""
            yield Hit(f"chosen and rejected are swapped in {len(reversed_)} other record"
                      f"{'s' * (len(reversed_) != 1)} with the same prompt ({listed}{more}); "
                      f"{len(members) - len(reversed_)} of {len(members)} records prefer this record's chosen answer",
                      path=first_location.path, line=first_location.line,
                      related=tuple(m for m, _ in members[1:]), key=f"{key:016x}")


