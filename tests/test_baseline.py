"""Baselines as a user meets them: grandfather today's findings, fail only on new ones."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _records import chat_record

GOOD = [chat_record(i) for i in range(60)]  # random words: templated records would be near duplicates
EMPTY = {"messages": [{"role": "user", "content": "Say something"}, {"role": "assistant", "content": ""}]}
BADROLE = {"messages": [{"role": "usr", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}


def ftlint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftlint", *args], cwd=cwd, capture_output=True, text=True)


def write(path: Path, records: list) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    write(tmp_path / "data" / "train.jsonl", GOOD[:30] + [EMPTY] + GOOD[30:] + [BADROLE])
    return tmp_path


def test_baseline_then_check_passes_and_counts_what_was_hidden(project):
    made = ftlint(project, "baseline", "data")
    assert made.returncode == 0, made.stderr
    assert "wrote 2 findings" in made.stdout
    data = json.loads((project / ".ftlint-baseline.json").read_text())
    assert data["version"] == 1
    assert {e["code"] for e in data["files"]["data/train.jsonl"].values()} == {"Q101", "S101"}
    checked = ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json")
    assert checked.returncode == 0, checked.stdout
    assert "2 baselined findings not shown" in checked.stdout


def test_one_new_bad_record_is_exactly_one_new_finding_even_after_reordering(project):
    ftlint(project, "baseline", "data")
    # Insert a new bad record at the top (every line number shifts) and shuffle the rest.
    train = project / "data" / "train.jsonl"
    lines = train.read_text().splitlines()
    new_bad = {"messages": [{"role": "user", "content": "New one"}, {"role": "assistant", "content": "   "}]}
    train.write_text("\n".join([json.dumps(new_bad)] + lines[::-1]) + "\n")
    checked = ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json", "--output-format", "json")
    report = json.loads(checked.stdout)
    assert checked.returncode == 1
    assert [(f["code"], f["line"]) for f in report["findings"]] == [("Q101", 1)]
    assert report["summary"]["baselined"] == 2


def test_a_second_copy_of_a_baselined_record_is_new(project):
    ftlint(project, "baseline", "data")
    train = project / "data" / "train.jsonl"
    train.write_text(train.read_text() + json.dumps(EMPTY) + "\n")
    report = json.loads(ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json",
                               "--output-format", "json").stdout)
    # The copy is new for Q101 (the baseline holds one empty answer) and is also a duplicate record.
    codes = [f["code"] for f in report["findings"]]
    assert codes.count("Q101") == 1 and "D101" in codes


def test_fixed_records_are_reported_stale_and_update_removes_them(project):
    ftlint(project, "baseline", "data")
    train = project / "data" / "train.jsonl"
    train.write_text("".join(line + "\n" for line in train.read_text().splitlines() if '"usr"' not in line))
    checked = ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json")
    assert checked.returncode == 0
    assert "stale baseline entry: S101" in checked.stdout and "1 baseline entry no longer occurs" in checked.stdout
    updated = ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json", "--update-baseline")
    assert updated.returncode == 0 and "removed 1 stale" in updated.stderr
    data = json.loads((project / ".ftlint-baseline.json").read_text())
    assert [e["code"] for e in data["files"]["data/train.jsonl"].values()] == ["Q101"]
    again = ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json")
    assert "stale" not in again.stdout


def test_update_never_grandfathers_new_findings(project):
    ftlint(project, "baseline", "data")
    train = project / "data" / "train.jsonl"
    train.write_text(train.read_text() + json.dumps({"messages": [{"role": "user", "content": "x"},
                                                                  {"role": "assistant", "content": ""}]}) + "\n")
    updated = ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json", "--update-baseline")
    assert updated.returncode == 1
    assert ftlint(project, "check", "data", "--baseline", ".ftlint-baseline.json").returncode == 1


def test_baseline_from_config_file(project):
    (project / "ftlint.toml").write_text('baseline = "lint/baseline.json"\npaths = ["data"]\n')
    assert ftlint(project, "baseline").returncode == 0
    assert (project / "lint" / "baseline.json").is_file()
    assert ftlint(project, "check").returncode == 0


@pytest.mark.parametrize("content", ["not json", '{"version": 99, "files": {}}', '{"version": 1, "files": {"a": 3}}'])
def test_broken_or_missing_baseline_is_a_clear_error(project, content):
    (project / "b.json").write_text(content)
    result = ftlint(project, "check", "data", "--baseline", "b.json")
    assert result.returncode == 2 and "b.json" in result.stderr and "Traceback" not in result.stderr
    missing = ftlint(project, "check", "data", "--baseline", "nope.json")
    assert missing.returncode == 2 and "ftlint baseline" in missing.stderr


def test_update_baseline_without_a_baseline_is_a_usage_error(project):
    result = ftlint(project, "check", "data", "--update-baseline")
    assert result.returncode == 2 and "--update-baseline" in result.stderr
