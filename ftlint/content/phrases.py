"""Cheap, offline phrase heuristics for the diversity statistics: opening phrases and the
leading verb and object of an instruction.

Self-Instruct (Wang et al. 2023, fig. 2) shows the diversity of its instructions as the leading
verb and its first direct-object noun, parsed with the Berkeley Neural Parser. No parser or model
is loaded here: the heuristic skips polite lead-ins ("Please", "Can you"), takes the first word
as the verb unless it is a closed-class word (wh-word, auxiliary, pronoun, determiner,
preposition), a label ("Sentence:", "Question 5") or followed by a copula ("Paris is..."), then takes the first
following word that is not a determiner, pronoun or common adjective as the object, crudely
singularised ("poems" -> "poem"). Questions are counted by their wh-word or auxiliary. On
imperative instruction sets (Alpaca, Self-Instruct) this recovers the verb-object pairs of the
paper's figure; on chat prompts it mostly reports questions, which is the right answer too.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+|[^\w\s]")
# _WORD on ASCII text, spelled out: no Unicode category look-ups (a third faster). Whitespace is
# str.isspace's, which \s follows: \x1c-\x1f included.
_ASCII_WORD = re.compile(r"[a-zA-Z][A-Za-z0-9_'-]*|[0-9]+|[^A-Za-z0-9_ \t\n\r\x0b\x0c\x1c-\x1f]")
_QUICK_CHARS = 36  # characters tokenised first: the verb and object of most instructions
_EDGE = "\"'“”‘’`*_()[]{}<>.,;:!?-–—#"
_EDGE_CHAR = re.compile("[" + re.escape(_EDGE) + "]")

LEAD_INS = (
    ("please",), ("kindly",), ("now",), ("then",), ("also",), ("ok",), ("okay",), ("hi",), ("hey",), ("hello",),
    ("can", "you"), ("could", "you"), ("would", "you"), ("will", "you"), ("can", "u"),
    ("i", "want", "you", "to"), ("i", "need", "you", "to"), ("i", "would", "like", "you", "to"),
    ("i'd", "like", "you", "to"), ("i", "want", "to"), ("help", "me"), ("help", "me", "to"),
    ("your", "task", "is", "to"), ("you", "need", "to"), ("you", "should"), ("you", "must"),
    ("let's",), ("lets",),
)
QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are was were do does did can could would will should "
    "shall may might must have has had am".split())
CLOSED = frozenset(
    "a an the this that these those there here it its i me my we our you your he him his she her they them "
    "their one some any all each every no not if in on at of for from to by with as about into over under "
    "and or but so because although while since after before during than then yes no in-context "
    "given following below above suppose imagine assume consider".split()) - {"consider"}
PREPOSITIONS = frozenset("to into about from for with of on in at by onto upon".split())
CLAUSE_WORDS = frozenset("whether if that and or but".split())
NUMBERED = frozenset("number no no. nr #".split())
COPULAS = frozenset("is are was were has have had will would can could should".split())
OBJECT_SKIP = frozenset(
    "a an the this that these those me us him her them my our your his their its some any following given "
    "above below short brief detailed new simple good few single unique random possible appropriate suitable "
    "creative catchy funny interesting list-of several two three four five ten 5 3 10 more most best "
    "different original concise clear complete comprehensive step-by-step".split())
_PREFIX_CACHE = sorted(LEAD_INS, key=len, reverse=True)
_LEAD_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {}
for _prefix in _PREFIX_CACHE:  # longest first within each first word, as the plain scan tries them
    _LEAD_BY_FIRST[_prefix[0]] = _LEAD_BY_FIRST.get(_prefix[0], ()) + (_prefix,)
# the sets `_decide` tests a word against, merged: one look-up instead of two or three
_NO_VERB_FOLLOWERS = frozenset((":", "=", "#")) | COPULAS | NUMBERED
_NOT_OBJECTS = OBJECT_SKIP | PREPOSITIONS
_CLAUSE_OPENERS = QUESTION_WORDS | CLAUSE_WORDS
_OPEN_HEAD = 200  # characters split for an opening: enough for a few words


def opening(text: str, words: int) -> tuple[str, str] | None:
    """(key, shown) of the first `words` words: the key is case-folded and stripped of
    punctuation (so "Sure! Here" and "sure, here" count together), `shown` is as written."""
    # str.split() and the regex \S+ split on the same whitespace (str.isspace); splitting a short
    # head is exact once it holds `words` words followed by more text, and avoids a regex per word.
    found = text[:_OPEN_HEAD].split(None, words)
    if len(found) <= words and len(text) > _OPEN_HEAD:
        found = text.split(None, words)  # a long first word: the head may have cut it
    if len(found) > words:
        del found[words:]
    if not found:
        return None
    shown = " ".join(found)
    # no edge punctuation is alphanumeric: letters and digits between the spaces need no regex
    if shown.replace(" ", "").isalnum() or _EDGE_CHAR.search(shown) is None:
        return shown.casefold(), shown  # nothing to strip: folding the joined words folds each one
    # the words hold no whitespace, so joining the non-empty stripped ones is splitting the joined key
    stripped = [w.strip(_EDGE).casefold() for w in found]
    return " ".join(stripped if all(stripped) else [w for w in stripped if w]), shown


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


_ING_VERBS = frozenset("bring sing ring swing sting fling cling string spring wring ping".split())


def _gerund(word: str) -> bool:
    """"Describing the sky..." opens with a gerund, not an imperative."""
    return len(word) > 5 and word.endswith("ing") and word not in _ING_VERBS


def verb_object(instruction: str) -> tuple[str, str | None]:
    """("write", "poem") for "Please write two short poems about rain"; ("?what", None) for a
    question; ("", None) when no leading verb is recognised."""
    head = instruction[:300]
    if head.isascii():  # ASCII: lower() is casefold() and leaves every token boundary in place
        lowered = head.lower()
        if len(lowered) > _QUICK_CHARS:
            # Most instructions are settled by their first few words: tokenise a short head
            # first. Its last token may be cut, so it is dropped; `complete=False` gives up
            # (None) whenever more tokens could change the answer.
            quick = lowered[:_QUICK_CHARS].split()
            # letters between whitespace (most heads) are what the tokeniser would find; anything
            # else (digits, punctuation, _ ' -) goes to the tokeniser
            if not "".join(quick).isalpha():
                quick = _ASCII_WORD.findall(lowered, 0, _QUICK_CHARS)
            found = _decide(quick[:-1], complete=False)
            if found is not None:
                return found
        tokens = _ASCII_WORD.findall(lowered)
        if len(tokens) > 40:
            del tokens[40:]
    else:
        tokens = [t.casefold() for t in _WORD.findall(head)[:40]]
    return _decide(tokens, complete=True)  # type: ignore[return-value]


def _skip_lead_ins_at(words: list[str], i: int, complete: bool) -> int | None:
    """`_skip_lead_ins(words[i:])` as an index into `words`; None when `words` may stop short."""
    n = len(words)
    while i < n:
        options = _LEAD_BY_FIRST.get(words[i])
        if options is None:
            return i
        for prefix in options:
            end = i + len(prefix)
            if end > n and not complete:
                return None
            if tuple(words[i:end]) == prefix:
                i = end
                break
        else:
            return i
    return i if complete else None


def _decide(words: list[str], complete: bool) -> tuple[str, str | None] | None:
    """The heuristic on tokens; with `complete=False` the tokens are only the first ones of the
    instruction, and None says the answer needs more of them."""
    n = len(words)
    i = 0 if n and words[0] not in _LEAD_BY_FIRST else _skip_lead_ins_at(words, 0, complete)
    # lead-ins may be followed by punctuation ("Hi, write...") or a comma
    while i is not None and i < n and not words[i][0].isalnum():
        i = _skip_lead_ins_at(words, i + 1, complete)
    if i is None:
        return None
    if i >= n:
        return ("", None) if complete else None
    first = words[i]
    if first in QUESTION_WORDS:
        return "?" + first, None
    if not (first.isascii() and first[0].isalpha()) or first in CLOSED:
        return "", None  # the heuristic knows English closed-class words only
    if i + 1 >= n and not complete:
        return None
    follower = words[i + 1] if i + 1 < n else ""
    if (follower in _NO_VERB_FOLLOWERS or follower.isdigit()
            or len(first) > 5 and first.endswith("ing") and first not in _ING_VERBS):  # _gerund
        return "", None  # "Sentence:", "Paris is", "Describing...", "Question 5", "Step number 2": no verb
    for j in range(i + 1, min(i + 12, n)):
        word = words[j]
        if not word[0].isalnum():
            if word in ("-", "'", "’"):
                continue
            break
        if word in _NOT_OBJECTS or word.isdigit():
            continue
        if word in _CLAUSE_OPENERS:
            break  # "Explain why...", "Describe how...": the object is a clause
        return first, _singular(word.removesuffix("'s").removesuffix("’s"))
    else:
        if i + 12 > n and not complete:
            return None  # ran out of the short head before the 11 words the object is looked for in
    return first, None
