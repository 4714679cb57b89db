"""`ftlint stats`: the dataset statistics alone, as text and JSON, checked against counts computed
here from the records themselves."""
from __future__ import annotations

import gzip
import io
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ftlint.cli import main

from _records import WORDS, chat_record, write_jsonl


def alpaca(i: int) -> dict:
    rng = random.Random(10_000 + i)
    return {"instruction": " ".join(rng.sample(WORDS, 8)).capitalize() + ".", "input": "",
            "output": " ".join(rng.sample(WORDS, 12)).capitalize() + "."}


def same_prompt_new_answer(i: int) -> dict:
    record = chat_record(i)
    record["messages"][1]["content"] = "A different answer entirely, written for this test."
    return record


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict]]:
    monkeypatch.chdir(tmp_path)
    chat = [chat_record(i) for i in range(50)]
    chat += [chat_record(1), chat_record(1), chat_record(2), same_prompt_new_answer(5)]
    files = {"chat.jsonl": chat, "alpaca.jsonl": [alpaca(i) for i in range(20)]}
    for name, records in files.items():
        write_jsonl(tmp_path / name, records)
    return files


def prompt_of(record: dict) -> str:
    if "messages" in record:
        return record["messages"][0]["content"]
    return record["instruction"] + record["input"]


def expected_duplicates(files: dict[str, list[dict]]) -> tuple[int, int, Counter]:
    """Whole-record duplicates, prompt duplicates that are not also whole-record ones, and the
    cluster sizes of whole-record duplicates; counted per file (no splits are configured)."""
    records = prompts = 0
    sizes: Counter = Counter()
    for rows in files.values():
        whole = Counter(json.dumps(r, sort_keys=True) for r in rows)
        records += sum(n - 1 for n in whole.values())
        sizes.update(f"{n} copies" for n in whole.values() if n > 1)
        first: dict[str, str] = {}
        for row in rows:
            key = json.dumps(row, sort_keys=True)
            if prompt_of(row) in first:
                prompts += first[prompt_of(row)] != key
            else:
                first[prompt_of(row)] = key
    return records, prompts, sizes


def stats_json(capsys, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["stats", "chat.jsonl", "alpaca.jsonl", "--no-cache", "--output-format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_json_numbers_match_the_records(dataset, capsys):
    code, data = stats_json(capsys)
    assert code == 0  # the duplicates are errors for `check`, not for `stats`
    total = sum(len(rows) for rows in dataset.values())
    assert data["summary"]["records"] == total
    assert data["summary"]["files"] == 2
    assert data["summary"]["formats"] == {"alpaca": {"files": 1, "records": 20},
                                          "openai-chat": {"files": 1, "records": len(dataset["chat.jsonl"])}}
    assert [(f["path"], f["format"], f["records"]) for f in data["files"]] == [
        ("chat.jsonl", "openai-chat", 54), ("alpaca.jsonl", "alpaca", 20)]
    duplicates, prompt_duplicates, sizes = expected_duplicates(dataset)
    assert (duplicates, prompt_duplicates) == (3, 1)  # the fixture is what it claims
    d101 = data["dataset_statistics"]["D101"]
    assert d101["records"] == total and d101["duplicates"] == duplicates
    assert d101["rate"] == pytest.approx(duplicates / total)
    [plot] = d101["plots"]
    assert plot["kind"] == "bars" and plot["values"] == dict(sizes)
    assert data["dataset_statistics"]["D102"]["duplicates"] == prompt_duplicates
    assert "findings" not in data


def test_text_table(dataset, capsys):
    capsys.readouterr()
    assert main(["stats", "chat.jsonl", "alpaca.jsonl", "--no-cache"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Files"
    assert lines[1].split() == ["file", "format", "records", "detected", "because"]
    assert lines[2].split()[:3] == ["chat.jsonl", "openai-chat", "54"]
    assert lines[3].split()[:3] == ["alpaca.jsonl", "alpaca", "20"]
    assert "2 files, 74 records: alpaca (1 file, 20 records), openai-chat (1 file, 54 records)" in lines[4]
    block = lines[lines.index("D101 duplicate-record (whole run)"):]
    rows = {parts[0]: parts[1] for line in block[1:4] if len(parts := line.split()) == 2}
    duplicates, _, sizes = expected_duplicates(dataset)
    assert rows == {"records": "74", "duplicates": str(duplicates), "rate": f"{duplicates / 74:.2%}"}
    assert block[4].strip() == "Exact duplicate record clusters by size (clusters)"
    bars = {line.split()[0] + " copies": int(line.split()[-1]) for line in block[5:5 + len(sizes)]}
    assert bars == dict(sizes)
    assert "exact duplicate record of line" not in out  # statistics only, no findings


def test_unreadable_input_exits_2(dataset, tmp_path: Path, capsys):
    (tmp_path / "broken.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n')[:12])
    capsys.readouterr()
    assert main(["stats", "chat.jsonl", "broken.jsonl.gz", "--no-cache"]) == 2
    captured = capsys.readouterr()
    assert "broken.jsonl.gz" in captured.err and "error" in captured.err
    assert "chat.jsonl" in captured.out  # the readable file's numbers are still shown


def test_options_select_the_rules(dataset, capsys):
    _, data = stats_json(capsys, "--select", "D102")
    assert list(data["dataset_statistics"]) == ["D102"]


def test_real_process_and_empty_statistics(tmp_path: Path):
    write_jsonl(tmp_path / "a.jsonl", [chat_record(i) for i in range(12)])
    result = subprocess.run([sys.executable, "-m", "ftlint", "stats", "a.jsonl", "--no-cache", "--select", "S"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "No dataset-level rule reported statistics for this run." in result.stdout
    assert "1 file, 12 records: openai-chat (1 file, 12 records)" in result.stdout


def test_long_histograms_are_merged_for_the_terminal():
    from ftlint.stats_command import MAX_HIST_ROWS, write_text

    counts = [i % 7 for i in range(40)]
    plot = {"kind": "histogram", "title": "Tokens per record", "edges": [i * 100 for i in range(41)],
            "counts": counts, "limit": 2000, "unit": "tokens"}
    data = {"summary": {"files": 0, "records": 0, "formats": {}}, "files": [],
            "dataset_statistics": {"T103": {"records": sum(counts), "plots": [plot]}}}
    out = io.StringIO()
    write_text(data, out)
    lines = out.getvalue().splitlines()
    start = lines.index("  Tokens per record (tokens)") + 1
    bins = [line for line in lines[start:] if " – " in line]
    assert len(bins) <= MAX_HIST_ROWS
    assert sum(int(line.split()[-1]) for line in bins) == sum(counts)  # nothing lost in merging
    assert bins[0].split()[:3] == ["0", "–", "300"]  # three bins of 100 per row
    assert lines[start + len(bins)].strip() == f"limit 2,000 tokens: {sum(counts[20:])} in bins at or above it"
