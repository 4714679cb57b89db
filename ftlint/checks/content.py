"""Family Q, per-record content rules: refusals and AI disclaimers (Q401), responses that only
restate the prompt (Q402), truncated responses (Q403) and time-bound statements (Q404).

Phrase lists are rule options (data in rules/content.toml), compiled once per options dict
(`ftlint.content.derived.PerOptions`). The rules return lists rather than generators: most records have no
finding, and an empty list costs less than a generator.
Every rule reads the shared response views of `ftlint.content.responses`, cached per record.
"""
from __future__ import annotations

import math
from typing import Any

from ..content.derived import PerOptions
from ..content.phrases import verb_object
from ..content.responses import (exchanges, lowered_prose, masked, prose, prose_words, record_screen_words,
                                 response_turns, truncation, turn_tokens)
from ..content.rouge import first_token_new, lcs_length, new_words_exceed, token_count, word_count
from ..content.screen import PhraseSet, either_words, phrase_set
from ..model import Hit, Sample, Severity
from ..registry import record_rule

MAX_EXCERPT = 80


def _quote(text: str) -> str:
    """Record text for a message: one line, at most MAX_EXCERPT characters, personal data masked."""
    text = " ".join(text.split())
    return masked(text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT - 3] + "...")


def _q401(options: dict[str, Any]) -> tuple[PhraseSet, PhraseSet, int, frozenset[bytes] | None]:
    refusals = phrase_set(tuple(options["refusal-patterns"]))
    disclaimers = phrase_set(tuple(options["disclaimer-patterns"]))
    return refusals, disclaimers, int(options["head-chars"]), either_words(refusals, disclaimers)


_Q401 = PerOptions(_q401)


@record_rule("Q401")
def refusal(sample: Sample, options: dict[str, Any]) -> list[Hit]:
    refusals, disclaimers, head, either = _Q401.get(options)
    _, words, all_ascii = record_screen_words(sample)
    if all_ascii and either is not None and either.isdisjoint(words):
        return []  # most records: none of the words any pattern opens with
    hits: list[Hit] = []
    for turn in response_turns(sample):
        words = prose_words(sample, turn)
        if refusals.absent(words) and disclaimers.absent(words):
            continue  # the words of the whole prose: a superset of the head's
        text, lowered = prose(sample, turn), lowered_prose(sample, turn)
        found = refusals.search(text[:head], lowered[:head])
        what = "refusal"
        if found is None:
            found = disclaimers.search(text, lowered)
            what = "AI disclaimer"
        if found is not None:
            shown = _quote(found.group(0))
            hits.append(Hit(f"{what} in {turn.role} response: \"{shown}\"", turn.field, excerpt=shown))
    return hits


def _q402(options: dict[str, Any]) -> tuple[float, int, int, int, frozenset[str], frozenset[str], float]:
    threshold = float(options["threshold"])
    return (threshold, int(options["min-tokens"]), int(options["max-new-words"]), int(options["max-prompt-tokens"]),
            frozenset(item.casefold() for item in options["echo-verbs"]),
            frozenset(item.casefold() for item in options["echo-words"]),
            threshold / (2.0 - threshold))  # 2 LCS / (m + n) >= t needs min/max length >= t / (2 - t)


_Q402 = PerOptions(_q402)


@record_rule("Q402")
def restated_prompt(sample: Sample, options: dict[str, Any]) -> list[Hit]:
    threshold, min_tokens, max_new, max_prompt, echo_verbs, echo_words, ratio = _Q402.get(options)
    hits: list[Hit] = []
    for asked, turn in exchanges(sample):
        # The instruction (Alpaca's `instruction`, a chat's user message), not material given with
        # it (Alpaca's `input`): an answer that reorders or edits the material is doing the task.
        if max_new == 0 and first_token_new(turn.text, asked[0].text):
            continue  # a new word (most answers: their first one) says something the prompt did not
        n = token_count(asked[0].text)
        if not n or n > max_prompt:
            continue
        # each word of the answer holds a token (+2 for stray "-" or "*"): far too long. Words are
        # whole numbers, so "more than n / ratio + 2" is "more than its floor".
        if word_count(turn.text) > math.floor(n / ratio + 2):
            continue
        prompt = turn_tokens(sample, asked[0])
        words = set(prompt)
        if new_words_exceed(turn.text, words, max_new):
            continue  # the response says something the prompt did not (most answers: its first word)
        answer = turn_tokens(sample, turn)
        m = len(answer)
        if m < min_tokens:
            continue
        if min(m, n) < ratio * max(m, n):
            continue
        if verb_object(asked[0].text)[0] in echo_verbs or not echo_words.isdisjoint(words):
            continue  # "rewrite / correct / repeat this": an answer close to the prompt is the task
        score = 2.0 * lcs_length(answer, prompt) / (m + n)
        if score >= threshold:
            hits.append(Hit(f"{turn.role} response only restates the prompt (ROUGE-L {score:.2f} with "
                            f"{asked[0].field}, threshold {threshold:g}): \"{_quote(turn.text)}\"", turn.field))
    return hits


def _q403(options: dict[str, Any]) -> tuple[int, frozenset[str]]:
    return int(options["min-words"]), frozenset(item.casefold() for item in options["dangling-words"])


_Q403 = PerOptions(_q403)


@record_rule("Q403")
def truncated_response(sample: Sample, options: dict[str, Any]) -> list[Hit]:
    min_words, dangling = _Q403.get(options)
    hits: list[Hit] = []
    for turn in response_turns(sample):
        if turn.role not in ("assistant", "text"):
            continue
        found = truncation(turn.text, min_words, dangling)
        if found is not None:
            why, certain = found
            tail = masked(turn.text.rstrip()[-60:])
            # The weakest sign (a long answer whose last line just lacks a full stop) is info:
            # plenty of complete answers omit the final period.
            hits.append(Hit(f"{turn.role} response {'looks' if certain else 'may be'} truncated: {why} "
                            f"(\"...{_quote(tail)}\")", turn.field, excerpt=tail,
                            severity=None if certain else Severity.INFO))
    return hits


def _q404(options: dict[str, Any]) -> tuple[PhraseSet, frozenset[bytes] | None]:
    patterns = phrase_set(tuple(options["patterns"]))
    return patterns, either_words(patterns)


_Q404 = PerOptions(_q404)


@record_rule("Q404")
def time_bound(sample: Sample, options: dict[str, Any]) -> list[Hit]:
    patterns, either = _Q404.get(options)
    _, words, all_ascii = record_screen_words(sample)
    if all_ascii and either is not None and either.isdisjoint(words):
        return []
    hits: list[Hit] = []
    for turn in response_turns(sample):
        if patterns.absent(prose_words(sample, turn)):
            continue
        found = [m.group(0) for m in patterns.finditer(prose(sample, turn), lowered_prose(sample, turn))]
        if found:
            unique = list(dict.fromkeys(_quote(f) for f in found))
            shown = "; ".join(f"\"{f}\"" for f in unique[:3])
            more = f" and {len(unique) - 3} more" if len(unique) > 3 else ""
            hits.append(Hit(f"time-bound statement in {turn.role} response: {shown}{more}", turn.field,
                            excerpt=unique[0]))
    return hits
