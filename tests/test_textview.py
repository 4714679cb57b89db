"""`ftlint.textview`'s normalisation and views take shortcuts on ASCII text and common record
shapes; they must give exactly what the plain definitions below give, on generated texts full
of the cases a shortcut must refuse."""
from __future__ import annotations

import hashlib
import json
import random
import unicodedata

from ftlint.formats import FORMATS
from ftlint.model import Record
from ftlint.textview import PROMPT_ROLES, RESPONSE_ROLES, SCOPES, Normalisation, normalise, raw_view, view, view_hash


def reference_normalise(text: str, how: Normalisation = Normalisation()) -> str:
    """The definition: NFKC, case folding, whitespace collapsed, with no shortcut."""
    if how.nfkc:
        text = unicodedata.normalize("NFKC", text)
    if how.casefold:
        text = text.casefold()
    if how.collapse_whitespace:
        text = " ".join(text.split())
    return text


def reference_raw_view(sample, scope: str) -> str:
    def join(turns):
        return "\n".join(t.text for t in turns if t.text)

    if scope == "prompt":
        return join(t for t in sample.turns if t.role in PROMPT_ROLES)
    if scope == "response":
        return join([t for t in sample.turns if t.role in RESPONSE_ROLES] + list(sample.chosen or []))
    parts = [join(sample.turns)]
    parts += [join(side) for side in (sample.chosen, sample.rejected) if side is not None]
    if sample.label is not None:
        parts.append(f"label={sample.label!r}")
    return "\n\x1e".join(parts)


def reference_view_hash(sample, scope: str, how: Normalisation) -> int:
    text = reference_normalise(reference_raw_view(sample, scope), how)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")

# Pieces chosen to hit every branch: ASCII words, every str.split whitespace (ASCII controls
# \x1c-\x1f included), Unicode spaces, characters NFKC turns into spaces or letters, case pairs
# whose folding is not `lower()` (ß, ﬁ, Σ), non-printable but non-space characters.
PIECES = ["word", "Mixed", "CAPS", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d",
          "\x1e", "\x1f", "\x85", "\xa0", "\u2003", "\u3000", "\u2028", "\u00a8", "\u00bd", "\ufb01", "ß",
          "Σ", "\u200b", "\x00", "é", "e\u0301", "Ⅻ", ".", "!", "🙂"]
HOWS = [Normalisation(*bits) for bits in
        [(a, b, c) for a in (True, False) for b in (True, False) for c in (True, False)]]


def texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = ["", " ", "\n", "a", " a", "a ", "a\nb", "a \nb", "a\n b", "a\n\nb", "A B", "a  b"]
    for _ in range(count):
        # Mostly-ASCII texts (the shortcut's case) and some with anything in them.
        pool = PIECES[:3] + [" ", "\n", "."] if rng.random() < 0.5 else PIECES
        out.append("".join(rng.choice(pool) for _ in range(rng.randint(0, 12))))
    return out


def test_normalise_equals_its_definition() -> None:
    for text in texts(1, 5000):
        for how in HOWS:
            assert normalise(text, how) == reference_normalise(text, how), (text, how)


def test_views_equal_their_definition() -> None:
    rng = random.Random(2)
    spec = FORMATS["openai-chat"]
    pool = texts(3, 600)
    for line in range(300):
        messages = [{"role": role, "content": rng.choice(pool)}
                    for role in ("system", "user", "assistant", "user", "assistant")[:rng.randint(2, 5)]]
        data = {"messages": messages}
        for how in HOWS:
            for scope in SCOPES:
                sample = spec.to_sample(Record("x.jsonl", line, json.loads(json.dumps(data))))
                expected = reference_normalise(reference_raw_view(sample, scope), how)
                assert view(sample, scope, how) == expected
                assert view_hash(sample, scope, how) == reference_view_hash(sample, scope, how)
                assert view(sample, scope, how) == expected  # the cached value


def test_the_ascii_tables_are_what_python_does() -> None:
    """The shortcut's premises, for every ASCII character: its whitespace set is `str.split()`'s
    and its case table is `str.casefold()`'s."""
    for code in range(128):
        char = chr(code)
        assert ("a" + char + "b").split() == (["a", "b"] if char.isspace() else ["a" + char + "b"])
        assert normalise("x" + char + "y") == reference_normalise("x" + char + "y")
        assert normalise(char * 3, Normalisation(True, True, True)) == " ".join((char * 3).casefold().split())


def test_raw_views_equal_their_definition_in_every_format() -> None:
    """Chat, KTO-labelled and preference records (which take the general path)."""
    rng = random.Random(5)
    pool = texts(6, 200)
    shapes = {
        "openai-chat": lambda: {"messages": [{"role": r, "content": rng.choice(pool)}
                                             for r in ("system", "user", "assistant", "tool", "user")[:rng.randint(1, 5)]]},
        "chat-kto": lambda: {"messages": [{"role": "user", "content": rng.choice(pool)},
                                          {"role": "assistant", "content": rng.choice(pool)}], "label": rng.random() < 0.5},
        "trl-preference": lambda: {"prompt": rng.choice(pool), "chosen": rng.choice(pool), "rejected": rng.choice(pool)},
        "prompt-completion": lambda: {"prompt": rng.choice(pool), "completion": rng.choice(pool)},
    }
    for name, make in shapes.items():
        spec = FORMATS[name]
        for line in range(200):
            data = make()
            for scope in SCOPES:
                sample = spec.to_sample(Record("x.jsonl", line, json.loads(json.dumps(data))))
                assert raw_view(sample, scope) == reference_raw_view(sample, scope), (name, scope, data)
                assert raw_view(sample, scope) == reference_raw_view(sample, scope)  # what it cached
