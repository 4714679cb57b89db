"""The fast paths of the token back-ends agree with the slow ones: OpenAI counts taken a word at a
time from a per-process table equal the Rust tokenizer's count of the whole text (and rest on a
property of the encodings' own pre-tokenizer regular expressions, checked here), and recurring
texts are remembered without changing a count."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from ftlint.tokens import backends
from ftlint.tokens.settings import TokenizerSpec

ENCODINGS = ("o200k_base", "cl100k_base")
# Characters around which pre-tokenizers behave differently: every kind of whitespace (Python's
# \s includes \x1c-\x1f, the tokenizer's does not), contractions, digits, marks, titlecase,
# modifier letters, non-Latin scripts, emoji, zero-width and format characters.
PARTS = list("aAbZz  \t\n\r.,'!1234567890/-_?") + [
    "'s", "'LL", " 's", "'re", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u3000", "é", "e\u0301", "\u0301",
    "東京", "🎉", "Ω", "ǅ", "ʰ", "٣", "Ⅻ", "\u200b", "\ufeff", "\v", "\f", " \n", "\r\n", "  ", "hello", " world",
    "Grüße", "don't", "<|endoftext|>", "   x", "\t ", " \t", "1,000.5", "https://example.com/a b",
]


def _texts(seed: int, n: int, longest: int = 40) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PARTS) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


def _backend(name: str) -> backends.OpenAIBackend:
    pytest.importorskip("bpe_openai")
    return backends.OpenAIBackend(TokenizerSpec("openai", name, name))  # a fresh one: empty tables


@pytest.mark.parametrize("name", ENCODINGS)
def test_a_space_next_to_text_starts_a_piece_of_the_encodings_own_pre_tokenizer(name):
    """The claim the word-at-a-time count rests on, checked with the encoding's published pattern:
    a space with a non-space character before or after it starts a piece."""
    pytest.importorskip("bpe_openai")
    regex = pytest.importorskip("regex")
    from bpe_openai import registry

    pattern = regex.compile(getattr(registry, name)()["pat_str"])
    for text in _texts(1, 5000):
        starts, position = set(), 0
        for piece in pattern.findall(text):
            starts.add(position)
            position += len(piece)
        assert position == len(text)
        cuts = {i for i, char in enumerate(text) if char == " " and (
            (i + 1 < len(text) and not text[i + 1].isspace()) or (i > 0 and not text[i - 1].isspace()))}
        assert cuts <= starts, (text, sorted(cuts - starts))


@pytest.mark.parametrize("name", ENCODINGS)
def test_word_at_a_time_counts_equal_whole_text_counts(name, monkeypatch):
    monkeypatch.setattr(backends, "JUDGE_EVERY", 10**9)  # every text tries the table
    backend = _backend(name)
    rnd = random.Random(5)
    words = [w for w in _texts(6, 300, longest=4) if w and " " not in w and not w[0].isspace() and not w[-1].isspace()]
    prose = [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 30))) for _ in range(3000)]
    texts = _texts(2, 4000) + _texts(3, 50, longest=3000) + prose
    expected = [backend.count_direct(t) for t in texts]
    assert backend.count_many(texts) == expected  # tables being filled
    assert backend._pieces and backend._heads
    assert not any(w[:1].isspace() or w[-1:].isspace() for w in backend._pieces)
    assert backend.count_many(texts) == expected  # tables warm
    fast = [t for t in prose if t.split(" ")[0] in backend._heads and all(w in backend._pieces for w in t.split(" ")[1:])]
    assert len(fast) > 2000  # texts that take the fast path (lookups only), tricky characters and all
    assert [backend.count(t) for t in reversed(texts)] == expected[::-1]


def test_texts_that_miss_the_table_are_counted_whole_for_a_while(monkeypatch):
    monkeypatch.setattr(backends, "JUDGE_EVERY", 100)
    monkeypatch.setattr(backends, "SKIP_TEXTS", 50)
    backend = _backend("o200k_base")
    code = [f"def f{i}(x):\n    return x  + {i}\n" for i in range(400)]  # indentation: never the fast path
    assert backend.count_many(code) == [backend.count_direct(t) for t in code]
    assert 0 < backend._skip <= 50


def test_a_full_table_counts_unknown_words_with_their_text(monkeypatch):
    backend = _backend("o200k_base")
    monkeypatch.setattr(backends, "PIECE_SIZE", 50)
    texts = _texts(4, 2000)
    assert backend.count_many(texts) == [backend.count_direct(t) for t in texts]
    assert len(backend._pieces) <= 50 + 40  # filled up to the limit (plus the words of one text)


def test_lone_surrogates_count_as_a_utf8_writer_sends_them():
    backend = _backend("o200k_base")
    text = "broken \ud800 surrogate and \udfff more words"
    assert backend.count_many([text]) == [backend.count_direct(text.encode("utf-8", "replace").decode())]
    # After other texts of the same record (counted again by the general loop: the same numbers).
    texts = ["a plain first turn", "Second turn " * 30, text, "after it"]
    expected = [backend.count_direct(t.encode("utf-8", "replace").decode()) for t in texts]
    assert backend.count_many(texts) == expected
    assert backend.count_many(texts) == expected


def test_long_texts_are_remembered_from_their_second_sighting():
    backend = _backend("o200k_base")
    prompt = "You are a careful assistant. " * 40  # 1,160 characters: past the short-text memo
    assert len(prompt) > backends.MEMO_CHARS
    once = "An answer seen once. " * 40
    n = backend.count_direct(prompt)
    assert backend.count_many([prompt, once]) == [n, backend.count_direct(once)]
    assert prompt not in backend._long
    assert backend.count_many([str(prompt)]) == [n]
    assert prompt in backend._long and once not in backend._long
    assert backend.count_many(["".join(re.findall(".", prompt))]) == [n]  # an equal text, another object


RECORDS = {
    "openai-chat": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there?"},
                                 {"role": "assistant", "content": "Hello, how can I help?", "weight": 0}]},
    "prompt-completion": {"prompt": "Translate: cat", "completion": " chat"},
    "trl-prompt-only": {"prompt": [{"role": "user", "content": "Write a haiku."}]},
    "alpaca": {"instruction": "Add the numbers.", "input": "2 and 3", "output": "5", "system": "Be exact."},
    "sharegpt": {"conversations": [{"from": "human", "value": "Why?"}, {"from": "gpt", "value": "Because."}]},
    "trl-text": {"text": "Plain text for language modeling, tokenized as it is."},
    "chat-kto": {"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}],
                 "label": True},
}


@pytest.mark.parametrize("fmt", sorted(RECORDS))
@pytest.mark.parametrize("tokenizer", ["o200k_base", "estimate"])
def test_the_plain_count_equals_the_general_one(fmt, tokenizer):
    """`_count_plain` (one conversation, no template) is `_count_general` with less bookkeeping."""
    if tokenizer != "estimate":
        pytest.importorskip("bpe_openai")
    from ftlint.formats.registry import FORMATS
    from ftlint.model import Record
    from ftlint.tokens import counting
    from ftlint.tokens.settings import resolve_tokenizer

    spec = resolve_tokenizer(tokenizer, Path.cwd())
    sample = FORMATS[fmt].to_sample(Record("f.jsonl", 1, RECORDS[fmt], index=0))
    assert sample.chosen is None and sample.turns
    plain = counting._count_plain(sample, spec, backends.backend_for(spec), sample.turns)
    assert plain == counting._count_general(sample, spec)
    assert counting.counts(sample, {"_tokenizer": spec}) == plain
