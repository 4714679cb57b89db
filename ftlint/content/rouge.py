"""ROUGE-L as Self-Instruct computes it, and the bound that lets an index find its pairs.

Self-Instruct keeps a generated instruction only if its ROUGE-L F-measure against every kept one
is below 0.7 (`rouge_score.RougeScorer(["rougeL"], use_stemmer=False)`). rouge_score lower-cases,
keeps runs of `[a-z0-9]` as tokens, and scores F = 2 * LCS / (m + n) for token counts m and n
(precision LCS/m and recall LCS/n combined with beta = 1). Here tokens are runs of Unicode letters
and digits, case-folded: identical to rouge_score on ASCII text (checked on 4,868 random pairs of
Alpaca instructions: every score equal), and it keeps accented and non-Latin words, which
rouge_score silently drops (a German or Chinese prompt scores 0 there).

The LCS is computed bit-parallel (Hyyro 2004): one big-integer add, subtract, and/or per token
of the second text, so two 1,000-token prompts cost ~1 ms instead of a million-cell table.

Recall bound used by Q201: an LCS is a common sub-multiset, so LCS <= |A n B| (multiset
intersection) and F <= Dice(A, B) = 2|A n B| / (m + n). Dice = 2J / (1 + J) for the Jaccard J of
the same multisets, so F >= t implies J >= t / (2 - t) (0.538 at t = 0.7). Writing the k-th
occurrence of a token as `token#k` turns multisets into sets, which a MinHash index over word
unigrams can search at that Jaccard threshold.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: rouge_score splits on "_" too


def tokens(text: str) -> list[str]:
    """Case-folded word tokens (rouge_score's tokens on ASCII text, see the module docstring)."""
    return _TOKEN.findall(text.casefold())


# Counting without building strings (Q402 looks at every exchange, and almost all fail its length
# test): on ASCII text map the characters of a unit to "a" and the rest to " ", then count the
# places where a unit starts (" a", plus one when the text opens with one).
_ALNUM = bytes(97 if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
_NOT_SPACE = bytes(32 if chr(c).isspace() and c < 128 else 97 for c in range(256))


def _starts(mapped: bytes) -> int:
    return mapped.count(b" a") + (mapped[:1] == b"a")


def token_count(text: str) -> int:
    """len(tokens(text))"""
    if text.isascii():  # tokens are then the runs of [A-Za-z0-9]
        return _starts(text.encode("ascii").translate(_ALNUM))
    return len(tokens(text))


def word_count(text: str) -> int:
    """len(text.split()): ASCII whitespace is str.isspace's, \\x1c-\\x1f included."""
    if text.isascii():
        return _starts(text.encode("ascii").translate(_NOT_SPACE))
    return len(text.split())


def first_token_new(text: str, other: str) -> bool:
    """True when the first token of `text` is certainly not a token of `other`: it does not even
    occur in `other` case-folded. False when that cannot be told cheaply. (Case folding goes
    character by character, so a head of `text` folds to a head of the folded text.)"""
    head = text[:64].casefold()
    match = _TOKEN.search(head)
    if match is None or (match.end() == len(head) and len(text) > 64):
        return False  # no token in the head, or one the head may cut short
    return match.group() not in other.casefold()


def new_words_exceed(text: str, known: set[str], most: int) -> bool:
    """Whether more than `most` distinct tokens of `text` are not in `known`, reading tokens only
    until that is settled (an answer's first word usually is new)."""
    if most < 0:
        return True
    new: set[str] = set()
    for match in _TOKEN.finditer(text.casefold()):
        word = match.group()
        if word not in known and word not in new:
            new.add(word)
            if len(new) > most:
                return True
    return False


def occurrence_text(words: Sequence[str]) -> str:
    """The tokens as a set: the k-th occurrence (k >= 2) of a token becomes `token#k`."""
    seen: dict[str, int] = {}
    out = []
    for word in words:
        k = seen[word] = seen.get(word, 0) + 1
        out.append(word if k == 1 else f"{word}#{k}")
    return " ".join(out)


def from_occurrence_text(text: str) -> list[str]:
    return [word.partition("#")[0] for word in text.split()]


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences (bit-parallel)."""
    if len(a) < len(b):
        a, b = b, a  # bits for the longer one: fewer iterations
    if not b:
        return 0
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        match = masks.get(token)
        if match:
            u = v & match
            v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def lcs_length_table(a: Sequence[str], b: Sequence[str]) -> int:
    """The textbook O(m*n) dynamic programme (reference for tests)."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(a: Sequence[str], b: Sequence[str]) -> float:
    """ROUGE-L F-measure of two token sequences (symmetric); 0 when either is empty."""
    if not a or not b:
        return 0.0
    return 2.0 * lcs_length(a, b) / (len(a) + len(b))


def jaccard_bound(threshold: float) -> float:
    """The multiset Jaccard every pair with ROUGE-L >= threshold reaches (module docstring)."""
    return threshold / (2.0 - threshold)
