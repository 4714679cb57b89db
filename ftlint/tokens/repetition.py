"""Degenerate repetition: a response that is mostly one loop ("Eat a banana!" 2,000 times).

Cheap tests first: seven probes of 12 characters, one of which recurs 3 times in any text that
is half a loop (most answers stop there), then zlib: natural text compresses less than `gate()`
for its length (raw deflate, so short texts pay no header) while a text that is half a loop
compresses more. Past the gate, word n-grams (words and punctuation runs, case-folded): when at
least half the words sit inside an 8-gram that occurs twice, the text is scanned for its longest
stretch repeating with a fixed period of up to 64 words. Texts past the gate are also scanned
for a run of characters repeating with a period of up to 32 ("1326134.0000…" with a thousand
zeros, "hahaha…"), which word n-grams cannot see. The
result is the loop's share of the text, its unit as written and how many times it repeats.
"""
from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

_WORD = re.compile(r"\w+|[^\w\s]+")
MIN_GATE = 1.5
MAX_CHAR_PERIOD = 32
NGRAM = 8
MAX_WORDS = 20_000  # longer texts are judged on their first MAX_WORDS words
MAX_CHARS = 200_000
MAX_PERIOD = 64


@dataclass(frozen=True)
class Loop:
    share: float  # the loop's share of the text (words, or characters for a character loop)
    unit: str  # one repetition, as written
    repeats: int  # consecutive repetitions
    size: int  # words (or characters) the loop covers
    ratio: float  # compression ratio of the whole text


def compression_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    compressed = compressor.compress(data) + compressor.flush()
    return len(data) / max(1, len(compressed))


def find_loop(text: str, min_words: int = 32, min_chars: int = 200, min_share: float = 0.5) -> Loop | None:
    """The longest loop of a text covering at least `min_share` of it; None for ordinary text."""
    text = text[:MAX_CHARS]
    if not _recurs(text):
        return None
    data = text.encode("utf-8", "replace")
    ratio = compression_ratio(data)
    if ratio < gate(len(data)):
        return None
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)][:MAX_WORDS]
    best = None
    if len(spans) >= min_words:
        words = [text[a:b].casefold() for a, b in spans]
        if repeated_share(words, NGRAM) >= min_share:
            covered, start, period = _period_run(words)
            if period:
                first, last = spans[start][0], spans[start + period - 1][1]
                best = Loop(covered / len(words), text[first:last], covered // period, covered, ratio)
    if len(text) >= min_chars:
        covered, start, period = _char_run(text, max(min_chars, int(min_share * len(text))))
        if covered >= min_chars and (best is None or covered / len(text) > best.share):
            best = Loop(covered / len(text), text[start:start + period], covered // period, covered, ratio)
    return best


def cannot_loop(text: str, min_words: int = 32, min_chars: int = 200, min_share: float = 0.5) -> bool:
    """True when no loop can cover `min_share` of the text, so `find_loop` returns None or a loop
    below that share: for long texts, where zlib costs several times this proof.

    A loop covering a share s of the text is a stretch of at least s*N of its N characters (or
    words), and such a stretch holds one whole window of a grid of s*N/2-wide windows. Inside a
    character loop the window equals itself shifted by the period (up to 32). Inside a word loop
    every word equals the one a period (up to 64) later, so the window holds at most 64 distinct
    words: its whitespace-separated tokens that are one word each (all word characters, or none)
    are among them once casefolded as `find_loop` compares them, and two more may be cut at its
    edges. The word regex over the whole text would cost half of zlib, so the grid for words is
    laid out in characters (a word has one at least) with N bounded below by the number of
    whitespace-separated tokens (each holds one word or more). Any piece of a window inside a loop
    passes the same test, so a window's first KB is tested first."""
    text = text[:MAX_CHARS]
    size = len(text)
    if size >= min_chars:  # a character loop: _char_run's periodic stretch
        width = int(min_share * size / 2) - 1
        if width <= 2 * MAX_CHAR_PERIOD:
            return False
        for start in range(0, size - width + 1, width):
            # A window inside a loop is periodic in every piece: its first KB rules most out.
            if _periodic(text, start, start + min(width, 1024)) and _periodic(text, start, start + width):
                return False
    words = min(len(text.split()), MAX_WORDS)  # at most the regex's word count
    if words < min_words or "\u0345" in text:  # (the one character outside \w that casefolds into \w)
        return False
    width = int(min_share * words / 2) - 1  # a word loop: _period_run's stretch of s*N >= s*words words
    if width <= 2 * MAX_PERIOD:
        return False
    for start in range(0, size - width + 1, width):
        if _few_words(text[start:start + min(width, 1024)]) and _few_words(text[start:start + width]):
            return False
    return True


def _periodic(text: str, start: int, end: int) -> bool:
    """Does text[start:end] equal itself shifted by some period up to MAX_CHAR_PERIOD?"""
    return any(text.startswith(text[start:end - period], start + period) for period in range(1, MAX_CHAR_PERIOD + 1))


_ONE_WORD = re.compile(r"(?:\w+|[^\w\s]+)\Z")  # a whitespace-separated token that is one word


def _few_words(piece: str) -> bool:
    """Could `piece` lie inside a word loop: at most MAX_PERIOD distinct casefolded words among
    its whitespace-separated tokens that are one word each, plus two cut at its edges?"""
    return len(list(filter(None, map(_ONE_WORD.match, set(piece.casefold().split()))))) <= MAX_PERIOD + 2


def may_loop(text: str) -> bool:
    """`find_loop`'s first test alone: False means it returns None (a caller can skip the call)."""
    return _recurs(text[:MAX_CHARS])


def _recurs(text: str, probes: int = 7, size: int = 12) -> bool:
    """Does one of 7 evenly spaced 12-character pieces occur 3 times? A loop covering half the
    text contains one of them whole, and it recurs in every repetition; 92% of real answers fail
    this in a few microseconds (str.count), before any compression."""
    length = len(text)
    if length < 2 * size:
        return False
    last, count, parts = length - size, text.count, probes + 1
    for i in range(1, parts):
        start = length * i // parts
        if start > last:
            start = last
        if count(text[start:start + size]) >= 3:
            return True
    return False


recurs = _recurs  # `may_loop` is `recurs(text[:MAX_CHARS])`: a hot caller inlines it


def gate(size: int) -> float:
    """The least compression ratio of a `size`-byte text that is half a loop of 4+ repetitions.

    Measured on natural answers with a loop appended (units of 10-300 characters): the smallest
    ratio was 1.9 at 200 bytes, 2.3 at 400, 2.8 at 1,000, 3.2 at 3,000 and 5.0 at 10,000; the gate
    stays 15% below that fit, while half of natural 1 KB answers compress less than 2.1."""
    return max(MIN_GATE, 0.85 * (0.53 * math.log(max(size, 1)) - 0.9))


def repeated_share(words: list[str], n: int = NGRAM) -> float:
    """Fraction of words inside an n-gram that occurs more than once."""
    if len(words) < n * 2:
        return 0.0
    grams = [hash(tuple(words[i:i + n])) for i in range(len(words) - n + 1)]
    seen: dict[int, int] = {}
    for gram in grams:
        seen[gram] = seen.get(gram, 0) + 1
    covered = bytearray(len(words))
    ones = b"\x01" * n
    for i, gram in enumerate(grams):
        if seen[gram] > 1:
            covered[i:i + n] = ones
    return sum(covered) / len(words)


def _char_run(text: str, wanted: int) -> tuple[int, int, int]:
    """(characters covered, start, period) of the longest run repeating with a period of up to
    MAX_CHAR_PERIOD characters, if one can cover `wanted` characters. numpy compares the text with
    itself shifted by every period at once; a period whose matches are too few to hold such a run
    (ordinary text matches itself shifted at ~6% of positions) is not scanned further."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    chars = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    best = (0, 0, 0)
    if len(chars) <= 2 * MAX_CHAR_PERIOD:
        return best
    window = sliding_window_view(chars, MAX_CHAR_PERIOD + 1)
    matches = (window[:, 1:] == window[:, :1]).sum(axis=0)
    for period in range(1, MAX_CHAR_PERIOD + 1):
        if matches[period - 1] < wanted - period:
            continue
        same = chars[period:] == chars[:-period]
        edges = np.diff(np.concatenate(([0], same.view(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        k = int((ends - starts).argmax())
        covered = int(ends[k] - starts[k]) + period
        if covered > best[0]:
            best = (covered, int(starts[k]), period)
    return best


def _period_run(words: list[str]) -> tuple[int, int, int]:
    """(words covered, start, period) of the longest stretch with words[i] == words[i + period]."""
    best = (0, 0, 0)
    size = len(words)
    for period in range(1, min(MAX_PERIOD, size // 2) + 1):
        run = 0
        for i in range(size - period):
            if words[i] == words[i + period]:
                run += 1
                if run >= period and run + period > best[0]:
                    best = (run + period, i - run + 1, period)
            else:
                run = 0
        if best[0] >= size:  # the whole text is one loop: no longer period can beat it
            break
    return best
