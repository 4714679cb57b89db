"""Q301 annotator agreement: Cohen's and Fleiss' kappa against textbook tables computed by hand,
label paths (list of objects, list of labels, one field per annotator, annotator keys), planted
disagreement, statistics and configuration errors."""
from __future__ import annotations

import random

import pytest

from ftlint import Severity
from ftlint.config import ConfigError
from ftlint.content.kappa import cohen_kappa, fleiss_kappa
from ftlint.reporters.svg import validate

from _records import chat_record, one

# Fleiss (1971) as reproduced on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14
# raters, 5 categories; P = 0.378, P_e = 0.213, kappa = 0.210.
FLEISS_TABLE = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def cohen_records(table: dict[tuple[str, str], int]) -> list[dict]:
    records = []
    for (a, b), n in table.items():
        records += [chat_record(len(records), label_a=a, label_b=b) for _ in range(n)]
    return records


def q301(report) -> list:
    return report.by_rule("Q301")


def dataset_finding(report):
    return [f for f in q301(report) if f.location.line is None]


def stats_of(report) -> dict:
    stats = report.files[0].statistics["Q301"]
    for plot in stats.get("plots", []):
        validate(plot)
    return stats


# --------------------------------------------------------------------------- the coefficients


def test_cohen_kappa_textbook_example():
    # Wikipedia "Cohen's kappa": 50 proposals, p_o = (20 + 15) / 50 = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    assert cohen_kappa(table) == pytest.approx(0.4)


def test_cohen_kappa_three_categories_by_hand():
    table = {("a", "a"): 25, ("a", "b"): 2, ("a", "c"): 3, ("b", "a"): 5, ("b", "b"): 20, ("b", "c"): 5,
             ("c", "a"): 0, ("c", "b"): 5, ("c", "c"): 35}
    p_o = 80 / 100
    p_e = (30 * 30 + 30 * 27 + 40 * 43) / 100 ** 2  # row x column marginals
    assert cohen_kappa(table) == pytest.approx((p_o - p_e) / (1 - p_e))


def test_fleiss_kappa_textbook_example():
    rows = [{str(j): n for j, n in enumerate(row) if n} for row in FLEISS_TABLE]
    assert fleiss_kappa(rows) == pytest.approx(0.20993, abs=5e-5)


def test_undefined_when_every_label_is_the_same():
    assert cohen_kappa({("x", "x"): 10}) is None
    assert fleiss_kappa([{"x": 3}] * 4) is None


# --------------------------------------------------------------------------- the rule


def test_q301_cohen_over_two_fields(run):
    records = cohen_records({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    report = run("openai-chat", records, select=["Q301"], rules={"Q301": {"fields": ["label_a", "label_b"]}})
    [finding] = dataset_finding(report)
    assert finding.severity == Severity.WARNING
    assert finding.message == ("Cohen's kappa 0.400 between annotators 'label_a' and 'label_b' over 50 records is "
                               "below min-kappa 0.7 (fair agreement: observed 70.0%, chance 50.0%); the labels are "
                               "noisy: 15 records with disagreement")
    listed = [f for f in q301(report) if f.location.line]
    assert [f.location.line for f in listed] == list(range(21, 36))
    assert all(f.severity == Severity.INFO for f in listed)
    assert listed[0].message == "annotators disagree: label_a: 'yes', label_b: 'no'"
    stats = stats_of(report)
    assert (stats["method"], stats["kappa"], stats["observed-agreement"], stats["chance-agreement"]) == (
        "cohen", 0.4, 0.7, 0.5)
    assert stats["confusion"] == {"no / no": 15, "no / yes": 10, "yes / no": 5, "yes / yes": 20}


def test_q301_fleiss_over_a_list_of_objects(run):
    records = []
    for n, row in enumerate(FLEISS_TABLE):
        labels = [f"c{j + 1}" for j, count in enumerate(row) for _ in range(count)]
        random.Random(n).shuffle(labels)
        votes = [{"worker": f"w{k}", "label": label} for k, label in enumerate(labels)]
        records.append(chat_record(n, annotations=votes))
    report = run("openai-chat", records, select=["Q301"], rules={"Q301": {"field": "annotations[].label"}})
    [finding] = dataset_finding(report)
    assert finding.message.startswith("Fleiss' kappa 0.210 among 14 annotator positions over 10 records is below "
                                      "min-kappa 0.7 (fair agreement: observed 37.8%, chance 21.3%)")
    assert len([f for f in q301(report) if f.location.line]) == 9  # subject 1 is unanimous
    stats = stats_of(report)
    assert stats["method"] == "fleiss" and stats["kappa"] == pytest.approx(0.20993, abs=5e-5)
    assert stats["label-counts"] == {"c3": 39, "c5": 32, "c2": 28, "c4": 21, "c1": 20}  # column sums


def test_q301_annotator_key_pairs_labels_whatever_their_order(run):
    rng = random.Random(1)
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    records = []
    for (a, b), n in table.items():
        for _ in range(n):
            votes = [{"by": "ann", "label": a}, {"by": "bob", "label": b}]
            rng.shuffle(votes)
            records.append(chat_record(len(records), votes=votes))
    keyed = run("openai-chat", records, select=["Q301"],
                rules={"Q301": {"field": "votes[].label", "annotator-key": "by"}})
    assert stats_of(keyed)["kappa"] == 0.4
    assert "between annotators 'ann' and 'bob'" in dataset_finding(keyed)[0].message
    by_position = run("openai-chat", records, select=["Q301"], rules={"Q301": {"field": "votes[].label"}})
    assert stats_of(by_position)["kappa"] != 0.4  # position is not the annotator here: wrong pairs


def test_q301_planted_disagreement_is_listed_exactly(run):
    rng = random.Random(7)
    records, planted = [], []
    for n in range(200):
        label = rng.choice(["safe", "unsafe", "unclear"])
        labels = [label] * 3
        if n % 10 == 3:  # 20 records where the third annotator disagrees
            labels[2] = {"safe": "unsafe", "unsafe": "unclear", "unclear": "safe"}[label]
            planted.append(n + 1)
        records.append(chat_record(n, labels=labels))
    report = run("openai-chat", records, select=["Q301"], rules={"Q301": {"field": "labels"}})
    assert dataset_finding(report) == []  # kappa ~0.9: fine
    listed = [f for f in q301(report) if f.location.line]
    assert [f.location.line for f in listed] == planted
    assert listed[0].message.startswith("annotators disagree: #1: ")
    stats = stats_of(report)
    # By hand: 180 unanimous records (P_i = 1) and 20 split 2-1 (P_i = 1/3) give P = 0.9333.
    assert stats["observed-agreement"] == pytest.approx((180 + 20 / 3) / 200)
    assert stats["kappa"] > 0.85 and stats["disagreements"] == 20


def test_q301_listing_can_be_capped_or_turned_off(run):
    records = cohen_records({("yes", "no"): 12, ("no", "no"): 8})
    capped = run("openai-chat", records, select=["Q301"],
                 rules={"Q301": {"fields": ["label_a", "label_b"], "max-listed": 5}})
    listed = [f for f in q301(capped) if f.severity == Severity.INFO]
    assert [f.location.line for f in listed if f.location.line] == [1, 2, 3, 4, 5]
    assert [f.message for f in listed if not f.location.line] == [
        "7 more records with disagreement not listed (max-listed 5)"]
    quiet = run("openai-chat", records, select=["Q301"],
                rules={"Q301": {"fields": ["label_a", "label_b"], "list-disagreements": False}})
    assert [f.severity for f in q301(quiet)] == [Severity.WARNING]


def test_q301_off_without_a_field_and_says_when_nothing_is_found(run):
    records = [chat_record(n, label="x") for n in range(20)]
    report = run("openai-chat", records, select=["Q301"])
    assert q301(report) == [] and "Q301" not in report.files[0].statistics
    report = run("openai-chat", records, select=["Q301"], rules={"Q301": {"field": "annotations[].label"}})
    assert one(report, "Q301").message == ("no record has two or more annotator labels at 'annotations[].label' "
                                           "(20 records; 20 with one label or none): check the field option")


def test_q301_unanimous_single_label_is_undefined_not_perfect(run):
    records = [chat_record(n, labels=["ok", "ok"]) for n in range(20)]
    finding = one(run("openai-chat", records, select=["Q301"], rules={"Q301": {"field": "labels"}}), "Q301")
    assert finding.severity == Severity.INFO and "undefined" in finding.message


@pytest.mark.parametrize("options, message", [
    ({"field": "labels", "fields": ["a", "b"]}, "either field or fields"),
    ({"fields": ["a"]}, "one path per annotator"),
    ({"field": "labels", "method": "alpha"}, "method"),
    ({"field": "annotations[]..label"}, "invalid label path"),
])
def test_q301_bad_options(lint, options, message):
    with pytest.raises(ConfigError, match=message):
        lint([chat_record(0)], select=["Q301"], rules={"Q301": options})


def test_q301_asked_for_cohen_with_three_annotators_uses_fleiss_and_says_so(run):
    records = [chat_record(n, labels=["a", "b" if n % 2 else "a", "a"]) for n in range(30)]
    report = run("openai-chat", records, select=["Q301"], rules={"Q301": {"field": "labels", "method": "cohen"}})
    [finding] = dataset_finding(report)
    assert finding.message.startswith("Fleiss' kappa")
    assert "found 3 annotators: Fleiss' kappa instead" in finding.message
