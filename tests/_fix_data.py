"""Datasets with planted problems for the `ftlint fix` tests, and a CLI runner."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from ftlint.cli import main

from _records import WORDS, chat_record


def long_record(i: int, answer_words: int = 60, **extra: Any) -> dict:
    """A chat record long enough that one appended sentence keeps it a near duplicate (D201)."""
    rng = random.Random(10_000 + i)
    question = " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + "?"
    answer = " ".join(rng.choice(WORDS) for _ in range(answer_words)).capitalize() + "."
    return {"messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": answer}], **extra}


def longer(record: dict, words: str = "and that is the whole story") -> dict:
    """The same record with a longer answer: a near duplicate that is more complete."""
    messages = [dict(m) for m in record["messages"]]
    messages[-1]["content"] = messages[-1]["content"][:-1] + " " + words + "."
    return {**record, "messages": messages}


def shout(record: dict) -> dict:
    """An exact duplicate under D101's normalisation (case and spacing differ)."""
    messages = [{**m, "content": "  ".join(m["content"].upper().split())} for m in record["messages"]]
    return {**record, "messages": messages}


def lines_of(records: list[Any]) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))
    return path


def messy_lines() -> tuple[list[str], dict[str, list[int]]]:
    """60 clean records plus one planted problem of each kind; returns the lines and, per problem,
    its 1-based line numbers."""
    records: list[Any] = [chat_record(i) for i in range(60)]
    planted: dict[str, list[int]] = {}

    def plant(kind: str, at: int, value: Any) -> None:
        records.insert(at, value)
        for other in planted.values():
            other[:] = [n + 1 if n >= at + 1 else n for n in other]
        planted.setdefault(kind, []).append(at + 1)

    plant("duplicate", 10, chat_record(3))
    plant("duplicate", 20, shout(chat_record(5)))
    plant("invalid-json", 25, '{"messages": [{"role": "user", "content": "cut off')
    plant("not-object", 30, "[1, 2, 3]")
    plant("schema", 35, {"messages": [{"role": "robot", "content": "beep"}, {"role": "assistant", "content": "ok"}]})
    plant("final-turn", 40, {"messages": [{"role": "user", "content": "no answer here"}]})
    plant("blank", 45, "")
    return lines_of(records), planted


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse rejects a bad option value itself
        code = exc.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err
