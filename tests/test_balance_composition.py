"""Composition rules on generated data: difficulty mix (B109), language mix (B110, with the
detector's precision and recall per language on labelled sentences), turn counts (B111), and the
`plots` entries of every B rule's statistics against the HTML report's contract. Counts are
compared with counts computed here from the records."""
from __future__ import annotations

import pickle
import random
from collections import Counter
from typing import Any

import pytest

from ftlint import Severity
from ftlint.checks.composition import DifficultyMix, LanguageMix, TurnCount
from ftlint.formats.registry import FORMATS
from ftlint.labels import LabelResolver
from ftlint.language import detect
from ftlint.model import Record
from ftlint.registry import RunContext
from ftlint.rulepack import load_rules

from _languages import HELD_OUT, SENTENCES, labelled
from _records import chat_record

# --------------------------------------------------------------------------- B109 difficulty

TARGET = {"easy": 0.6, "medium": 0.25, "hard": 0.15}


def with_levels(counts: dict[Any, int], field: str = "difficulty") -> list[dict]:
    records = [chat_record(i) for i in range(sum(counts.values()))]
    levels = [level for level, n in counts.items() for _ in range(n)]
    random.Random(3).shuffle(levels)
    for record, level in zip(records, levels):
        record[field] = level
    return records


def test_difficulty_mix_against_target(lint):
    records = with_levels({"easy": 170, "Medium": 20, "hard ": 10})
    expected = Counter(r["difficulty"].strip().lower() for r in records)
    report = lint(records, select=["B109"], rules={"B109": {"target": TARGET}})
    (hit,) = report.by_rule("B109")
    assert hit.severity == Severity.WARNING
    assert "'easy' 85.0% (170) vs target 60%" in hit.message
    assert "'medium' 10.0% (20) vs target 25%" in hit.message
    assert "'hard'" not in hit.message  # 5% vs 15%: exactly the tolerance
    stats = report.dataset_statistics["B109"]
    assert stats["counts"] == dict(expected.most_common()) and stats["with-field"] == 200
    assert stats["target"] == TARGET
    assert stats["plots"] == [{"kind": "bars", "title": "Difficulty mix (difficulty)",
                               "values": dict(expected.most_common()), "unit": "records"}]


def test_difficulty_near_target_and_percentages(lint):
    records = with_levels({"easy": 128, "medium": 44, "hard": 28})  # 64/22/14
    assert lint(records, select=["B109"], rules={"B109": {"target": TARGET}}).findings == []
    # Percentages adding up to 100 are the same target; a tighter tolerance fires.
    percent = {"easy": 60, "medium": 25, "hard": 15}
    assert lint(records, select=["B109"], rules={"B109": {"target": percent}}).findings == []
    (hit,) = lint(records, select=["B109"], rules={"B109": {"target": percent, "tolerance": 0.03}}).by_rule("B109")
    assert "'easy' 64.0% (128) vs target 60%" in hit.message and "'hard'" not in hit.message


def test_difficulty_levels_outside_target_and_numbers(lint):
    options = {"difficulty-field": "meta", "target": {"1": 0.6, "2": 0.25, "3": 0.15}}
    records = with_levels({1: 60, 2: 25, 3: 5, 5.0: 10}, field="meta")  # 10% off and 10% outside: tolerated
    report = lint(records, select=["B109"], rules={"B109": options})
    assert report.findings == [] and report.dataset_statistics["B109"]["counts"] == {"1": 60, "2": 25, "5": 10, "3": 5}
    records = with_levels({1: 55, 2: 25, 3: 5, 5.0: 15}, field="meta")
    (hit,) = lint(records, select=["B109"], rules={"B109": options}).by_rule("B109")
    assert "15 records (15.0%) have levels outside the target: '5' (15)" in hit.message
    assert "'1'" not in hit.message and "'3'" not in hit.message


def test_difficulty_statistics_only_without_target_and_silent_without_field(lint):
    records = with_levels({"easy": 190, "hard": 10})
    report = lint(records, select=["B109"])
    assert report.findings == [] and report.dataset_statistics["B109"]["counts"] == {"easy": 190, "hard": 10}
    report = lint([chat_record(i) for i in range(50)], select=["B109"])
    assert report.dataset_statistics == {}


def test_free_text_levels_are_bounded(lint):
    """A field of free text (a per-record score) tabulates 50 values and the rest as "(other)"."""
    records = with_levels({f"score {k}": 2 for k in range(80)})
    counts = lint(records, select=["B109"]).dataset_statistics["B109"]["counts"]
    assert len(counts) == 51 and counts["(other)"] == 60 and sum(counts.values()) == 160


# --------------------------------------------------------------------------- language detection


def test_language_detection_precision_and_recall():
    """Per language, on the written sentences and 40 generated ones each (12 + 40 per language)."""
    pairs = labelled(40)
    predicted = [(detect(text), lang) for text, lang in pairs]
    for lang in SENTENCES:
        tp = sum(1 for got, want in predicted if got == want == lang)
        fp = sum(1 for got, want in predicted if got == lang != want)
        fn = sum(1 for got, want in predicted if want == lang != got)
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        assert precision >= 0.97, (lang, precision)
        assert recall >= 0.85, (lang, recall)
    # Undetermined rather than wrong: every miss is "latin", almost never another language.
    wrong = [(got, want) for got, want in predicted if got != want and got != "latin"]
    assert len(wrong) <= 2, wrong


def test_language_detection_on_held_out_sentences():
    """Sentences written after the word lists were fixed: 40 of 42 right, the other 2 undetermined."""
    results = {lang: [detect(text) for text in texts] for lang, texts in HELD_OUT.items()}
    for lang, got in results.items():
        assert sum(g == lang for g in got) >= 5, (lang, got)
        assert all(g in (lang, "latin") for g in got), (lang, got)  # never another language


def test_scripts_name_their_languages():
    assert detect("我们明天去北京参观博物馆。") == "zh"
    assert detect("明日は東京で会議があります。") == "ja"
    assert detect("오늘 날씨가 정말 좋네요.") == "ko"
    assert detect("Сегодня хорошая погода.") == "cyrillic"
    assert detect("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.") == "el"
    assert detect("print(x + 1)  # 42") == "latin"  # letters, but no language evidence
    assert detect("12345 67 == 89") == "und"


# --------------------------------------------------------------------------- B110 language mix


def chat(user: str, assistant: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def sentences_in(lang: str, n: int, seed: int) -> list[dict]:
    rng = random.Random(f"{lang}{seed}")
    texts = SENTENCES[lang]
    return [chat(rng.choice(texts), rng.choice(texts)) for _ in range(n)]


def test_stray_language_records_are_reported_with_lines(lint):
    records = sentences_in("en", 196, 1)
    planted = {17: "es", 80: "fr", 150: "es", 190: "de"}
    for i, lang in planted.items():
        records[i] = sentences_in(lang, 1, i)[0]
    report = lint(records, select=["B110"])
    (hit,) = report.by_rule("B110")
    assert hit.severity == Severity.INFO
    assert hit.message.startswith("4 records (2.0%) in this file are not in 'en', the language of 98.0% of the records: "
                                  "'es' (2), 'de' (1), 'fr' (1); e.g. ")
    assert [loc.line for loc in hit.related] == sorted(i + 1 for i in planted)
    stats = report.dataset_statistics["B110"]
    assert stats["counts"] == {"en": 192, "es": 2, "de": 1, "fr": 1}
    assert stats["determined"] == 196 and stats["undetermined"] == {}
    assert stats["plots"][0]["values"] == stats["counts"]


def test_expected_languages(lint):
    records = sentences_in("de", 70, 2) + sentences_in("en", 30, 3)
    (hit,) = lint(records, select=["B110"], rules={"B110": {"expected": ["de"]}}).by_rule("B110")
    assert hit.severity == Severity.WARNING
    assert "70 of 100 records with a detected language in this file are in de (70.0%, min-share 95%); " \
           "others: 'en' (30)" in hit.message
    assert lint(records, select=["B110"], rules={"B110": {"expected": ["de", "en"]}}).findings == []
    # A deliberately bilingual set without expectations: no dominant language, no finding.
    assert lint(records, select=["B110"]).findings == []


def test_language_field_instead_of_detection(lint):
    records = [chat_record(i, lang="EN" if i < 95 else "sw") for i in range(100)]
    report = lint(records, select=["B110"], rules={"B110": {"language-field": "lang"}})
    assert report.dataset_statistics["B110"]["counts"] == {"en": 95, "sw": 5}
    (hit,) = report.by_rule("B110")
    assert "5 records (5.0%)" in hit.message and "'sw' (5)" in hit.message
    # Random-word records carry no language evidence: undetermined, and silent.
    report = lint([chat_record(i) for i in range(100)], select=["B110"])
    assert report.findings == [] and report.dataset_statistics["B110"]["undetermined"] == {"latin": 100}


# --------------------------------------------------------------------------- B111 turns


def conversation(i: int, turns: int) -> dict:
    messages = [{"role": "system", "content": "Be brief."}]
    for t in range(turns):
        messages += [{"role": "user", "content": f"Question {i}.{t} about {chat_record(i * 97 + t)['messages'][0]['content']}"},
                     {"role": "assistant", "content": f"Answer {i}.{t}."}]
    return {"messages": messages}


def test_turn_distribution_matches_independent_counts(lint):
    rng = random.Random(5)
    turns = [rng.choice([1, 1, 1, 2, 3, 4]) for _ in range(300)]
    report = lint([conversation(i, t) for i, t in enumerate(turns)], select=["B111"])
    expected = Counter(turns)
    stats = report.dataset_statistics["B111"]
    assert stats["distribution"] == {str(k): expected[k] for k in sorted(expected)}
    assert stats["records"] == 300 and stats["single-turn"] == expected[1]
    assert stats["mean"] == round(sum(turns) / 300, 3)
    assert stats["median"] == sorted(turns)[149] and stats["max"] == max(turns)
    (plot,) = stats["plots"]
    assert plot["kind"] == "histogram" and plot["unit"] == "turns" and plot["limit"] is None
    assert plot["edges"] == [1, 2, 3, 4, 5] and plot["counts"] == [expected[k] for k in (1, 2, 3, 4)]
    assert report.findings == []


def test_expectation_single_or_multi(lint):
    single = [conversation(i, 1) for i in range(100)]
    (hit,) = lint(single, select=["B111"], rules={"B111": {"expect": "multi"}}).by_rule("B111")
    assert hit.severity == Severity.WARNING
    assert hit.message == ("only 0 of 100 records in this file are multi-turn (0.0%; expect = 'multi', min-share 50%)")
    mixed = [conversation(i, 1 if i < 40 else 3) for i in range(100)]
    assert lint(mixed, select=["B111"], rules={"B111": {"expect": "multi"}}).findings == []
    (hit,) = lint(mixed, select=["B111"], rules={"B111": {"expect": "single"}}).by_rule("B111")
    assert "only 40 of 100 records in this file are single-turn (one user message)" in hit.message
    # alpaca's instruction + input is one user turn.
    alpaca = [{"instruction": f"Task {i}", "input": f"Data {i}", "output": f"Done {i}"} for i in range(30)]
    assert lint(alpaca, select=["B111"]).dataset_statistics["B111"]["distribution"] == {"1": 30}


def test_a_few_extreme_turn_counts(lint):
    records = [conversation(i, 1 + i % 2) for i in range(400)]
    for i in (33, 250, 301):
        records[i] = conversation(i, 45 + i % 3)
    report = lint(records, select=["B111"])
    (hit,) = report.by_rule("B111")
    assert hit.severity == Severity.INFO
    assert hit.message.startswith("3 records in this file have more than 20 turns (up to 46; median 2): e.g. ")
    assert sorted(loc.line for loc in hit.related) == [34, 251, 302]
    assert report.dataset_statistics["B111"]["plots"][0]["limit"] == 20
    # When long conversations are 10% of the data they are its shape, not outliers.
    records = [conversation(i, 1 if i % 10 else 30) for i in range(200)]
    assert lint(records, select=["B111"]).findings == []


# --------------------------------------------------------------------------- plots contract


def check_plot(plot: dict) -> None:
    """The contract of the HTML report's plots (ftlint/reporters/svg.py)."""
    assert isinstance(plot.get("title"), str) and plot["title"] and isinstance(plot.get("unit"), str)
    if plot["kind"] == "bars":
        assert plot["values"] and all(isinstance(v, int) and v >= 0 for v in plot["values"].values())
    else:
        assert plot["kind"] == "histogram"
        edges, counts = plot["edges"], plot["counts"]
        assert len(edges) == len(counts) + 1 >= 2 and all(b > a for a, b in zip(edges, edges[1:]))
        assert all(isinstance(c, int) and c >= 0 for c in counts)
        assert plot["limit"] is None or isinstance(plot["limit"], (int, float))


def test_every_b_plot_follows_the_contract(lint):
    records = [conversation(i, 1 + i % 3) | {"difficulty": ["easy", "hard"][i % 2], "source": "gpt-4" if i % 4 else "human",
                                              "category": "spam" if i % 5 else "ham"} for i in range(120)]
    report = lint(records, select=["B"], labels={"field": "category"})
    plotted = {code: stats["plots"] for code, stats in report.dataset_statistics.items() if stats.get("plots")}
    assert set(plotted) >= {"B101", "B106", "B109", "B111"}
    for plots in plotted.values():
        for plot in plots:
            check_plot(plot)
    (balance,) = plotted["B101"]
    assert balance["title"] == "Class balance (train.jsonl)" and balance["values"] == {"spam": 96, "ham": 24}
    assert plotted["B106"][0]["values"] == {"gpt-4": 90, "human": 30}
    pairs = [{"prompt": f"Q{i}", "chosen": "a b c" if i % 3 else "a", "rejected": "a b"} for i in range(60)]
    for plot in lint(pairs, select=["B105"]).dataset_statistics["B105"]["plots"]:
        check_plot(plot)
        assert plot["values"] == {"chosen longer": 40, "chosen shorter": 20, "equal": 0}


# --------------------------------------------------------------------------- merge and pickle


def samples(records: list[dict], path: str, start: int = 0) -> list:
    return [FORMATS["openai-chat"].to_sample(Record(path, start + i + 1, r, index=start + i))
            for i, r in enumerate(records)]


@pytest.mark.parametrize("cls_, code, options, records", [
    (DifficultyMix, "B109", {"target": TARGET}, with_levels({"easy": 150, "medium": 30, "hard": 20})),
    (LanguageMix, "B110", {}, sentences_in("en", 90, 4) + sentences_in("it", 5, 5)),
    (TurnCount, "B111", {"expect": "multi"}, [conversation(i, 1 + (i % 7 == 0)) for i in range(80)]
     + [conversation(999, 60)]),
])
def test_merge_of_per_file_states_equals_one_state(cls_, code, options, records):
    options = dict(load_rules()[code].options) | options
    context = RunContext({}, {}, ".", LabelResolver())
    random.Random(9).shuffle(records)
    whole = cls_(options, context)
    for s in samples(records, "a.jsonl"):
        whole.add(s, "train")
    merged = cls_(options, context)
    for start, end in ((0, 20), (20, 61), (61, len(records))):
        state = cls_(options, context)
        for s in samples(records[start:end], "a.jsonl", start):
            state.add(s, "train")
        merged.merge(pickle.loads(pickle.dumps(state)))
    assert [h.message for h in merged.finish()] == [h.message for h in whole.finish()]
    assert merged.statistics() == whole.statistics()
    assert list(whole.finish()), "the planted data must produce a finding"


# --------------------------------------------------------------------------- B107 prompt digests


def test_system_prompt_digests_from_the_cache_equal_the_definition():
    """B107 digests each distinct raw system prompt once (a bounded per-process cache); what it
    counts must be what `_system_prompt` and `_digest` define, whatever the layout of the prompt."""
    from ftlint.checks import composition
    from ftlint.checks.composition import SystemPromptVariants, _digest, _system_prompt

    rng = random.Random(11)
    words = ["You", "are", "a", "helpful", "HELPFUL", "assistant.", "Be", "brief.", "Réponds", "en", "français."]
    spec = FORMATS["openai-chat"]
    options = dict(load_rules()["B107"].options)
    for prefix_words in (1, 3, 6):
        state = SystemPromptVariants({**options, "prefix-words": prefix_words}, RunContext({}, {}, "."))
        expected: Counter = Counter()
        for line in range(400):
            systems = [rng.choice([" ", "\n", "  ", "\t"]).join(rng.choices(words, k=rng.randint(0, 9)))
                       for _ in range(rng.choice([0, 1, 1, 1, 2]))]
            messages = [{"role": rng.choice(["system", "developer"]), "content": text} for text in systems]
            messages += [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
            sample = spec.to_sample(Record("x.jsonl", line + 1, {"messages": messages}))
            state.add(sample, None)
            prompt = _system_prompt(sample)
            if prompt is not None:
                family = _digest(" ".join(prompt.casefold().split()[:prefix_words]))
                expected[(_digest(prompt), family)] += 1
        got = Counter({(digest, family): n for digest, (n, family) in state.prompts.get("x.jsonl", {}).items()})
        assert got == expected
    assert composition._PROMPT_DIGESTS  # the cache was used
