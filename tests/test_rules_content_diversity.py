"""Diversity rules Q202 (repeated openings), Q203 (lexical diversity, repetition), Q204 (verb-object
spread) and Q405 (templated responses): findings, statistics checked against counts computed here
from the records, plots that follow the report's contract, sketches, and merged states."""
from __future__ import annotations

import random

import numpy as np
import pytest

from ftlint.checks.diversity import LexicalDiversity, RepeatedOpenings, VerbObjectSpread
from ftlint.content.phrases import opening, verb_object
from ftlint.content.rouge import tokens
from ftlint.content.sketches import DistinctCounter, FrequentCounter
from ftlint.formats import FORMATS
from ftlint.model import Record, Severity
from ftlint.reporters.svg import validate
from ftlint.rulepack import load_rules

from _records import WORDS, chat_record, one


def chat(prompt: str, response: str) -> dict:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]}


def varied(n: int, seed: int = 0) -> list[dict]:
    return [chat_record(i + 1000 * seed) for i in range(n)]


def stats_of(report, code: str) -> dict:
    stats = report.files[0].statistics[code]
    for plot in stats.get("plots", []):
        validate(plot)
    return stats


# --------------------------------------------------------------------------- Q202


def test_q202_most_common_response_opening(run):
    records = varied(100)
    for i in range(0, 80, 2):  # 40 of 100
        records[i]["messages"][1]["content"] = "Sure! Here is " + records[i]["messages"][1]["content"]
    records[2]["messages"][1]["content"] = "sure, here is what you asked for."  # counted with the others
    report = run("openai-chat", records, select=["Q202"])
    finding = one(report, "Q202")
    assert finding.message.startswith('40.0% of responses (40 of 100) open with "Sure! Here is" (max 30% for the '
                                      "most common 3-word opening")
    assert [r.line for r in finding.related] == [1, 3, 5, 7, 9]
    stats = stats_of(report, "Q202")
    assert stats["top-response-openings"]["Sure! Here is"] == 40
    assert stats["top-response-opening-share"] == 0.4
    [plot] = stats["plots"]  # no prompt opening is shared by 3 records: no prompt plot, no record text
    assert plot["title"] == "Most common response openings (3 words)"
    assert plot["values"] == {"Sure! Here is": 40}
    assert stats["top-prompt-openings"] == {} and stats["top-prompt-opening-share"] == 0.01


def test_q202_thresholds_and_small_files(run):
    records = varied(100)
    for i in range(30):  # exactly 30%: not over the limit
        records[i]["messages"][1]["content"] = "Sure! Here is it."
    assert run("openai-chat", records, select=["Q202"]).by_rule("Q202") == []
    few = varied(40)
    for record in few:
        record["messages"][1]["content"] = "Sure! Here is it."
    report = run("openai-chat", few, select=["Q202"])
    assert report.by_rule("Q202") == []  # under min-records
    assert stats_of(report, "Q202")["top-response-opening-share"] == 1.0  # statistics still reported


def test_q202_prompt_side(run):
    records = varied(60)
    for i in range(40):
        records[i]["messages"][0]["content"] = f"Write a story about {WORDS[i]}."
    finding = one(run("openai-chat", records, select=["Q202"]), "Q202")
    assert finding.message.startswith('66.7% of prompts (40 of 60) open with "Write a story"')


def test_opening_key_ignores_case_and_punctuation():
    assert opening("Sure! Here is a list", 3) == ("sure here is", "Sure! Here is")
    assert opening("  sure,   here is", 3)[0] == "sure here is"
    assert opening("", 3) is None


# --------------------------------------------------------------------------- Q203


def test_q203_distinct_n_match_exact_counts(run):
    records = varied(200)
    report = run("openai-chat", records, select=["Q203"])
    words = [tokens(r["messages"][1]["content"]) for r in records]
    unigrams = [w for ws in words for w in ws]
    bigrams = [pair for ws in words for pair in zip(ws, ws[1:])]
    stats = stats_of(report, "Q203")
    assert stats["tokens"] == len(unigrams)
    assert stats["distinct-1"] == pytest.approx(len(set(unigrams)) / len(unigrams), rel=0.01)
    assert stats["distinct-2"] == pytest.approx(len(set(bigrams)) / len(bigrams), rel=0.01)
    assert report.by_rule("Q203") == []


def test_q203_floors_are_optional(run):
    records = [chat(f"Question {WORDS[i]}?", "The same answer every time, word for word.") for i in range(60)]
    assert run("openai-chat", records, select=["Q203"]).by_rule("Q203") == []  # no floor by default
    report = run("openai-chat", records, select=["Q203"], rules={"Q203": {"min-distinct-2": 0.3}})
    finding = one(report, "Q203")
    assert finding.message.startswith("low lexical diversity of responses: distinct-2 = 0.017 ")


def test_q203_share_of_repetitive_responses(run):
    records = varied(60)
    loop = "the model said the same thing again and " * 6
    for i in (4, 9, 14, 19):  # 4 of 60 = 6.7% > 5%
        records[i]["messages"][1]["content"] = loop
    report = run("openai-chat", records, select=["Q203"])
    finding = one(report, "Q203")
    assert finding.message.startswith("6.7% of responses (4 of 60 with 10+ words) repeat 50% or more of their own")
    assert [r.line for r in finding.related] == [5, 10, 15, 20]
    stats = stats_of(report, "Q203")
    histogram = stats["plots"][0]
    assert sum(histogram["counts"]) == 60 and sum(histogram["counts"][5:]) == 4 and histogram["limit"] == 0.5


def test_distinct_counter_accuracy_and_merge():
    rng = np.random.default_rng(5)
    values = rng.integers(0, 2**32, 300_000, dtype=np.uint64).astype(np.uint32)
    exact = len(np.unique(values))
    whole, left, right = DistinctCounter(), DistinctCounter(), DistinctCounter()
    whole.add_hashes(values)
    left.add_hashes(values[:200_000])
    right.add_hashes(values[100_000:])
    left.merge(right)
    assert abs(whole.estimate() - exact) / exact < 0.03
    assert left.estimate() == whole.estimate()  # merging is exact: register-wise maximum
    small = DistinctCounter()
    small.add_hashes(values[:500])
    assert abs(small.estimate() - 500) / 500 < 0.02  # linear counting: ~0.6% standard error here


def test_frequent_counter_keeps_heavy_hitters_exact():
    rng = random.Random(2)
    counter = FrequentCounter(capacity=50)
    for i in range(20000):
        counter.add("heavy" if i % 3 == 0 else f"rare{rng.randrange(5000)}")
    assert counter.counts["heavy"] == 6667 and counter.total == 20000
    assert not counter.exact and len(counter.counts) <= 100


# --------------------------------------------------------------------------- Q204


@pytest.mark.parametrize("text, expected", [
    ("Please write two short poems about rain", ("write", "poem")),
    ("Can you give me an example of irony?", ("give", "example")),
    ("Generate a list of 5 fruits", ("generate", "list")),
    ("Classify the following sentence as positive or negative.", ("classify", "sentence")),
    ("Explain why the sky is blue", ("explain", None)),
    ("What is the capital of France?", ("?what", None)),
    ("Sentence: the cat sat", ("", None)),
    ("Paris is the capital of France.", ("", None)),
    ("Describing the sky is hard", ("", None)),
    ("你好", ("", None)),
])
def test_verb_object_heuristic(text, expected):
    assert verb_object(text) == expected


def test_q204_narrow_instruction_mix(run):
    records = varied(80)
    for i in range(50):
        records[i]["messages"][0]["content"] = f"Write a {['poem', 'story', 'song'][i % 3]} about {WORDS[i]}."
    report = run("openai-chat", records, select=["Q204"])
    finding = one(report, "Q204")
    assert finding.severity == Severity.INFO
    stats = stats_of(report, "Q204")
    verbs = stats["with-leading-verb"]
    assert finding.message.startswith(f'narrow instruction mix: {50 / verbs:.1%} of the instructions that open '
                                      f'with a verb (50 of {verbs}) open with "write"')
    assert stats["top-verbs"]["write"] == {"count": 50, "objects": {"poem": 17, "story": 17, "song": 16}}
    assert stats["plots"][0]["values"]["write"] == 50


# --------------------------------------------------------------------------- merged states


@pytest.mark.parametrize("cls, code", [(RepeatedOpenings, "Q202"), (LexicalDiversity, "Q203"),
                                       (VerbObjectSpread, "Q204")])
def test_merged_states_equal_one_state(cls, code):
    import pickle

    spec = FORMATS["openai-chat"]
    samples = [spec.to_sample(Record("t.jsonl", n + 1, r)) for n, r in enumerate(varied(300, seed=3))]
    options = load_rules()[code].options
    whole, first, second = cls(options), cls(options), cls(options)
    for n, sample in enumerate(samples):
        whole.add(sample)
        (first if n < 170 else second).add(sample)
    first.merge(pickle.loads(pickle.dumps(second)))
    assert first.statistics() == whole.statistics()


# --------------------------------------------------------------------------- Q405


CITIES = ("Rome", "Paris", "Oslo", "Lima", "Cairo", "Delhi", "Quito", "Perth", "Seoul", "Dakar")


def test_q405_template_cluster(run):
    records = varied(40)
    for n, i in enumerate(range(3, 40, 5)):  # 8 records
        records[i] = chat(f"Book a flight to {CITIES[n]}", f"I'm sorry, but I can't book flights to {CITIES[n]} for "
                          "you. My current capabilities are limited to providing information and answering "
                          "questions. Is there anything else I can help you with today?")
    report = run("openai-chat", records, select=["Q405"])
    findings = report.by_rule("Q405")
    summary = [f for f in findings if f.location.line is None]
    assert len(summary) == 1 and summary[0].message.startswith("8 of 40 responses (20.0%) in this file follow one")
    [member] = [f for f in findings if f.location.line]
    assert member.location.line == 4
    assert member.message == ("response template reused by 8 records (near-identical responses; this is the first): "
                              "lines 4, 9, 14, 19, 24, 29, 34, 39")
    assert [r.line for r in member.related] == [9, 14, 19, 24, 29, 34, 39]
    assert next(iter(report.dataset_statistics["Q405"]["groups"].values()))["templated-responses"] == 8


def test_q405_fewer_than_min_cluster_and_exact_copies(run):
    reply = "I'm sorry, but I can't book that. Is there anything else I can do?"
    records = varied(40)
    for n, i in enumerate((3, 8, 13, 18)):  # the same reply to four different prompts
        records[i] = chat(f"Book a trip to {CITIES[n]}", reply)
    assert run("openai-chat", records, select=["Q405"]).by_rule("Q405") == []  # 4 < min-cluster 5
    records[23] = chat("Book a hotel", reply)
    records[28] = records[29] = records[3]  # whole-record copies: D101's, not counted again
    found = [f for f in run("openai-chat", records, select=["Q405"]).by_rule("Q405") if f.location.line]
    assert [f.location.line for f in found] == [4] and "reused by 5 records" in found[0].message


def test_histogram_batch_and_single_adds_agree():
    from ftlint.content.sketches import Histogram

    values = np.concatenate([np.random.default_rng(3).random(1000), [0.0, 0.1, 0.5, 0.9, 1.0, 1.2, -0.1]])
    one_by_one, batch = Histogram([i / 10 for i in range(11)]), Histogram([i / 10 for i in range(11)])
    for value in values.tolist():
        one_by_one.add(value)
    batch.add_many(values)
    assert batch.counts == one_by_one.counts and sum(batch.counts) == 1005


def test_q405_long_responses_are_not_templates_unless_asked(run):
    filler = " ".join(random.Random(5).choices(WORDS, k=80))
    long = "I'm sorry, but I can't book flights to {c} for you. " + filler
    records = varied(40)
    for n, i in enumerate(range(3, 40, 5)):
        records[i] = chat(f"Book a flight to {CITIES[n]}", long.replace("{c}", CITIES[n]))
    assert run("openai-chat", records, select=["Q405"]).by_rule("Q405") == []  # over max-words
    found = run("openai-chat", records, select=["Q405"], rules={"Q405": {"max-words": 0}}).by_rule("Q405")
    assert [f.location.line for f in found if f.location.line] == [4]


def test_q202_openings_in_statistics_and_messages_are_masked(run):
    records = varied(60)
    for i in range(30):
        records[i]["messages"][1]["content"] = "jane.doe@corp.com wrote: " + records[i]["messages"][1]["content"]
    report = run("openai-chat", records, select=["Q202"], rules={"Q202": {"words": 2}})
    finding = one(report, "Q202")
    stats = stats_of(report, "Q202")
    shown = list(stats["top-response-openings"])[0]
    assert stats["top-response-openings"][shown] == 30 and shown.endswith("wrote:")
    assert "jane.doe@corp.com" not in str(stats) and "jane.doe@corp.com" not in finding.message


def test_no_content_finding_on_a_clean_varied_set(run):
    report = run("openai-chat", varied(200), select=["Q2", "Q3", "Q4"])
    assert report.findings == []
    assert {"Q202", "Q203", "Q204"} <= set(report.files[0].statistics)
