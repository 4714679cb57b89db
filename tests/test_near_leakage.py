"""X102: held-out records that are near duplicates of training records, checked against a
brute-force Jaccard over the same shingles on planted paraphrases."""
from __future__ import annotations

import random
from pathlib import Path

from ftlint.similarity import WORD, Params, reference_shingles
from ftlint.textview import normalise
from test_leakage import chat, configure, text, words, write


LENGTH = 120  # words per prompt: one changed word kills up to 5 of 116 shingles


def _long(seed: int) -> str:
    return text(seed, LENGTH)


def _jaccard(a: str, b: str, params: Params = Params()) -> float:
    sa, sb = (reference_shingles(normalise(t), WORD, params) for t in (a, b))
    return len(sa & sb) / len(sa | sb)


def _edit(seed: int, changes: int) -> str:
    """Train question `seed` with `changes` words replaced at random positions."""
    changed = words(seed, LENGTH)
    rng = random.Random(seed * 7 + changes)
    for position in rng.sample(range(len(changed)), changes):
        changed[position] = "zeppelin"
    return " ".join(changed).capitalize() + "?"


def _planted(root: Path) -> dict[int, float]:
    """60 train prompts; test = edits of train prompts with 1-12 changed words, an exact copy and
    unrelated prompts. Returns test line -> true Jaccard with its source prompt."""
    configure(root)
    train = [_long(i) for i in range(60)]
    test: list[str] = []
    truth: dict[int, float] = {}
    for n, changes in enumerate([1, 1, 2, 2, 3, 3, 4, 6, 10, 20]):
        source = train[n * 5]
        edited = _edit(n * 5, changes)
        test.append(edited)
        truth[len(test)] = _jaccard(edited, source)
    test.append(train[59])  # an exact copy: X101's, not X102's
    test += [_long(5000 + i) for i in range(10)]
    for name, prompts in (("data/train.jsonl", train), ("data/test.jsonl", test)):
        write(root / name, [chat(p, "An answer.") for p in prompts])
    return truth


def test_paraphrases_above_the_threshold_are_found_and_below_are_not(tmp_path, check):
    truth = _planted(tmp_path)
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X102"])
    flagged = {f.location.line for f in report.by_rule("X102") if f.location.line}
    expected = {line for line, similarity in truth.items() if similarity >= 0.8}
    assert expected and expected != set(truth), "the plant must straddle the threshold"
    assert flagged == expected


def test_each_finding_names_the_training_partner_and_the_verified_similarity(tmp_path, check):
    truth = _planted(tmp_path)
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X102"])
    first = next(f for f in report.by_rule("X102") if f.location.line == 1)
    assert first.location.path == "data/test.jsonl"
    assert [str(r) for r in first.related] == ["data/train.jsonl:1"]
    assert f"Jaccard {truth[1]:.2f}" in first.message and "estimated" not in first.message


def test_summary_and_statistics_give_the_near_leak_rate(tmp_path, check):
    truth = _planted(tmp_path)
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X102"])
    leaked = sum(similarity >= 0.8 for similarity in truth.values())
    total = len(truth) + 11
    [summary] = [f for f in report.by_rule("X102") if f.location.line is None]
    assert f"({leaked}/{total}) of test records have a near duplicate in train" in summary.message
    assert report.dataset_statistics["X102"] == {"test records": total, "test leaked": leaked,
                                                 "test rate": leaked / total}


def test_exact_copies_are_left_to_x101(tmp_path, check):
    _planted(tmp_path)
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X102"])
    copy_line = 11
    assert copy_line in {f.location.line for f in report.by_rule("X101")}
    assert copy_line not in {f.location.line for f in report.by_rule("X102")}


def test_file_order_does_not_change_the_findings(tmp_path, check):
    _planted(tmp_path)

    def found(paths: list[str]) -> list[tuple]:
        report = check(paths, select=["X102"])
        return [(f.location.path, f.location.line, f.message) for f in report.by_rule("X102")]

    assert found(["data/test.jsonl", "data/train.jsonl"]) == found(["data/train.jsonl", "data/test.jsonl"])


def test_without_a_held_out_split_nothing_is_compared(tmp_path, check):
    _planted(tmp_path)
    configure(tmp_path, '[splits]\ntrain = ["data/*.jsonl"]\n')
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X102"])
    assert report.by_rule("X102") == []
