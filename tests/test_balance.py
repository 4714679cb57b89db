"""Family B (balance and composition): planted imbalances with counts computed here, near misses
that must stay silent, per-split class mismatches, KTO balance, preference length bias both ways,
classification auto-detection, composition rules, merge/pickle, and label configuration errors."""
from __future__ import annotations

import pickle
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import ftlint
from ftlint import Severity
from ftlint.checks.balance import ClassImbalance, KtoBalance, LengthBias, MinExamplesPerClass
from ftlint.checks.composition import SyntheticShare, SystemPromptVariants
from ftlint.config import ConfigError
from ftlint.formats.registry import FORMATS
from ftlint.labels import LabelResolver, LabelSpec
from ftlint.model import Record
from ftlint.registry import RunContext
from ftlint.rulepack import load_rules

from _records import chat_record, write_jsonl

CLASS_RULES = ["B101", "B102", "B103", "B108"]


def cls(i: int, label: str, **extra: Any) -> dict:
    return {"messages": [{"role": "user", "content": f"Classify review number {i}."},
                         {"role": "assistant", "content": label}], **extra}


def planted(counts: dict[str, int], start: int = 0) -> list[dict]:
    records = [cls(start + i, label) for label, n in counts.items() for i in range(n)]
    random.Random(7).shuffle(records)
    return records


def by_code(report: Any, code: str) -> list:
    return report.by_rule(code)


def configure(root: Path, text: str) -> None:
    (root / "ftlint.toml").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- B101 / B102 / B108


def test_planted_imbalance_counts_in_messages_and_statistics(lint):
    records = planted({"positive": 300, "negative": 25, "neutral": 10})
    expected = Counter(r["messages"][1]["content"] for r in records)
    report = lint(records, select=["B"])
    b101 = by_code(report, "B101")
    assert [(f.severity, f.message.split(" in ")[0]) for f in b101] == [
        (Severity.ERROR, "class 'neutral' has 10 examples"),
        (Severity.WARNING, "class 'negative' has 25 examples")]
    (b102,) = by_code(report, "B102")
    assert "majority class 'positive' has 300 examples, minority class 'neutral' 10 (30.0:1" in b102.message
    assert f"rarest class 'neutral' is {10 / 335:.2%} (10 of 335)" in b102.message
    assert "0.1 x 1/3 = 3.33%" in b102.message
    (b108,) = by_code(report, "B108")
    assert b108.severity == Severity.INFO and "3 distinct short values over 335 records" in b108.message
    stats = report.dataset_statistics["B101"]
    assert stats["counts"] == dict(expected.most_common())
    assert stats["labelled"] == sum(expected.values()) == 335 and stats["classes"] == 3
    assert stats["shares"]["neutral"] == round(10 / 335, 6)
    assert stats["imbalance-ratio"] == 30.0
    (groups,) = report.dataset_statistics["B102"]["groups"].values()
    assert groups["rarest-share"] == round(10 / 335, 6)


def test_near_misses_stay_silent(lint):
    # 30 is not below warning-below 30; 300:30 is exactly 10:1; 30/330 = 9.1% > 0.1/2.
    report = lint(planted({"positive": 300, "negative": 30}), select=["B101", "B102"])
    assert report.findings == []
    report = lint(planted({"positive": 301, "negative": 30}), select=["B101", "B102"])
    (b102,) = by_code(report, "B102")
    assert "(10.0:1" in b102.message and "rarest" not in b102.message  # ratio only: 30/331 = 9.06% > 5%


def test_rarest_share_fires_alone_with_many_classes(lint):
    # 10 classes: 9 x 100 + 1 x 30 (ratio 3.3:1 < 10) but 30/930 = 3.2% is above 1% floor -> silent;
    # with max-ratio lifted and 9 x 400 + 35: 35/3635 = 0.96% < 0.1/10 = 1% -> rarest-share only.
    counts = {f"c{k}": 100 for k in range(9)} | {"rare": 30}
    assert by_code(lint(planted(counts), select=["B102"]), "B102") == []
    counts = {f"c{k}": 400 for k in range(9)} | {"rare": 35}
    (hit,) = by_code(lint(planted(counts), select=["B102"], rules={"B102": {"max-ratio": 100.0}}), "B102")
    assert "ratio" not in hit.message.split(";")[0] or "majority" not in hit.message
    assert "rarest class 'rare' is 0.96% (35 of 3635)" in hit.message


def test_thresholds_are_options(lint):
    report = lint(planted({"a": 50, "b": 40}), select=["B101"], rules={"B101": {"error-below": 45, "warning-below": 60}})
    assert [(f.severity, f.message.split(" in ")[0]) for f in by_code(report, "B101")] == [
        (Severity.ERROR, "class 'b' has 40 examples"), (Severity.WARNING, "class 'a' has 50 examples")]


def test_free_form_replies_are_not_classification(lint):
    records = [chat_record(i) for i in range(200)]
    report = lint(records, select=CLASS_RULES)
    assert report.findings == []
    assert report.dataset_statistics["B101"]["classification"] is False
    assert "not classification" in report.dataset_statistics["B101"]["stopped"]


def test_short_answers_that_rarely_repeat_are_not_classification(lint):
    # 40 distinct short answers over 100 records: fewer than 3 records per value on average.
    records = [cls(i, f"answer{i % 40}") for i in range(100)]
    report = lint(records, select=CLASS_RULES)
    assert report.findings == [] and report.dataset_statistics["B101"]["classification"] is False
    # 3 per value on average is enough: 40 values x 3 = 120 records -> detected (and each class too small).
    report = lint([cls(i, f"answer{i % 40}") for i in range(120)], select=["B108"])
    assert "40 distinct short values over 120 records" in by_code(report, "B108")[0].message


def test_too_many_distinct_values_stop_auto_detection(lint):
    records = [cls(i, f"label{i % 51}") for i in range(51 * 4)]
    report = lint(records, select=CLASS_RULES)
    assert report.findings == []
    assert report.dataset_statistics["B101"]["stopped"] == "more than 50 distinct labels"
    report = lint(records, select=["B108"], labels={"max-classes": 60})
    assert "51 distinct short values" in by_code(report, "B108")[0].message


def test_label_field_path_regex_and_case_fold(lint):
    records = [chat_record(i, metadata={"category": "Billing" if i < 40 else "billing "}) for i in range(45)]
    records += [chat_record(100 + i, metadata={"category": "refund"}) for i in range(25)]
    report = lint(records, select=["B101"], labels={"field": "metadata.category"})
    assert sorted(f.message.split(" in ")[0] for f in by_code(report, "B101")) == [
        "class 'billing' has 5 examples", "class 'refund' has 25 examples"]
    assert report.dataset_statistics["B101"]["label-source"] == "field 'metadata.category'"
    report = lint(records, select=["B101"], labels={"field": "metadata.category", "case-fold": True})
    assert [f.message.split(" in ")[0] for f in by_code(report, "B101")] == ["class 'refund' has 25 examples"]
    # A regex over the assistant reply: "Answer: yes because ..." -> "yes".
    records = [cls(i, f"Answer: {'yes' if i < 22 else 'no'} because reasons {i}") for i in range(47)]
    report = lint(records, select=["B101"], labels={"from": "assistant", "regex": r"Answer: (\w+)"})
    assert report.dataset_statistics["B101"]["counts"] == {"no": 25, "yes": 22}
    assert [f.severity for f in by_code(report, "B101")] == [Severity.WARNING, Severity.WARNING]


def test_kto_labels_are_classes_only_when_asked(lint):
    records = [{"prompt": f"q{i}", "completion": f"a{i}", "label": i < 15} for i in range(60)]
    assert by_code(lint(records, select=CLASS_RULES), "B101") == []
    report = lint(records, select=["B101"], labels={"from": "kto"})
    assert [f.message.split(" in ")[0] for f in by_code(report, "B101")] == ["class 'desirable' has 15 examples"]


@pytest.mark.parametrize("overrides, fragment", [
    ({"labels": {"source": "x"}}, "labels: unknown key 'source'"),
    ({"labels": {"label-from": "assistant"}}, "unknown key 'label-from' .*did you mean 'from'"),
    ({"labels": {"from": "reply"}}, "labels.from: expected one of"),
    ({"labels": {"from": "field"}}, "needs a field path"),
    ({"labels": {"from": "kto", "field": "label"}}, "labels.field: not used with from = 'kto'"),
    ({"labels": {"regex": "("}}, "labels.regex: invalid regular expression"),
    ({"labels": {"max-classes": 1}}, "labels.max-classes: must be at least 2"),
    ({"labels": {"case-fold": "yes"}}, "labels.case-fold: expected bool"),
    ({"labels": "label"}, "labels must be a table"),
    ({"rules": {"B101": {"label-from": "auto"}}}, "unknown option for B101"),
    ({"rules": {"B104": {"min-ratio": 5.0}}}, "min-ratio <= max-ratio"),
    ({"rules": {"B105": {"unit": "tokens"}}}, "B105.unit"),
    ({"rules": {"B101": {"error-below": "20"}}}, "expected int"),
    ({"rules": {"B109": {"target": {"easy": 0.6, "hard": 0.2}}}}, "add up to 1 .or 100., got 0.8"),
    ({"rules": {"B109": {"target": {"easy": "most"}}}}, "B109.target.easy: expected a share"),
    ({"rules": {"B110": {"expected": ["english"]}}}, "'english' is not a detected language"),
    ({"rules": {"B111": {"expect": "many"}}}, "B111.expect"),
])
def test_label_and_option_errors_are_config_errors(lint, overrides, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace("'(", "'\\(")):
        lint(planted({"a": 5, "b": 5}), select=["B"], **overrides)


# --------------------------------------------------------------------------- B103 splits


SPLITS = '[splits]\ntrain = ["train.jsonl"]\ntest = ["test.jsonl"]\nvalidation = ["val.jsonl"]\n'


def test_classes_missing_across_splits(tmp_path, check):
    configure(tmp_path, SPLITS)
    write_jsonl(tmp_path / "train.jsonl", planted({"positive": 60, "negative": 40, "spam": 35}))
    write_jsonl(tmp_path / "test.jsonl", planted({"positive": 10, "negative": 8, "neutral": 4, "sarcasm": 2}, 1000))
    write_jsonl(tmp_path / "val.jsonl", planted({"positive": 6, "negative": 5, "spam": 3}, 2000))
    report = check(["train.jsonl", "test.jsonl", "val.jsonl"], select=["B103"])
    found = [(f.location.path, f.severity, f.message) for f in by_code(report, "B103")]
    assert found == [
        ("test.jsonl", Severity.WARNING,
         "2 classes of split 'test' never occur in training (6 records): 'neutral' (4), 'sarcasm' (2)"),
        ("test.jsonl", Severity.INFO, "1 training class never occur in split 'test' (not evaluated): 'spam' (35)"),
    ]
    per_split = report.dataset_statistics["B103"]["per-split"]
    assert per_split["test"] == {"positive": 10, "negative": 8, "neutral": 4, "sarcasm": 2}
    assert per_split["validation"] == {"positive": 6, "negative": 5, "spam": 3}
    # Held-out splits are not judged for class size: only train's 35 spam... are all >= 30.
    assert by_code(check(["train.jsonl", "test.jsonl", "val.jsonl"], select=["B101"]), "B101") == []


def test_without_splits_b103_is_silent(tmp_path, check):
    write_jsonl(tmp_path / "train.jsonl", planted({"positive": 60, "negative": 40}))
    write_jsonl(tmp_path / "test.jsonl", planted({"positive": 10, "neutral": 9}, 1000))
    assert check(["train.jsonl", "test.jsonl"], select=["B103"]).findings == []


# --------------------------------------------------------------------------- B104 KTO


def kto(n_good: int, n_bad: int) -> list[dict]:
    return [{"prompt": f"Question {i}?", "completion": f"Answer {i}.", "label": i < n_good}
            for i in range(n_good + n_bad)]


def test_kto_balance(lint):
    (hit,) = by_code(lint(kto(190, 10), select=["B104"]), "B104")
    assert hit.message == ("KTO labels in this file: 190 desirable, 10 undesirable (95.0% desirable): "
                           "desirable:undesirable is 19.00:1, outside 0.25:1 to 4:1")
    (hit,) = by_code(lint(kto(10, 90), select=["B104"]), "B104")
    assert "0.11:1" in hit.message
    assert lint(kto(160, 40), select=["B104"]).findings == []  # exactly 4:1
    assert lint(kto(40, 160), select=["B104"]).findings == []  # exactly 1:4
    (hit,) = by_code(lint(kto(30, 0), select=["B104"]), "B104")
    assert "needs both kinds" in hit.message
    assert lint(kto(15, 0), select=["B104"]).findings == []  # below min-records
    # Trainer weights: 190 x 1 : 10 x 5 = 3.8 -> inside.
    assert lint(kto(190, 10), select=["B104"], rules={"B104": {"undesirable-weight": 5.0}}).findings == []
    stats = lint(kto(190, 10), select=["B104"]).dataset_statistics["B104"]
    assert (stats["desirable"], stats["undesirable"], stats["desirable-share"]) == (190, 10, 0.95)


def test_kto_tag_in_alpaca_and_chat_kto(lint):
    records = [{"instruction": f"Q{i}", "output": f"A{i}", "kto_tag": i < 95} for i in range(100)]
    (hit,) = by_code(lint(records, select=["B104"]), "B104")
    assert "95 desirable, 5 undesirable" in hit.message
    records = [{"messages": [{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": f"A{i}"}],
                "label": i < 50} for i in range(100)]
    assert lint(records, select=["B104"]).findings == []


# --------------------------------------------------------------------------- B105 length bias


def pairs(n: int, longer: int, shorter: int) -> list[dict]:
    out = []
    for i in range(n):
        a, b = f"short answer {i}", f"a much longer answer with many more words {i}"
        chosen, rejected = (b, a) if i < longer else (a, b) if i < longer + shorter else (a, a + "!")
        out.append({"prompt": f"Question {i}?", "chosen": chosen, "rejected": rejected})
    return out


def test_length_bias_chosen_longer(lint):
    report = lint(pairs(100, 85, 10), select=["B105"])
    (hit,) = by_code(report, "B105")
    assert ("the chosen answer is longer than the rejected one in 85 of 100 pairs (85.0%, max-share 80%"
            in hit.message)
    stats = report.dataset_statistics["B105"]
    assert (stats["pairs"], stats["chosen-longer"], stats["chosen-shorter"], stats["equal"]) == (100, 85, 10, 5)
    assert stats["chosen-longer-share"] == 0.85


def test_length_bias_chosen_shorter_and_near_misses(lint):
    (hit,) = by_code(lint(pairs(100, 5, 90), select=["B105"]), "B105")
    assert "is shorter than the rejected one in 90 of 100 pairs" in hit.message
    assert lint(pairs(100, 80, 20), select=["B105"]).findings == []  # exactly 80% is tolerated
    assert lint(pairs(49, 49, 0), select=["B105"]).findings == []  # below min-pairs
    assert by_code(lint(pairs(49, 49, 0), select=["B105"], rules={"B105": {"min-pairs": 10}}), "B105")


def test_length_bias_in_characters(lint):
    # Same number of words, chosen has longer words: silent in words, fires in characters.
    records = [{"prompt": f"Q{i}", "chosen": "extraordinarily comprehensive explanation",
                "rejected": f"short tiny {i}"} for i in range(60)]
    assert lint(records, select=["B105"]).findings == []
    assert by_code(lint(records, select=["B105"], rules={"B105": {"unit": "characters"}}), "B105")


# --------------------------------------------------------------------------- B106 / B107 composition


def test_synthetic_share(lint):
    records = [chat_record(i, source="GPT-4" if i < 75 else "human") for i in range(100)]
    report = lint(records, select=["B106"])
    (hit,) = by_code(report, "B106")
    assert hit.severity == Severity.INFO
    assert "75 of 100 records with a 'source' field in this file are synthetic (75.0%, max-share 70%)" in hit.message
    assert report.dataset_statistics["B106"]["sources"] == {"gpt-4": 75, "human": 25}
    records = [chat_record(i, source="synthetic" if i < 70 else "human") for i in range(100)]
    assert lint(records, select=["B106"]).findings == []  # exactly 70%
    assert lint([chat_record(i) for i in range(100)], select=["B106"]).dataset_statistics == {}  # no field
    records = [chat_record(i, meta={"synthetic": i < 90}) for i in range(100)]
    report = lint(records, select=["B106"], rules={"B106": {"source-field": "meta.synthetic"}})
    assert "90 of 100" in by_code(report, "B106")[0].message


def with_system(i: int, system: str) -> dict:
    record = chat_record(i)
    record["messages"].insert(0, {"role": "system", "content": system})
    return record


def test_system_prompt_variants(lint):
    variants = [f"You are a helpful assistant. {tail}" for tail in
                ("", "Be concise.", "Be brief!", "Answer in English.", "Think step by step.", "Be kind.")]
    records = [with_system(i, variants[i % 6]) for i in range(60)]
    report = lint(records, select=["B107"])
    (hit,) = by_code(report, "B107")
    assert "6 slightly different system prompts (same first 4 words) cover 60 of 60 records" in hit.message
    (group,) = report.dataset_statistics["B107"]["groups"].values()
    assert (group["distinct"], group["with-system-prompt"], group["largest-family-variants"]) == (6, 60, 6)
    # One prompt everywhere, or a distinct persona per record: silent.
    assert lint([with_system(i, variants[0]) for i in range(60)], select=["B107"]).findings == []
    personas = [with_system(i, f"You are {name}, who loves {i}.") for i, name in enumerate(["Ann", "Bob", "Cy"] * 20)]
    assert lint(personas, select=["B107"]).findings == []
    # A generated prompt per record (a session id) is deliberate, even with a shared opening.
    sessions = [with_system(i, f"You are a patient tutor (session {i}).") for i in range(60)]
    assert lint(sessions, select=["B107"]).findings == []
    # Four variants are below min-variants 5.
    assert lint([with_system(i, variants[i % 4]) for i in range(60)], select=["B107"]).findings == []


# --------------------------------------------------------------------------- merge, pickle, order


def samples(records: list[dict], fmt: str, path: str) -> list:
    return [FORMATS[fmt].to_sample(Record(path, i + 1, r, index=i)) for i, r in enumerate(records)]


@pytest.mark.parametrize("cls_, fmt, records", [
    (MinExamplesPerClass, "openai-chat", planted({"a": 40, "b": 12, "c": 25})),
    (ClassImbalance, "openai-chat", planted({"a": 400, "b": 12, "c": 25})),
    (KtoBalance, "trl-unpaired-preference", kto(90, 10)),
    (LengthBias, "trl-preference", pairs(100, 85, 10)),
    (SyntheticShare, "openai-chat", [chat_record(i, source="synthetic" if i % 4 else "human") for i in range(80)]),
    (SystemPromptVariants, "openai-chat", [with_system(i, f"You are a bot {i % 7}") for i in range(70)]),
])
def test_merge_of_per_file_states_equals_one_state(cls_, fmt, records):
    code = {MinExamplesPerClass: "B101", ClassImbalance: "B102", KtoBalance: "B104", LengthBias: "B105",
            SyntheticShare: "B106", SystemPromptVariants: "B107"}[cls_]
    options = dict(load_rules()[code].options)
    context = RunContext({}, {}, ".", LabelResolver())
    whole = cls_(options, context)
    for s in samples(records, fmt, "a.jsonl"):
        whole.add(s, "train")
    merged = cls_(options, context)
    for part in (records[:17], records[17:50], records[50:]):
        state = cls_(options, context)
        for s in samples(part, fmt, "a.jsonl"):
            state.add(s, "train")
        merged.merge(pickle.loads(pickle.dumps(state)))
    assert [h.message for h in merged.finish()] == [h.message for h in whole.finish()]
    assert merged.statistics() == whole.statistics()
    assert list(whole.finish()), "the planted data must produce a finding"


def test_merge_respects_the_distinct_label_limit():
    options = dict(load_rules()["B101"].options)
    context = RunContext({}, {}, ".")
    a, b = MinExamplesPerClass(options, context), MinExamplesPerClass(options, context)
    for s in samples([cls(i, f"x{i % 30}") for i in range(120)], "openai-chat", "a.jsonl"):
        a.add(s, None)
    for s in samples([cls(i, f"y{i % 30}") for i in range(120)], "openai-chat", "b.jsonl"):
        b.add(s, None)
    assert a.tracker.is_classification() and b.tracker.is_classification()
    a.merge(b)
    assert a.tracker.overflow and a.statistics()["stopped"] == "more than 50 distinct labels"


def test_split_order_does_not_matter(tmp_path, check):
    configure(tmp_path, SPLITS)
    write_jsonl(tmp_path / "train.jsonl", planted({"positive": 60, "negative": 40}))
    write_jsonl(tmp_path / "test.jsonl", planted({"positive": 10, "neutral": 9}, 1000))
    one = check(["train.jsonl", "test.jsonl"], select=["B"])
    two = check(["test.jsonl", "train.jsonl"], select=["B"])
    assert sorted(f.message for f in one.findings) == sorted(f.message for f in two.findings)
    assert one.dataset_statistics == two.dataset_statistics
    assert by_code(one, "B103")


def test_label_spec_is_picklable_and_describes_itself():
    spec = LabelSpec({"from": "assistant", "regex": r"(\w+)"})
    assert pickle.loads(pickle.dumps(spec)).describe() == "the final assistant reply, regex '(\\\\w+)'"
