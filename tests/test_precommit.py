"""The hooks work through a real `pre-commit try-repo` in a temporary git repository.

pre-commit installs the hook into its own virtualenv from this checkout, which needs the package
registry: these tests are marked `network` (deselect with `-m "not network"`).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.network,
              pytest.mark.skipif(shutil.which("git") is None, reason="git is required by pre-commit")]

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

GOOD = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}


def chats(n: int, start: int = 0) -> list[dict]:
    """Distinct valid chat records: identical copies would (rightly) be reported as duplicates."""
    return [{"messages": [{"role": "user", "content": f"Question number {i}?"},
                          {"role": "assistant", "content": f"Answer number {i}."}]} for i in range(start, start + n)]
BAD = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "  "}]}


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One hook environment for the module: installing it is the slow part."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _git_repo(path: Path, files: dict[str, list[dict] | str]) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    for name, records in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = records if isinstance(records, str) else "".join(json.dumps(r) + "\n" for r in records)
        target.write_text(text, encoding="utf-8")
    (path / "package.json").write_text('{"name": "not-a-dataset"}\n')
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    return path


def _try_repo(repo: Path, home: Path, *args: str, hook: str = "ftlint") -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run([*PRE_COMMIT, "try-repo", str(ROOT), hook, *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_hook_fails_on_a_bad_dataset_and_names_the_line(tmp_path, pre_commit_home):
    repo = _git_repo(tmp_path / "repo", {"data/train.jsonl": chats(60) + [BAD], "data/val.jsonl": chats(60, start=100)})
    result = _try_repo(repo, pre_commit_home, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "data/train.jsonl:61: Q101" in output
    assert "val.jsonl:" not in output.split("Failed")[-1]  # the clean file has no finding
    assert "package.json" not in output  # the hook's files filter keeps config JSON out


def test_hook_passes_on_a_clean_dataset(tmp_path, pre_commit_home):
    repo = _git_repo(tmp_path / "repo", {"data/train.jsonl": chats(60)})
    result = _try_repo(repo, pre_commit_home, "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_sharegpt_preset_checks_json_arrays_and_names_the_turn(tmp_path, pre_commit_home):
    good = [{"conversations": [{"from": "human", "value": f"Hi {i}"}, {"from": "gpt", "value": f"Hello {i}"}]}
            for i in range(60)]
    bad = good + [{"conversations": [{"from": "human", "value": "Hi"}, {"from": "human", "value": "Hello?"}]}]
    repo = _git_repo(tmp_path / "repo", {"data/chats.json": json.dumps(bad, indent=2)})
    result = _try_repo(repo, pre_commit_home, "--all-files", hook="ftlint-sharegpt")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "S204" in output and "conversations[1].from" in output
    # The preset matches *.json; --force-exclude applies ftlint's default exclude (package.json, ...).
    assert "package.json" not in output
