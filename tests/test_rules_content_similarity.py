"""Q201 similar instructions (Self-Instruct's ROUGE-L filter): the ROUGE-L pieces against their
definitions, the recall bound, and the rule against brute-force all-pairs ROUGE-L on generated
prompts with planted paraphrases (tests/_content.py)."""
from __future__ import annotations

import json
import pickle
import random
import time

import pytest

from ftlint.config import ConfigError
from ftlint.content.rouge import (jaccard_bound, lcs_length, lcs_length_table, occurrence_text, rouge_l,
                                  tokens)
from ftlint.formats import FORMATS
from ftlint.model import Record
from ftlint.registry import RunContext
from ftlint.reporters.svg import validate
from ftlint.rulepack import load_rules
from ftlint.similarity import UnionFind
from ftlint.textview import normalise

from _content import all_pairs, brute_force_pairs, planted_prompts


def alpaca(instruction: str, input: str = "", output: str = "Done.") -> dict:
    return {"instruction": instruction, "input": input, "output": output}


def q201(report):
    return report.by_rule("Q201")


def members(report) -> list:
    return [f for f in q201(report) if f.location.line]


# --------------------------------------------------------------------------- ROUGE-L


def test_bit_parallel_lcs_is_the_dynamic_programme():
    rng = random.Random(4)
    for _ in range(600):
        alphabet = "abcdefgh"[:rng.randint(1, 8)]
        a = [rng.choice(alphabet) for _ in range(rng.randint(0, 150))]  # past 64 tokens: multi-word ints
        b = [rng.choice(alphabet) for _ in range(rng.randint(0, 150))]
        assert lcs_length(a, b) == lcs_length_table(a, b) == lcs_length(b, a)


def test_rouge_l_f_measure_by_hand():
    # LCS "the cat on the mat" = 5 of 6 and 6 tokens: P = R = 5/6, F = 5/6
    assert rouge_l(tokens("The cat sat on the mat."), tokens("the cat lay on the mat")) == pytest.approx(5 / 6)
    # rouge_score: F = (1 + b^2) P R / (R + b^2 P), b = 1; LCS 2 ("police killed"), P = 2/4, R = 2/5
    assert rouge_l(tokens("police killed the gunman"), tokens("police kill the gunman killed")) == pytest.approx(
        2 * (3 / 4) * (3 / 5) / (3 / 4 + 3 / 5))
    assert rouge_l([], ["a"]) == 0.0
    assert tokens("Sure! Here's Zoë's café") == ["sure", "here", "s", "zoë", "s", "café"]
    assert tokens("Distance_Train, 17Km") == ["distance", "train", "17km"]  # rouge_score splits on "_"


def test_the_jaccard_bound_holds_for_every_pair():
    rng = random.Random(9)
    for _ in range(3000):
        a = [rng.choice("abcdef") for _ in range(rng.randint(1, 20))]
        b = [rng.choice("abcdef") for _ in range(rng.randint(1, 20))]
        sa, sb = set(occurrence_text(a).split()), set(occurrence_text(b).split())
        jaccard = len(sa & sb) / len(sa | sb)
        score = rouge_l(a, b)
        assert jaccard >= jaccard_bound(score) - 1e-12


def test_brute_force_prune_is_exact():
    prompts = [tokens(p) for p in planted_prompts(300, seed=2)]
    expected = all_pairs(prompts, 0.7)
    assert len(expected) > 20
    assert brute_force_pairs(prompts, 0.7) == expected


# --------------------------------------------------------------------------- the rule


def test_paraphrase_cluster_with_locations(run):
    records = [alpaca("Write a short poem about the sea."), alpaca("List three causes of coastal erosion."),
               alpaca("Write a short poem about the ocean."), alpaca("Explain how tides work."),
               alpaca("Please write a short poem about the sea!")]
    report = run("alpaca", records, select=["Q201"])
    summary = [f for f in q201(report) if not f.location.line]
    assert [f.message for f in summary] == [
        "2 of 5 instructions (40.0%) have ROUGE-L >= 0.7 with an earlier one in this file (1 cluster, largest 3); "
        "Self-Instruct would keep only the first of each cluster"]
    found = members(report)
    assert [f.location.line for f in found] == [3, 5]
    assert found[0].message == ("instruction similar to line 1 (ROUGE-L 0.86 with line 1; cluster of 3, "
                                "the first is kept)")
    assert [r.line for r in found[0].related] == [1, 5]
    assert [r.line for r in found[1].related] == [1, 3]


def test_same_words_up_to_case_and_punctuation_count(run):
    records = [alpaca("Name a prime number."), alpaca("name a PRIME number?"), alpaca("Describe the moon.")]
    found = members(run("alpaca", records, select=["Q201"]))
    assert [(f.location.line, "ROUGE-L 1.00 with line 1" in f.message) for f in found] == [(2, True)]


def test_identical_prompts_are_left_to_the_duplicate_rules(run):
    records = [alpaca("Name a prime number."), alpaca("Name a prime number."), alpaca("name a  PRIME number."),
               alpaca("Name a prime number.", "Below 10.")]
    found = members(run("alpaca", records, select=["Q201"]))
    assert [f.location.line for f in found] == [4]  # same instruction, other input: D102 says nothing


def test_threshold_option_and_below_threshold_pairs(run):
    records = [alpaca("Write a short poem about the sea."), alpaca("Write a long story about the desert.")]
    assert q201(run("alpaca", records, select=["Q201"])) == []  # ROUGE-L 4/7 = 0.57
    found = members(run("alpaca", records, select=["Q201"], rules={"Q201": {"threshold": 0.5}}))
    assert [f.location.line for f in found] == [2] and "ROUGE-L 0.57" in found[0].message


def test_instruction_or_whole_prompt(run):
    records = [alpaca("Summarize the text.", "A long article about volcanoes and how they erupt."),
               alpaca("Summarize the text.", "A recipe for bread with flour, water and salt.")]
    assert [f.location.line for f in members(run("alpaca", records, select=["Q201"]))] == [2]
    assert q201(run("alpaca", records, select=["Q201"], rules={"Q201": {"text": "prompt"}})) == []


def test_clusters_span_the_files_of_a_split(tmp_path, write_jsonl, check):
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["train/*.jsonl"]\n')
    write_jsonl([alpaca("Write a short poem about the sea."), alpaca("Explain tides.")], "train/a.jsonl")
    write_jsonl([alpaca("Describe a volcano."), alpaca("Write a short poem about the ocean.")], "train/b.jsonl")
    write_jsonl([alpaca("Write a short poem about the sea.")], "other.jsonl")  # no split: its own group
    report = check(["train", "other.jsonl"], select=["Q201"])
    found = members(report)
    assert [(f.location.path, f.location.line) for f in found] == [("train/b.jsonl", 2)]
    assert "similar to train/a.jsonl:1" in found[0].message
    summary = [f for f in q201(report) if not f.location.line]
    assert len(summary) == 1 and "in split 'train'" in summary[0].message
    stats = report.dataset_statistics["Q201"]
    assert stats["groups"]["train"]["flagged"] == 1 and stats["groups"]["other.jsonl"]["flagged"] == 0
    for plot in stats["plots"]:
        validate(plot)


@pytest.mark.parametrize("table, message", [("threshold = 0.0", "threshold"), ('text = "response"', "text"),
                                            ("partners = 0", "partners")])
def test_bad_options_are_configuration_errors(tmp_path, lint, table, message):
    (tmp_path / "ftlint.toml").write_text(f"[rules.Q201]\n{table}\n")
    with pytest.raises(ConfigError, match=f"Q201.*{message}"):
        lint([alpaca("Hello there.")], select=["Q201"])


def clusters_of(report) -> set[frozenset[int]]:
    """Clusters as sets of lines, from the members' findings (line + related locations)."""
    out = set()
    for finding in members(report):
        out.add(frozenset([finding.location.line, *(r.line for r in finding.related)]))
    return out


def truth_for(prompts: list[str]) -> dict[tuple[int, int], float]:
    """Brute-force pairs among the records whose prompt (after D102's normalisation) is the first
    of its kind: the rule leaves repeated prompts to D101/D102."""
    seen: set[str] = set()
    kept = set()
    for n, prompt in enumerate(prompts):
        if normalise(prompt) not in seen:
            seen.add(normalise(prompt))
            kept.add(n)
    truth = brute_force_pairs([tokens(p) for p in prompts], 0.7)
    return {(i, j): s for (i, j), s in truth.items() if i in kept and j in kept}


def test_recall_against_brute_force_all_pairs(write_jsonl, check):
    prompts = planted_prompts(3000)
    truth = truth_for(prompts)
    scores = sorted(truth.values())
    assert len(truth) > 1000 and scores[0] < 0.72 and scores[len(scores) // 4] < 0.85  # many near the threshold
    uf = UnionFind()
    for i, j in truth:
        uf.union(i + 1, j + 1)  # lines are 1-based
    expected = {frozenset(group) for group in uf.groups()}
    path = write_jsonl([alpaca(p) for p in prompts])
    started = time.perf_counter()
    report = check(path, select=["Q201"])
    elapsed = time.perf_counter() - started
    found = clusters_of(report)
    flagged = {f.location.line for f in members(report)}
    expected_flagged = {line for group in expected for line in sorted(group)[1:]}
    # Every planted cluster is found whole, and nothing else is (pairs are exact by construction).
    assert found == expected
    assert flagged == expected_flagged
    assert elapsed < 20
    stats = report.dataset_statistics["Q201"]["groups"][str(path)]
    assert stats["rouge-computed"] < len(prompts) and stats["unverified"] == 0


def new_rule(**options):
    from ftlint.checks.similar_instructions import SimilarInstructions

    return SimilarInstructions({**load_rules()["Q201"].options, **options}, RunContext({}, {}, "."))


def test_merged_per_file_states_equal_one_state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    prompts = planted_prompts(600, seed=3)
    spec = FORMATS["alpaca"]
    single, merged = new_rule(), new_rule()
    for n in range(3):
        path = tmp_path / f"part{n}.jsonl"
        chunk = prompts[n * 200:(n + 1) * 200]
        path.write_text("".join(json.dumps(alpaca(p)) + "\n" for p in chunk), encoding="utf-8")
        part = new_rule()
        for line, p in enumerate(chunk, 1):
            sample = spec.to_sample(Record(str(path), line, alpaca(p)))
            single.add(sample, "train")
            part.add(sample, "train")
        merged.merge(pickle.loads(pickle.dumps(part)))  # the engine caches per-file states as pickles

    def hits(rule):
        return [(h.path, h.line, h.message, h.related) for h in rule.finish()]

    expected = hits(single)
    assert len(expected) > 30 and hits(merged) == expected
    assert any(h[0].endswith("part2.jsonl") and "part0.jsonl" in h[2] for h in expected)


def test_dense_template_families_stay_whole(write_jsonl, check):
    """40 templates x 60 lightly edited variants: every text has dozens of partners above the
    threshold, more than the `partners` each one verifies, yet every cluster is found whole."""
    from _content import base_prompt, edit

    rng = random.Random(1)
    prompts = []
    for _ in range(40):
        base = base_prompt(rng)
        prompts += [" ".join(edit(base, rng.randint(0, 6), rng)) for _ in range(60)]
    rng.shuffle(prompts)
    truth = truth_for(prompts)
    uf = UnionFind()
    for i, j in truth:
        uf.union(i + 1, j + 1)
    expected_flagged = {line for group in uf.groups() for line in group[1:]}
    report = check(write_jsonl([alpaca(p) for p in prompts]), select=["Q201"])
    assert {f.location.line for f in members(report)} == expected_flagged
    stats = next(iter(report.dataset_statistics["Q201"]["groups"].values()))
    assert stats["largest-cluster"] == max(len(group) for group in uf.groups()) > 50
    assert stats["pairs"] < len(truth)  # not every pair is verified: the partner cap bounds the work
