"""Tokenizer back-ends behind one small interface, loaded once per process.

`count_many(texts)` is the only hot call: one call per record with every text of the record
(its turns and, with a chat template, the rendered conversation). The cache is a
module-level dict keyed by the resolved `TokenizerSpec`, so a process pool re-loads each
tokenizer once per worker and never pickles one.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import islice
from typing import Any

from ..config import ConfigError
from .settings import ESTIMATE, TokenizerSpec

_LOADED: dict[TokenizerSpec, "Backend"] = {}
MEMO_CHARS = 200  # texts up to this length are remembered at once...
MEMO_SIZE = 20_000  # ...this many of them per tokenizer
LONG_MEMO_CHARS = 16_384  # longer texts up to this length (system prompts) once seen twice...
LONG_MEMO_SIZE = 256  # ...this many of them (at most 4 M characters)
SEEN_SIZE = 100_000  # hashes of long texts seen once, before the set starts over


class Backend:
    """Counts tokens of plain text (no special-token parsing unless the tokenizer does it)."""

    spec: TokenizerSpec
    special_tokens: tuple[str, ...] = ()  # strings the tokenizer turns into special tokens
    special_map: dict[str, str] = {}  # bos_token/eos_token... for chat templates

    def __init__(self) -> None:
        self._memo: dict[str, int] = {}
        self._long: dict[str, int] = {}
        self._seen: set[int] = set()

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """Counts of `texts`; texts that recur (a shared system prompt, class labels) are counted
        once per process: short ones from their first sighting, long ones (a 3 KB system prompt
        costs more to count than the rest of its record) from their second, so one-off answers
        are never stored."""
        return self._count_with(texts, self._count_one)

    def _count_with(self, texts: Sequence[str], count: Any) -> list[int]:
        memo, long = self._memo, self._long
        out = []
        for text in texts:
            size = len(text)
            if size <= MEMO_CHARS:
                n = memo.get(text)
                if n is None:
                    n = count(text)
                    if len(memo) < MEMO_SIZE:
                        memo[text] = n
            elif size <= LONG_MEMO_CHARS:
                n = long.get(text)
                if n is None:
                    n = count(text)
                    if len(long) < LONG_MEMO_SIZE:
                        self._remember(text, n)
            else:
                n = count(text)
            out.append(n)
        return out

    def _remember(self, text: str, n: int) -> None:
        key = hash(text)  # a collision only stores a text that did not recur: counts stay exact
        if key in self._seen:
            self._long[text] = n
        else:
            if len(self._seen) >= SEEN_SIZE:
                self._seen.clear()
            self._seen.add(key)

    def _count_one(self, text: str) -> int:
        raise NotImplementedError

    def count(self, text: str) -> int:
        return self.count_many([text])[0]


def _bpe_openai_bindings() -> Any:
    """bpe-openai's Rust extension alone. Importing the `bpe_openai` package builds metadata for
    56 models at import time, decoding three rank tables (1-2 s per process, and every worker pays
    it); the extension embeds its vocabularies and needs none of that."""
    import glob
    import importlib.machinery
    import importlib.util
    import os

    package = importlib.util.find_spec("bpe_openai")
    if package is None or not package.submodule_search_locations:
        raise ImportError("bpe_openai")
    for folder in package.submodule_search_locations:
        for path in glob.glob(os.path.join(folder, "_bindings*")):
            if path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
                loader = importlib.machinery.ExtensionFileLoader("bpe_openai._bindings", path)
                module = importlib.util.module_from_spec(
                    importlib.util.spec_from_file_location("bpe_openai._bindings", path, loader=loader))
                loader.exec_module(module)
                return module
    from bpe_openai import _bindings  # an unusual layout: the package's own import

    return _bindings


# OpenAI's pre-tokenizers (o200k_base and cl100k_base) cut text into pieces before byte-pair
# merging, and no piece holds a space after a non-space character or before one (a space is the
# first character of a piece, or inside a run of whitespace). So a piece begins at every space
# that touches a non-space character on either side, each stretch between such spaces tokenizes
# alone as it does in the text, and a text's count is the sum of its stretches' counts (each space
# leading the stretch after it): " Hello", " world,". Python's whitespace includes \x1c-\x1f,
# the tokenizers' does not, which can only make fewer cuts. tests/test_tokens_backends.py checks
# this against the encodings' own regular expressions and counts.
#
# The table only holds stretches that start and end with a non-space character, so a text whose
# every `split(" ")` stretch is in it has only such spaces: the fast path needs no other test.
_OTHER_SPACE = re.compile(r" (?:\s|\Z)")  # a space before whitespace or at the end (may be no seam)
PIECE_CHARS = 32  # stretches up to this length are remembered...
PIECE_SIZE = 1 << 16  # ...this many of them; then unknown stretches are counted with their text
LEARN = 8  # new words remembered from a text that is counted whole
JUDGE_EVERY = 1024  # texts that miss the fast path between looks at why they missed...
SKIP_TEXTS = 8192  # ...and how many texts are counted whole when most could never take it


class OpenAIBackend(Backend):
    """bpe-openai's Rust tokenizer: the same counts as tiktoken, with the vocabulary in the wheel.

    Content is encoded as ordinary text, as OpenAI does for training files: a `<|endoftext|>`
    typed into a message is text there, not the special token.

    Texts are counted a word at a time from a per-process table (see the comment above): a
    dict lookup per word costs a fraction of tokenizing it again, and words recur across records
    far more than texts do."""

    def __init__(self, spec: TokenizerSpec) -> None:
        try:
            _bindings = _bpe_openai_bindings()
        except ImportError:  # pragma: no cover - resolve_tokenizer checked it
            raise ConfigError(f"tokenizer {spec.name!r} needs bpe-openai: pip install 'ftlint[openai]'") from None
        super().__init__()
        self.spec = spec
        # The Rust tokenizer itself: `count` without building Python lists of ids (and without
        # the pure-Python wrapper's rank tables, which cost a second at start-up).
        self._tokenizer = _bindings.tokenizer_for_encoding(spec.name)
        self.special_tokens = ("<|endoftext|>", "<|endofprompt|>") + (
            ("<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>") if spec.name == "cl100k_base" else ())
        self._heads: dict[str, int] = {}  # a text's first stretch (no space before it) -> tokens
        self._pieces: dict[str, int] = {}  # a stretch after a space -> tokens of " " + stretch
        self._misses = self._hopeless = self._skip = 0

    def _count_one(self, text: str) -> int:
        try:
            return self._count_text(text)
        except UnicodeEncodeError:  # lone surrogates: count what a UTF-8 writer would send
            return self._count_text(_utf8(text))

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """`Backend.count_many` with `_count_text` called directly (a call less per text); a text
        with lone surrogates sends the record through the general loop, which counts the texts
        before it again from the memo or the table (the same numbers)."""
        try:
            return self._count_with(texts, self._count_text)
        except UnicodeEncodeError:
            return Backend.count_many(self, texts)

    def count_direct(self, text: str) -> int:
        """One call of the Rust tokenizer on the whole text (what `_count_text` must equal)."""
        return self._tokenizer.count(text)

    def _count_text(self, text: str) -> int:
        if self._skip:  # the table has not been paying off lately (see `_judge`)
            self._skip -= 1
            return self._tokenizer.count(text)
        words = text.split(" ")
        if len(words) == 1:
            return self._tokenizer.count(text)
        try:
            return self._heads[words[0]] + sum(map(self._pieces.__getitem__, islice(words, 1, None)))
        except KeyError:
            self._misses += 1
            if self._misses >= JUDGE_EVERY:
                self._judge()
            return self._count_learning(text, words)

    def _judge(self) -> None:
        """Texts with double spaces, indentation or line ends in their words (code, wrapped
        lines) can never take the fast path, and trying costs a tenth of counting: when most of
        the last JUDGE_EVERY texts that missed it were such texts, count the next SKIP_TEXTS
        whole, then try again. (Texts that miss for new words teach the table: no reason.)"""
        if self._hopeless * 2 > self._misses:
            self._skip = SKIP_TEXTS
        self._misses = self._hopeless = 0

    def _count_learning(self, text: str, words: list[str]) -> int:
        """The slow path. A text with a space next to whitespace (double spaces, indented code)
        is counted whole: its stretches are not all seams between pieces. So is a text with an
        unknown stretch that cannot be remembered (long, or whitespace at an end: it would miss
        again), and LEARN of its new words are remembered for the texts to come. Otherwise the
        unknown stretches are counted one by one and remembered."""
        heads, pieces, count = self._heads, self._pieces, self._tokenizer.count
        if len(pieces) >= PIECE_SIZE or len(heads) >= PIECE_SIZE or _OTHER_SPACE.search(text) is not None:
            self._hopeless += 1
            return count(text)
        head = words[0]
        total = heads.get(head, -1)
        values = list(map(pieces.get, islice(words, 1, None)))
        unknown = values.count(None)
        new = []
        index = -1
        for _ in range(unknown):
            index = values.index(None, index + 1)
            new.append(words[index + 1])
        if not all(map(_storable, new)):
            self._hopeless += 1
            learned = 0
            for word in new:
                if learned < LEARN and _storable(word) and word not in pieces:
                    pieces[word] = count(" " + word)
                    learned += 1
            return count(text)
        if total < 0:
            total = count(head)
            if len(head) <= PIECE_CHARS and not head[-1:].isspace():
                heads[head] = total
        index = -1
        for word in new:
            index = values.index(None, index + 1)
            n = pieces.get(word)  # learned earlier in this text
            if n is None:
                n = pieces[word] = count(" " + word)
            values[index] = n
        return total + sum(values)


def _storable(word: str) -> bool:
    """Short, and no whitespace at either end (what the fast path's exactness rests on)."""
    return 0 < len(word) <= PIECE_CHARS and not word[0].isspace() and not word[-1].isspace()


class HFBackend(Backend):
    """A Hugging Face `tokenizers` tokenizer.json; special tokens in text are parsed as the trainer
    parses them (that is what T106 warns about), and no BOS/EOS is added to plain content."""

    def __init__(self, spec: TokenizerSpec) -> None:
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(spec.name)
        except Exception as exc:  # tokenizers raises a bare Exception for malformed files
            raise ConfigError(f"tokenizer {spec.label}: {spec.name} is not a valid tokenizer.json: {exc}") from None
        super().__init__()
        self.spec = spec
        added = self._tokenizer.get_added_tokens_decoder()
        self.special_tokens = tuple(sorted({t.content for t in added.values() if t.special and t.content.strip()}))
        self.special_map = {}

    def _count_one(self, text: str) -> int:
        # One `encode` per text: `encode_batch` dispatches to a thread pool, which for the few
        # texts of one record costs more than it saves (benchmarks/tokens.py measures both).
        return len(self._encode(text))

    def token_starts(self, text: str) -> list[int]:
        """Character offset where each token of `text` starts (ascending)."""
        return [start for start, _ in self._encode(text).offsets]

    def _encode(self, text: str) -> Any:
        try:
            return self._tokenizer.encode(text, add_special_tokens=False)
        except TypeError:  # a lone surrogate (valid JSON, not UTF-8): "?" keeps offsets aligned
            return self._tokenizer.encode(_utf8(text), add_special_tokens=False)


def _utf8(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


_WORDS = re.compile(r"[A-Za-z]+|[0-9]|\s+|[^\sA-Za-z0-9]")


class EstimateBackend(Backend):
    """No tokenizer: about one token per 4 characters of English words, one per digit or
    punctuation mark and per non-Latin character. Every message says "estimated"."""

    def __init__(self, spec: TokenizerSpec) -> None:
        super().__init__()
        self.spec = spec
        self.special_tokens = ()

    @staticmethod
    def estimate(text: str) -> int:
        if text.isascii():
            tokens = 0
            for piece in _WORDS.findall(text):
                first = piece[0]
                if first.isalpha():
                    tokens += math.ceil(len(piece) / 5) if len(piece) > 3 else 1
                elif not first.isspace():
                    tokens += 1
                elif len(piece) > 1:
                    tokens += 1
            return tokens
        return sum(EstimateBackend.estimate(part) if part.isascii() else len(part)
                   for part in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text))

    def _count_one(self, text: str) -> int:
        return self.estimate(text)


def backend_for(spec: TokenizerSpec) -> Backend:
    last = _LAST[0]
    if last is not None and last.spec is spec:  # the same spec object, record after record
        return last
    backend = _LOADED.get(spec)
    if backend is None:
        if spec.kind == "openai":
            backend = OpenAIBackend(spec)
        elif spec.kind == "hf":
            backend = HFBackend(spec)
        elif spec.kind == ESTIMATE:
            backend = EstimateBackend(spec)
        else:  # pragma: no cover - settings only produce the three kinds
            raise ValueError(f"unknown tokenizer kind {spec.kind!r}")
        _LOADED[spec] = backend
    _LAST[0] = backend
    return backend


_LAST: list[Backend | None] = [None]
