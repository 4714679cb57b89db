"""Family X: leakage between the splits of `[splits]` (X101 prompt leak, X103 13-gram overlap,
X104 split ratio, X105 locked test split), with planted exact, lightly edited and reformatted
test items."""
from __future__ import annotations

import json
import pickle
import random
import re
from pathlib import Path

import pytest

from ftlint.checks.leakage import LOCK_FILE, split_roles
from ftlint.config import ConfigError, load_config
from ftlint.engine import Engine
from ftlint.formats import FORMATS, detect_file_format
from ftlint.model import Location, Severity
from ftlint.readers import read_records
from ftlint.registry import RunContext, discover
from ftlint.rulepack import load_rules

from _records import WORDS

SPLITS = '[splits]\ntrain = ["data/train*.jsonl"]\ntest = ["data/test*.jsonl"]\n'


def words(seed: int, n: int = 40) -> list[str]:
    return random.Random(seed).choices(WORDS, k=n)


def text(seed: int, n: int = 40) -> str:
    return " ".join(words(seed, n)).capitalize() + "?"


def chat(question: str, answer: str = "An answer.") -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def alpaca(question: str, answer: str = "An answer.") -> dict:
    return {"instruction": question, "output": answer}


def write(path: Path, records: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def configure(root: Path, splits: str = SPLITS, extra: str = "") -> None:
    (root / "ftlint.toml").write_text(splits + extra, encoding="utf-8")


def edited(seed: int, positions=(3, 8, 35)) -> str:
    """Train question `seed` with a few words replaced: words 9-34 (26 in a row) survive."""
    changed = words(seed)
    for position in positions:
        changed[position] = "xylophone"
    return " ".join(changed).capitalize() + "?"


def train_records(n: int = 40) -> list[dict]:
    return [chat(text(i), f"Answer {i}.") for i in range(n)]


def summary(finding) -> tuple:
    return (finding.code, str(finding.severity), finding.location.path, finding.location.line,
            finding.message, finding.related)


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """40 train records; a chat test split with an exact copy (line 2), a lightly edited copy
    (line 3) and a case/spacing variant (line 5) of train prompts, and two clean items."""
    configure(tmp_path)
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "data/test.jsonl", [
        chat(text(1001)),
        chat(text(5), "A different answer."),       # exact prompt of train line 6
        chat(edited(12)),                           # lightly edited train line 13
        chat(text(1002)),
        chat("  " + text(20).upper().replace(" ", "   ")),  # train line 21, other case and spacing
    ])
    return tmp_path


# --------------------------------------------------------------------------- X101 / X103


def test_planted_exact_edited_and_respaced_items_are_flagged_at_their_lines(planted, check):
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    x101 = {f.location.line: f for f in report.by_rule("X101")}
    x103 = {f.location.line: f for f in report.by_rule("X103")}
    assert list(x101) == [None, 2, 5]  # None: the split's summary finding (findings are sorted)
    assert list(x103) == [None, 2, 3, 5]
    assert x101[2].related == (Location("data/train.jsonl", 6),)
    assert x101[5].related == (Location("data/train.jsonl", 21),)
    assert x103[3].related == (Location("data/train.jsonl", 13),)
    assert all(f.location.path == "data/test.jsonl" for f in report.by_rule("X101") + report.by_rule("X103"))
    assert all(f.severity == Severity.ERROR for f in report.findings)
    assert "data/train.jsonl:6" in x101[2].message
    # 40 words, words 9-34 unchanged: windows starting at 9..22 survive, 14 of 28.
    assert "shares 14 of its 28 word 13-grams with training record data/train.jsonl:13" in x103[3].message
    assert "shares 28 of its 28" in x103[2].message


def test_summary_gives_the_leaked_percentage(planted, check):
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    [x101] = [f for f in report.by_rule("X101") if f.location.line is None]
    [x103] = [f for f in report.by_rule("X103") if f.location.line is None]
    assert x101.message == "40.0% (2/5) of test records appear in train (same normalised prompt)"
    assert x103.message == "60.0% (3/5) of test records share word 13-grams with train"
    assert x101.location.path == "data/test.jsonl"


def test_statistics_give_the_leak_rates(planted, check):
    stats = check(["data/train.jsonl", "data/test.jsonl"], select=["X"]).dataset_statistics
    plots = {code: stats[code].pop("plots") for code in ("X101", "X103")}  # the HTML report's
    assert stats["X101"] == {"test records": 5, "test leaked": 2, "test rate": 0.4}
    assert stats["X103"] == {"test records": 5, "test leaked": 3, "test rate": 0.6}
    assert [p["values"] for p in plots["X101"] + plots["X103"]] == [{"test vs train": 40.0}, {"test vs train": 60.0}]
    assert stats["X104"] == {"test": 5, "train": 40}
    assert "X105" not in stats


def test_reformatted_item_alpaca_test_against_chat_train(tmp_path, check):
    configure(tmp_path)
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "data/test.jsonl", [alpaca(text(1001)), alpaca(text(1002)), alpaca(text(7), "Other.")])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    for code in ("X101", "X103"):
        [hit] = [f for f in report.by_rule(code) if f.location.line is not None]
        assert (hit.location.path, hit.location.line) == ("data/test.jsonl", 3)
        assert hit.related == (Location("data/train.jsonl", 8),)
    assert "33.3% (1/3) of test records appear in train" in report.by_rule("X101")[0].message


def test_system_prompt_and_role_layout_do_not_hide_a_leak(tmp_path, check):
    """Views carry no system prompt: a test item with a system prompt still leaks."""
    configure(tmp_path)
    write(tmp_path / "data/train.jsonl", train_records())
    record = {"messages": [{"role": "system", "content": "You are terse."}, *chat(text(9))["messages"]]}
    write(tmp_path / "data/test.jsonl", [chat(text(1001)), record])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101"])
    assert [f.location.line for f in report.by_rule("X101")] == [None, 2]


def test_clean_splits_give_nothing(tmp_path, check):
    configure(tmp_path)
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "data/test.jsonl", [chat(text(1000 + i)) for i in range(6)])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X"])
    assert report.findings == []


def test_lightly_edited_item_is_not_an_exact_leak(planted, check):
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101"])
    assert 3 not in {f.location.line for f in report.by_rule("X101")}


def test_every_train_location_is_related(tmp_path, check):
    configure(tmp_path)
    train = train_records()
    train[30] = chat(text(4), "Again.")  # train lines 5 and 31 share a prompt
    write(tmp_path / "data/train.jsonl", train)
    write(tmp_path / "data/test.jsonl", [chat(text(4))])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    for code in ("X101", "X103"):
        [hit] = [f for f in report.by_rule(code) if f.location.line == 1]
        assert hit.related == (Location("data/train.jsonl", 5), Location("data/train.jsonl", 31))
        assert "and 1 more" in hit.message


def test_a_test_item_inside_a_long_train_document_is_found(tmp_path, check):
    """Long texts take the vectorised n-gram path, short ones the pure-Python one: they agree."""
    configure(tmp_path)
    train = train_records()
    train[9] = chat(f"{text(5000, 90)} {text(5001)} {text(5002, 90)}")  # 221 words
    write(tmp_path / "data/train.jsonl", train)
    write(tmp_path / "data/test.jsonl", [chat(text(5001)), chat(text(1001))])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    assert report.by_rule("X101") == []
    hits = [f for f in report.by_rule("X103") if f.location.line is not None]
    assert [(f.location.line, f.related) for f in hits] == [(1, (Location("data/train.jsonl", 10),))]
    assert "shares 28 of its 28" in hits[0].message


def reference_ngram_hashes(text: str, n: int = 13) -> set[int]:
    """The documented hash, one n-gram at a time: sum(word_hash[i + j] * BASE**(n - 1 - j)) mod 2**64."""
    import ftlint.checks.leakage as leakage

    hashes = [leakage._word_hash(w) for w in re.findall(r"\w+", text.casefold())]
    return {sum(h * pow(leakage._BASE, n - 1 - j, 1 << 64) for j, h in enumerate(hashes[i:i + n])) % (1 << 64)
            for i in range(len(hashes) - n + 1)}


def test_batched_ngram_hashes_match_the_definition():
    from ftlint.checks.leakage import NgramOverlap

    state = NgramOverlap(dict(load_rules()["X103"].options), RunContext({}, {}, "."))
    sample = text(6000, 150) + " " + text(6000, 20)  # 158 windows; the last 8 repeat the first 8
    found = state.ngram_hashes(sample)
    assert len(found) == 150 and {int(h) for h in found} == reference_ngram_hashes(sample)


def test_batches_never_join_two_records(planted, monkeypatch):
    """n-grams are hashed many records at a time: windows across two records must not count, and
    a batch boundary anywhere gives the same findings."""
    import ftlint.checks.leakage as leakage

    config = load_config(start=planted)
    context = RunContext(config.splits, {}, str(planted))
    samples = samples_of(planted / "data/train.jsonl") + samples_of(planted / "data/test.jsonl")
    results = []
    for batch in (1 << 18, 1, 50, 97):
        monkeypatch.setattr(leakage, "_BATCH_WORDS", batch)
        state = leakage.NgramOverlap(dict(load_rules()["X103"].options), context)
        for sample in samples:
            state.add(sample, config.split_of(sample.record.path))
        results.append(hit_view(state.finish()))
        assert len(state.train.hashes) == 40 * 28  # 40 words each: 28 n-grams, none across records
    assert results[0] and all(r == results[0] for r in results)


@pytest.mark.parametrize("copies, flagged", [(10, True), (11, False)])
def test_ngrams_in_more_than_ten_train_documents_are_too_common(tmp_path, check, copies, flagged):
    """A 20-word boilerplate sentence shared by the test item and `copies` train records: at 11
    train documents it is too common to mean leakage (max-document-frequency = 10)."""
    boilerplate = " ".join(words(777, 20))
    configure(tmp_path)
    train = train_records()
    for i in range(copies):
        train[i] = chat(f"{boilerplate}. {text(i, 30)}")
    write(tmp_path / "data/train.jsonl", train)
    write(tmp_path / "data/test.jsonl", [chat(f"{boilerplate}. {text(2000, 30)}"), chat(text(2001))])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X103"])
    lines = [f.location.line for f in report.by_rule("X103")]
    assert lines == ([None, 1] if flagged else [])
    if flagged:
        assert len(report.by_rule("X103")[1].related) == copies


def test_document_frequency_counts_documents_not_occurrences(tmp_path, check):
    """Six train records each hold the sentence twice: 6 documents (<= 10), so it still leaks."""
    boilerplate = " ".join(words(777, 20))
    configure(tmp_path)
    train = train_records()
    for i in range(6):
        train[i] = chat(f"{boilerplate}. {text(i, 30)} {boilerplate}.")
    write(tmp_path / "data/train.jsonl", train)
    write(tmp_path / "data/test.jsonl", [chat(f"{boilerplate} {boilerplate}"), chat(text(2001))])
    hits = check(["data/train.jsonl", "data/test.jsonl"], select=["X103"]).by_rule("X103")
    assert [f.location.line for f in hits] == [None, 1]
    assert len(hits[1].related) == 6
    # 40 words, the second half repeating the first: 28 windows, 20 distinct n-grams, 8 shared
    # with each train record (those inside one copy of the sentence).
    assert "shares 8 of its 20 word 13-grams" in hits[1].message


def test_min_matches_option(planted, check):
    """The edited item shares 14 n-grams with its train record; asking for 15 drops it."""
    configure(planted, extra="[rules.X103]\nmin-matches = 15\n")
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X103"])
    assert sorted(f.location.line or 0 for f in report.by_rule("X103")) == [0, 2, 5]


def test_short_texts_are_compared_whole_without_punctuation(tmp_path, check):
    configure(tmp_path)
    train = train_records()
    train[3] = chat("What is the capital of France?")
    write(tmp_path / "data/train.jsonl", train)
    write(tmp_path / "data/test.jsonl", [chat("what is the capital of france"), chat("What is the capital?"),
                                         chat("capital of France")])
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    assert report.by_rule("X101") == []  # the question mark differs: not the same normalised prompt
    [hit] = [f for f in report.by_rule("X103") if f.location.line is not None]
    assert hit.location.line == 1 and hit.related == (Location("data/train.jsonl", 4),)
    assert "texts under 13 words are compared whole" in hit.message


def test_scope_record_finds_a_test_prompt_inside_a_train_response(tmp_path, check):
    configure(tmp_path)
    train = train_records()
    train[6] = chat("Write a quiz question.", f"Here is one: {text(3000)}")
    write(tmp_path / "data/train.jsonl", train)
    write(tmp_path / "data/test.jsonl", [chat(text(3000), "Answer.")])
    paths = ["data/train.jsonl", "data/test.jsonl"]
    assert check(paths, select=["X103"]).by_rule("X103") == []
    configure(tmp_path, extra='[rules.X103]\nscope = "record"\n')
    hits = check(paths, select=["X103"]).by_rule("X103")
    assert [(f.location.line, f.related) for f in hits] == [(None, ()), (1, (Location("data/train.jsonl", 7),))]


def test_bad_scope_is_a_config_error(tmp_path, check):
    configure(tmp_path, extra='[rules.X103]\nscope = "response"\n')
    write(tmp_path / "data/train.jsonl", train_records(3))
    with pytest.raises(ConfigError, match="scope"):
        check(["data/train.jsonl"])


def test_benchmarks_in_supported_formats_are_checked(tmp_path, check):
    """A benchmark as TRL `text` (no prompt: its whole text counts) and as TRL prompt-only."""
    configure(tmp_path, splits=SPLITS + 'benchmarks = ["bench/*.jsonl"]\n')
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "bench/plain.jsonl", [{"text": text(4000)}, {"text": text(11)}])
    write(tmp_path / "bench/prompts.jsonl", [{"prompt": edited(17)}, {"prompt": text(4001)}])
    report = check(["data/train.jsonl", "bench"], select=["X101", "X103"])
    x101 = [(f.location.path, f.location.line) for f in report.by_rule("X101")]
    x103 = [(f.location.path, f.location.line, f.related) for f in report.by_rule("X103")]
    assert x101 == [("bench/plain.jsonl", None), ("bench/plain.jsonl", 2)]
    assert ("bench/plain.jsonl", 2, (Location("data/train.jsonl", 12),)) in x103
    assert ("bench/prompts.jsonl", 1, (Location("data/train.jsonl", 18),)) in x103
    assert len(x103) == 3  # two leaked records and one summary: both benchmark files are one split
    assert "50.0% (2/4) of benchmarks records share word 13-grams" in report.by_rule("X103")[0].message


def test_without_a_training_side_or_splits_nothing_is_checked(tmp_path, check):
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "data/test.jsonl", [chat(text(5))])
    paths = ["data/train.jsonl", "data/test.jsonl"]
    assert check(paths, select=["X"]).findings == []  # no [splits] at all
    configure(tmp_path, splits='[splits]\ntest = ["data/test*.jsonl"]\nbenchmarks = ["data/train*.jsonl"]\n')
    assert check(paths, select=["X"]).findings == []  # both held out: no training side


def test_without_a_split_named_train_every_other_split_is_training(tmp_path, check):
    configure(tmp_path, splits='[splits]\nsft = ["data/train*.jsonl"]\nvalidation = ["data/test*.jsonl"]\n')
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "data/test.jsonl", [chat(text(5)), chat(text(1001))])
    hits = check(["data/train.jsonl", "data/test.jsonl"], select=["X101"]).by_rule("X101")
    assert [f.location.line for f in hits] == [None, 1]
    assert hits[0].message == ("50.0% (1/2) of validation records appear in the training splits (sft) "
                               "(same normalised prompt)")
    assert split_roles(["train", "dev", "extra"]) == (frozenset({"train"}), frozenset({"dev"}))


def test_order_independence_test_file_read_first(planted, check):
    first = check(["data/test.jsonl", "data/train.jsonl"], select=["X"])
    second = check(["data/train.jsonl", "data/test.jsonl"], select=["X"])
    assert [f.path for f in first.files] == ["data/test.jsonl", "data/train.jsonl"]
    assert [f.path for f in second.files] == ["data/train.jsonl", "data/test.jsonl"]
    assert [summary(f) for f in first.findings] == [summary(f) for f in second.findings]
    assert {f.code for f in first.findings} == {"X101", "X103"}


def test_cached_files_feed_the_same_states(planted, monkeypatch):
    from ftlint.cache import ResultCache

    monkeypatch.chdir(planted)
    config = load_config(start=planted, cli={"select": ["X"]})
    cache = ResultCache(planted / ".ftlint_cache")
    paths = ["data/train.jsonl", "data/test.jsonl"]
    fresh = Engine(config, cache).run(paths)
    cached = Engine(config, cache).run(paths)
    assert cache.hits == 2
    assert [summary(f) for f in cached.findings] == [summary(f) for f in fresh.findings]
    assert len(fresh.by_rule("X101")) == 3


def test_cached_states_do_not_depend_on_the_other_splits(tmp_path, monkeypatch):
    """A train file cached before a test split (or locked-test) was configured still carries
    its hashes: what a state keeps depends on its own split only."""
    from ftlint.cache import ResultCache

    monkeypatch.chdir(tmp_path)
    write(tmp_path / "data/train.jsonl", train_records())
    write(tmp_path / "data/test.jsonl", [chat(text(5)), chat(edited(12)), chat(text(1001))])
    cache = ResultCache(tmp_path / ".ftlint_cache")
    paths = ["data/train.jsonl", "data/test.jsonl"]

    def run(splits: str):
        configure(tmp_path, splits=splits)
        return Engine(load_config(start=tmp_path, cli={"select": ["X"]}), cache).run(paths)

    assert run('[splits]\ntrain = ["data/train*.jsonl"]\ntesting = ["data/test*.jsonl"]\n').findings == []
    report = run('[splits]\ntrain = ["data/train*.jsonl"]\ntest = ["data/test*.jsonl"]\n')
    assert cache.hits == 1  # train.jsonl came from the cache (its split did not change)
    assert [f.location.line for f in report.by_rule("X103")] == [None, 1, 2]
    report = run(LOCKED)
    assert cache.hits == 3
    assert "locked held-out split 'test': 3 records" in report.by_rule("X105")[0].message


def test_a_changed_file_is_checked_against_the_rest_of_its_splits(planted, monkeypatch):
    """pre-commit passes only the changed file; with split context the leak is still found."""
    monkeypatch.chdir(planted)
    engine = Engine(load_config(start=planted, cli={"select": ["X101"]}))
    alone = engine.run(["data/test.jsonl"])
    assert alone.findings == []
    report = engine.run(["data/test.jsonl"], split_context=True)
    assert [f.location.line for f in report.by_rule("X101")] == [None, 2, 5]
    assert report.by_rule("X101")[1].related[0].path.endswith("data/train.jsonl")


def test_findings_have_distinct_fingerprints(planted, check):
    report = check(["data/train.jsonl", "data/test.jsonl"], select=["X101", "X103"])
    prints = [f.fingerprint for f in report.findings]
    assert len(set(prints)) == len(prints) == 7


# --------------------------------------------------------------------------- merge


def samples_of(path: Path) -> list:
    records = [r for r in read_records(path) if r.is_record]
    spec = FORMATS[detect_file_format(r.data for r in records).format]
    return [spec.to_sample(r) for r in records]


def hit_view(hits) -> list[tuple]:
    return sorted((h.path or "", h.line or 0, h.message, h.related, h.severity, h.key) for h in hits)


@pytest.mark.parametrize("code", ["X101", "X103", "X104", "X105"])
def test_merge_of_two_instances_equals_one_instance_over_both_files(planted, tmp_path, code):
    cls = discover()[code].target
    options = dict(load_rules()[code].options)
    config = load_config(start=planted)
    train = samples_of(planted / "data/train.jsonl")
    test = samples_of(planted / "data/test.jsonl")

    def context(root: str) -> RunContext:
        (planted / root).mkdir(exist_ok=True)
        return RunContext(config.splits, {"locked-test": True}, str(planted / root))

    whole = cls(options, context("one"))
    for sample in test + train:
        whole.add(sample, config.split_of(sample.record.path))
    part_test, part_train = cls(options, context("two")), cls(options, context("two"))
    for sample in test:
        part_test.add(sample, "test")
    for sample in train:
        part_train.add(sample, "train")
    merged = cls(options, context("two"))
    merged.merge(pickle.loads(pickle.dumps(part_train)))  # as the cache restores them
    merged.merge(pickle.loads(pickle.dumps(part_test)))
    expected = hit_view(whole.finish())
    assert expected == hit_view(merged.finish())
    if code == "X104":  # 5 of 45 records is within 10-20%: nothing to report, compare the counters
        assert whole.totals == merged.totals == {"train": 40, "test": 5}
    else:
        assert expected


def test_x103_state_is_compact_hashes_not_text(planted):
    cls = discover()["X103"].target
    config = load_config(start=planted)
    state = cls(dict(load_rules()["X103"].options), RunContext(config.splits, {}, str(planted)))
    for sample in samples_of(planted / "data/train.jsonl"):
        state.add(sample, "train")
    blob = pickle.dumps(state)
    assert b"harbour" not in blob and all(w.encode() not in blob for w in WORDS[:20])
    assert len(state.train.hashes) == 40 * 28  # distinct 13-grams of forty 40-word prompts
    assert len(blob) < 40 * 28 * 8 + 4000


# --------------------------------------------------------------------------- X104


@pytest.mark.parametrize("n_train, n_test, share", [(40, 2, "4.8% (2/42)"), (10, 10, "50.0% (10/20)"), (40, 6, None)])
def test_split_ratio(tmp_path, check, n_train, n_test, share):
    configure(tmp_path)
    write(tmp_path / "data/train.jsonl", train_records(n_train))
    write(tmp_path / "data/test.jsonl", [chat(text(1000 + i)) for i in range(n_test)])
    hits = check(["data/train.jsonl", "data/test.jsonl"], select=["X104"]).by_rule("X104")
    if share is None:
        assert hits == []
        return
    [hit] = hits
    assert hit.severity == Severity.INFO and hit.location == Location("data/test.jsonl")
    assert f"split 'test' holds {share} of the train/test records" in hit.message
    assert ("below" if n_test < n_train else "above") in hit.message


def test_split_ratio_counts_validation_and_ignores_benchmarks(tmp_path, check):
    configure(tmp_path, splits=SPLITS + 'validation = ["data/val*.jsonl"]\nbenchmarks = ["bench/*.jsonl"]\n')
    write(tmp_path / "data/train.jsonl", train_records(40))
    write(tmp_path / "data/test.jsonl", [chat(text(1000 + i)) for i in range(6)])
    write(tmp_path / "data/val.jsonl", [chat(text(1100 + i)) for i in range(2)])
    write(tmp_path / "bench/b.jsonl", [{"prompt": text(1200 + i)} for i in range(30)])
    hits = check(["data", "bench"], select=["X104"]).by_rule("X104")
    assert [(f.location.path, f.message.split(" of the")[0]) for f in hits] == [
        ("data/val.jsonl", "split 'validation' holds 4.2% (2/48)")]


def test_split_ratio_needs_both_sides(tmp_path, check):
    configure(tmp_path, splits='[splits]\ntrain = ["data/train*.jsonl"]\n')
    write(tmp_path / "data/train.jsonl", train_records(40))
    write(tmp_path / "data/test.jsonl", [chat(text(1000))])
    assert check(["data/train.jsonl", "data/test.jsonl"], select=["X104"]).findings == []
    configure(tmp_path)  # test configured, but only train linted
    assert check(["data/train.jsonl"], select=["X104"]).findings == []


# --------------------------------------------------------------------------- X105


LOCKED = SPLITS + "locked-test = true\n"


def x105(check, *paths):
    return check(list(paths) or ["data/train.jsonl", "data/test.jsonl"], select=["X105"]).by_rule("X105")


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    configure(tmp_path, splits=LOCKED)
    write(tmp_path / "data/train.jsonl", train_records(20))
    write(tmp_path / "data/test.jsonl", [chat(text(1000 + i), f"Answer {i}.") for i in range(5)])
    return tmp_path


def test_first_run_writes_the_lock_and_says_so(locked, check):
    [hit] = x105(check)
    assert hit.severity == Severity.INFO
    assert hit.message.startswith("locked held-out split 'test': 5 records, hash ")
    assert hit.location.path == "data/test.jsonl"
    lock = json.loads((locked / LOCK_FILE).read_text())
    assert lock["splits"]["test"]["records"] == 5
    assert list(lock["splits"]["test"]["files"]) == ["data/test.jsonl"]
    assert "train" not in lock["splits"]
    assert sorted(p.name for p in locked.iterdir()) == sorted([LOCK_FILE, "data", "ftlint.toml"])  # no temp file left


def test_unchanged_rerun_passes(locked, check):
    x105(check)
    before = (locked / LOCK_FILE).read_text()
    assert x105(check) == []
    assert (locked / LOCK_FILE).read_text() == before


def test_reordering_or_reformatting_test_records_is_not_a_change(locked, check):
    x105(check)
    path = locked / "data/test.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(reversed(lines)) + "\n")
    assert x105(check) == []
    records = [json.loads(line) for line in lines]
    path.write_text("".join(json.dumps(r, indent=None, separators=(",", ":"), sort_keys=True) + "\n" for r in records))
    assert x105(check) == []


def test_editing_one_test_record_is_flagged(locked, check):
    x105(check)
    path = locked / "data/test.jsonl"
    path.write_text(path.read_text().replace("Answer 3.", "Answer three."))
    [hit] = x105(check)
    assert hit.severity == Severity.ERROR and hit.location.path == "data/test.jsonl"
    assert hit.message.startswith("held-out split 'test' changed since it was locked in .ftlint-lock.json: "
                                  "5 records then, 5 now (changed: data/test.jsonl)")
    assert x105(check) != []  # the lock is not silently rewritten


def test_adding_a_test_record_reports_both_counts(locked, check):
    x105(check)
    path = locked / "data/test.jsonl"
    path.write_text(path.read_text() + json.dumps(chat(text(5))) + "\n")
    [hit] = x105(check)
    assert "5 records then, 6 now" in hit.message


def test_without_locked_test_no_lock_is_written(locked, check):
    configure(locked)
    assert x105(check) == []
    assert not (locked / LOCK_FILE).exists()


def test_partial_runs_check_only_the_linted_files(tmp_path, check):
    """pre-commit passes changed files only: an unlinted file of a locked split is no change,
    a removed one is."""
    configure(tmp_path, splits=LOCKED)
    write(tmp_path / "data/train.jsonl", train_records(20))
    write(tmp_path / "data/test_a.jsonl", [chat(text(1000 + i)) for i in range(3)])
    write(tmp_path / "data/test_b.jsonl", [chat(text(1100 + i)) for i in range(4)])
    everything = ["data/train.jsonl", "data/test_a.jsonl", "data/test_b.jsonl"]
    [first] = x105(check, *everything)
    assert "7 records" in first.message
    assert x105(check, "data/test_b.jsonl") == []
    path = tmp_path / "data/test_a.jsonl"
    path.write_text(path.read_text().replace("An answer.", "Another answer.", 1))
    assert x105(check, "data/test_b.jsonl") == []  # test_a not linted here
    [hit] = x105(check, "data/test_a.jsonl")
    assert hit.location.path == "data/test_a.jsonl"
    assert ("3 records then, 3 now in the 1 of its 2 locked files linted here (changed: data/test_a.jsonl)"
            in hit.message)
    path.unlink()
    [gone] = x105(check, "data/test_b.jsonl")
    assert "7 records then, 4 now (removed: data/test_a.jsonl)" in gone.message


def test_an_unreadable_lock_is_reported_not_overwritten(locked, check):
    (locked / LOCK_FILE).write_text("{not json")
    [hit] = x105(check)
    assert hit.severity == Severity.ERROR and "cannot read .ftlint-lock.json" in hit.message
    assert (locked / LOCK_FILE).read_text() == "{not json"


def test_a_new_held_out_split_is_added_to_the_lock(locked, check):
    x105(check)
    configure(locked, splits=LOCKED + 'benchmarks = ["bench/*.jsonl"]\n')
    write(locked / "bench/b.jsonl", [{"prompt": text(5000)}])
    [hit] = x105(check, "data/train.jsonl", "data/test.jsonl", "bench")
    assert hit.severity == Severity.INFO and "'benchmarks': 1 records" in hit.message
    assert set(json.loads((locked / LOCK_FILE).read_text())["splits"]) == {"test", "benchmarks"}
    assert x105(check, "data/train.jsonl", "data/test.jsonl", "bench") == []


def test_a_locked_split_whose_files_are_all_gone_is_flagged(locked, check):
    x105(check)
    (locked / "data/test.jsonl").unlink()
    [hit] = x105(check, "data/train.jsonl")
    assert hit.location.path == LOCK_FILE and hit.severity == Severity.ERROR
    assert "'test' changed since it was locked" in hit.message and "5 records then" in hit.message
    write(locked / "data/test.jsonl", [chat(text(1000))])
    assert x105(check, "data/train.jsonl") == []  # present but not linted: a partial run
