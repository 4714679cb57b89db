"""The Python API users call from their own tests: `ftlint.check()` and its `Report`."""
from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

import ftlint
from ftlint.config import ConfigError

from _records import chat_record

GOOD = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}


def chats(n: int, start: int = 0) -> list[dict]:
    """Distinct valid chat records of random words: identical copies, or templated ones that
    differ in one number, would (rightly) be reported as exact or near duplicates."""
    return [chat_record(i) for i in range(start, start + n)]


def _write(path: Path, records) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_clean_dataset_reports_ok(tmp_path):
    report = ftlint.check(_write(tmp_path / "train.jsonl", chats(60)))
    assert report.ok and report.findings == [] and report.records == 60
    assert report.files[0].format == "openai-chat"


def test_report_groups_findings_by_rule_and_counts_them(tmp_path):
    def empty(i):
        return {"messages": [{"role": "user", "content": f"Hi {i}"}, {"role": "assistant", "content": ""}]}
    path = _write(tmp_path / "train.jsonl", chats(10) + [empty(1), "{broken", empty(2)])
    report = ftlint.check(path)
    assert not report.ok
    assert [f.location.line for f in report.by_rule("Q101")] == [11, 13]
    assert [f.location.line for f in report.by_rule("S001")] == [12]
    assert report.statistics() == {"Q101": 2, "S001": 1, "S211": 1}
    assert report.counts_by_severity() == {"error": 3, "warning": 1, "info": 0}


def test_a_record_that_fails_its_schema_gets_no_follow_up_findings(tmp_path):
    """One broken field should give one clear finding, not a cascade from rules reading it."""
    broken = {"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": ""}]}
    report = ftlint.check(_write(tmp_path / "train.jsonl", chats(60) + [broken]))
    assert [(f.code, f.location.field) for f in report.findings] == [("S101", "messages[0].content")]


def test_overrides_select_and_fail_on(tmp_path):
    path = _write(tmp_path / "train.jsonl", chats(20))  # S211 warns below 50
    assert ftlint.check(path).ok
    assert not ftlint.check(path, fail_on="warning").ok
    assert ftlint.check(path, ignore=["S211"], fail_on="warning").ok
    assert ftlint.check(path, select=["Q"]).findings == []


def test_configured_severity_override_wins_over_the_rules_own_levels(tmp_path):
    (tmp_path / "ftlint.toml").write_text('[rules.S211]\nseverity = "info"\n')
    report = ftlint.check(_write(tmp_path / "train.jsonl", chats(3)))
    [finding] = report.findings
    assert finding.code == "S211" and str(finding.severity) == "info" and report.ok


def test_per_file_settings_apply_only_to_matching_files(tmp_path):
    (tmp_path / "ftlint.toml").write_text('[per-file."*_val.jsonl".rules.S211]\nmin-records = 1\nrecommended-records = 1\n')
    _write(tmp_path / "chat_val.jsonl", chats(2))
    _write(tmp_path / "chat_train.jsonl", chats(2, start=2))
    report = ftlint.check(tmp_path)
    assert [Path(f.location.path).name for f in report.findings] == ["chat_train.jsonl"]


def test_bad_config_is_an_error_naming_the_key(tmp_path):
    (tmp_path / "ftlint.toml").write_text('[rules.S211]\nmin-record = 3\n')
    with pytest.raises(ConfigError, match="min-record"):
        ftlint.check(tmp_path)


def test_missing_file_is_an_input_error(tmp_path):
    report = ftlint.check(tmp_path / "nope.jsonl")
    assert report.input_error
    assert report.findings[0].code == "S000" and "nope.jsonl" in report.findings[0].location.path


def _peak(path: Path, **overrides) -> int:
    ftlint.check(path, **overrides)  # warm caches (schemas, rule pack) before measuring
    tracemalloc.start()
    report = ftlint.check(path, **overrides)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.ok
    return peak


def test_memory_stays_flat_as_the_file_grows(tmp_path):
    """Streaming: ten times the records must not cost anywhere near ten times the memory for
    per-record rules; dataset rules keep a hash per record, not the record."""
    small = _write(tmp_path / "small.jsonl", chats(2_000))
    big = _write(tmp_path / "big.jsonl", chats(20_000))
    # Q201 and Q405 keep a MinHash index per record, like D201 (see benchmarks/content.py).
    # Q202/Q204 count openings and verbs in bounded heavy-hitter counters (at most 2 x capacity
    # keys, test_rules_content_diversity) that are still filling up at this size.
    # One process: the worker pool's in-flight batches (a constant few MiB, test_engine_parallel)
    # would blur what this test is about, the rules' state per record.
    per_record = [_peak(path, ignore=["D", "Q201", "Q405", "Q202", "Q204"], jobs=1) for path in (small, big)]
    assert per_record[1] < per_record[0] * 2, per_record
    # D201's index (~230 bytes a record plus batch buffers) is measured in benchmarks/near_dup.py.
    with_duplicates = [_peak(path, ignore=["D201", "Q201", "Q405", "Q202", "Q204"], jobs=1) for path in (small, big)]
    bytes_per_record = (with_duplicates[1] - with_duplicates[0]) / 18_000
    record_bytes = big.stat().st_size / 20_000
    assert bytes_per_record < 400 and bytes_per_record < record_bytes * 4, bytes_per_record
