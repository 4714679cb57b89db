"""`ftlint fix --normalize-sharegpt` / `--to FORMAT`: lossless conversions between formats."""
from __future__ import annotations

import json

import pytest

import ftlint
from ftlint.fixes.convert import Unconvertible, chat_to_sharegpt, sharegpt_to_chat

from _fix_data import run_cli, write_lines
from _records import chat_record


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def sharegpt(i: int, system: bool = False) -> dict:
    chat = chat_record(i)["messages"]
    record = {"conversations": [{"from": "human", "value": chat[0]["content"]},
                                {"from": "gpt", "value": chat[1]["content"]}]}
    if system:
        record["system"] = "You are terse."
    return record


TOOLS = [{"name": "get_weather", "description": "Weather of a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


def with_tool_call(i: int) -> dict:
    chat = chat_record(i)["messages"]
    return {"conversations": [
        {"from": "human", "value": chat[0]["content"]},
        {"from": "function_call", "value": json.dumps({"name": "get_weather", "arguments": {"city": "Paris"}})},
        {"from": "observation", "value": json.dumps({"temperature": 21})},
        {"from": "gpt", "value": chat[1]["content"]},
    ], "tools": json.dumps(TOOLS)}


def test_sharegpt_roles_and_keys_become_openai_chat():
    converted = sharegpt_to_chat(sharegpt(1, system=True))
    chat = chat_record(1)["messages"]
    assert converted == {"messages": [{"role": "system", "content": "You are terse."}, *chat]}


def test_function_calls_become_tool_calls_answered_by_tool_messages():
    converted = sharegpt_to_chat(with_tool_call(2))
    call, result = converted["messages"][1], converted["messages"][2]
    assert call == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]}
    assert result == {"role": "tool", "content": '{"temperature": 21}', "tool_call_id": "call_1"}
    assert converted["tools"] == [{"type": "function", "function": TOOLS[0]}]
    assert chat_to_sharegpt(converted) == {**with_tool_call(2), "tools": json.dumps(TOOLS)}


def test_round_trip_through_sharegpt_is_lossless():
    for record in (chat_record(3), {"messages": [{"role": "system", "content": "S."}, *chat_record(4)["messages"]]}):
        assert sharegpt_to_chat(chat_to_sharegpt(record)) == record


@pytest.mark.parametrize("record, reason", [
    ({"conversations": [{"from": "human", "value": "<image>What is it?"}, {"from": "gpt", "value": "A cat."}],
      "images": ["cat.png"]}, "images"),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "observation", "value": "{}"}]}, "answers no function call"),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": "not json"}]}, "not valid JSON"),
    ({"conversations": [{"from": "human", "value": "q", "loss": 0}, {"from": "gpt", "value": "a"}]}, "loss"),
])
def test_lossy_records_are_refused(record, reason):
    with pytest.raises(Unconvertible, match=reason):
        sharegpt_to_chat(record)


def test_normalize_sharegpt_file_passes_check_as_openai_chat(tmp_path, capsys):
    records = [sharegpt(i, system=i % 2 == 0) for i in range(60)] + [with_tool_call(100), with_tool_call(101)]
    write_lines(tmp_path / "train.jsonl", [json.dumps(r) for r in records])
    before = (tmp_path / "train.jsonl").read_bytes()
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--normalize-sharegpt")
    assert code == 0, out
    assert "convert: changed 62" in out
    assert (tmp_path / "train.jsonl").read_bytes() == before
    report = ftlint.check(tmp_path / "train.fixed.jsonl")
    assert report.files[0].format == "openai-chat"
    assert [f.code for f in report.findings] == []
    converted = [json.loads(l) for l in (tmp_path / "train.fixed.jsonl").read_text().splitlines()]
    assert converted[1]["messages"] == chat_record(1)["messages"]


def test_records_that_cannot_be_converted_stay_and_fail(tmp_path, capsys):
    records = [sharegpt(i) for i in range(60)]
    records[5] = {**records[5], "images": ["x.png"]}
    write_lines(tmp_path / "train.jsonl", [json.dumps(r) for r in records])
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--normalize-sharegpt")
    assert code == 1
    assert "convert: line 6 left as it is: `images` has no place in the target format" in out
    lines = (tmp_path / "train.fixed.jsonl").read_text().splitlines()
    assert json.loads(lines[5]) == records[5]
    assert "S012 mixed-formats x1" in out
    # with --fix too, the record a conversion had to leave is not dropped afterwards as invalid
    code, out, _ = run_cli(capsys, "fix", "train.jsonl", "--fix", "--normalize-sharegpt", "-o", "both.jsonl")
    assert code == 1 and json.loads((tmp_path / "both.jsonl").read_text().splitlines()[5]) == records[5]


def test_to_sharegpt_and_unsupported_targets(tmp_path, capsys):
    write_lines(tmp_path / "chat.jsonl", [json.dumps(chat_record(i)) for i in range(60)])
    code, out, _ = run_cli(capsys, "fix", "chat.jsonl", "--to", "sharegpt", "-o", "sg.jsonl")
    assert code == 0, out
    report = ftlint.check(tmp_path / "sg.jsonl")
    assert report.files[0].format == "sharegpt" and report.findings == []
    code, out, _ = run_cli(capsys, "fix", "sg.jsonl", "--to", "openai-chat", "-o", "back.jsonl")
    assert code == 0
    assert (tmp_path / "back.jsonl").read_bytes() == (tmp_path / "chat.jsonl").read_bytes()
    code, _, err = run_cli(capsys, "fix", "chat.jsonl", "--to", "trl-text")
    assert code == 2 and "lossless targets" in err
    code, out, _ = run_cli(capsys, "fix", "chat.jsonl", "--to", "chat-kto", "-o", "kto.jsonl")
    assert code == 1 and "no lossless conversion from openai-chat to chat-kto" in out


def test_alpaca_without_input_converts(tmp_path, capsys):
    records = [{"instruction": m["messages"][0]["content"], "output": m["messages"][1]["content"]}
               for m in (chat_record(i) for i in range(60))]
    records[3]["input"] = "extra context"
    write_lines(tmp_path / "alpaca.jsonl", [json.dumps(r) for r in records])
    code, out, _ = run_cli(capsys, "fix", "alpaca.jsonl", "--to", "openai-chat")
    assert code == 1
    assert "line 4 left as it is: `input` would have to be joined" in out
    lines = (tmp_path / "alpaca.fixed.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == chat_record(0)


def test_sharegpt_kto_tags_become_chat_kto_labels(tmp_path, capsys):
    records = [{**sharegpt(i), "kto_tag": i % 2 == 0} for i in range(60)]
    write_lines(tmp_path / "kto.jsonl", [json.dumps(r) for r in records])
    code, out, _ = run_cli(capsys, "fix", "kto.jsonl", "--to", "chat-kto")
    assert code == 0, out
    converted = [json.loads(l) for l in (tmp_path / "kto.fixed.jsonl").read_text().splitlines()]
    assert converted[0] == {**chat_record(0), "label": True} and converted[1]["label"] is False
    assert ftlint.check(tmp_path / "kto.fixed.jsonl").files[0].format == "chat-kto"
    code, out, _ = run_cli(capsys, "fix", "kto.jsonl", "--normalize-sharegpt", "-o", "plain.jsonl")
    assert code == 1 and "`kto_tag` has no place in the target format" in out  # openai-chat has no label

