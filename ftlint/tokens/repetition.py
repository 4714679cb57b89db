"""Degenerate repetition: a response that is mostly one loop ("Eat a banana!" 2,000 times).

Cheap tests first, so ordinary responses cost one zlib call: natural text compresses less than
`GATE` (raw deflate, so short texts pay no header) while any text that is mostly a loop
compresses more. Past the gate, word n-grams (words and punctuation runs, case-folded): when at
least half the words sit inside an 8-gram that occurs twice, the text is scanned for its longest
stretch repeating with a fixed period of up to 64 words. A text with few words but an extreme
ratio ("1326134.0000…" with a thousand zeros) is scanned for a repeating run of characters. The
result is the loop's share of the text, its unit as written and how many times it repeats.
"""
from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

_WORD = re.compile(r"\w+|[^\w\s]+")
_CHAR_LOOP = re.compile(r"(.{1,32}?)\1{9,}", re.DOTALL)
MIN_GATE = 1.5
CHAR_GATE = 6.0  # character loops: only texts this compressible are scanned
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


def find_loop(text: str, min_words: int = 32, min_chars: int = 200) -> Loop | None:
    """The longest loop of a text that may be degenerate; None for ordinary text."""
    text = text[:MAX_CHARS]
    data = text.encode("utf-8", "replace")
    ratio = compression_ratio(data)
    if ratio < gate(len(data)):
        return None
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)][:MAX_WORDS]
    best = None
    if len(spans) >= min_words:
        words = [text[a:b].casefold() for a, b in spans]
        if repeated_share(words, NGRAM) >= 0.5:
            covered, start, period = _period_run(words)
            if period:
                first, last = spans[start][0], spans[start + period - 1][1]
                best = Loop(covered / len(words), text[first:last], covered // period, covered, ratio)
    if ratio >= CHAR_GATE and len(text) >= min_chars:
        longest = max(_CHAR_LOOP.finditer(text), key=lambda m: len(m.group(0)), default=None)
        if longest is not None and len(longest.group(0)) >= min_chars:
            share = len(longest.group(0)) / len(text)
            if best is None or share > best.share:
                unit = longest.group(1)
                best = Loop(share, unit, len(longest.group(0)) // len(unit), len(longest.group(0)), ratio)
    return best


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
