"""The result cache cleans itself, re-uses content hashes of unchanged files, and survives
concurrent runs in separate processes (pre-commit runs hooks in parallel)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ftlint
from ftlint import cache as cache_module
from ftlint.cache import ResultCache

from _records import chat_record

DAY = 86400.0


def entry(cache: ResultCache, name: str, age_days: float, size: int = 100) -> Path:
    cache.directory.mkdir(parents=True, exist_ok=True)
    path = cache.directory / f"{name}.pickle"
    path.write_bytes(b"x" * size)
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))
    return path


def test_prune_drops_entries_unused_for_weeks_and_keeps_recent_ones(tmp_path):
    cache = ResultCache(tmp_path / "c")
    old, recent = entry(cache, "old", 30), entry(cache, "recent", 1)
    other_version = tmp_path / "c" / "0.0.9" / "gone.pickle"
    other_version.parent.mkdir(parents=True)
    other_version.write_bytes(b"x")
    os.utime(other_version, (time.time() - 40 * DAY,) * 2)
    assert cache.prune() == 2
    assert not old.exists() and recent.exists()
    assert not other_version.parent.exists()  # an old version's emptied directory goes too


def test_prune_keeps_the_cache_under_its_size_cap_least_recently_used_first(tmp_path):
    cache = ResultCache(tmp_path / "c")
    paths = [entry(cache, f"e{i}", age_days=5 - i, size=1000) for i in range(5)]  # e0 oldest
    assert cache.prune(max_bytes=2500) == 3
    assert [p.exists() for p in paths] == [False, False, False, True, True]


def test_a_hit_refreshes_an_entry_so_it_survives_cleaning(tmp_path):
    cache = ResultCache(tmp_path / "c")
    cache.put("k", {"value": 1})
    path = cache.directory / "k.pickle"
    os.utime(path, (time.time() - 30 * DAY,) * 2)
    assert cache.get("k") == {"value": 1}
    assert cache.prune() == 0 and path.exists()


def test_stale_temp_files_of_dead_writers_are_removed_fresh_ones_kept(tmp_path):
    cache = ResultCache(tmp_path / "c")
    cache.directory.mkdir(parents=True)
    dead, live = cache.directory / ".tmp-dead.pickle", cache.directory / ".tmp-live.pickle"
    dead.write_bytes(b"x")
    live.write_bytes(b"x")
    os.utime(dead, (time.time() - 2 * 3600,) * 2)
    cache.prune()
    assert not dead.exists() and live.exists()  # another run may be writing `live` right now


def test_cleaning_runs_after_a_writing_run_at_most_once_an_hour(tmp_path):
    cache = ResultCache(tmp_path / "c")
    old = entry(cache, "old", 30)
    assert not cache.maybe_prune() and old.exists()  # this run wrote nothing: a hit never pays
    cache.put("new", 1)
    assert cache.maybe_prune() and not old.exists()
    old = entry(cache, "old", 30)
    assert not cache.maybe_prune() and old.exists()  # cleaned less than an hour ago


def test_unchanged_files_are_not_hashed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "RACY_SECONDS", 0.0)
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(chat_record(i)) + "\n" for i in range(20)))
    digest = ResultCache(tmp_path / "c").content_hash(data)
    read = []
    monkeypatch.setattr(cache_module, "content_hash", lambda path: read.append(path) or "0" * 64)
    assert ResultCache(tmp_path / "c").content_hash(data) == digest and read == []  # from the stat signature
    data.write_text(data.read_text().replace("a", "b", 1))  # same size, new content: new ctime
    ResultCache(tmp_path / "c").content_hash(data)
    assert read == [data]


WORKER = """
import sys
from pathlib import Path
from ftlint.cache import ResultCache
from ftlint.config import load_config
from ftlint.engine import Engine
root = Path(sys.argv[1])
for _ in range(3):
    cache = ResultCache(root / ".c")
    report = Engine(load_config(None, start=root, cli={"select": ["S", "Q1", "D1"]}), cache).run([str(root / "train.jsonl")])
    cache.prune(max_bytes=1)  # clean as hard as possible while the others read and write
    print(sorted(report.statistics().items()))
"""


def test_concurrent_processes_share_one_cache_safely(tmp_path):
    records = [chat_record(i) for i in range(300)] + [chat_record(3)]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    env = {**os.environ, "PYTHONPATH": str(Path(ftlint.__file__).resolve().parents[1])}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err for _, err in outputs]
    lines = {line for out, _ in outputs for line in out.splitlines()}
    assert lines == {"[('D101', 2)]"}  # the rate finding and the copy, in every run
    assert not list((tmp_path / ".c").rglob(".tmp-*"))


@pytest.mark.parametrize("damage", [b"", b"\x00" * 10])
def test_a_vanished_or_truncated_entry_is_a_miss(tmp_path, damage):
    cache = ResultCache(tmp_path / "c")
    cache.put("k", [1, 2, 3])
    (cache.directory / "k.pickle").write_bytes(damage)
    assert cache.get("k") is None and cache.hits == 0
