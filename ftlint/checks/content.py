"""Family Q, per-record content rules: refusals and AI disclaimers (Q401), responses that only
restate the prompt (Q402), truncated responses (Q403) and time-bound statements (Q404).

Phrase lists are rule options (data in rules/content.toml), compiled once per distinct list.
Every rule reads the shared response views of `ftlint.content.responses`, cached per record.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from ..content.phrases import verb_object
from ..content.responses import (exchanges, lowered_prose, masked, prose, response_turns, truncation,
                                 turn_tokens)
from ..content.rouge import lcs_length
from ..content.screen import phrase_set
from ..model import Hit, Sample, Severity
from ..registry import record_rule

MAX_EXCERPT = 80


def _quote(text: str) -> str:
    """Record text for a message: one line, at most MAX_EXCERPT characters, personal data masked."""
    text = " ".join(text.split())
    return masked(text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT - 3] + "...")


@record_rule("Q401")
def refusal(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    refusals = phrase_set(tuple(options["refusal-patterns"]))
    disclaimers = phrase_set(tuple(options["disclaimer-patterns"]))
    head = int(options["head-chars"])
    for turn in response_turns(sample):
        text, lowered = prose(sample, turn), lowered_prose(sample, turn)
        found = refusals.search(text[:head], lowered[:head])
        what = "refusal"
        if found is None:
            found = disclaimers.search(text, lowered)
            what = "AI disclaimer"
        if found is not None:
            shown = _quote(found.group(0))
            yield Hit(f"{what} in {turn.role} response: \"{shown}\"", turn.field, excerpt=shown)


@functools.lru_cache(maxsize=16)
def _words(items: tuple[str, ...]) -> frozenset[str]:
    return frozenset(item.casefold() for item in items)


@record_rule("Q402")
def restated_prompt(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    threshold = float(options["threshold"])
    min_tokens = int(options["min-tokens"])
    max_new = int(options["max-new-words"])
    max_prompt = int(options["max-prompt-tokens"])
    echo_verbs = _words(tuple(options["echo-verbs"]))
    echo_words = _words(tuple(options["echo-words"]))
    ratio = threshold / (2.0 - threshold)  # 2 LCS / (m + n) >= t needs min/max length >= t / (2 - t)
    for asked, turn in exchanges(sample):
        # The instruction (Alpaca's `instruction`, a chat's user message), not material given with
        # it (Alpaca's `input`): an answer that reorders or edits the material is doing the task.
        prompt = turn_tokens(sample, asked[0])
        n = len(prompt)
        if not n or n > max_prompt or len(turn.text.split()) > n / ratio + 2:
            continue  # each word of the answer holds a token (+2 for stray "-" or "*"): far too long
        answer = turn_tokens(sample, turn)
        m = len(answer)
        if m < min_tokens:
            continue
        if not n or n > max_prompt or min(m, n) < ratio * max(m, n):
            continue
        words = set(prompt)
        if sum(1 for w in set(answer) if w not in words) > max_new:
            continue  # the response says something the prompt did not
        if verb_object(asked[0].text)[0] in echo_verbs or not echo_words.isdisjoint(words):
            continue  # "rewrite / correct / repeat this": an answer close to the prompt is the task
        score = 2.0 * lcs_length(answer, prompt) / (m + n)
        if score >= threshold:
            yield Hit(f"{turn.role} response only restates the prompt (ROUGE-L {score:.2f} with "
                      f"{asked[0].field}, threshold {threshold:g}): \"{_quote(turn.text)}\"", turn.field)


@record_rule("Q403")
def truncated_response(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    min_words = int(options["min-words"])
    dangling = _words(tuple(options["dangling-words"]))
    for turn in response_turns(sample):
        if turn.role not in ("assistant", "text"):
            continue
        found = truncation(turn.text, min_words, dangling)
        if found is not None:
            why, certain = found
            tail = masked(turn.text.rstrip()[-60:])
            # The weakest sign (a long answer whose last line just lacks a full stop) is info:
            # plenty of complete answers omit the final period.
            yield Hit(f"{turn.role} response {'looks' if certain else 'may be'} truncated: {why} "
                      f"(\"...{_quote(tail)}\")", turn.field, excerpt=tail,
                      severity=None if certain else Severity.INFO)


@record_rule("Q404")
def time_bound(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    patterns = phrase_set(tuple(options["patterns"]))
    for turn in response_turns(sample):
        found = [m.group(0) for m in patterns.finditer(prose(sample, turn), lowered_prose(sample, turn))]
        if found:
            unique = list(dict.fromkeys(_quote(f) for f in found))
            shown = "; ".join(f"\"{f}\"" for f in unique[:3])
            more = f" and {len(unique) - 3} more" if len(unique) > 3 else ""
            yield Hit(f"time-bound statement in {turn.role} response: {shown}{more}", turn.field, excerpt=unique[0])

