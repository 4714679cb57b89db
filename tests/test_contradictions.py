"""Contradiction rules D301 (conflicting responses), D302 (conflicting labels) and D303 (swapped
preference pairs), end to end through `ftlint.check`, plus the rule states' merge and size.

D301 also gets a precision/recall check on ~300 generated prompt groups: half hold near-identical
answers (synonyms, contractions, fillers, punctuation, case, reordered sentences), half add one
substantively different answer (another approach, a changed number or name, a negation, yes vs
no, another class label). Everything is generated here, from a fixed seed.
"""
from __future__ import annotations

import pickle
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ftlint import Severity
from ftlint.checks.contradictions import ConflictingLabels, ConflictingResponses, Fingerprint, SwappedPreference
from ftlint.formats.registry import FORMATS
from ftlint.model import Record
from ftlint.registry import RunContext
from ftlint.rulepack import load_rules

D3 = ["D301", "D302", "D303"]


def pc(prompt: str, completion: str) -> dict:
    return {"prompt": prompt, "completion": completion}


def pref(prompt: str, chosen: str, rejected: str) -> dict:
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


def kto(prompt: str, completion: str, label: Any) -> dict:
    return {"prompt": prompt, "completion": completion, "label": label}


def chat(*turns: tuple[str, str], **extra: Any) -> dict:
    return {"messages": [{"role": role, "content": text} for role, text in turns], **extra}


def lines(locations: Any) -> list[int]:
    return sorted(loc.line for loc in locations)


def only(report: Any, code: str) -> list:
    assert {f.code for f in report.findings} <= {code}, [(f.code, f.message) for f in report.findings]
    return report.by_rule(code)


# --------------------------------------------------------------------------- D301


def test_d301_conflicting_responses_one_finding_per_prompt_with_related_locations(lint):
    report = lint([
        pc("How many continents are there?", "There are 7 continents."),                        # 1
        pc("Capital of France?", "Paris."),                                                      # 2
        pc("How many continents are there?", "There are 6 continents."),                         # 3
        pc("Sentiment: I loved it", "positive"),                                                 # 4
        pc("Sentiment: I loved it", "Negative."),                                                # 5
        pc("Sentiment: I loved it", "POSITIVE!"),                                                # 6
        pc("Is a whale a mammal?", "Yes, a whale is a mammal because it breathes air."),         # 7
        pc("Is a whale a mammal?", "No, a whale is not a mammal because it breathes air."),      # 8
        pc("Is glass a liquid?", "Glass is an amorphous solid at room temperature."),            # 9
        pc("Is glass a liquid?", "Glass is not an amorphous solid at room temperature."),        # 10
        pc("How do I undo the last git commit?", "Run git reset --soft HEAD~1 to drop the commit but keep "
           "its changes staged."),                                                               # 11
        pc("How do I undo the last git commit?", "Use git revert HEAD, which adds a new commit that reverses "
           "the changes of the last one."),                                                      # 12
        pc("What is the capital of Australia?", "The capital of Australia is Canberra."),        # 13
        pc("What is the capital of Australia?", "The capital of Australia is Sydney."),          # 14
    ], select=D3)
    findings = only(report, "D301")
    assert [(f.location.line, lines(f.related)) for f in findings] == [
        (1, [3]), (4, [5, 6]), (7, [8]), (9, [10]), (11, [12]), (13, [14])]
    assert all(f.severity == Severity.WARNING and f.rule == "conflicting-responses" for f in findings)
    messages = [f.message for f in findings]
    assert "2 materially different responses in 2 records (different numbers)" in messages[0]
    assert "2 materially different responses in 3 records (different short answers)" in messages[1]
    assert "yes, the other no" in messages[2]
    assert "negates" in messages[3]
    assert "wording is shared" in messages[4]
    assert "different names" in messages[5]


def test_d301_counts_distinct_responses(lint):
    report = lint([pc("Pick a colour.", "red"), pc("Pick a colour.", "blue"), pc("Pick a colour.", "Red."),
                   pc("Pick a colour.", "green")], select=["D301"])
    [finding] = report.by_rule("D301")
    assert finding.location.line == 1 and lines(finding.related) == [2, 3, 4]
    assert "3 materially different responses in 4 records" in finding.message


@pytest.mark.parametrize("first, second", [
    ("There are 7 continents.", "Sure! There are 7 continents on Earth."),
    ("You cannot divide by zero; the result is undefined.", "You can't divide by zero, the result is undefined!"),
    ("Make sure your yeast is fresh and let the dough proof in a warm spot for about an hour.",
     "Ensure your yeast is fresh and let the dough proof in a warm spot for roughly an hour. Hope this helps!"),
    ("Clean the vents with compressed air. Keep the laptop on a hard, flat surface so air can flow.",
     "Keep the laptop on a hard, flat surface so air can flow. Clean the vents with compressed air."),
    ("positive", "Positive."),
    ("positive", "The sentiment is positive."),
    ("Paris", "Paris, France"),
    ("Yes.", "Yes, a whale is a mammal."),
    ("The capital of France is Paris.", "The capital of France is Paris. It is also the largest city in the country."),
    ("In Python, use sorted() to get a new list.", "in python, use sorted() to get a new list"),
])
def test_d301_near_misses_do_not_fire(lint, first, second):
    report = lint([pc("Q?", first), pc("Other question?", "Other answer."), pc("Q?", second)], select=D3)
    assert report.findings == [], [f.message for f in report.findings]


def test_d301_exact_copies_are_d101s_not_d301s(lint):
    record = pc("How many continents are there?", "There are 7 continents.")
    report = lint([record, pc("Other?", "Other."), dict(record)], select=["D101", "D301"])
    assert {f.code for f in report.findings} == {"D101"}


def test_d301_different_prompts_with_different_answers_are_fine(lint):
    report = lint([pc("How many continents are there?", "There are 7 continents."),
                   pc("How many oceans are there?", "There are 5 oceans.")], select=D3)
    assert report.findings == []


def test_d301_system_prompt_separates_records_unless_told_otherwise(lint, tmp_path):
    records = [chat(("system", "Answer in French."), ("user", "Say hello."), ("assistant", "Bonjour !")),
               chat(("system", "Answer in German."), ("user", "Say hello."), ("assistant", "Guten Tag!"))]
    assert lint(records, select=D3).findings == []
    (tmp_path / "ftlint.toml").write_text('[rules.D301]\nmatch-system-prompt = false\n')
    [finding] = lint(records, select=D3).by_rule("D301")
    assert (finding.location.line, lines(finding.related)) == (1, [2])


def test_d301_max_similarity_option(lint, tmp_path):
    records = [pc("How do I undo the last git commit?", "Run git reset --soft HEAD~1 to drop the commit."),
               pc("How do I undo the last git commit?", "Use git revert HEAD to add a commit that reverses it.")]
    assert len(lint(records, select=["D301"]).by_rule("D301")) == 1
    (tmp_path / "ftlint.toml").write_text('[rules.D301]\nmax-similarity = 0.0\n')
    assert lint(records, select=["D301"]).by_rule("D301") == []


def test_d301_leaves_labelled_and_preference_records_alone(lint):
    """Several completions per prompt, some desirable and some not, is what KTO and DPO data is."""
    kto = [chat(("user", "Q?"), ("assistant", "Yes."), label=True), chat(("user", "Q?"), ("assistant", "No."), label=False)]
    assert lint(kto, name="kto.jsonl", select=D3).findings == []
    alpaca = [{"instruction": "Q?", "output": "Yes.", "kto_tag": True}, {"instruction": "Q?", "output": "No.", "kto_tag": False}]
    assert lint(alpaca, name="alpaca.jsonl", select=D3).findings == []
    prefs = [pref("Q?", "Yes.", "Maybe."), pref("Q?", "No.", "Maybe.")]
    assert lint(prefs, name="pref.jsonl", select=D3).findings == []


def test_d301_in_alpaca_and_sharegpt(lint):
    alpaca = [{"instruction": "Translate", "input": "cat", "output": "chat"},
              {"instruction": "Translate", "input": "cat", "output": "chien"}]
    [finding] = lint(alpaca, name="alpaca.jsonl", select=["D301"]).by_rule("D301")
    assert finding.location.line == 1
    sharegpt = [{"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]},
                {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "5"}]}]
    [finding] = lint(sharegpt, name="sharegpt.jsonl", select=["D301"]).by_rule("D301")
    assert (finding.location.line, lines(finding.related)) == (1, [2])


# --------------------------------------------------------------------------- D302


def test_d302_same_prompt_and_completion_with_both_labels(lint):
    report = lint([
        kto("Is the sky blue?", "Yes, because of Rayleigh scattering.", True),    # 1
        kto("Is the sky blue?", "No, it is green.", False),                       # 2
        kto("Is the sky  blue?", "yes, because of Rayleigh scattering.", False),  # 3 (normalised: same as 1)
        kto("Is the sky blue?", "Yes, because of Rayleigh scattering.", True),    # 4
    ], select=D3)
    [finding] = only(report, "D302")
    assert (finding.location.line, lines(finding.related)) == (1, [3, 4])
    assert finding.severity == Severity.ERROR and finding.rule == "conflicting-labels"
    assert finding.message == ("the same prompt and completion carry 2 different labels: "
                               "true (line 1, line 4); false (line 3)")


def test_d302_same_label_twice_is_not_a_conflict(lint):
    report = lint([kto("Q?", "A.", True), kto("Q?", "A.", True), kto("Q?", "B.", False)], select=D3)
    assert report.by_rule("D302") == []


@pytest.mark.parametrize("name, records", [
    ("chat-kto.jsonl", [chat(("user", "Q?"), ("assistant", "A."), label=True),
                        chat(("user", "Other?"), ("assistant", "B."), label=True),
                        chat(("user", "Q?"), ("assistant", "A."), label=False)]),
    ("alpaca.jsonl", [{"instruction": "Q?", "output": "A.", "kto_tag": True},
                      {"instruction": "Other?", "output": "B.", "kto_tag": True},
                      {"instruction": "Q?", "output": "A.", "kto_tag": False}]),
    ("sharegpt.jsonl", [{"conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "A."}], "kto_tag": True},
                        {"conversations": [{"from": "human", "value": "O?"}, {"from": "gpt", "value": "B."}], "kto_tag": True},
                        {"conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "A."}], "kto_tag": False}]),
    ("stepwise.jsonl", [{"prompt": "2+2*2?", "completions": ["2*2 = 4", "2+4 = 6"], "labels": [True, True]},
                        {"prompt": "1+1?", "completions": ["1+1 = 2"], "labels": [True]},
                        {"prompt": "2+2*2?", "completions": ["2*2 = 4", "2+4 = 6"], "labels": [True, False]}]),
])
def test_d302_in_every_labelled_format(lint, name, records):
    [finding] = only(lint(records, name=name, select=D3), "D302")
    assert (finding.location.line, lines(finding.related)) == (1, [3])


# --------------------------------------------------------------------------- D303


def test_d303_swapped_pair_with_the_same_prompt(lint):
    report = lint([
        pref("Name a prime number.", "7", "8"),          # 1
        pref("Name an even number.", "8", "7"),          # 2: another prompt, opposite preference is fine
        pref("Name a prime number.", "7", "9"),          # 3
        pref("Name a prime number.", "8", "7"),          # 4: reverses line 1
        pref("name a  prime number.", "7", "8"),         # 5: same as line 1
    ], select=D3)
    [finding] = only(report, "D303")
    assert (finding.location.line, lines(finding.related)) == (1, [4, 5])
    assert finding.severity == Severity.ERROR and finding.rule == "swapped-preference"
    assert "swapped in 1 other record with the same prompt (line 4); 2 of 3 records" in finding.message


def test_d303_different_prompts_with_opposite_preferences_do_not_fire(lint):
    report = lint([pref("Name a prime number.", "7", "8"), pref("Name an even number.", "8", "7"),
                   pref("Name a prime number.", "7", "8")], select=["D303"])
    assert report.by_rule("D303") == []


@pytest.mark.parametrize("name, records", [
    ("dpo.jsonl", [{"input": {"messages": [{"role": "user", "content": "Hi"}]},
                    "preferred_output": [{"role": "assistant", "content": "Hello!"}],
                    "non_preferred_output": [{"role": "assistant", "content": "Go away."}]},
                   {"input": {"messages": [{"role": "user", "content": "Hi"}]},
                    "preferred_output": [{"role": "assistant", "content": "Go away."}],
                    "non_preferred_output": [{"role": "assistant", "content": "Hello!"}]}]),
    ("alpaca-pref.jsonl", [{"instruction": "Hi", "chosen": "Hello!", "rejected": "Go away."},
                           {"instruction": "Hi", "chosen": "Go away.", "rejected": "Hello!"}]),
    ("sharegpt-pref.jsonl", [{"conversations": [{"from": "human", "value": "Hi"}],
                              "chosen": {"from": "gpt", "value": "Hello!"}, "rejected": {"from": "gpt", "value": "Go away."}},
                             {"conversations": [{"from": "human", "value": "Hi"}],
                              "chosen": {"from": "gpt", "value": "Go away."}, "rejected": {"from": "gpt", "value": "Hello!"}}]),
    ("trl-implicit.jsonl", [{"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
                             "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}]},
                            {"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}],
                             "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}]),
])
def test_d303_in_every_preference_format(lint, name, records):
    [finding] = only(lint(records, name=name, select=D3), "D303")
    assert (finding.location.line, lines(finding.related)) == (1, [2])


# --------------------------------------------------------------------------- groups: splits and files


def test_contradictions_across_two_files_of_one_split(write_jsonl, check, tmp_path):
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["train_*.jsonl"]\n')
    a = write_jsonl([pc("How many continents are there?", "There are 7 continents."), pc("A?", "a")], "train_a.jsonl")
    b = write_jsonl([pc("B?", "b"), pc("How many continents are there?", "There are 6 continents.")], "train_b.jsonl")
    ka = write_jsonl([kto("Q?", "A.", True)], "train_kto_1.jsonl")
    kb = write_jsonl([kto("Q?", "A.", False)], "train_kto_2.jsonl")
    pa = write_jsonl([pref("P?", "x", "y")], "train_pref_1.jsonl")
    pb = write_jsonl([pref("P?", "y", "x")], "train_pref_2.jsonl")
    report = check([str(p) for p in (a, b, ka, kb, pa, pb)], select=D3)
    found = {f.code: f for f in report.findings}
    assert sorted(found) == D3 and len(report.findings) == 3
    assert (Path(found["D301"].location.path).name, found["D301"].location.line) == ("train_a.jsonl", 1)
    assert [(Path(r.path).name, r.line) for r in found["D301"].related] == [("train_b.jsonl", 2)]
    assert [(Path(r.path).name, r.line) for r in found["D302"].related] == [("train_kto_2.jsonl", 1)]
    assert [(Path(r.path).name, r.line) for r in found["D303"].related] == [("train_pref_2.jsonl", 1)]
    assert report.dataset_statistics["D301"] == {"records": 4, "repeated": 1, "conflicting": 1}


def test_files_in_no_split_are_separate_groups(write_jsonl, check, tmp_path):
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["train.jsonl"]\ntest = ["test.jsonl"]\n')
    a = write_jsonl([pc("How many continents are there?", "There are 7 continents.")], "one.jsonl")
    b = write_jsonl([pc("How many continents are there?", "There are 6 continents.")], "two.jsonl")
    c = write_jsonl([pc("How many continents are there?", "There are 5 continents.")], "train.jsonl")
    d = write_jsonl([pc("How many continents are there?", "There are 4 continents.")], "test.jsonl")
    assert check([str(p) for p in (a, b, c, d)], select=D3).findings == []


# --------------------------------------------------------------------------- state: merge, size, cache


def samples(fmt: str, path: str, records: list[dict]) -> list:
    return [FORMATS[fmt].to_sample(Record(path, i + 1, data, index=i)) for i, data in enumerate(records)]


MERGE_CASES = [
    (ConflictingResponses, "D301", "prompt-completion",
     [pc("Q1?", "There are 7."), pc("Q2?", "red"), pc("Q3?", "Use a loop over the items.")],
     [pc("Q2?", "blue"), pc("Q1?", "There are 6."), pc("Q3?", "Use a loop over the items!"), pc("Q2?", "Red.")]),
    (ConflictingLabels, "D302", "trl-unpaired-preference",
     [kto("Q1?", "A", True), kto("Q2?", "B", True), kto("Q1?", "A", True)],
     [kto("Q1?", "A", False), kto("Q2?", "B", True), kto("Q3?", "C", "maybe"), kto("Q3?", "C", None)]),
    (SwappedPreference, "D303", "trl-preference",
     [pref("Q1?", "a", "b"), pref("Q2?", "c", "d")],
     [pref("Q1?", "b", "a"), pref("Q2?", "c", "d"), pref("Q1?", "a", "b")]),
]


def _hits(state: Any) -> list[tuple]:
    return [(h.path, h.line, h.message, h.related) for h in state.finish()]


@pytest.mark.parametrize("cls, code, fmt, first, second", MERGE_CASES, ids=[c[1] for c in MERGE_CASES])
def test_merged_states_equal_one_state(cls, code, fmt, first, second):
    options = dict(load_rules()[code].options)
    context = RunContext({}, {}, ".")
    one_state = cls(options, context)
    for sample in samples(fmt, "a.jsonl", first) + samples(fmt, "b.jsonl", second):
        one_state.add(sample, "train")
    total, part_a, part_b = cls(options, context), cls(options, context), cls(options, context)
    for sample in samples(fmt, "a.jsonl", first):
        part_a.add(sample, "train")
    for sample in samples(fmt, "b.jsonl", second):
        part_b.add(sample, "train")
    for part in (part_a, part_b):  # as the engine does: a fresh state per file, through a cache pickle
        total.merge(pickle.loads(pickle.dumps(part)))
    expected = _hits(one_state)
    assert expected, "the case must produce a finding"
    assert _hits(total) == expected
    assert expected[0][:2] == ("a.jsonl", 1) and "b.jsonl" in {loc.path for loc in expected[0][3]}  # both files


def test_d301_state_is_compact_and_holds_no_text():
    options = dict(load_rules()["D301"].options)
    state = ConflictingResponses(options, RunContext({}, {}, "."))
    rng = random.Random(3)
    words = "zephyrine quokka marmalade obsidian periwinkle sassafras tamarind ultramarine".split()
    records = [pc(f"Question number {i}?", " ".join(rng.choice(words) for _ in range(200))) for i in range(2000)]
    for sample in samples("prompt-completion", "big.jsonl", records):
        state.add(sample, None)
    blob = pickle.dumps(state)
    assert len(blob) / len(records) < 150, len(blob) / len(records)
    for word in words + ["Question number"]:
        assert word.encode() not in blob


def test_cached_files_still_contribute_to_contradictions(write_jsonl, check, tmp_path):
    (tmp_path / "ftlint.toml").write_text('cache-dir = ".cache"\n[splits]\ntrain = ["train_*.jsonl"]\n')
    a = write_jsonl([pc("Q?", "There are 7 continents.")], "train_a.jsonl")
    b = write_jsonl([pc("Q?", "There are 6 continents.")], "train_b.jsonl")
    first = check([str(a), str(b)], select=["D301"])
    second = check([str(a), str(b)], select=["D301"])
    assert len(first.by_rule("D301")) == len(second.by_rule("D301")) == 1
    assert second.by_rule("D301")[0].related == first.by_rule("D301")[0].related


# --------------------------------------------------------------------------- fingerprints


def test_fingerprint_round_trips_and_is_stable():
    fingerprint = Fingerprint.of("The capital of Australia is Canberra; 25 million people live there.")
    packed = fingerprint.pack()
    assert Fingerprint.unpack(packed).pack() == packed
    # Cached states are compared across processes and runs: the fingerprint may not depend on either.
    assert packed == Fingerprint.of("The capital of Australia is Canberra; 25 million people live there.").pack()
    assert packed.bit_length() <= 8 * 96


@pytest.mark.parametrize("rule", D3)
def test_rule_pack_examples(lint, rule):
    meta = load_rules()[rule]
    bad = [line for line in meta.bad.strip().splitlines()]
    good = [line for line in meta.good.strip().splitlines()]
    assert len(lint(bad, name="bad.jsonl", select=[rule]).by_rule(rule)) == 1
    assert lint(good, name="good.jsonl", select=[rule]).by_rule(rule) == []


# --------------------------------------------------------------------------- D301 precision / recall

SYNONYMS = [("use", "utilize"), ("big", "large"), ("quick", "fast"), ("help", "assist"), ("start", "begin"),
            ("pick", "choose"), ("make sure", "ensure"), ("show", "display"), ("often", "frequently"),
            ("get", "obtain"), ("about", "roughly"), ("need", "require"), ("buy", "purchase"),
            ("enough", "sufficient"), ("fix", "repair"), ("try", "attempt"), ("easy", "simple"),
            ("main", "primary"), ("end", "finish"), ("whole", "entire"), ("keep", "retain")]
CONTRACTIONS = [("do not", "don't"), ("is not", "isn't"), ("it is", "it's"), ("you are", "you're"),
                ("cannot", "can't"), ("will not", "won't"), ("does not", "doesn't"), ("you will", "you'll")]
ADVERBS = ["simply", "usually", "also", "really", "just", "very", "generally", "often"]
PREFIXES = ["Sure! ", "Certainly, ", "Good question. ", "Of course. "]
SUFFIXES = [" Hope this helps!", " Let me know if you have more questions.", " I hope that helps."]

# (question, answer, a substantively different answer to the same question)
TOPICS = [
    ("How do I reverse a list in Python?",
     "Call list.reverse() to reverse the list in place, or use slicing with [::-1] to get a reversed copy.",
     "Loop over the indexes from the end and append each element to a new list, then return that new list."),
    ("How can I make my bread rise better?",
     "Make sure your yeast is fresh and let the dough proof in a warm spot for about an hour.",
     "Add a spoon of vinegar and more baking soda, then bake it straight away at a higher temperature."),
    ("What should I do if my laptop overheats?",
     "Clean the vents with compressed air and keep the laptop on a hard, flat surface so air can flow.",
     "Install a utility that lowers the processor clock, and close browser tabs that run heavy scripts."),
    ("How do I remove a red wine stain from a carpet?",
     "Blot the stain with a clean cloth, then pour cold water and a little dish soap on it and blot again.",
     "Cover it with a thick layer of salt, wait until the salt absorbs the wine, then vacuum it up."),
    ("What is the best way to learn a new language?",
     "Practice speaking every day with native speakers and use spaced repetition to memorise vocabulary.",
     "Start by studying grammar rules from a textbook until you know every tense, then read novels."),
    ("How do I center a div in CSS?",
     "Use display: flex on the parent with justify-content: center and align-items: center.",
     "Give the div a fixed width and set margin: 0 auto so the browser splits the free space equally."),
    ("How can I fall asleep faster?",
     "Keep a regular schedule, avoid screens for an hour before bed, and keep the bedroom cool and dark.",
     "Drink a glass of warm milk, then read a boring book under dim light until your eyes get heavy."),
    ("How do I fix a leaking faucet?",
     "Turn off the water supply, take the handle apart and replace the worn washer or O-ring.",
     "Wrap plumber's tape around the spout threads and tighten the whole fixture with a wrench."),
    ("What is a good way to save money each month?",
     "Set up an automatic transfer to a savings account on payday so you never see that money.",
     "Track every expense in a spreadsheet and cancel subscriptions you have not opened in weeks."),
    ("How do I undo the last git commit?",
     "Run git reset --soft HEAD~1 to remove the commit but keep its changes staged.",
     "Run git revert HEAD, which creates a new commit that reverses the changes of the last one."),
    ("How should I store fresh herbs?",
     "Trim the stems and keep them upright in a glass of water in the fridge, loosely covered with a bag.",
     "Chop them finely, pack them into an ice cube tray with olive oil and freeze them for later."),
    ("How do I get rid of fruit flies?",
     "Set a trap with apple cider vinegar and a drop of dish soap in a small bowl near the fruit.",
     "Throw out overripe produce, take the trash out daily and run boiling water down the drains."),
    ("How can I improve my running endurance?",
     "Add one long slow run each week and increase its distance by about ten percent at a time.",
     "Do short interval sprints twice a week with full recovery between each hard effort."),
    ("How do I read a file line by line in Python?",
     "Open it in a with statement and loop over the file object, which yields one line at a time.",
     "Call readlines() to load all lines into a list and then iterate over that list with an index."),
    ("What causes the seasons on Earth?",
     "The tilt of the Earth's axis changes how directly sunlight hits each hemisphere over the year.",
     "The distance between the Earth and the Sun changes, so we are much closer to it in summer."),
    ("How do I keep my houseplants alive?",
     "Water them only when the top inch of soil is dry and place them where they get bright indirect light.",
     "Mist the leaves every morning and feed them liquid fertiliser with each watering all year."),
    ("How do I prepare for a job interview?",
     "Research the company, practice answers to common questions out loud and prepare questions to ask.",
     "Memorise your resume word for word and rehearse a long speech about your career goals."),
    ("How can I speed up a slow SQL query?",
     "Add an index on the columns used in the WHERE clause and check the plan with EXPLAIN.",
     "Denormalise the tables into one wide table so the query never needs a join again."),
    ("How do I clean a cast iron pan?",
     "Scrub it with hot water and a brush, dry it on the stove and rub a thin layer of oil on it.",
     "Soak it overnight in soapy water and put it through the dishwasher on the hottest cycle."),
    ("How can I reduce stress at work?",
     "Break big tasks into small steps, take short breaks and set clear limits on after-hours email.",
     "Take on extra projects so you stay busy, and skip lunch to finish your work earlier."),
    ("How do I merge two dictionaries in Python?",
     "Use the union operator, as in a | b, which returns a new dictionary with the keys of both.",
     "Loop over the second dictionary and assign each key and value into the first one by hand."),
    ("What is the easiest way to peel garlic?",
     "Crush each clove with the flat side of a knife so the skin cracks and slips off.",
     "Put the cloves in a jar, close the lid and shake it hard for twenty seconds."),
    ("How do I stop my dog from pulling on the leash?",
     "Stop walking whenever the leash gets tight and reward the dog when it comes back to your side.",
     "Buy a longer retractable leash so the dog can explore freely without pulling against you."),
    ("How do I write a good cover letter?",
     "Address it to a named person, show how your experience matches the role and keep it to one page.",
     "Reuse one generic letter for every job and list all of your previous positions in detail."),
    ("How can I make my code easier to test?",
     "Pass dependencies in as arguments instead of creating them inside functions, so tests can swap them.",
     "Put all the logic in one big main function and test it end to end with real services."),
    ("How do I boil an egg so the yolk stays soft?",
     "Lower the egg into boiling water, cook it for six minutes and then cool it in ice water.",
     "Start it in cold water, bring it to a boil and keep it boiling for fifteen minutes."),
    ("What is the difference between a virus and a bacterium?",
     "Bacteria are living cells that can reproduce on their own, while viruses need a host cell to copy themselves.",
     "Viruses are simply smaller bacteria, and both can be treated with the same antibiotics."),
    ("How do I change a flat tire?",
     "Loosen the lug nuts, jack up the car, swap the wheel for the spare and tighten the nuts in a star pattern.",
     "Call roadside assistance and wait in a safe place, because you should never change it yourself."),
]
COUNTRIES = [("France", "Paris"), ("Japan", "Tokyo"), ("Canada", "Ottawa"), ("Australia", "Canberra"),
             ("Brazil", "Brasilia"), ("Kenya", "Nairobi"), ("Norway", "Oslo"), ("Egypt", "Cairo"),
             ("Peru", "Lima"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Chile", "Santiago"),
             ("Turkey", "Ankara"), ("Poland", "Warsaw"), ("Vietnam", "Hanoi"), ("Morocco", "Rabat"),
             ("Sweden", "Stockholm"), ("Mexico", "Mexico City"), ("India", "New Delhi"), ("Ghana", "Accra")]
QUANTITIES = [("minutes", "hour", 60), ("hours", "day", 24), ("days", "week", 7), ("months", "year", 12),
              ("centimetres", "metre", 100), ("grams", "kilogram", 1000), ("seconds", "minute", 60),
              ("days", "leap year", 366), ("legs", "spider", 8), ("players", "soccer team", 11),
              ("sides", "hexagon", 6), ("keys", "standard piano", 88), ("bones", "adult human body", 206),
              ("cards", "standard deck", 52), ("squares", "chessboard", 64), ("strings", "standard guitar", 6)]
YES_NO = [("a tomato", "a fruit", "it develops from the flower and contains seeds"),
          ("Python", "dynamically typed", "variables get their type from the values they hold at runtime"),
          ("a whale", "a mammal", "it breathes air and feeds its young with milk"),
          ("the Great Wall", "visible from the Moon with the naked eye", "it is far too narrow at that distance"),
          ("gold", "magnetic", "its electrons do not align with an external magnetic field"),
          ("glass", "a liquid", "it is an amorphous solid that does not flow at room temperature"),
          ("a peanut", "a nut", "it grows underground as a legume in a pod"),
          ("Pluto", "a planet", "it has not cleared its orbit of other objects"),
          ("a bat", "blind", "most species can see, and many also use echolocation"),
          ("water", "a good conductor of electricity", "pure water has very few free ions to carry charge"),
          ("lightning", "hotter than the surface of the Sun", "a bolt heats the air to around 30,000 kelvin"),
          ("a koala", "a bear", "it is a marsupial that carries its young in a pouch"),
          ("a strawberry", "a berry", "botanists define berries by seeds inside the flesh"),
          ("Rust", "memory safe", "its borrow checker rules out dangling pointers at compile time"),
          ("HTML", "a programming language", "it describes the structure of documents rather than computation")]
REVIEW_PARTS = {
    "positive": ["I loved the {x}", "the {x} was wonderful", "great {x}, would buy again", "the {x} exceeded my hopes",
                 "really happy with the {x}", "the {x} works perfectly"],
    "negative": ["I hated the {x}", "the {x} broke after a day", "terrible {x}, total waste", "the {x} was a letdown",
                 "really unhappy with the {x}", "the {x} stopped working"],
    "neutral": ["the {x} arrived on Tuesday", "the {x} is blue", "it is a {x}", "the {x} came in a box",
                "I got the {x} last week", "the {x} is what the listing said"],
}
ITEMS = ["blender", "headphones", "hotel room", "novel", "jacket", "coffee maker", "phone case", "movie",
         "backpack", "restaurant", "lamp", "keyboard"]
CONCEPTS = ["recursion", "photosynthesis", "inflation", "caching", "compound interest", "plate tectonics",
            "vaccination", "encryption", "natural selection", "supply and demand", "garbage collection",
            "the water cycle", "machine learning", "the immune system", "blockchain", "climate change",
            "load balancing", "fermentation", "gravity", "the stock market", "version control", "erosion",
            "a neural network", "the greenhouse effect", "public key cryptography", "an index in a database",
            "the French Revolution", "a black hole", "DNA replication", "a compiler"]
NOUNS = ["process", "system", "energy", "model", "pattern", "structure", "rule", "signal", "resource", "value",
         "layer", "cycle", "network", "function", "surface", "market", "record", "memory", "pressure", "change"]
ADJS = ["small", "hidden", "stable", "complex", "basic", "big", "quick", "constant", "shared", "natural",
        "local", "global", "main", "simple", "useful"]
VERBS = ["controls", "produces", "stores", "moves", "shapes", "tracks", "protects", "splits", "builds",
         "measures", "connects", "removes"]
CLAUSES = [
    "{C} {v} the {a} {n} that {v2} each {n2}.",
    "In practice, {c} {v} a {a} {n} over time.",
    "You can think of {c} as a {a} {n} that {v} the {n2}.",
    "It is important because it {v} the {n} and keeps the {n2} {a}.",
    "A common example is a {n} that {v} about {k} {n2}s every day.",
    "Most people use it to help with {a} {n}s and {n2}s.",
    "When the {n} changes, {c} often {v} the {a} {n2}.",
    "Experts start by measuring the {n} and then pick a {a} {n2}.",
    "This takes roughly {k} steps, and each step {v} the {n}.",
    "Without it, the {n2} would need a much more {a} {n}.",
]


def _sub_once(text: str, old: str, new: str) -> str | None:
    match = re.search(rf"\b{re.escape(old)}\b", text, flags=re.IGNORECASE)
    if not match:
        return None
    replacement = new[0].upper() + new[1:] if match.group(0)[0].isupper() else new
    return text[:match.start()] + replacement + text[match.end():]


def paraphrase(text: str, rng: random.Random, edits: int) -> str:
    """Small wording changes that keep the meaning: synonyms, fillers, contractions, punctuation,
    case, a dropped adverb, two sentences swapped."""
    short = len(text.split()) <= 3
    ops = ["case", "punct"] if short else ["synonym", "synonym", "prefix", "suffix", "contraction", "punct",
                                           "case", "adverb", "whitespace", "reorder"]
    done = 0
    for _ in range(40):
        if done >= edits:
            break
        op, new = rng.choice(ops), None
        if op in ("synonym", "contraction"):
            pairs = list(SYNONYMS if op == "synonym" else CONTRACTIONS)
            rng.shuffle(pairs)
            new = next((n for a, b in pairs if (n := _sub_once(text, a, b) or _sub_once(text, b, a))), None)
        elif op == "prefix":
            had = next((p for p in PREFIXES if text.startswith(p)), None)
            new = text[len(had):] if had else rng.choice(PREFIXES) + text[0].lower() + text[1:]
        elif op == "suffix" and len(text.split()) >= 12:
            had = next((s for s in SUFFIXES if text.endswith(s)), None)
            new = text[:-len(had)] if had else text + rng.choice(SUFFIXES)
        elif op == "punct":
            choice = rng.randrange(3)
            if choice == 0 and "," in text:
                new = text.replace(",", "", 1)
            elif choice == 1:
                new = text.rstrip(".!") if text.endswith((".", "!")) else text + "."
            else:
                new = text.replace(". ", "! ", 1) if ". " in text else text + "!"
        elif op == "case":
            new = text.upper() if short and rng.random() < 0.5 else text[0].swapcase() + text[1:]
        elif op == "adverb":
            present = [a for a in ADVERBS if re.search(rf"\b{a}\b ", text)]
            if present:
                new = re.sub(rf"\b{rng.choice(present)}\b ", "", text, count=1)
        elif op == "reorder":
            sentences = re.split(r"(?<=[.!?]) ", text)
            if len(sentences) >= 3:
                i = rng.randrange(len(sentences) - 1)
                sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
                new = " ".join(sentences)
        elif op == "whitespace":
            new = text.replace(" ", "  ", 1).replace(". ", ".\n", 1)
        if new and new != text:
            text, done = new, done + 1
    return text


def _explanation(concept: str, rng: random.Random, sentences: int) -> str:
    return " ".join(template.format(C=concept[0].upper() + concept[1:], c=concept, v=rng.choice(VERBS),
                                    v2=rng.choice(VERBS), a=rng.choice(ADJS), n=rng.choice(NOUNS),
                                    n2=rng.choice(NOUNS), k=rng.randrange(2, 90))
                    for template in rng.sample(CLAUSES, sentences))


def _change_number(text: str, rng: random.Random) -> str | None:
    numbers = re.findall(r"\d+", text)
    if not numbers:
        return None
    old = rng.choice(numbers)
    return re.sub(rf"\b{old}\b", str(int(old) + rng.choice([-3, -2, -1, 1, 2, 5, 10]) or 1), text, count=1)


def generate_groups(seed: int) -> list[tuple[str, list[str], int | None]]:
    """(prompt, responses, odd): half the groups hold near-identical answers only (odd is None), half
    also one substantively different answer at index odd (on the same topic: wording overlaps)."""
    rng = random.Random(seed)
    cases: list[tuple[str, str, Callable[[random.Random], str]]] = []  # (prompt, answer, make a different one)
    for question, answer, other in TOPICS:
        cases += [(question, answer, lambda r, o=other: o)] * 2
    for country, city in COUNTRIES:
        wrong = rng.choice([c for _, c in COUNTRIES if c != city])
        cases.append((f"What is the capital of {country}?", f"The capital of {country} is {city}.",
                      lambda r, c=country, w=wrong: f"The capital of {c} is {w}."))
    for unit, whole, n in QUANTITIES:
        cases.append((f"How many {unit} are in a {whole}?", f"There are {n} {unit} in a {whole}.",
                      lambda r, u=unit, w=whole, n=n: f"There are {n + r.choice([-2, -1, 1, 2, 4])} {u} in a {w}."))
    for _ in range(20):
        a, b = rng.randrange(3, 20), rng.randrange(3, 20)
        cases.append((f"What is {a} times {b}?", f"{a} times {b} is {a * b}.",
                      lambda r, a=a, b=b: f"{a} times {b} is {a * b + r.choice([-a, a, 1, 10])}."))
    for thing, prop, reason in YES_NO:
        subject = thing[0].upper() + thing[1:]
        cases.append((f"Is {thing} {prop}?", f"Yes, {thing} is {prop}, because {reason}.",
                      lambda r, t=thing, p=prop, why=reason: f"No, {t} is not {p}, because {why}."))
        cases.append((f"Is {thing} really {prop}?", f"{subject} is {prop}, since {reason}.",
                      lambda r, s=subject, p=prop, why=reason: f"{s} is not {p}, since {why}."))
    labels = list(REVIEW_PARTS)
    for _ in range(60):
        label = rng.choice(labels)
        review = rng.choice(REVIEW_PARTS[label]).format(x=rng.choice(ITEMS))
        other = rng.choice([x for x in labels if x != label])
        cases.append((f"Classify the sentiment of this review as positive, negative or neutral: {review}",
                      label, lambda r, o=other: o))
    for i in range(90):
        concept = CONCEPTS[i % len(CONCEPTS)]
        base = _explanation(concept, rng, rng.randrange(2, 6))

        def different(r: random.Random, concept: str = concept, base: str = base) -> str:
            changed = _change_number(base, r) if r.random() < 0.3 else None
            return changed or _explanation(concept, r, max(2, len(re.findall(r"[.!?]", base))))

        cases.append((f"Explain {concept} in simple terms.", base, different))
    rng.shuffle(cases)
    groups = []
    for i, (prompt, base, make_different) in enumerate(cases):
        differs, odd = i % 2 == 1, None
        responses = [base]
        if not differs or rng.random() < 0.5:
            responses.append(paraphrase(base, rng, rng.randrange(1, 4)))
        if differs:
            odd = rng.randrange(len(responses) + 1)
            responses.insert(odd, paraphrase(make_different(rng), rng, rng.randrange(2)))
        elif rng.random() < 0.4:
            responses.append(paraphrase(base, rng, rng.randrange(1, 4)))
        groups.append((f"[{i}] {prompt}", responses, odd))
    return groups


def test_d301_precision_and_recall_on_generated_groups(lint):
    groups = generate_groups(seed=7)
    assert len(groups) >= 290 and sum(odd is not None for *_, odd in groups) == len(groups) // 2
    records, group_lines = [], []
    for prompt, responses, _ in groups:
        group_lines.append([len(records) + i + 1 for i in range(len(responses))])
        records += [pc(prompt, response) for response in responses]
    order = list(range(len(records)))  # interleave the groups: a group's records are not adjacent
    random.Random(1).shuffle(order)
    position = {old: new + 1 for new, old in enumerate(order)}
    report = lint([records[i] for i in order], select=["D301"])
    flagged = {}
    for finding in report.by_rule("D301"):
        flagged[finding.location.line] = [finding.location.line] + [r.line for r in finding.related]
    tp = fp = fn = 0
    for (_, _, odd), members in zip(groups, group_lines):
        differs = odd is not None
        shuffled = sorted(position[line - 1] for line in members)
        hit = flagged.pop(shuffled[0], None)
        if hit is not None:
            assert sorted(hit) == shuffled  # the whole group, reported once at its first record
        tp += hit is not None and differs
        fp += hit is not None and not differs
        fn += hit is None and differs
    assert flagged == {}, "findings outside the groups"
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"D301 on {len(groups)} groups: precision {precision:.3f}, recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_d301_similarity_estimate_separates_rewordings_from_different_answers():
    """What the max-similarity default rests on: estimated similarity of light rewordings vs of
    different answers on the same topic that no other signal (yes/no, numbers, names, negation) catches."""
    rewordings, different = [], []
    for seed in (7, 8):
        for _, responses, odd in generate_groups(seed):
            prints = [Fingerprint.of(r) for r in responses]
            for i in range(len(prints)):
                for j in range(i + 1, len(prints)):
                    a, b = prints[i], prints[j]
                    if a.short or b.short:
                        continue
                    if odd not in (i, j):
                        rewordings.append(a.similarity(b))
                    elif a.conflict(b, max_similarity=0.0) is None:  # only wording can tell these apart
                        different.append(a.similarity(b))
    rewordings.sort()
    different.sort()
    assert len(rewordings) > 300 and len(different) > 100
    assert rewordings[len(rewordings) // 100] >= 0.7  # 99% of rewordings well above the 0.5 default
    assert different[len(different) * 95 // 100] <= 0.4  # 95% of different answers well below it
    assert sum(s >= 0.5 for s in different) / len(different) <= 0.05


def test_d301_min_containment_option(lint, tmp_path):
    records = [pc("Capital of France?", "The capital of France is Paris."),
               pc("Capital of France?", "The capital of France is Paris. It is also the largest city in the country.")]
    assert lint(records, select=["D301"]).by_rule("D301") == []
    (tmp_path / "ftlint.toml").write_text('[rules.D301]\nmin-containment = 2.0\n')
    assert len(lint(records, select=["D301"]).by_rule("D301")) == 1


def test_fingerprint_fast_paths_equal_the_reference_regexes():
    """Fingerprint.of's shortcuts (ASCII word regex, thousands commas matched from their digit,
    the closers only searched for when "hope" or "questions" occurs) change nothing."""
    from ftlint.checks.contradictions import (
        _ASCII_WORD,
        _CLOSERS,
        _THOUSANDS,
        _THOUSANDS_FROM_DIGIT,
        _WORD,
    )

    rng = random.Random(4)
    pieces = ["sure! ", "yes, ", "1,234,567", " 12,34 ", "3,000.", "1,2345", ",123", "i hope this helps!",
              " let me know if you have any questions.", "hope that helps", "isn't", "can't", "it's", "'", "_",
              "東京", "café", "x", " ", "\n", ",", "5", "questions"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        fast = _THOUSANDS_FROM_DIGIT.sub(r"\1", text) if "," in text else text
        assert fast == _THOUSANDS.sub("", text), text
        if "hope" not in text and "questions" not in text:
            assert _CLOSERS.sub("", text) == text
        if text.isascii():
            assert _ASCII_WORD.findall(text) == _WORD.findall(text), text
