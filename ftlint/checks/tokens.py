"""Family T: token counts with the tokenizer you train with, context limits, lengths, repetition,
special tokens and chat templates.

Every rule reads the same per-record counts (`ftlint.tokens.counting.counts`, cached in
`Sample.cache`), so a record is tokenized once however many T rules run. The dataset-level rules
keep only length counters and a bounded list of candidates (line and numbers), so memory does
not grow with the file.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

from ..model import Hit, Sample, Severity, Turn
from ..registry import RunContext, dataset_rule, record_rule, run_rule
from ..tokens.counting import RESPONSE_ROLES, Counts, counts, counts_key, cut_point, spec_of
from ..tokens.repetition import MAX_CHARS, cannot_loop, find_loop, may_loop, recurs
from ..tokens.settings import TokenizerSpec
from ..tokens.stats import Bounded, Extremes, LengthCounter

SCREEN_CHARS = 16_384  # T105: longer texts are first tested with `cannot_loop` (cheaper than zlib there)
KEEP = 1000  # candidates kept per file by the outlier rules (the findings list them, up to max-listed)
BATCH = 1024  # T102/T103: lengths gathered before they go to the counters in one call
# Control strings of common chat templates (ChatML, Llama 2/3, Mistral, Gemma, Phi, GPT).
SPECIAL_TOKENS = (
    "<|im_start|>", "<|im_end|>", "<|im_sep|>", "<|endoftext|>", "<|endofprompt|>", "<|end|>",
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
    "<|eom_id|>", "<|python_tag|>", "<|system|>", "<|user|>", "<|assistant|>", "<|fim_prefix|>",
    "<|fim_middle|>", "<|fim_suffix|>", "<start_of_turn>", "<end_of_turn>", "[INST]", "[/INST]",
    "<<SYS>>", "<</SYS>>", "<s>", "</s>",
)
_HTML_S = re.compile(r"<s>[^<\n]{1,200}</s>")
_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`", re.DOTALL)


def _amount(n: int, c: Counts) -> str:
    """"1,234 tokens (o200k_base)" or "~1,234 tokens (estimated)": every message names its tokenizer."""
    if c.estimated:
        return f"~{n:,} tokens (estimated)"
    return f"{n:,} tokens ({c.tokenizer})"


def _label(c: Counts) -> str:
    return "estimated" if c.estimated else c.tokenizer


# --------------------------------------------------------------------------- T101


# The record rules are plain functions that return () for the usual record (no generator to
# create and exhaust per record) and hand the rare one to a generator that words the findings.


@record_rule("T101")
def context_overflow(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    limit = int(options["max-tokens"])
    c = counts(sample, options)
    if c.total <= limit:
        return ()
    return _overflow(sample, options, c, limit)


def _overflow(sample: Sample, options: dict[str, Any], c: Counts, limit: int) -> Iterator[Hit]:
    spec = spec_of(options)
    over = [s for s in c.sequences if s.total > limit]
    cuts = [cut_point(sample, s, limit, spec) for s in over]
    both = len(over) == 2 and over[0].turns[cuts[0][0]] is over[1].turns[cuts[1][0]]
    if both:  # both sides are cut in the shared prompt: one finding, for the longer side
        longer = 0 if over[0].total >= over[1].total else 1
        over, cuts = [over[longer]], [cuts[longer]]
    for sequence, (index, kept) in zip(over, cuts):
        turn, own = sequence.turns[index], sequence.tokens[index]
        after = len(sequence.turns) - index - 1
        survived = sum(n for t, n in zip(sequence.turns[:index], sequence.tokens) if t.trained)
        survived += kept if turn.trained else 0
        lost = sequence.trained - survived
        side = "both preference sides; longest " if both else ""
        side += f"prompt + {sequence.name}: " if sequence.name else ""
        exact = {"overhead": " with 3 tokens a message for the chat format",
                 "content": " of content (no chat template)" if spec.kind == "hf" else ""}.get(sequence.method, "")
        message = f"{side}{_amount(sequence.total, c)}{exact}, {sequence.total - limit:,} over max-tokens {limit:,}: "
        if kept >= own:
            message += (f"truncation keeps the {turn.role} turn's {own:,} tokens but cuts the chat-format tokens "
                        f"after it (its end-of-turn marker: the model does not learn to stop there)")
        else:
            message += f"truncation cuts the {turn.role} turn after {kept:,} of its {own:,} tokens"
        if after:
            message += f" and drops the {after} turn{'s' * (after != 1)} after it"
        if sequence.trained and survived == 0:
            message += "; no trained token survives: the record trains nothing"
        elif lost > 0:
            message += f"; {lost:,} of {sequence.trained:,} trained tokens are lost"
        yield Hit(message, turn.field)


# --------------------------------------------------------------------------- T102


def _final_responses(sample: Sample) -> list[Turn]:
    found = []
    responses = [t for t in sample.turns if t.role in RESPONSE_ROLES]
    if responses and sample.chosen is None:
        found.append(responses[-1])
    for side in (sample.chosen, sample.rejected):
        if side:
            found.append(side[-1])
    return [t for t in found if not t.payload]


def _visible(text: str) -> bool:
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cn", "Zs") for ch in text)


@dataset_rule("T102")
class ResponseTooShort:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.error_below = int(options["min-response-tokens"])
        self.warn_below = int(options["warn-below-tokens"])
        self.lengths = LengthCounter()
        self.short = Bounded(int(options["max-listed"]))
        self.empty = Bounded(int(options["max-listed"]))
        self.label = ""
        self.key: str | None = None  # the counts' key in `Sample.cache`, known after the first record
        self.pending: list[int] = []  # lengths not yet in `self.lengths`

    def add(self, sample: Sample) -> None:
        if sample.chosen is None and sample.rejected is None:
            # One conversation: its last response, whose count sits at the same index.
            turns = sample.turns
            index = len(turns) - 1
            while index >= 0 and turns[index].role not in RESPONSE_ROLES:
                index -= 1
            if index < 0 or turns[index].payload:
                return
            c = sample.cache.get(self.key)
            if c is None:
                c = counts(sample, self.options)
                self.key = counts_key(self.options)
            responses, numbers = [turns[index]], [c.sequences[0].tokens[index]]
        else:
            responses = _final_responses(sample)
            if not responses:
                return
            c = counts(sample, self.options)
            numbers = [c.tokens_of(turn) for turn in responses]
        self.label = self.label or _label(c)
        line = sample.record.line
        pending = self.pending
        pending += numbers
        if len(pending) >= BATCH:
            self.lengths.add_many(pending)
            self.pending = []
        for turn, n in zip(responses, numbers):
            if not turn.text.strip():
                continue  # empty or whitespace-only: Q101 reports it
            visible = turn.text[0].isalnum() or _visible(turn.text)  # a letter or digit first: visible
            if not visible or n < self.error_below:
                self.empty.add(line, turn.field, turn.role, n, len(turn.text), visible, c.estimated)
            elif n < self.warn_below:
                self.short.add(line, turn.field, turn.role, n, c.estimated)

    def _flush(self) -> None:
        if self.pending:
            self.lengths.add_many(self.pending)
            self.pending = []

    def merge(self, other: "ResponseTooShort") -> None:
        self._flush()
        other._flush()
        self.lengths.merge(other.lengths)
        self.short.merge(other.short)
        self.empty.merge(other.empty)
        self.label = self.label or other.label

    def finish(self, path: str) -> Iterator[Hit]:
        self._flush()
        for line, field, role, n, size, visible, estimated in self.empty.items:
            if visible:
                what = f"{'~' if estimated else ''}{n} token{'s' * (n != 1)} ({self.label}), fewer than min-response-tokens {self.error_below}"
            else:
                what = (f"no visible character ({size} invisible or format character{'s' * (size != 1)} "
                        f"such as zero-width spaces): it is empty to a reader")
            yield Hit(f"the {role} response has {what}", field, line=line, severity=Severity.ERROR)
        if self.empty.total > len(self.empty.items):
            yield Hit(f"{self.empty.total - len(self.empty.items):,} more empty-looking responses not listed "
                      f"(max-listed {self.empty.k})", severity=Severity.ERROR, key="T102:more-empty")
        median = self.lengths.quantiles([0.5])[0]
        if not self.short.total or median < int(self.options["when-median-at-least"]):
            return
        for line, field, role, n, estimated in self.short.items:
            yield Hit(f"{role} response of {'~' if estimated else ''}{n} token{'s' * (n != 1)} in a file whose median "
                      f"response has {median:,.0f} tokens ({self.label}); warn-below-tokens {self.warn_below}",
                      field, line=line)
        rest = self.short.total - len(self.short.items)
        if rest > 0:
            yield Hit(f"{rest:,} more responses shorter than {self.warn_below} tokens not listed (max-listed "
                      f"{self.short.k})", key="T102:more")


# --------------------------------------------------------------------------- T103 + statistics


@dataset_rule("T103")
class LengthOutlier:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.limit = int(options["max-tokens"])
        self.total = LengthCounter()
        self.prompt = LengthCounter()
        self.response = LengthCounter()
        self.trained = 0
        self.over = 0
        self.by_role: dict[str, int] = {}
        self.methods: dict[str, int] = {}
        self.label = ""
        self.extremes = Extremes(KEEP)
        self.key: str | None = None  # the counts' key in `Sample.cache`, known after the first record
        self.pending: list[int] = []  # total, prompt, response of records not yet in the counters

    def add(self, sample: Sample) -> None:
        c = sample.cache.get(self.key)
        if c is None:
            c = counts(sample, self.options)
            self.key = counts_key(self.options)
            self.label = self.label or _label(c)
        total = c.total
        pending = self.pending
        pending += (total, c.prompt, c.response)
        if len(pending) >= BATCH * 3:
            self._flush()
        self.trained += c.trained
        if total > self.limit:
            self.over += 1
        sequences = c.sequences
        method = sequences[0].method if len(sequences) == 1 else c.longest.method
        methods = self.methods
        methods[method] = methods.get(method, 0) + 1
        by_role = self.by_role
        for role, n in c.by_role.items():
            by_role[role] = by_role.get(role, 0) + n
        heap = self.extremes.heap
        if len(heap) < KEEP or total >= heap[0][0]:  # `Extremes.add`'s own first test, without the call
            self.extremes.add(total, sample.record.path, sample.record.line, (c.prompt, c.response, c.estimated))

    def _flush(self) -> None:
        pending = self.pending
        if pending:
            self.total.add_many(pending[0::3])
            self.prompt.add_many(pending[1::3])
            self.response.add_many(pending[2::3])
            self.pending = []

    def merge(self, other: "LengthOutlier") -> None:
        self._flush()
        other._flush()
        for mine, theirs in ((self.total, other.total), (self.prompt, other.prompt), (self.response, other.response)):
            mine.merge(theirs)
        self.trained += other.trained
        self.over += other.over
        for method, n in other.methods.items():
            self.methods[method] = self.methods.get(method, 0) + n
        for role, n in other.by_role.items():
            self.by_role[role] = self.by_role.get(role, 0) + n
        self.extremes.merge(other.extremes)
        self.label = self.label or other.label

    def finish(self, path: str) -> Iterator[Hit]:
        self._flush()
        if self.total.n < int(self.options["min-records"]):
            return
        median, high = self.total.quantiles([0.5, float(self.options["outlier-quantile"])])
        factor = float(self.options["median-factor"])
        threshold = max(high, factor * median)
        listed = 0
        cap = int(self.options["max-listed"])
        for total, _, line, (prompt, response, estimated) in self.extremes.items():
            if total <= threshold:
                break
            if listed == cap:
                break
            listed += 1
            est = "~" if estimated else ""
            yield Hit(f"{est}{total:,.0f} tokens ({self.label}), {total / max(median, 1):,.1f} x the file's median of "
                      f"{median:,.0f} and above its p{round(float(self.options['outlier-quantile']) * 100)} of "
                      f"{high:,.0f} (prompt {est}{prompt:,}, response {est}{response:,})", line=line)
        rest = self.total.count_above(threshold) - listed
        if rest > 0:
            yield Hit(f"{rest:,} more records above {threshold:,.0f} tokens not listed (max-listed {cap})",
                      key="T103:more")

    def statistics(self) -> dict[str, Any]:
        self._flush()
        if not self.total.n:
            return {}
        return {
            "tokenizer": self.label,
            "counted": _counted(self.methods),
            "records": self.total.n,
            "total": self.total.summary(),
            "prompt": self.prompt.summary(),
            "response": self.response.summary(),
            "tokens": int(self.total.sum),
            "trained-tokens": self.trained,
            "tokens-by-role": dict(sorted(self.by_role.items(), key=lambda kv: -kv[1])),
            "max-tokens": self.limit,
            "over-limit": self.over,
            "over-limit-share": round(self.over / self.total.n, 6),
            "plots": [
                self.total.histogram("Tokens per record (total)", "tokens", self.limit),
                self.response.histogram("Tokens per record (response)", "tokens", None),
                {"kind": "bars", "title": "Tokens by role", "values": dict(sorted(self.by_role.items())),
                 "unit": "tokens"},
            ],
        }


_METHODS = {"template": "chat template (exact)", "overhead": "content + 3 tokens a message",
            "content": "content only (no chat template)"}


def _counted(methods: dict[str, int]) -> str:
    """How totals were counted; a mix (records the template refused) names each part's share."""
    if len(methods) == 1:
        return _METHODS[next(iter(methods))]
    return ", ".join(f"{_METHODS[m]} for {n:,} records" for m, n in sorted(methods.items(), key=lambda kv: -kv[1]))


# --------------------------------------------------------------------------- T104


@dataset_rule("T104")
class RatioOutlier:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.ratios = LengthCounter()
        self.high = Extremes(KEEP)
        self.low = Extremes(KEEP)
        self.label = ""

    def add(self, sample: Sample) -> None:
        c = counts(sample, self.options)
        if c.prompt <= 0 or c.response <= 0:
            return
        ratio = c.response / c.prompt
        self.label = self.label or _label(c)
        self.ratios.add(round(ratio, 4) if ratio < 100 else round(ratio, 1))
        payload = (c.prompt, c.response, c.estimated)
        self.high.add(ratio, sample.record.path, sample.record.line, payload)
        self.low.add(-ratio, sample.record.path, sample.record.line, payload)

    def merge(self, other: "RatioOutlier") -> None:
        self.ratios.merge(other.ratios)
        self.high.merge(other.high)
        self.low.merge(other.low)
        self.label = self.label or other.label

    def finish(self, path: str) -> Iterator[Hit]:
        if self.ratios.n < int(self.options["min-records"]):
            return
        q = float(self.options["outlier-quantile"])
        low_q, median, high_q = self.ratios.quantiles([q, 0.5, 1 - q])
        factor = float(self.options["median-factor"])
        above = max(high_q, median * factor)
        below = min(low_q, median / factor)
        cap = int(self.options["max-listed"])
        found = []
        for key, _, line, payload in self.high.items():
            if key <= above:
                break
            found.append((line, key, payload, "long"))
        for key, _, line, payload in self.low.items():
            if -key >= below:
                break
            found.append((line, -key, payload, "short"))
        found.sort()
        for line, ratio, (prompt, response, estimated), which in found[:cap]:
            est = "~" if estimated else ""
            times = ratio / median if which == "long" else median / max(ratio, 1e-9)
            yield Hit(f"response/prompt ratio {ratio:,.3g} ({est}{response:,} response and {est}{prompt:,} prompt "
                      f"tokens, {self.label}) is {times:,.0f} x {'above' if which == 'long' else 'below'} the "
                      f"file's median ratio of {median:,.3g}: a response this {which} for its prompt is often a "
                      f"misaligned or truncated field", line=line)
        rest = self.ratios.count_above(above) + self.ratios.count_below(below) - min(len(found), cap)
        if rest > 0:
            yield Hit(f"{rest:,} more ratio outliers not listed (max-listed {cap})", key="T104:more")


# --------------------------------------------------------------------------- T105


@record_rule("T105")
def degenerate_repetition(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    # Most responses are short or fail `may_loop` (a few str.count calls): test that before
    # building anything, and read the options only for a text that may hold a loop.
    candidates = [t for t in sample.turns
                  if t.role in RESPONSE_ROLES and len(t.text) >= 64 and recurs(t.text[:MAX_CHARS])]  # `may_loop`
    for side in (sample.chosen, sample.rejected if options.get("check-rejected") else None):
        if side:
            candidates += [t for t in side if len(t.text) >= 64 and may_loop(t.text)]
    return _loops(candidates, options) if candidates else ()


def _loops(candidates: list[Turn], options: dict[str, Any]) -> Iterator[Hit]:
    min_share, error_share = float(options["min-share"]), float(options["error-share"])
    for turn in candidates:
        if len(turn.text) >= SCREEN_CHARS and cannot_loop(turn.text, int(options["min-words"]), min_share=min_share):
            continue
        loop = find_loop(turn.text, int(options["min-words"]), min_share=min_share)
        if loop is None or loop.share < min_share or loop.repeats < int(options["min-repeats"]):
            continue
        unit = loop.unit if len(loop.unit) <= 60 else loop.unit[:57] + "..."
        severity = Severity.ERROR if loop.share >= error_share else Severity.WARNING
        yield Hit(f"{loop.share:.0%} of the {turn.role} response is one loop: {unit!r} repeated {loop.repeats:,} "
                  f"times (the text compresses {loop.ratio:,.0f}:1)", turn.field, excerpt=unit, severity=severity)


# --------------------------------------------------------------------------- T106


def _special_pattern(options: dict[str, Any]) -> tuple[re.Pattern[str] | None, frozenset[str], re.Pattern[str] | None]:
    """(the tokens as one alternation, the tokenizer's own special tokens, a screen): remembered
    per options object. The screen is None when every token starts with "<" or "[" (then two
    `in` tests decide that a text holds none), else a character class of the tokens' first
    characters; a token starting with a space has no screen (code skipped by `skip-code` leaves a
    space that could begin a match)."""
    entry = _BY_OPTIONS.get(id(options))
    if entry is not None and entry[0] is options:
        return entry[1]
    spec = spec_of(options)
    key = ("T106", spec, tuple(options.get("extra-tokens", ())), tuple(options.get("allow-tokens", ())))
    cached = _PATTERNS.get(key)
    if cached is None:
        from ..tokens.backends import backend_for

        own = frozenset(backend_for(spec).special_tokens) if spec.kind != "estimate" else frozenset()
        tokens = (set(SPECIAL_TOKENS) | own | set(options.get("extra-tokens", ()))) - set(options.get("allow-tokens", ()))
        tokens = {t for t in tokens if t}
        pattern = re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))) if tokens else None
        firsts = {t[0] for t in tokens}
        screen = (None if firsts <= {"<", "["} else re.compile("(?s).") if any(c.isspace() for c in firsts)
                  else re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]"))
        cached = _PATTERNS[key] = (pattern, own, screen)
    if len(_BY_OPTIONS) >= 4096:
        _BY_OPTIONS.clear()
    _BY_OPTIONS[id(options)] = (options, cached)
    return cached


_PATTERNS: dict[tuple, tuple[re.Pattern[str] | None, frozenset[str], re.Pattern[str] | None]] = {}
_BY_OPTIONS: dict[int, tuple[dict[str, Any], tuple]] = {}


@record_rule("T106")
def special_token_in_content(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    turns = sample.all_turns() if sample.chosen or sample.rejected else sample.turns
    pattern, own, screen = _special_pattern(options)
    if pattern is None:
        return ()
    if screen is None:
        for turn in turns:
            if "<" in turn.text or "[" in turn.text:
                break
        else:
            return ()
    elif not any(screen.search(t.text) for t in turns):
        return ()
    return _specials(turns, options, pattern, own)


def _specials(turns: list[Turn], options: dict[str, Any], pattern: re.Pattern[str], own: frozenset[str]) -> Iterator[Hit]:
    skip_code = options.get("skip-code", False)
    for turn in turns:
        text = turn.text
        if skip_code and ("`" in text or "~~~" in text):
            text = _CODE.sub(" ", text)
        if "<s>" not in own and "</s>" in text:
            text = _HTML_S.sub(" ", text)  # HTML strikethrough, unless <s> is this tokenizer's BOS
        found = list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))
        if not found:
            continue
        shown = ", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
        source = "a special token of the configured tokenizer" if all(t in own for t in found) else "special-token text"
        yield Hit(f"{source} in {turn.role} content: {shown}; the tokenizer turns it into a control token "
                  f"(template injection)", turn.field, excerpt=found[0])


# --------------------------------------------------------------------------- T107


@record_rule("T107")
def chat_template_refuses(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    spec = spec_of(options)
    if not spec.template or spec.kind != "hf":
        return ()
    c = counts(sample, options)
    if not c.template_problems and not c.template_error:
        return ()
    return _refusals(sample, spec, c)


def _refusals(sample: Sample, spec: TokenizerSpec, c: Counts) -> Iterator[Hit]:
    name = PurePath(spec.template).name
    reported = False
    for role, problem in c.template_problems.items():
        turn = next((t for t in sample.all_turns() if t.role == role), None)
        if turn is not None:
            reported = True
            yield Hit(f"the chat template ({name}) cannot take a {role} turn: it {problem}", turn.field)
    if c.template_error and not reported:
        yield Hit(f"the chat template ({name}) refuses this conversation: {c.template_error}")


# --------------------------------------------------------------------------- T100


@run_rule("T100")
class TokenStatistics:
    def __init__(self, options: dict[str, Any], context: RunContext) -> None:
        self.options = options
        self.limit = int(options["max-tokens"])
        self.groups: dict[str, list[int]] = {}  # split (or "all") -> [records, tokens, trained, billed]
        self.label = ""
        self.key: str | None = None  # the counts' key in `Sample.cache`, known after the first record

    def add(self, sample: Sample, split: str | None) -> None:
        c = sample.cache.get(self.key)
        if c is None:
            c = counts(sample, self.options)
            self.key = counts_key(self.options)
            self.label = self.label or _label(c)
        total, trained = c.total, c.trained
        billed = total if total < self.limit else self.limit
        groups = self.groups
        for group in ("all",) if split is None or split == "all" else ("all", split):
            entry = groups.get(group)
            if entry is None:
                entry = groups[group] = [0, 0, 0, 0]
            entry[0] += 1
            entry[1] += total
            entry[2] += trained
            entry[3] += billed

    def merge(self, other: "TokenStatistics") -> None:
        for group, numbers in other.groups.items():
            entry = self.groups.setdefault(group, [0, 0, 0, 0])
            for i, n in enumerate(numbers):
                entry[i] += n
        self.label = self.label or other.label

    def finish(self) -> Iterator[Hit]:
        return iter(())

    def statistics(self) -> dict[str, Any]:
        if not self.groups:
            return {}
        records, tokens, trained, billed = self.groups["all"]
        stats: dict[str, Any] = {"tokenizer": self.label, "records": records, "tokens": tokens,
                                 "trained-tokens": trained, "tokens-per-epoch": billed, "max-tokens": self.limit}
        splits = {name: dict(zip(("records", "tokens", "trained-tokens", "tokens-per-epoch"), numbers))
                  for name, numbers in sorted(self.groups.items()) if name != "all"}
        if splits:
            stats["splits"] = splits
            stats["plots"] = [{"kind": "bars", "title": "Trained tokens per split",
                               "values": {k: v["trained-tokens"] for k, v in splits.items()}, "unit": "tokens"}]
        return stats
