"""`ftlint fix --drop-leaked` and `--split`: no held-out item survives in train, and a split
written by `fix` has no prompt and no near-duplicate cluster on both sides."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftlint
from ftlint.textview import view_hash

from _fix_data import long_record, longer, run_cli, write_lines
from _records import chat_record

SPLITS = '[splits]\ntrain = ["train.jsonl"]\ntest = ["test.jsonl"]\n'


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def leaky(tmp_path: Path) -> tuple[list[str], set[int]]:
    """A train/test pair: train holds one test prompt with another answer (X101), 25 records
    that all ask another test prompt (more than a finding lists), and one prompt that quotes 20
    words of a test prompt (X103 only). Returns train's lines and the leaked line numbers."""
    test = [long_record(1000 + i) for i in range(12)]
    write_lines(tmp_path / "test.jsonl", [json.dumps(r) for r in test])
    train = [chat_record(i) for i in range(60)]
    leaked_records = [{"messages": [test[0]["messages"][0], {"role": "assistant", "content": "Another answer."}]}]
    for k in range(25):
        leaked_records.append({"messages": [test[1]["messages"][0],
                                            {"role": "assistant", "content": chat_record(500 + k)["messages"][1]["content"]}]})
    quote = " ".join(test[2]["messages"][0]["content"].split()[:20])
    leaked_records.append({"messages": [{"role": "user", "content": f"Please explain this: {quote}"},
                                        {"role": "assistant", "content": "It is a list of words."}]})
    leaked_lines = set()
    for n, record in enumerate(leaked_records):
        at = 3 + 2 * n
        train.insert(at, record)
        leaked_lines.add(at + 1)
    lines = [json.dumps(r) for r in train]
    write_lines(tmp_path / "train.jsonl", lines)
    return lines, leaked_lines


def leak_findings(paths: list[Path]) -> list[str]:
    report = ftlint.check(paths)
    return [f.code for f in report.findings if f.code in ("X101", "X103")]


@pytest.mark.parametrize("folder", ["", "data/"])
def test_drop_leaked_removes_every_leaked_training_record(folder, tmp_path, capsys):
    """25 training copies of one test prompt: the finding lists 20, a second round drops the rest
    (the scratch copy of a round counts as the training file, wherever the split glob points)."""
    (tmp_path / "ftlint.toml").write_text(SPLITS.replace('["', f'["{folder}'))
    data = tmp_path / folder
    data.mkdir(exist_ok=True)
    lines, leaked = leaky(data)
    test_before = (data / "test.jsonl").read_bytes()
    assert sorted(set(leak_findings([data / "train.jsonl", data / "test.jsonl"]))) == ["X101", "X103"]
    code, out, _ = run_cli(capsys, "fix", f"{folder}train.jsonl", "--drop-leaked", "--in-place")
    assert code == 0, out
    assert (data / "train.jsonl").read_text().splitlines() == [l for n, l in enumerate(lines, 1) if n not in leaked]
    assert (data / "test.jsonl").read_bytes() == test_before  # the held-out side is never touched
    assert (data / "train.jsonl.bak").read_text().splitlines() == lines
    assert f"drop-leaked: dropped {len(leaked)}" in out
    assert leak_findings([data / "train.jsonl", data / "test.jsonl"]) == []
    # idempotent: nothing left to drop
    code, out, _ = run_cli(capsys, "fix", f"{folder}train.jsonl", "--drop-leaked", "--diff")
    assert code == 0 and "nothing to change" in out


def test_drop_leaked_to_a_new_file_reads_the_test_split_as_context(tmp_path, capsys):
    (tmp_path / "ftlint.toml").write_text(SPLITS)
    lines, leaked = leaky(tmp_path)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix")
    assert code == 0, out
    assert (tmp_path / "train.fixed.jsonl").read_text().splitlines() == [
        l for n, l in enumerate(lines, 1) if n not in leaked]
    assert (tmp_path / "train.jsonl").read_text().splitlines() == lines


def test_drop_leaked_without_splits_says_so(tmp_path, capsys):
    leaky(tmp_path)
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--drop-leaked")
    assert code == 0
    assert "no [tool.ftlint.splits] configured" in out


# --------------------------------------------------------------------------- split


def splittable(tmp_path: Path) -> list[str]:
    """110 records with repeated prompts (3 answers each for 10 prompts), near-duplicate pairs and
    pairs of near-duplicate prompts with different answers."""
    records = [long_record(i) for i in range(60)]
    for i in range(10):
        for k in range(3):
            records.append({"messages": [long_record(200 + i)["messages"][0],
                                         {"role": "assistant", "content": f"Answer number {k} to it."}]})
    for i in range(10):
        records.append(longer(long_record(300 + i)))
        records.append(long_record(300 + i))
    for i in range(5):  # near-duplicate prompts with different answers (what X102 looks for)
        prompt = long_record(400 + i)["messages"][0]["content"]
        for k, edit in enumerate(("", " Thanks!")):
            records.append({"messages": [{"role": "user", "content": prompt + edit},
                                         {"role": "assistant", "content": chat_record(600 + 2 * i + k)["messages"][1]["content"]}]})
    lines = [json.dumps(r) for r in records]
    write_lines(tmp_path / "data.jsonl", lines)
    return lines


def prompt_hash(line: str) -> int:
    from ftlint.formats import FORMATS
    from ftlint.model import Record

    return view_hash(FORMATS["openai-chat"].to_sample(Record("x", 1, json.loads(line))), "prompt")


def test_split_keeps_groups_and_clusters_on_one_side(tmp_path, capsys):
    lines = splittable(tmp_path)
    before = (tmp_path / "data.jsonl").read_bytes()
    code, out, _ = run_cli(capsys, "fix", "data.jsonl", "--split", "0.2", "--seed", "0")
    assert code == 0, out
    train = (tmp_path / "data.train.jsonl").read_text().splitlines()
    test = (tmp_path / "data.test.jsonl").read_text().splitlines()
    assert (tmp_path / "data.jsonl").read_bytes() == before
    assert sorted(train + test) == sorted(lines)  # every record once, byte for byte
    assert 20 <= len(test) <= 24
    assert not {prompt_hash(l) for l in train} & {prompt_hash(l) for l in test}
    for i in range(10):  # each near-duplicate pair on one side
        pair = {json.dumps(longer(long_record(300 + i))), json.dumps(long_record(300 + i))}
        assert pair <= set(train) or pair <= set(test)
    assert "20 test" in out or f"{len(test)} test" in out
    # the split passes the leakage rules
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["data.train.jsonl"]\ntest = ["data.test.jsonl"]\n')
    report = ftlint.check([tmp_path / "data.train.jsonl", tmp_path / "data.test.jsonl"])
    assert [f for f in report.findings if f.code in ("X101", "X102")] == []


def test_split_is_reproducible_by_seed(tmp_path, capsys):
    splittable(tmp_path)
    run_cli(capsys, "fix", "data.jsonl", "--split", "0.2", "--seed", "1", "-o", "a.jsonl", "--test-output", "a.test.jsonl")
    run_cli(capsys, "fix", "data.jsonl", "--split", "0.2", "--seed", "1", "-o", "b.jsonl", "--test-output", "b.test.jsonl")
    run_cli(capsys, "fix", "data.jsonl", "--split", "0.2", "--seed", "2", "-o", "c.jsonl", "--test-output", "c.test.jsonl")
    assert (tmp_path / "a.test.jsonl").read_bytes() == (tmp_path / "b.test.jsonl").read_bytes()
    assert (tmp_path / "a.test.jsonl").read_bytes() != (tmp_path / "c.test.jsonl").read_bytes()


def test_split_by_field_and_after_fixes(tmp_path, capsys):
    records = [chat_record(i, meta={"conversation": i // 4}) for i in range(80)]
    records.append(chat_record(0, meta={"conversation": 0}))  # an exact duplicate, dropped by --dedup first
    write_lines(tmp_path / "data.jsonl", [json.dumps(r) for r in records])
    code, out, _ = run_cli(capsys, "fix", "data.jsonl", "--dedup", "--split", "0.25", "--group-by", "meta.conversation")
    assert code == 0, out
    train = [json.loads(l) for l in (tmp_path / "data.train.jsonl").read_text().splitlines()]
    test = [json.loads(l) for l in (tmp_path / "data.test.jsonl").read_text().splitlines()]
    assert len(train) + len(test) == 80
    assert len(test) == 20
    assert not {r["meta"]["conversation"] for r in train} & {r["meta"]["conversation"] for r in test}
    assert "dedup: dropped 1 (line 81)" in out


def test_split_usage_errors(tmp_path, capsys):
    splittable(tmp_path)
    code, _, err = run_cli(capsys, "fix", "data.jsonl", "--split", "1.5")
    assert code == 2 and "between 0 and 1" in err
    code, _, err = run_cli(capsys, "fix", "data.jsonl", "--split", "0.1", "--in-place")
    assert code == 2 and "--in-place" in err


def test_split_of_a_gzip_json_array_writes_the_same_kind(tmp_path, capsys):
    import gzip

    records = [chat_record(i) for i in range(50)]
    text = "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n"
    with gzip.open(tmp_path / "data.json.gz", "wt") as fh:
        fh.write(text)
    code, out, _ = run_cli(capsys, "fix", "data.json.gz", "--split", "0.1")
    assert code == 0, out
    with gzip.open(tmp_path / "data.train.json.gz", "rt") as fh:
        train = json.load(fh)
    with gzip.open(tmp_path / "data.test.json.gz", "rt") as fh:
        test = json.load(fh)
    assert len(test) == 5 and sorted(map(json.dumps, train + test)) == sorted(map(json.dumps, records))

