"""File-level format detection as a user meets it: the right format, a reason, and findings
instead of guesses for ambiguous, unknown and mixed files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftlint
from ftlint.formats import FORMATS, detect_file_format

FIXTURES = Path(__file__).parent / "data" / "formats"


def _write(tmp_path: Path, records: list, name: str = "train.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _check(tmp_path: Path, monkeypatch, records: list, **overrides) -> ftlint.Report:
    monkeypatch.chdir(tmp_path)  # no config from the repository leaks in
    # Copies of one record are duplicates (D) and 100% alike in their openings (Q202).
    return ftlint.check(_write(tmp_path, records), ignore=["S211", "D", "Q202"], **overrides)


CHAT = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
RFT = {"messages": [{"role": "developer", "content": "Answer with a number."}, {"role": "user", "content": "2+2?"}],
       "reference_answer": "4"}
ALPACA = {"instruction": "Add 2 and 2.", "input": "", "output": "4"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_fixture_file_is_detected_with_a_reason(fmt, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    report = ftlint.check(FIXTURES / fmt / "valid.jsonl")
    result = report.files[0]
    assert result.format == fmt
    assert "keys" in result.format_reason and "records sampled" in result.format_reason


def test_chat_and_rft_are_told_apart_by_the_last_turn(tmp_path, monkeypatch):
    assert _check(tmp_path, monkeypatch, [CHAT] * 3).files[0].format == "openai-chat"
    rft = _check(tmp_path, monkeypatch, [RFT] * 3)
    assert rft.files[0].format == "openai-rft"
    assert rft.findings == []  # reference_answer is grader data, not an unknown key


def test_text_and_messages_together_is_ambiguous_not_guessed(tmp_path, monkeypatch):
    record = {"text": "Hi there", "messages": CHAT["messages"]}
    report = _check(tmp_path, monkeypatch, [record] * 3)
    assert report.files[0].format is None
    [finding] = report.findings
    assert finding.code == "S011" and finding.location.line == 1
    assert "trl-text" in finding.message and "openai-chat" in finding.message
    assert "--format" in finding.message
    assert not report.ok


def test_unknown_keys_give_unknown_format_with_the_keys(tmp_path, monkeypatch):
    report = _check(tmp_path, monkeypatch, [{"message": CHAT["messages"]}] * 2)
    [finding] = report.findings
    assert finding.code == "S010"
    assert "message" in finding.message


def test_a_record_in_another_format_is_reported_on_its_line(tmp_path, monkeypatch):
    report = _check(tmp_path, monkeypatch, [CHAT] * 60 + [ALPACA] + [CHAT])
    assert report.files[0].format == "openai-chat"
    [finding] = report.findings
    assert (finding.code, finding.location.line) == ("S012", 61)
    assert "alpaca" in finding.message


def test_format_override_skips_detection_and_validates_against_it(tmp_path, monkeypatch):
    report = _check(tmp_path, monkeypatch, [CHAT] * 2, format="openai-rft")
    assert report.files[0].format == "openai-rft"
    assert "configuration" in report.files[0].format_reason
    assert {f.code for f in report.findings} == {"S202"}  # RFT prompts must end with the user turn


def test_majority_wins_and_minority_records_are_flagged(tmp_path, monkeypatch):
    report = _check(tmp_path, monkeypatch, [ALPACA, CHAT, CHAT, CHAT])
    assert report.files[0].format == "openai-chat"
    assert [(f.code, f.location.line) for f in report.findings] == [("S012", 1)]


def test_detection_reports_ties_between_formats():
    detection = detect_file_format([CHAT, ALPACA])
    assert detection.format is None and set(detection.candidates) == {"openai-chat", "alpaca"}


def test_llamafactory_shapes_are_recognised():
    kto = {"messages": CHAT["messages"], "label": True}
    sharegpt_pref = {"conversations": [{"from": "human", "value": "Hi"}],
                     "chosen": {"from": "gpt", "value": "Hello"}, "rejected": {"from": "gpt", "value": "Go away"}}
    toolcall = {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}], "tools": "[]"}
    assert detect_file_format([kto]).format == "chat-kto"
    assert detect_file_format([sharegpt_pref]).format == "sharegpt-preference"
    assert detect_file_format([toolcall]).format == "sharegpt"
