"""Shared test helpers: write a dataset into `tmp_path` and lint it through ftlint's public API.

`check` and `lint` run with the working directory set to `tmp_path`, because `ftlint.check`
discovers its configuration upward from there: the repository's own pyproject.toml or
ftlint.toml must never leak into a test. A test that wants a config writes one into `tmp_path`.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

import ftlint


def dump_jsonl(path: Path, records: Iterable[Any]) -> Path:
    """One JSON document per line; a `str` record is written as the raw line (for broken input)."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """`write_jsonl(records, name="train.jsonl")` -> path of the file written in tmp_path."""

    def write(records: Iterable[Any], name: str = "train.jsonl") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return dump_jsonl(path, records)

    return write


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., "ftlint.Report"]:
    """`check(paths, **overrides)`: `ftlint.check` run from tmp_path, isolated from the repo's config."""
    monkeypatch.chdir(tmp_path)

    def run(paths: Any, **overrides: Any):
        return ftlint.check(paths, **overrides)

    return run


@pytest.fixture
def lint(write_jsonl: Callable[..., Path], check: Callable[..., Any]) -> Callable[..., Any]:
    """`lint(records, name="train.jsonl", **overrides)`: write a JSONL file and return its Report."""

    def run(records: Iterable[Any], name: str = "train.jsonl", **overrides: Any):
        return check(write_jsonl(records, name), **overrides)

    return run


@pytest.fixture
def run(lint):
    """`run(fmt, records, **overrides)`: lint schema-valid records as `fmt` (S211 ignored unless
    `select` is given) and fail if a record is itself schema-invalid, so a typo in test data
    cannot make a rule test pass by skipping the rules."""

    def go(fmt: str, records: list, **overrides: Any):
        if "select" not in overrides:
            overrides.setdefault("ignore", ["S211"])
        report = lint(records, format=fmt, **overrides)
        assert report.files[0].format == fmt
        assert report.by_rule("S101") == [], [f.message for f in report.by_rule("S101")]
        return report

    return go
