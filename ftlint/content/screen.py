"""Phrase patterns with a cheap literal screen, so a list of case-insensitive regular
expressions costs a few substring searches on the many texts that contain none of them.

Python's `re` tries every alternative at every position of the text; with a dozen phrase
patterns and `IGNORECASE` that is ~0.5 ms for a 600-character response. Most phrase patterns
start with a literal ("as of my", "i'm sorry", "the latest") or a choice of literals; those
prefixes are read from the compiled pattern's parse tree (the stdlib's own `re` parser) and
searched for with `str.__contains__` in the lower-cased text. Only when one occurs is the real
pattern run. A pattern without such a prefix (it starts with a character class or a repeat)
switches the screen off for its list: the screen may only ever skip texts the patterns cannot
match, so user-supplied patterns stay exact.
"""
from __future__ import annotations

import functools
import re
from typing import Any

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
    from re._constants import (AT, AT_BEGINNING, AT_BEGINNING_STRING, AT_BOUNDARY, ASSERT,  # type: ignore
                               ASSERT_NOT, BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN)
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]
    from sre_constants import (AT, AT_BEGINNING, AT_BEGINNING_STRING, AT_BOUNDARY, ASSERT,  # type: ignore
                               ASSERT_NOT, BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN)

MIN_PREFIX = 2  # a one-letter prefix screens nothing
SCREEN_CHARS = 10  # prefixes are cut to this length: fewer, shorter substring searches


MAX_PREFIXES = 256  # literal combinations followed through groups before stopping


def _prefixes(items: Any) -> tuple[set[str], bool]:
    """(lower-cased literal strings one of which every match starts with, whether the whole
    sequence was literal). Zero-width items (\\b, lookarounds) are skipped; groups and
    alternations multiply the prefixes and are followed while every alternative is literal."""
    heads = {""}
    for op, value in items:
        if op in (AT, ASSERT, ASSERT_NOT):
            continue
        if op is LITERAL:
            heads = {h + chr(value).lower() for h in heads}
            continue
        if op is SUBPATTERN or op is BRANCH:
            extended: set[str] = set()
            complete = True
            for alternative in ([value[-1]] if op is SUBPATTERN else value[1]):
                tails, whole = _prefixes(alternative)
                extended |= {h + t for h in heads for t in tails}
                complete = complete and whole
            heads = extended
            if not complete or len(heads) > MAX_PREFIXES:
                return heads, False
            continue
        return heads, False
    return heads, True


def literal_prefixes(pattern: str) -> set[str] | None:
    try:
        found, _ = _prefixes(_sre_parse.parse(pattern, re.IGNORECASE))
    except Exception:  # an unusual construct: no screen, the pattern still runs
        return None
    if any(len(p) < MIN_PREFIX for p in found):
        return None
    return found


_MARK = "\x00"  # a word boundary (or the start of the text) in a pattern's expanded start
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")  # \w on ASCII, lower-cased


def _first_word(head: str) -> str | None | bool:
    """The word a match starting with `head` opens with; None while `head` may still extend it;
    False when it cannot be told (no boundary before the word, a non-word or non-ASCII start)."""
    core = head.lstrip(_MARK)
    if not core:
        return None
    if len(core) == len(head) or core[0] not in _WORD_CHARS:
        return False
    end = 0
    while end < len(core) and core[end] in _WORD_CHARS:
        end += 1
    if end == len(core):
        return None
    following = core[end]
    if following == _MARK or (following.isascii() and following not in _WORD_CHARS):
        return core[:end]
    return False


def _walk(items: Any, heads: set[str]) -> set[str] | None:
    """Expand `heads` through the pattern items until each one's first word is told (see
    `_first_word`); None when some cannot be."""
    for op, value in items:
        pending = {h for h in heads if _first_word(h) is None}
        if not pending:
            return heads
        done = heads - pending
        extended: set[str] | None
        if op is AT:
            if value not in (AT_BOUNDARY, AT_BEGINNING, AT_BEGINNING_STRING):
                return None
            extended = {h + _MARK for h in pending}
        elif op is ASSERT or op is ASSERT_NOT:
            extended = pending
        elif op is LITERAL:
            extended = {h + chr(value).lower() for h in pending}
        elif op is SUBPATTERN:
            extended = _walk(value[-1], pending)
        elif op is BRANCH:
            extended = set()
            for alternative in value[1]:
                tails = _walk(alternative, pending)
                if tails is None:
                    return None
                extended |= tails
        elif (op is MAX_REPEAT or op is MIN_REPEAT) and value[0] == 0 and value[1] == 1:
            once = _walk(value[2], pending)  # an optional item: with it or without it
            extended = None if once is None else pending | once
        else:
            return None
        if extended is None or any(_first_word(h) is False for h in extended):
            return None
        heads = done | extended
        if len(heads) > MAX_PREFIXES:
            return None
    return heads


def first_words(pattern: str) -> frozenset[str] | None:
    """Lower-case words one of which, as a whole word, every match of `pattern` (case-insensitive)
    opens with; None when the pattern's start does not settle that."""
    try:
        heads = _walk(_sre_parse.parse(pattern, re.IGNORECASE), {""})
    except Exception:  # an unusual construct: no word screen
        return None
    if heads is None:
        return None
    words = {_first_word(h) for h in heads}
    if any(not isinstance(w, str) for w in words):
        return None
    return frozenset(words)  # type: ignore[arg-type]


# ASCII bytes: letters lower-cased, other word characters kept, everything else a separator
_WORD_TABLE = bytes(c + 32 if 65 <= c <= 90 else c if chr(c) in _WORD_CHARS else 32 for c in range(256))


def text_words(text: str) -> frozenset[bytes] | None:
    """The words (runs of \\w, lower-cased) of an ASCII text, for `PhraseSet.absent`; None for
    other text (lower-casing may move positions there; the substring screen handles it)."""
    if not text.isascii():
        return None
    return frozenset(text.encode("ascii").translate(_WORD_TABLE).split())


MAX_SCREEN_WORDS = 4096  # words screened for over all phrase lists; a list beyond that has no word screen
_screened: frozenset[bytes] = frozenset()  # the words of every PhraseSet's word screen
_version = 0  # bumped whenever `_screened` grows


def screen_words(text: str) -> frozenset[bytes] | None:
    """The words of `text_words(text)` that some phrase list screens for: what `absent` needs, at
    the cost of a look-up per word instead of building the set of all words (most texts: none).
    Valid for `PhraseSet`s created before the call (`_version` tells when that changes)."""
    if not text.isascii():
        return None
    return _screened.intersection(text.encode("ascii").translate(_WORD_TABLE).split())


def ascii_screen_words(text: str) -> frozenset[bytes]:
    """`screen_words` of a text known to be ASCII."""
    return _screened.intersection(text.encode("ascii").translate(_WORD_TABLE).split())


def _register(words: frozenset[bytes]) -> bool:
    global _screened, _version
    if words <= _screened:
        return True
    if len(_screened | words) > MAX_SCREEN_WORDS:
        return False
    _screened = _screened | words
    _version += 1
    return True


def _map(found: Any, convert: Any) -> set | None:
    return None if found is None else {convert(item) for item in found}


def _union_of(patterns: tuple[str, ...], screen_of: Any) -> set | None:
    """The union of every pattern's screen set, or None when one pattern cannot be screened
    (then no screen is safe for the list)."""
    union: set = set()
    for pattern in patterns:
        found = screen_of(pattern)
        if found is None:
            return None
        union |= found
    return union


class PhraseSet:
    """A list of patterns searched as one case-insensitive alternation, behind a literal screen."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
        screens = _union_of(patterns, lambda pattern: _map(literal_prefixes(pattern), lambda p: p[:SCREEN_CHARS]))
        # "i am " present is implied by "i am unable to" present: keep the shortest prefixes only
        self.screens = tuple(sorted(p for p in screens if not any(q != p and p.startswith(q) for q in screens))
                             ) if screens is not None else None
        words = _union_of(patterns, lambda pattern: _map(first_words(pattern), lambda w: w.encode("ascii")))
        self.words = frozenset(words) if words is not None and _register(frozenset(words)) else None

    def absent(self, words: frozenset[bytes] | None) -> bool:
        """True when a text with these `text_words` (or `screen_words`) cannot match (False: it
        may, search it)."""
        return self.regex is None or (words is not None and self.words is not None and self.words.isdisjoint(words))

    def may_match(self, lowered: str) -> bool:
        return self.screens is None or any(s in lowered for s in self.screens)

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        if self.regex is None:
            return None
        if self.screens is not None and not self.may_match(lowered if lowered is not None else text.lower()):
            return None
        return self.regex.search(text)

    def finditer(self, text: str, lowered: str | None = None) -> list[re.Match[str]]:
        if self.regex is None:
            return []
        if self.screens is not None and not self.may_match(lowered if lowered is not None else text.lower()):
            return []
        return list(self.regex.finditer(text))


def either_words(*sets: PhraseSet) -> frozenset[bytes] | None:
    """One word screen for "all these lists are `absent`": the union of their words (a list
    without patterns adds none), or None when one of them has no word screen."""
    union: frozenset[bytes] = frozenset()
    for phrases in sets:
        if phrases.regex is not None:
            if phrases.words is None:
                return None
            union |= phrases.words
    return union


@functools.lru_cache(maxsize=64)
def phrase_set(patterns: tuple[str, ...]) -> PhraseSet:
    return PhraseSet(patterns)
