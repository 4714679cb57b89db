"""The per-file result cache: unchanged files are not re-linted, any change is."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import ftlint
from ftlint.cache import ResultCache
from ftlint.config import load_config
from ftlint.engine import Engine

from _records import chat_record

GOOD = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
def chats(n: int, start: int = 0) -> list[dict]:
    """Distinct valid chat records of random words: identical copies, or templated ones that
    differ in one number, would (rightly) be reported as exact or near duplicates."""
    return [chat_record(i) for i in range(start, start + n)]


EMPTY = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}]}


def write(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run(tmp_path: Path, cache_dir: Path, **cli):
    config = load_config(None, start=tmp_path, cli=cli)
    cache = ResultCache(cache_dir)
    report = Engine(config, cache).run([str(tmp_path / "train.jsonl")])
    return report, cache


def test_second_run_is_served_from_the_cache_with_identical_findings(tmp_path):
    write(tmp_path / "train.jsonl", chats(20) + [EMPTY])
    first, cache1 = run(tmp_path, tmp_path / ".c")
    second, cache2 = run(tmp_path, tmp_path / ".c")
    assert cache1.hits == 0 and cache2.hits == 1
    assert second.findings == first.findings and second.records == first.records
    assert second.files[0].format == "openai-chat"
    assert (tmp_path / ".c" / ".gitignore").read_text().strip().endswith("*")


def test_content_change_with_the_same_mtime_is_re_linted(tmp_path):
    path = write(tmp_path / "train.jsonl", chats(20))
    stat = path.stat()
    run(tmp_path, tmp_path / ".c")
    write(path, chats(19) + [EMPTY])
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report, cache = run(tmp_path, tmp_path / ".c")
    assert cache.hits == 0 and sorted(f.code for f in report.findings) == ["Q101", "S211"]


def test_settings_change_misses_the_cache(tmp_path):
    write(tmp_path / "train.jsonl", chats(20) + [EMPTY])
    run(tmp_path, tmp_path / ".c")
    report, cache = run(tmp_path, tmp_path / ".c", ignore=["Q101"])
    assert cache.hits == 0 and [f.code for f in report.findings] == ["S211"]


def test_corrupt_cache_entries_are_misses_not_errors(tmp_path):
    write(tmp_path / "train.jsonl", chats(20))
    run(tmp_path, tmp_path / ".c")
    for entry in (tmp_path / ".c").rglob("*.pickle"):
        entry.write_text("{truncated")
    report, cache = run(tmp_path, tmp_path / ".c")
    assert cache.hits == 0 and [f.code for f in report.findings] == ["S211"]


def test_concurrent_runs_do_not_corrupt_the_cache(tmp_path):
    write(tmp_path / "train.jsonl", chats(200) + [EMPTY])
    results, errors = [], []

    def worker():
        try:
            results.append(run(tmp_path, tmp_path / ".c")[0].statistics())
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(r == {"Q101": 1} for r in results)
    assert not list((tmp_path / ".c").rglob(".tmp-*"))  # no half-written entries left behind
    assert run(tmp_path, tmp_path / ".c")[1].hits == 1


def test_cli_no_cache_and_cache_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "train.jsonl", chats(60))
    from ftlint.cli import main

    assert main(["check", "train.jsonl", "-q", "--cache-dir", "cdir"]) == 0
    assert list((tmp_path / "cdir").rglob("*.pickle"))
    assert main(["check", "train.jsonl", "-q", "--no-cache"]) == 0
    assert not (tmp_path / ".ftlint_cache").exists()
    assert ftlint.check("train.jsonl").ok  # the Python API does not cache unless asked
    assert not (tmp_path / ".ftlint_cache").exists()
