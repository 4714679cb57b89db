"""Family Q, diversity of a dataset (per file): repeated openings (Q202), lexical diversity and
repetition (Q203), and the verb-object spread of instructions (Q204).

LIMA's lesson is that a small, varied set beats a big repetitive one; these rules put numbers on
"varied" and show them in every report's statistics (with plots for the HTML report). State is
sketches and bounded counters (`ftlint.content.sketches`): ~16 KiB per distinct-count, a few
thousand opening or verb-object counters, a histogram; nothing grows with the text.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import ConfigError
from ..content.phrases import opening, verb_object
from ..content.responses import response_turns, response_words
from ..content.sketches import DistinctCounter, FrequentCounter, Histogram, bars
from ..model import Hit, Location, Sample
from ..registry import dataset_rule

TOP_PLOTTED = 15
EXAMPLES = 5  # locations kept per opening / verb, shown as related locations
MIN_SHOWN = 3  # openings and verb-object pairs are listed only when this many records share them
BATCH = 256  # responses hashed together for the distinct-n sketches (at most 256: see _flush)
KEY_BATCH = 512  # records whose openings / verb-objects are extracted and counted together


def instruction_turn(sample: Sample):
    """The first user turn: an Alpaca `instruction`, the opening message of a chat (found once
    per record for Q202 and Q204)."""
    cache = sample.cache
    if "content.instruction" in cache:
        return cache["content.instruction"]
    found = None
    for turn in sample.turns:
        text = turn.text
        if turn.role == "user" and text and not text.isspace():  # `text.strip()` without a copy
            found = turn
            break
    cache["content.instruction"] = found
    return found


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _fraction(options: dict[str, Any], key: str, code: str) -> float:
    value = float(options[key])
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"rules.{code}.{key}: must be between 0 and 1, got {value:g}")
    return value


def _related(path: str, lines: list[int]) -> tuple[Location, ...]:
    return tuple(Location(path, line) for line in lines)


@dataset_rule("Q202")
class RepeatedOpenings:
    """Share of the most common opening phrases of prompts and of responses."""

    code = "Q202"

    def __init__(self, options: dict[str, Any]) -> None:
        self.words = int(options["words"])
        if self.words < 1:
            raise ConfigError(f"rules.{self.code}.words: must be at least 1, got {self.words}")
        self.top_k = int(options["top-k"])
        self.limits = {"prompt": _fraction(options, "prompt-max-share", self.code),
                       "response": _fraction(options, "response-max-share", self.code)}
        self.min_records = int(options["min-records"])
        self.counters = {"prompt": FrequentCounter(examples=EXAMPLES), "response": FrequentCounter(examples=EXAMPLES)}
        # per record, its line and the texts its openings come from (references, no copies):
        # openings are taken and counted a batch at a time, in record order (the same counts)
        self._pending: list[tuple[int, str | None, str | None]] = []

    def add(self, sample: Sample) -> None:
        turn = instruction_turn(sample)
        responses = response_turns(sample)
        pending = self._pending
        pending.append((sample.record.line, turn.text if turn is not None else None,
                        responses[0].text if responses else None))
        if len(pending) >= KEY_BATCH:
            self._flush()

    def _flush(self) -> None:
        pending = self._pending
        if not pending:
            return
        self._pending = []
        words = self.words
        for side, at in (("prompt", 1), ("response", 2)):
            keys: list[str] = []
            shown: list[str] = []
            lines: list[int] = []
            for item in pending:
                text = item[at]
                if text is not None and (found := opening(text, words)):
                    keys.append(found[0])
                    shown.append(found[1])
                    lines.append(item[0])
            self.counters[side].add_many(keys, shown, lines)

    def __getstate__(self) -> dict[str, Any]:
        self._flush()
        return self.__dict__.copy()

    def merge(self, other: "RepeatedOpenings") -> None:
        self._flush()
        other._flush()
        for side, counter in self.counters.items():
            counter.merge(other.counters[side])

    def finish(self, path: str) -> Iterator[Hit]:
        self._flush()
        for side in ("prompt", "response"):
            counter = self.counters[side]
            limit = self.limits[side]
            if counter.total < self.min_records or limit >= 1.0:
                continue
            top = counter.top(3)
            if not top:
                continue
            key, n = top[0]
            share = _share(n, counter.total)
            if share <= limit:
                continue
            others = "; ".join(f"\"{counter.display(k)}\" {_share(c, counter.total):.0%}" for k, c in top[1:]
                               if _share(c, counter.total) >= 0.05)
            yield Hit(f"{share:.1%} of {side}s ({n} of {counter.total}) open with \"{counter.display(key)}\" "
                      f"(max {limit:.0%} for the most common {self.words}-word opening"
                      + (f"; next: {others}" if others else "") + "); first at these lines",
                      related=_related(path, counter.examples.get(key, [])), key=f"{side}|{key}")

    def statistics(self) -> dict[str, Any]:
        self._flush()
        stats: dict[str, Any] = {"words": self.words}
        plots = []
        for side in ("prompt", "response"):
            counter = self.counters[side]
            if not counter.total:
                continue
            top = counter.top(self.top_k)
            stats[f"{side}s"] = counter.total
            stats[f"distinct-{side}-openings"] = counter.distinct()
            stats[f"top-{side}-opening-share"] = round(_share(top[0][1], counter.total), 6)
            # An opening of one or two records is no pattern, just record text: not listed.
            shared = [(k, n) for k, n in top if n >= MIN_SHOWN]
            stats[f"top-{side}-openings"] = {counter.display(k): n for k, n in shared}
            if shared:
                plots.append(bars(f"Most common {side} openings ({self.words} words)",
                                  {counter.display(k): n for k, n in shared[:TOP_PLOTTED]}))
        if plots:
            stats["plots"] = plots
        return stats


@dataset_rule("Q203")
class LexicalDiversity:
    """distinct-1 / distinct-2 over all responses and a per-response repetition score.

    Words are case-folded and split on whitespace and punctuation. Responses are buffered and
    hashed in batches (numpy): word hashes feed the distinct-1 sketch, pairs of consecutive ones
    distinct-2, triples the repetition score of each response (distinct 3-grams per response by
    one sort of the batch)."""

    code = "Q203"

    def __init__(self, options: dict[str, Any]) -> None:
        self.min_distinct = {1: _fraction(options, "min-distinct-1", self.code),
                             2: _fraction(options, "min-distinct-2", self.code)}
        self.score_limit = _fraction(options, "repetitive-score", self.code)
        self.max_share = _fraction(options, "max-repetitive-share", self.code)
        self.min_records = int(options["min-records"])
        self.distinct = {1: DistinctCounter(), 2: DistinctCounter()}
        self.totals = {1: 0, 2: 0}
        self.responses = 0
        self.scored = 0
        self.repetitive = 0
        self.examples: list[int] = []
        self.histogram = Histogram([i / 10 for i in range(11)])
        self.score_sum = 0.0
        self._pending: list[str] = []
        self._lines: list[int] = []

    def add(self, sample: Sample) -> None:
        responses = response_turns(sample)
        if not responses:
            return
        words = response_words(sample)
        if not words:
            return
        count = words.count(" ") + 1
        self.responses += 1
        self.totals[1] += count
        self.totals[2] += count - 1
        self._pending.append(words)
        self._lines.append(sample.record.line)
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        texts, lines = self._pending, self._lines
        self._pending, self._lines = [], []
        if not texts:
            return
        import numpy as np

        from ..similarity import WORD, Params, shingle_hashes

        hashes, offsets = shingle_hashes(texts, WORD, Params(ngram=1), joined=True)
        self.distinct[1].add_hashes(hashes)
        units = hashes.astype(np.uint64)
        owner = np.repeat(np.arange(len(texts)), np.diff(offsets))
        if len(units) > 1:
            same = owner[:-1] == owner[1:]  # consecutive words of one response
            pairs = _mix((units[:-1] << np.uint64(32)) | units[1:])[same]
            self.distinct[2].add_hashes((pairs >> np.uint64(32)).astype(np.uint32))
        if len(units) > 2:
            same3 = (owner[:-2] == owner[1:-1]) & (owner[1:-1] == owner[2:])
            triples = _mix(_mix((units[:-2] << np.uint64(32)) | units[1:-1]) ^ units[2:])[same3]
            who = owner[:-2][same3].astype(np.uint64)
            # one sort of (response, 3-gram) keys: the response index (< 2^8 in a batch) replaces
            # the top 8 bits of the 64-bit 3-gram hash
            keys = np.sort((who << np.uint64(56)) | (triples & np.uint64((1 << 56) - 1)))
            new = np.ones(len(keys), dtype=bool)
            new[1:] = keys[1:] != keys[:-1]
            who = (keys >> np.uint64(56)).astype(np.int64)
            distinct = np.bincount(who[new], minlength=len(texts))
            grams = np.bincount(who, minlength=len(texts))
            scored = np.flatnonzero(np.diff(offsets) >= 10)
            scores = 1.0 - distinct[scored] / grams[scored]
            self.scored += len(scored)
            self.score_sum += float(scores.sum())
            self.histogram.add_many(scores)
            for i in scored[scores >= self.score_limit].tolist():
                self.repetitive += 1
                if len(self.examples) < 10:
                    self.examples.append(lines[i])

    def merge(self, other: "LexicalDiversity") -> None:
        self._flush()
        other._flush()
        for n in (1, 2):
            self.distinct[n].merge(other.distinct[n])
            self.totals[n] += other.totals[n]
        self.responses += other.responses
        self.scored += other.scored
        self.repetitive += other.repetitive
        self.score_sum += other.score_sum
        self.examples = (self.examples + other.examples)[:10]
        self.histogram.merge(other.histogram)

    def __getstate__(self) -> dict[str, Any]:
        self._flush()
        return self.__dict__.copy()

    def distinct_n(self, n: int) -> float | None:
        self._flush()
        if not self.totals[n]:
            return None
        return min(1.0, self.distinct[n].estimate() / self.totals[n])

    def finish(self, path: str) -> Iterator[Hit]:
        self._flush()
        if self.responses < self.min_records:
            return
        for n in (1, 2):
            value, floor = self.distinct_n(n), self.min_distinct[n]
            if value is not None and floor > 0 and value < floor:
                yield Hit(f"low lexical diversity of responses: distinct-{n} = {value:.3f} (distinct {n}-grams / "
                          f"all {n}-grams over {self.responses} responses; min-distinct-{n} is {floor:g})",
                          key=f"distinct-{n}")
        share = _share(self.repetitive, self.scored)
        if self.scored and share > self.max_share:
            yield Hit(f"{share:.1%} of responses ({self.repetitive} of {self.scored} with 10+ words) repeat "
                      f"{self.score_limit:.0%} or more of their own word 3-grams (max-repetitive-share "
                      f"{self.max_share:.0%}); first at these lines", related=_related(path, self.examples),
                      key="repetitive")

    def statistics(self) -> dict[str, Any]:
        self._flush()
        if not self.responses:
            return {}
        d1, d2 = self.distinct_n(1), self.distinct_n(2)
        stats: dict[str, Any] = {
            "responses": self.responses, "tokens": self.totals[1],
            "distinct-1": round(d1, 6) if d1 is not None else None,
            "distinct-2": round(d2, 6) if d2 is not None else None,
            "distinct-unigrams": round(self.distinct[1].estimate()),
            "distinct-bigrams": round(self.distinct[2].estimate()),
            "repetition-score-mean": round(self.score_sum / self.scored, 6) if self.scored else None,
            "repetitive-responses": self.repetitive,
        }
        if self.scored:
            stats["plots"] = [self.histogram.plot("Repetition score of responses (share of repeated word 3-grams)",
                                                  "responses", limit=self.score_limit)]
        return stats


def _mix(values: Any) -> Any:
    """A 64-bit mixing step (MurmurHash3's finaliser) over a numpy uint64 array."""
    import numpy as np

    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


@dataset_rule("Q204")
class VerbObjectSpread:
    """Leading verb and its object of each instruction, as Self-Instruct reports them."""

    code = "Q204"

    def __init__(self, options: dict[str, Any]) -> None:
        self.max_share = _fraction(options, "max-top-verb-share", self.code)
        self.min_records = int(options["min-records"])
        self.top_k = int(options["top-k"])
        self.verbs = FrequentCounter(examples=EXAMPLES)
        self.pairs = FrequentCounter(capacity=5000)
        self.questions = FrequentCounter(capacity=50)
        self.instructions = 0
        # instructions (references) and their lines, parsed and counted a batch at a time in
        # record order (the same counts)
        self._texts: list[str] = []
        self._lines: list[int] = []

    def add(self, sample: Sample) -> None:
        turn = instruction_turn(sample)
        if turn is None:
            return
        self._texts.append(turn.text)
        self._lines.append(sample.record.line)
        if len(self._texts) >= KEY_BATCH:
            self._flush()

    def _flush(self) -> None:
        texts, lines = self._texts, self._lines
        if not texts:
            return
        self._texts, self._lines = [], []
        self.instructions += len(texts)
        verbs: list[str] = []
        examples: list[int] = []
        pairs: list[str] = []
        questions: list[str] = []
        for text, line in zip(texts, lines):
            verb, obj = verb_object(text)
            if not verb:
                continue
            if verb[0] == "?":
                questions.append(verb[1:])
                continue
            verbs.append(verb)
            examples.append(line)
            pairs.append(f"{verb} {obj}" if obj else verb)
        self.verbs.add_many(verbs, examples=examples)
        self.pairs.add_many(pairs)
        self.questions.add_many(questions)

    def __getstate__(self) -> dict[str, Any]:
        self._flush()
        return self.__dict__.copy()

    def merge(self, other: "VerbObjectSpread") -> None:
        self._flush()
        other._flush()
        self.instructions += other.instructions
        self.verbs.merge(other.verbs)
        self.pairs.merge(other.pairs)
        self.questions.merge(other.questions)

    def finish(self, path: str) -> Iterator[Hit]:
        self._flush()
        with_verb = self.verbs.total
        if with_verb < self.min_records or self.max_share >= 1.0:
            return
        verb, n = self.verbs.top(1)[0]
        share = _share(n, with_verb)
        if share > self.max_share:
            yield Hit(f"narrow instruction mix: {share:.1%} of the instructions that open with a verb "
                      f"({n} of {with_verb}) open with \"{verb}\" (max-top-verb-share {self.max_share:.0%}; "
                      f"{self.verbs.distinct()} distinct leading verbs, {self.pairs.distinct()} verb-object "
                      f"pairs); first at these lines", related=_related(path, self.verbs.examples.get(verb, [])),
                      key=verb)

    def statistics(self) -> dict[str, Any]:
        self._flush()
        if not self.instructions:
            return {}
        with_verb = self.verbs.total
        top = self.verbs.top(self.top_k)
        objects: dict[str, dict[str, int]] = {v: {} for v, _ in top}
        for pair, n in self.pairs.top(len(self.pairs.counts)):
            verb, _, obj = pair.partition(" ")
            if obj and verb in objects and len(objects[verb]) < 4:
                objects[verb][obj] = n
        stats: dict[str, Any] = {
            "instructions": self.instructions, "with-leading-verb": with_verb,
            "questions": self.questions.total,
            "distinct-verbs": self.verbs.distinct(), "distinct-verb-objects": self.pairs.distinct(),
            "top-verb-share": round(_share(top[0][1], with_verb), 6) if top else None,
            "top-verbs": {v: {"count": n, "objects": {o: c for o, c in objects[v].items() if c >= MIN_SHOWN}}
                          for v, n in top if n >= MIN_SHOWN},
            "question-words": dict(self.questions.top(10)),
        }
        plots = []
        shown = [(v, n) for v, n in top[:TOP_PLOTTED] if n >= MIN_SHOWN]
        if shown:
            plots.append(bars("Leading verbs of instructions", dict(shown), "instructions"))
            pairs = [(p, n) for p, n in self.pairs.top(TOP_PLOTTED) if n >= MIN_SHOWN]
            if pairs:
                plots.append(bars("Most common verb-object pairs", dict(pairs), "instructions"))
        if plots:
            stats["plots"] = plots
        return stats
