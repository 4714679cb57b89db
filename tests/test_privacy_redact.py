"""Redaction: `redact_record` on its own and `ftlint fix --redact` end to end.

What a user checks: the values are gone and replaced by placeholders, everything else of the
record (and every clean record, byte for byte) is untouched, the input file is untouched, the
output passes the P rules, and the change summary counts what was replaced without showing it.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftlint
from _fix_data import run_cli
from _records import chat_record
from ftlint.privacy.redact import default_settings, redact_record

EMAIL = "maeve.millay@gmail.com"
PHONE = "+44 20 7123 4567"
CARD = "4539 1488 0343 6467"
KEY = "sk-proj-9TgH2kLm4NpQ7rSt1VwX3yZa6BcD"


def record() -> dict:
    return {"messages": [
        {"role": "system", "content": f"Escalate to {EMAIL}."},
        {"role": "user", "content": [{"type": "text", "text": "my card"}, {"type": "text", "text": f"is {CARD}, key {KEY}"}]},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "call", "arguments": json.dumps({"number": PHONE})}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "ringing"},
        {"role": "assistant", "content": f"Calling {PHONE} now; test@example.com is only a placeholder."}],
        "metadata": {"owner": EMAIL, "rating": 5}}


def test_redact_record_replaces_values_with_placeholders():
    original = record()
    snapshot = json.dumps(original)
    redacted, counts = redact_record(original, "openai-chat")
    assert json.dumps(original) == snapshot  # the input is never modified
    assert counts == {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 2, "CREDIT_CARD": 1, "OPENAI_API_KEY": 1}
    messages = redacted["messages"]
    assert messages[0]["content"] == "Escalate to <EMAIL_ADDRESS>."
    assert messages[1]["content"][1]["text"] == "is <CREDIT_CARD>, key <OPENAI_API_KEY>"
    assert json.loads(messages[2]["tool_calls"][0]["function"]["arguments"]) == {"number": "<PHONE_NUMBER>"}
    assert messages[4]["content"] == "Calling <PHONE_NUMBER> now; test@example.com is only a placeholder."
    assert redacted["metadata"] == {"owner": "<EMAIL_ADDRESS>", "rating": 5}
    assert redact_record(chat_record(1), "openai-chat") == (chat_record(1), {})


@pytest.mark.parametrize("operator, expected", [
    ("replace", "Escalate to [EMAIL_ADDRESS]."),
    ("mask", "Escalate to " + "*" * len(EMAIL) + "."),
    ("remove", "Escalate to ."),
])
def test_operators_and_placeholder_template(operator, expected):
    redacted, _ = redact_record(record(), "openai-chat", operator=operator, placeholder="[{entity}]")
    assert redacted["messages"][0]["content"] == expected


def test_hash_operator_salts_every_value():
    """A salted SHA-256: not reversible by trying every phone number, not linkable across records."""
    a, _ = redact_record(record(), "openai-chat", operator="hash")
    b, _ = redact_record(record(), "openai-chat", operator="hash")
    text = a["messages"][0]["content"]
    assert len(text) == len("Escalate to .") + 64 and EMAIL not in text
    assert text != b["messages"][0]["content"]


def test_roles_of_the_settings_apply():
    settings = default_settings(["P101"], {"P101": {"roles": ["assistant"], "allow-placeholders": False}})
    redacted, counts = redact_record(record(), "openai-chat", settings)
    assert counts == {"PHONE_NUMBER": 2, "EMAIL_ADDRESS": 1}  # tool-call argument and reply; test@example.com now too
    assert redacted["messages"][0]["content"] == f"Escalate to {EMAIL}."  # system turn out of scope


def test_fix_redact_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clean = [chat_record(i) for i in range(30)]
    source = tmp_path / "train.jsonl"
    lines = [json.dumps(r) for r in clean[:10]] + [json.dumps(record())] + [json.dumps(r) for r in clean[10:]]
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    before = source.read_bytes()
    assert {f.code for f in ftlint.check(source, select=["P"]).findings} >= {"P101", "P102", "P201"}

    code, out, err = run_cli(capsys, "fix", "train.jsonl", "--redact", "-o", "redacted.jsonl")
    assert code == 0, out + err
    assert source.read_bytes() == before  # never overwritten unless --in-place
    fixed = (tmp_path / "redacted.jsonl").read_text(encoding="utf-8").splitlines()
    assert fixed[:10] == lines[:10] and fixed[11:] == lines[11:]  # clean records byte for byte
    assert json.loads(fixed[10]) == redact_record(record(), "openai-chat")[0]
    assert "redact: replaced 6 values in 1 records" in out
    for value in (EMAIL, PHONE, CARD, KEY):
        assert value not in out + err
    assert [f for f in ftlint.check(tmp_path / "redacted.jsonl", select=["P101", "P102", "P103", "P201"]).findings] == []

    code, out, _ = run_cli(capsys, "fix", "redacted.jsonl", "--redact", "-o", "again.jsonl")
    assert code == 0 and (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "redacted.jsonl").read_bytes()


def test_fix_redact_with_mask_and_in_place_backup(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "train.jsonl"
    source.write_text(json.dumps(record()) + "\n" + "".join(json.dumps(chat_record(i)) + "\n" for i in range(20)),
                      encoding="utf-8")
    before = source.read_bytes()
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--redact", "--redact-with", "mask", "--in-place")
    assert code == 0, out
    assert Path("train.jsonl.bak").read_bytes() == before
    first = json.loads(source.read_text(encoding="utf-8").splitlines()[0])
    assert first["messages"][0]["content"] == "Escalate to " + "*" * len(EMAIL) + "."
