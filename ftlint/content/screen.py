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
    from re._constants import AT, ASSERT, ASSERT_NOT, BRANCH, LITERAL, SUBPATTERN  # type: ignore
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]
    from sre_constants import AT, ASSERT, ASSERT_NOT, BRANCH, LITERAL, SUBPATTERN  # type: ignore

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


class PhraseSet:
    """A list of patterns searched as one case-insensitive alternation, behind a literal screen."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
        screens: set[str] | None = set()
        for pattern in patterns:
            found = literal_prefixes(pattern)
            if found is None:
                screens = None
                break
            screens |= {p[:SCREEN_CHARS] for p in found}
        # "i am " present is implied by "i am unable to" present: keep the shortest prefixes only
        self.screens = tuple(sorted(p for p in screens if not any(q != p and p.startswith(q) for q in screens))
                             ) if screens is not None else None

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


@functools.lru_cache(maxsize=64)
def phrase_set(patterns: tuple[str, ...]) -> PhraseSet:
    return PhraseSet(patterns)
