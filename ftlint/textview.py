"""Text views of a sample shared by the duplicate, leakage and (later) token rules.

A view is computed once per record and kept in `Sample.cache`, so several rule families reading
the prompt side never rebuild or re-normalise it. Views carry no role markers and no system
prompt, so the same question in Alpaca and in chat form gives the same prompt view.
"""
from __future__ import annotations

import hashlib
import unicodedata
from typing import NamedTuple

from .model import Sample, Turn

PROMPT_ROLES = frozenset({"user", "tool"})
RESPONSE_ROLES = frozenset({"assistant", "text"})
SCOPES = ("record", "prompt", "response")


class Normalisation(NamedTuple):
    """Knobs of the text normalisation; every duplicate and leakage rule exposes them as options."""

    nfkc: bool = True
    casefold: bool = True
    collapse_whitespace: bool = True

    @classmethod
    def from_options(cls, options: dict) -> "Normalisation":
        return cls(options.get("unicode-nfkc", True), options.get("case-fold", True),
                   options.get("collapse-whitespace", True))


# ASCII whitespace, as `str.split()` sees it, to a space; with case folding, A-Z to a-z too
# (`casefold()` of ASCII text is exactly that).
_ASCII_SPACE = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_SPACES = bytes.maketrans(_ASCII_SPACE, b" " * len(_ASCII_SPACE))
_FOLD_SPACES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _ASCII_SPACE,
                               b"abcdefghijklmnopqrstuvwxyz" + b" " * len(_ASCII_SPACE))


def normalise(text: str, how: Normalisation = Normalisation()) -> str:
    """NFKC (non-ASCII text only: it never changes ASCII), case folding, whitespace collapsed.

    Every record goes through here several times, so ASCII text, the common case, takes a
    shortcut with the same result: one `bytes.translate` folds case and turns every whitespace
    character into a space; when that leaves no run of spaces and none at either end, the text
    is already collapsed and the split and join (the costly part) are skipped."""
    if how.collapse_whitespace and text.isascii():
        flat = text.encode("ascii").translate(_FOLD_SPACES if how.casefold else _SPACES).decode("ascii")
        if "  " not in flat and flat[:1] != " " and flat[-1:] != " ":
            return flat
        return " ".join(flat.split())
    if how.nfkc and not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if how.casefold:
        text = text.casefold()
    if how.collapse_whitespace:
        text = " ".join(text.split())
    return text


def _join(turns: list[Turn]) -> str:
    return "\n".join([turn.text for turn in turns if turn.text])  # a list joins faster than a generator


def raw_view(sample: Sample, scope: str) -> str:
    """`record`: every text of the record (alternatives included); `prompt`: user and tool turns;
    `response`: assistant turns, or the chosen answer of a preference pair."""
    key = ("raw", scope)
    cached = sample.cache.get(key)
    if cached is not None:
        return cached
    if scope == "prompt":
        text = "\n".join([t.text for t in sample.turns if t.text and t.role in PROMPT_ROLES])
    elif scope == "response":
        responses = [t for t in sample.turns if t.role in RESPONSE_ROLES] + list(sample.chosen or [])
        text = _join(responses)
    elif scope == "record":
        text = _join(sample.turns)
        if sample.chosen is not None or sample.rejected is not None or sample.label is not None:
            parts = [text]
            if sample.chosen is not None:
                parts.append(_join(sample.chosen))
            if sample.rejected is not None:
                parts.append(_join(sample.rejected))
            # Labels belong to the record: the same text with another KTO label is not a duplicate.
            if sample.label is not None:
                parts.append(f"label={sample.label!r}")
            text = "\n\x1e".join(parts)
    else:
        raise ValueError(f"unknown text scope {scope!r} (expected one of {', '.join(SCOPES)})")
    sample.cache[key] = text
    return text


def view(sample: Sample, scope: str, how: Normalisation = Normalisation()) -> str:
    key = ("norm", scope, how)
    cached = sample.cache.get(key)
    if cached is None:
        cached = sample.cache[key] = normalise(raw_view(sample, scope), how)
    return cached


def view_hash(sample: Sample, scope: str, how: Normalisation = Normalisation()) -> int:
    """64-bit hash of a normalised view: 8 bytes of state per record instead of its text."""
    key = ("hash", scope, how)
    cached = sample.cache.get(key)
    if cached is None:
        digest = hashlib.blake2b(view(sample, scope, how).encode("utf-8", "surrogatepass"), digest_size=8).digest()
        cached = sample.cache[key] = int.from_bytes(digest, "little")
    return cached
