"""Views of a sample's responses shared by the per-record content rules (Q401-Q404): which turns
are responses, their prose without markdown code, their tokens, and how a response ends.

Every view is computed once per turn and kept in `Sample.cache`, so four rules reading the same
response never re-scan it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Sample, Turn
from ..textview import RESPONSE_ROLES
from .rouge import tokens
from . import screen as _screen

# Markdown code: fenced blocks (an unclosed fence runs to the end) and inline spans.
_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`", re.DOTALL)
# Quoted speech on one line ("...", “...”): someone else's words, not the response's voice.
_QUOTED = re.compile(r"\"[^\"\n]{1,200}\"|“[^”\n]{1,200}”")
_FENCE_LINE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|[a-zA-Z][.)])\s")
_OPENING_ENDS = ",([{:-–—"  # last characters that open or continue something
_ODD_TAIL = re.compile(r"[/\\@_.\d=<>]")  # URLs, paths, identifiers, numbers: no sentence to end


def masked(text: str) -> str:
    """Record text about to be quoted in a message or statistic, with personal data masked
    (the privacy rules' prefilter first: microseconds unless it finds a candidate)."""
    from ..privacy.scrub import mask_pii

    return mask_pii(text)


def response_turns(sample: Sample) -> list[Turn]:
    """Assistant (or plain-text) turns that are trained on, and the chosen answer of a pair;
    rejected answers are meant to be bad and are not judged."""
    cached = sample.cache.get("content.responses")
    if cached is None:
        cached = [t for t in sample.turns if t.role in RESPONSE_ROLES and t.text]
        if sample.chosen:
            cached += [t for t in sample.chosen if t.text]
        sample.cache["content.responses"] = cached
    return cached


def exchanges(sample: Sample) -> Iterator[tuple[list[Turn], Turn]]:
    """(user turns since the previous response, response) for each response turn."""
    asked: list[Turn] = []
    for turn in sample.turns:
        if turn.role == "user" and turn.text:
            asked.append(turn)
        elif turn.role in RESPONSE_ROLES and turn.text:
            if asked:
                yield asked, turn
            asked = []
    if sample.chosen and asked:
        for turn in sample.chosen:
            if turn.text:
                yield asked, turn


def prose(sample: Sample, turn: Turn) -> str:
    """The turn's text with markdown code and quoted speech removed (quoted material, not the
    voice of the response: `print("I'm sorry")`, 'the server says "I cannot help"') and
    typographic apostrophes made plain, so phrase patterns need one spelling."""
    key = ("content.prose", turn.field, id(turn))
    cached = sample.cache.get(key)
    if cached is None:
        text = turn.text
        if "`" in text or ("~" in text and "~~~" in text):  # one-character searches are memchr-fast
            text = _CODE.sub(" ", text)
        if "\"" in text or "“" in text:
            text = _QUOTED.sub(" ", text)
        if "’" in text:
            text = text.replace("’", "'")
        cached = sample.cache[key] = text
    return cached


def lowered_prose(sample: Sample, turn: Turn) -> str:
    """`prose` lower-cased (for the literal screens of `ftlint.content.screen`)."""
    key = ("content.lower", turn.field, id(turn))
    cached = sample.cache.get(key)
    if cached is None:
        cached = sample.cache[key] = prose(sample, turn).lower()
    return cached


def record_screen_words(sample: Sample) -> tuple[int, frozenset[bytes] | None, bool]:
    """(screen version, the words that the phrase lists screen for in all ASCII responses of the
    record, whether all responses are ASCII), computed once per record for Q401 and Q404. The
    words of all responses together are a superset of each one's, which a screen may use (it
    only gets weaker), and one pass per record costs less than one per response. The raw text
    serves for its prose: on ASCII text `prose` only blanks out spans that open and close with a
    non-word character (` " ~), so every word of the prose is a word of the text."""
    cached = sample.cache.get("content.screen-words")
    if cached is None or cached[0] != _screen._version:
        turns = response_turns(sample)
        if len(turns) == 1:  # most records
            text = turns[0].text
        else:
            text = " ".join([t.text for t in turns])
        # the joined text is ASCII when every response is (one C pass, no list of ASCII texts)
        if text.isascii():
            cached = (_screen._version, _screen.ascii_screen_words(text), True)
        elif len(turns) == 1:
            cached = (_screen._version, frozenset(), False)
        else:
            ascii_texts = [t.text for t in turns if t.text.isascii()]
            cached = (_screen._version, _screen.ascii_screen_words(" ".join(ascii_texts)), False)
        sample.cache["content.screen-words"] = cached
    return cached


def prose_words(sample: Sample, turn: Turn) -> frozenset[bytes] | None:
    """`record_screen_words` for one response (None: its text is not ASCII, no word screen)."""
    _, words, all_ascii = record_screen_words(sample)
    return words if all_ascii or turn.text.isascii() else None


_PUNCTUATION = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…–—¿¡·"})


def response_words(sample: Sample) -> str:
    """The words of all responses, case-folded, split on whitespace and punctuation, joined by
    single spaces (the diversity statistics' unit; much cheaper than a regular expression)."""
    cached = sample.cache.get("content.words")
    if cached is None:
        text = " ".join(t.text for t in response_turns(sample))
        cached = sample.cache["content.words"] = " ".join(text.casefold().translate(_PUNCTUATION).split())
    return cached


def turn_tokens(sample: Sample, turn: Turn) -> list[str]:
    key = ("content.tokens", turn.field, id(turn))
    cached = sample.cache.get(key)
    if cached is None:
        cached = sample.cache[key] = tokens(turn.text)
    return cached


def unclosed_fence(text: str) -> bool:
    """True when a fenced code block is opened and never closed (CommonMark: a closing fence is
    a run of the same character at least as long, with nothing else on its line)."""
    if "```" not in text and "~~~" not in text:
        return False
    opened: str | None = None
    for match in _FENCE_LINE.finditer(text):
        run, rest = match.group(1), match.group(2)
        if opened is None:
            if run[0] == "`" and "`" in rest:
                continue  # not a fence: inline code such as ```x```
            opened = run
        elif run[0] == opened[0] and len(run) >= len(opened) and not rest.strip():
            opened = None
    return opened is not None


def truncation(text: str, min_words: int, dangling: frozenset[str]) -> tuple[str, bool] | None:
    """(why `text` looks cut off, certain?), or None. Checks, most certain first: an unclosed code fence; a
    last character that opens or continues something (`,` `:` `(`); a dangling article,
    preposition or conjunction as the last word ("...is made of"); and, for responses of at
    least `min_words` words, a last prose line of 5+ words ending in a lower-case letter (not
    certain: complete answers that omit the final full stop look the same)."""
    if ("`" in text or "~" in text) and unclosed_fence(text):
        return "ends inside an unclosed ``` code block", True
    stripped = text.rstrip()
    if not stripped:
        return None
    end = stripped[-1]
    if not end.isalpha() and end not in _OPENING_ENDS:
        return None  # most responses: a full stop, a closing bracket or a digit
    last_line = stripped.rsplit("\n", 1)[-1].strip()
    if end in ",([{" or end == ":" and not last_line.startswith(("#", "|")):
        return f"ends with {end!r}", True
    if end in "-–—" and len(last_line.strip("-–— ")) > 0:
        return f"ends with {end!r}", True
    if not end.isalpha():
        return None
    words = last_line.rsplit(None, 5)  # the last five words (and the rest, unsplit): all that is read
    if not words:
        return None
    last_word = words[-1]
    if last_word in dangling and len(stripped.split(None, 3)) >= 3:
        return f"ends mid-sentence after {last_word!r}", True
    if len(words) >= 2 and words[-2][-1] in ".!?" and last_word.lower() in dangling and last_word[0].isupper():
        return f"ends after the first word of a new sentence ({last_word!r})", True
    if (end.islower() and len(words) >= 5 and not _LIST_ITEM.match(last_line)
            and not last_line.startswith(("#", "|", "    ", "\t")) and not _ODD_TAIL.search(last_word)
            and len(stripped.split(None, min_words)) > min_words):
        return f"ends mid-sentence (no closing punctuation after {last_word!r})", False
    return None
