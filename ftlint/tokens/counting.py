"""Per-record token counts, computed once per sample and shared by every T rule.

A record is one or more token sequences: the conversation, or prompt + chosen and prompt +
rejected for preference pairs (each is truncated on its own). For every sequence: tokens per turn
(the content alone), and the total the trainer sees: the rendered chat template when one is
configured (exact), otherwise content plus the OpenAI cookbook's per-message overhead (3 tokens a
message + 3 to prime the reply) for OpenAI encodings and the estimate, or content only for a
tokenizer.json without a template.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Sample, Turn
from .backends import backend_for
from .settings import TokenizerSpec, resolve_tokenizer
from .template import TemplateRefused, template_for

RESPONSE_ROLES = frozenset({"assistant", "text"})
MESSAGE_OVERHEAD = 3  # tokens per message in the OpenAI cookbook's count
REPLY_PRIMING = 3
_FIELD = re.compile(r"^(?P<base>.+)\[(?P<index>\d+)\]\.content$")


@dataclass(slots=True)
class Sequence:
    """One token sequence the trainer builds from the record."""

    name: str  # "" for the conversation, "chosen" / "rejected" for a preference side
    turns: list[Turn]
    tokens: list[int]  # content tokens per turn
    total: int  # everything the trainer tokenizes, template or overhead included
    exact: bool  # total comes from the rendered chat template
    trained: int  # content tokens of trained turns
    method: str = "content"  # "template" (rendered), "overhead" (content + cookbook overhead), "content"


@dataclass(slots=True)
class Counts:
    tokenizer: str  # label for messages: "o200k_base", "tokenizer.json", "estimated"
    estimated: bool
    sequences: list[Sequence]
    prompt: int  # content tokens of the prompt side (system, user, tool... turns)
    response: int  # content tokens of the responses (assistant turns, or the chosen answer)
    trained: int  # content tokens the loss is computed on (every trained turn, both preference sides)
    total: int  # the longest sequence: what meets the context limit
    by_role: dict[str, int] = field(default_factory=dict)
    template_error: str | None = None  # the chat template refused the record (then totals use overhead)
    template_problems: dict[str, str] = field(default_factory=dict)  # role -> why the template cannot take it

    @property
    def longest(self) -> Sequence:
        return max(self.sequences, key=lambda s: s.total)

    def tokens_of(self, turn: Turn) -> int:
        for sequence in self.sequences:
            for candidate, n in zip(sequence.turns, sequence.tokens):
                if candidate is turn:
                    return n
        return 0


def spec_of(options: dict[str, Any]) -> TokenizerSpec:
    """The resolved tokenizer: from the options when the configuration resolved it on load, else
    (default settings, or options that did not come through a configuration) resolved here once
    per process, without touching the options (they are part of the result cache's key)."""
    entry = _BY_OPTIONS.get(id(options))
    if entry is None or entry[0] is not options:
        entry = _settings(options)
    return entry[1]


def _settings(options: dict[str, Any]) -> tuple[dict[str, Any], TokenizerSpec, str]:
    """(options, spec, the key of the counts in `Sample.cache`), remembered per options object:
    rules call this for every record with the same few dicts, and resolving (or hashing the
    frozen spec) each time cost more than a dict lookup by id. The options object is kept in the
    entry, so a dict that was freed and another allocated at its address is told apart."""
    entry = _BY_OPTIONS.get(id(options))
    if entry is None or entry[0] is not options:
        spec = options.get("_tokenizer")
        if spec is None:
            key = (str(options.get("tokenizer", "")), str(options.get("chat-template", "")))
            spec = _DEFAULTS.get(key)
            if spec is None:
                from .settings import resolve_template

                raw = resolve_tokenizer(key[0], Path.cwd())
                template = resolve_template(key[1], raw, Path.cwd())
                spec = _DEFAULTS[key] = TokenizerSpec(raw.kind, raw.name, raw.label, template, raw.stamp)
        if len(_BY_OPTIONS) >= 4096:
            _BY_OPTIONS.clear()
        entry = _BY_OPTIONS[id(options)] = (options, spec, f"tokens:{spec!r}")
    return entry


_DEFAULTS: dict[tuple[str, str], TokenizerSpec] = {}
_BY_OPTIONS: dict[int, tuple[dict[str, Any], TokenizerSpec, str]] = {}


def counts(sample: Sample, options: dict[str, Any]) -> Counts:
    entry = _BY_OPTIONS.get(id(options))
    if entry is None or entry[0] is not options:
        entry = _settings(options)
    cached = sample.cache.get(entry[2])
    if cached is None:
        spec = entry[1]
        if sample.chosen is None and sample.rejected is None and not (spec.template and spec.kind == "hf"):
            cached = _count_plain(sample, spec, backend_for(spec), sample.turns)  # `_count`, a call less
        else:
            cached = _count_general(sample, spec)
        sample.cache[entry[2]] = cached
    return cached


def counts_key(options: dict[str, Any]) -> str:
    """The key of the counts in `Sample.cache` for these options: a dataset rule keeps it and reads
    `sample.cache.get(key)` itself, falling back to `counts` only for the record's first rule."""
    return _settings(options)[2]


def _uses_template(sample: Sample, turns: list[Turn]) -> bool:
    """Trainers apply a chat template to conversations, not to plain text columns (TRL's standard
    form, language-modeling text): those are tokenized as they are."""
    if sample.format == "trl-text" or any(t.role == "text" for t in turns):
        return False
    if sample.format.startswith("trl-") or sample.format == "prompt-completion":
        return any("[" in t.field for t in turns)
    return True


def _raw_message(sample: Sample, turn: Turn) -> dict[str, Any]:
    """The message as the record holds it (tool calls, names), with its content as text."""
    message: dict[str, Any] = {"role": turn.role, "content": turn.text}
    match = _FIELD.match(turn.field)
    if match:
        value: Any = sample.data
        for part in match["base"].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, list) and int(match["index"]) < len(value) and isinstance(value[int(match["index"])], dict):
            raw = value[int(match["index"])]
            message = {k: v for k, v in raw.items() if k not in ("weight", "content")}
            message["role"] = turn.role
            message["content"] = turn.text
    return message


def _tools(sample: Sample) -> Any:
    tools = sample.tools
    if isinstance(tools, str):  # LLaMA-Factory stores tools as a JSON string
        import json

        try:
            tools = json.loads(tools)
        except ValueError:
            return None
    return tools or None


def _count(sample: Sample, spec: TokenizerSpec) -> Counts:
    if sample.chosen is None and sample.rejected is None and not (spec.template and spec.kind == "hf"):
        return _count_plain(sample, spec, backend_for(spec), sample.turns)
    return _count_general(sample, spec)


def _count_general(sample: Sample, spec: TokenizerSpec) -> Counts:
    backend = backend_for(spec)
    base = sample.turns
    sides = [(name, side) for name, side in (("chosen", sample.chosen), ("rejected", sample.rejected))
             if side is not None]
    plan = [("", base)] if not sides else [(name, base + side) for name, side in sides]
    # Every turn once, in one call, so a batching back-end sees the whole record.
    every = base + [t for _, side in sides for t in side]
    template = template_for(spec.template) if spec.template and spec.kind == "hf" else None
    rendered: list[tuple[int, str]] = []
    template_error = None
    problems: dict[str, str] = {}
    if template is not None:
        for role in sorted({t.role for t in every if t.role != "text"}):
            problem = template.role_problem(role)
            if problem:
                problems[role] = problem
        for i, (_, turns) in enumerate(plan):
            if not _uses_template(sample, turns):
                continue
            try:
                rendered.append((i, template.render([_raw_message(sample, t) for t in turns], _tools(sample))))
            except TemplateRefused as exc:
                template_error = str(exc)
                rendered = []
                break
    if rendered:
        numbers, exact_totals = _from_rendered(backend, plan, rendered, every)
    else:
        numbers, exact_totals = backend.count_many([t.text for t in every]), {}
    by_role: dict[str, int] = {}
    prompt = response = trained = 0
    for turn, n in zip(every, numbers):
        by_role[turn.role] = by_role.get(turn.role, 0) + n
        if turn.trained:
            trained += n
    for turn, n in zip(base, numbers):
        if turn.role in RESPONSE_ROLES:
            response += n
        else:
            prompt += n
    sequences = []
    offset = len(base)
    overhead = spec.kind != "hf"
    for i, (name, turns) in enumerate(plan):
        if name:
            side_len = len(turns) - len(base)
            tokens = numbers[:len(base)] + numbers[offset:offset + side_len]
            offset += side_len
            if name == "chosen":
                response += sum(tokens[len(base):])
        else:
            tokens = numbers[:len(base)]
        content = sum(tokens)
        if i in exact_totals:
            total, method = exact_totals[i], "template"
        elif overhead and turns and _uses_template(sample, turns):
            total, method = content + MESSAGE_OVERHEAD * len(turns) + REPLY_PRIMING, "overhead"
        else:
            total, method = content, "content"
        seq_trained = sum(n for t, n in zip(turns, tokens) if t.trained)
        sequences.append(Sequence(name, turns, tokens, total, method == "template", seq_trained, method))
    total = max((s.total for s in sequences), default=0)
    return Counts(spec.label, spec.estimated, sequences, prompt, response, trained, total, by_role,
                  template_error, problems)


def _count_plain(sample: Sample, spec: TokenizerSpec, backend: Any, turns: list[Turn]) -> Counts:
    """`_count` for the common record: one conversation, no chat template (same numbers, a
    fraction of the bookkeeping)."""
    numbers = backend.count_many([t.text for t in turns])
    by_role: dict[str, int] = {}
    prompt = response = trained = 0
    for turn, n in zip(turns, numbers):
        role = turn.role
        by_role[role] = by_role.get(role, 0) + n
        if turn.trained:
            trained += n
        if role in RESPONSE_ROLES:
            response += n
        else:
            prompt += n
    content = prompt + response
    fmt = sample.format  # `_uses_template`, on the roles already collected:
    if spec.kind != "hf" and turns and fmt != "trl-text" and "text" not in by_role and (
            not (fmt.startswith("trl-") or fmt == "prompt-completion") or any("[" in t.field for t in turns)):
        total, method = content + MESSAGE_OVERHEAD * len(turns) + REPLY_PRIMING, "overhead"
    else:
        total, method = content, "content"
    sequence = Sequence("", turns, numbers, total, False, trained, method)
    return Counts(spec.label, spec.estimated, [sequence], prompt, response, trained, total, by_role, None, {})


def _from_rendered(backend: Any, plan: list[tuple[str, list[Turn]]], rendered: list[tuple[int, str]],
                   every: list[Turn]) -> tuple[list[int], dict[int, int]]:
    """Per-turn counts from the one encoding of each rendered conversation: a turn's tokens are
    those starting inside its text there (what the trainer sees, and half the tokenizer work of
    encoding turns again). A turn the template rewrote (trimmed, reformatted) is encoded alone."""
    found: dict[int, int] = {}
    totals: dict[int, int] = {}
    for i, text in rendered:
        starts = backend.token_starts(text)
        totals[i] = len(starts)
        cursor = 0
        for turn in plan[i][1]:
            at = text.find(turn.text, cursor) if turn.text else -1
            if at < 0:
                continue
            cursor = at + len(turn.text)
            if id(turn) not in found:
                found[id(turn)] = bisect_left(starts, cursor) - bisect_left(starts, at)
    missing = [t for t in every if id(t) not in found]
    if missing:
        for turn, n in zip(missing, backend.count_many([t.text for t in missing])):
            found[id(turn)] = n
    return [found[id(t)] for t in every], totals


def cut_point(sample: Sample, sequence: Sequence, limit: int, spec: TokenizerSpec) -> tuple[int, int]:
    """(index of the turn truncation cuts, tokens of its text that survive), truncating from the
    end as OpenAI and TRL do. With a template, the rendered conversation is encoded once more with
    offsets and each turn's text located in it, so the first token of every turn is exact (only
    records over the limit pay for it); otherwise positions add content and overhead."""
    begins = _template_begins(sample, sequence, spec) if sequence.method == "template" else None
    if begins is None:
        overhead = MESSAGE_OVERHEAD if sequence.method == "overhead" else 0
        begins, position = [], 0
        for n in sequence.tokens:
            begins.append(position + overhead)  # the message's own overhead comes first
            position += n + overhead
    for index in range(len(sequence.turns) - 1, -1, -1):
        if begins[index] < limit:
            return index, max(0, min(sequence.tokens[index], limit - begins[index]))
    return 0, 0


def _template_begins(sample: Sample, sequence: Sequence, spec: TokenizerSpec) -> list[int] | None:
    """Token position where each turn's text begins in the rendered conversation (None when the
    template cannot render it or rewrites a turn's text)."""
    try:
        text = template_for(spec.template).render([_raw_message(sample, t) for t in sequence.turns], _tools(sample))
    except TemplateRefused:
        return None
    starts = backend_for(spec).token_starts(text)
    begins, cursor = [], 0
    for turn in sequence.turns:
        at = text.find(turn.text, cursor)
        if at < 0:
            return None
        begins.append(bisect_left(starts, at))
        cursor = at + len(turn.text)
    return begins
