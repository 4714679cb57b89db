"""The parallel engine writes the report a single process writes, and bounded memory.

A big JSONL file is cut into batches of raw lines that worker processes check; their findings
and dataset-level / run-wide states are merged in file order. Batches are made tiny here so a
few hundred records cross many batch boundaries (duplicates in different batches, a near
duplicate whose original is batches away, broken lines at batch edges).
"""
from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path

import pytest

from ftlint import parallel
from ftlint.cache import ResultCache
from ftlint.config import load_config
from ftlint.engine import Engine, Report
from ftlint.readers import read_records

from _records import WORDS, chat_record


def planted_records(n: int, seed: int = 3) -> list:
    """Chat records with exact duplicates, near duplicates, broken and blank lines, a bad schema
    record and unanswered conversations spread over the file; raw strings are written as-is."""
    rng = random.Random(seed)
    out: list = []
    for i in range(n):
        record = chat_record(i)
        roll = rng.random()
        if roll < 0.04 and out:
            earlier = rng.choice([r for r in out if isinstance(r, dict)])
            record = json.loads(json.dumps(earlier))  # exact duplicate
        elif roll < 0.08 and out:
            earlier = rng.choice([r for r in out if isinstance(r, dict) and "messages" in r])
            record = json.loads(json.dumps(earlier))
            record["messages"][-1]["content"] = record["messages"][-1]["content"].rstrip(".") + "!"  # near
        elif roll < 0.09:
            record = '{"messages": [broken'
        elif roll < 0.10:
            record = ""
        elif roll < 0.11:
            record = {"messages": [{"role": "user", "content": "Unanswered " + " ".join(rng.sample(WORDS, 5))}]}
        elif roll < 0.12:
            record = {"messages": "not a list"}
        out.append(record)
    return out


def write(path: Path, records: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def summary(report: Report) -> dict:
    findings = [(f.code, str(f.location), f.location.field, f.message, str(f.severity), f.related, f.excerpt,
                 f.fingerprint) for f in report.findings]
    return {"findings": findings, "records": [(r.path, r.records, r.format) for r in report.files],
            "rules_run": [r.rules_run for r in report.files], "statistics": [r.statistics for r in report.files],
            "dataset_statistics": report.dataset_statistics}


def lint(root: Path, paths: list[str], jobs: int, cache: ResultCache | None = None, **cli) -> Report:
    engine = Engine(load_config(None, start=root, cli=cli), cache, jobs=jobs, parallel_min_bytes=0)
    return engine.run([str(root / p) for p in paths])


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 4096)  # ~25 records a batch


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_workers_report_exactly_what_one_process_reports(tmp_path, small_batches, monkeypatch, method):
    monkeypatch.setattr(parallel, "START_METHOD", method)
    (tmp_path / "ftlint.toml").write_text("[rules.D201]\nmax-rate = 0.0\n")  # report every planted pair
    write(tmp_path / "train.jsonl", planted_records(500))
    serial = lint(tmp_path, ["train.jsonl"], jobs=1)
    workers = lint(tmp_path, ["train.jsonl"], jobs=2)
    codes = {f.code for f in serial.findings}
    # the planted defects are all there, so the comparison covers every kind of state
    assert {"S001", "S005", "S101", "S202", "D101", "D201"} <= codes, codes
    assert summary(workers) == summary(serial)
    assert serial.dataset_statistics["D101"]["duplicates"] > 10


def test_run_wide_rules_merge_across_files_and_splits(tmp_path, small_batches):
    """Duplicates across files and train/test leakage: each file is checked by the workers and
    the per-file states still merge across files."""
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["train*.jsonl"]\ntest = ["test*.jsonl"]\n')
    train = planted_records(400, seed=5)
    test = [chat_record(10_000 + i) for i in range(60)] + [r for r in train[:200] if isinstance(r, dict)][:15]
    write(tmp_path / "train.jsonl", train)
    write(tmp_path / "test.jsonl", test)
    select = ["S", "D", "X", "B", "Q1"]
    serial = lint(tmp_path, ["train.jsonl", "test.jsonl"], jobs=1, select=select)
    workers = lint(tmp_path, ["train.jsonl", "test.jsonl"], jobs=2, select=select)
    assert any(f.code.startswith("X1") for f in serial.findings)  # the planted leak is found
    assert summary(workers) == summary(serial)


def test_cached_worker_results_feed_the_next_run(tmp_path, small_batches):
    write(tmp_path / "train.jsonl", planted_records(300))
    cache = ResultCache(tmp_path / ".cache")
    first = lint(tmp_path, ["train.jsonl"], jobs=2, cache=cache)
    again = lint(tmp_path, ["train.jsonl"], jobs=1, cache=ResultCache(tmp_path / ".cache"))
    assert summary(again) == summary(first)


def test_line_numbers_and_indices_are_global(tmp_path, small_batches, monkeypatch):
    """Workers see batches from the middle of the file; what they report is in file lines."""
    records = [chat_record(i) for i in range(400)]
    records[333] = '{"messages": [broken'
    records.insert(250, "")
    path = write(tmp_path / "train.jsonl", records)
    report = lint(tmp_path, ["train.jsonl"], jobs=2, select=["S0"])
    assert [(f.code, f.location.line) for f in report.findings] == [("S005", 251), ("S001", 335)]
    assert report.files[0].records == 400
    # the batches' raw lines carry the same indices as the serial reader's records
    from ftlint.readers import read_jsonl_lines, records_of

    shipped = [(r.line, r.index) for line in read_jsonl_lines(path) for r in records_of(str(path), line)]
    assert shipped == [(r.line, r.index) for r in read_records(path)]


def test_small_files_start_no_worker_processes(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(parallel, "make_pool", lambda jobs: started.append(jobs))
    write(tmp_path / "train.jsonl", [chat_record(i) for i in range(50)])
    engine = Engine(load_config(None, start=tmp_path), jobs=2)  # default threshold: 2 MiB
    assert engine.run([str(tmp_path / "train.jsonl")]).ok
    assert started == []


def test_jobs_come_from_the_command_line_then_the_config(tmp_path):
    (tmp_path / "ftlint.toml").write_text("jobs = 3\n")
    assert Engine(load_config(None, start=tmp_path)).jobs == 3
    assert Engine(load_config(None, start=tmp_path, cli={"jobs": 1})).jobs == 1
    (tmp_path / "ftlint.toml").write_text("jobs = 0\n")
    from ftlint.config import ConfigError

    with pytest.raises(ConfigError, match="jobs must be a positive number"):
        load_config(None, start=tmp_path)


def test_a_worker_failure_is_an_error_not_a_partial_report(tmp_path, small_batches, monkeypatch):
    """A rule that crashes in a worker crashes the run, as it would in one process."""
    monkeypatch.setattr(parallel, "START_METHOD", "fork")
    from ftlint.registry import IMPLEMENTATIONS, Implementation

    def explode(sample, options):
        raise RuntimeError("rule bug")

    monkeypatch.setitem(IMPLEMENTATIONS, "Q101", Implementation("Q101", "record", explode))
    write(tmp_path / "train.jsonl", [chat_record(i) for i in range(100)])
    with pytest.raises(RuntimeError, match="rule bug"):
        lint(tmp_path, ["train.jsonl"], jobs=2, select=["Q101"])


def test_json_array_streams_in_bounded_memory(tmp_path):
    """A 16 MB JSON array is decoded element by element: memory holds about one read chunk
    (1 MiB) and one record, not the document."""
    path = tmp_path / "big.json"
    record = json.dumps(chat_record(1))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[\n")
        count = 0
        while fh.tell() < 16_000_000:
            fh.write(("" if count == 0 else ",\n") + record)
            count += 1
        fh.write("\n]\n")
    tracemalloc.start()
    try:
        seen = sum(1 for r in read_records(path) if r.is_record)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 6 * 2**20, f"peak traced memory {peak / 2**20:.1f} MiB for a {path.stat().st_size / 1e6:.0f} MB file"


FORK_PROBE = """
import sys
import multiprocessing.forkserver as forkserver
import ftlint.cli
code = ftlint.cli.main(sys.argv[1:])
print("exit", code, "fork server", forkserver._forkserver._forkserver_pid)
"""


def test_the_command_forks_its_workers_without_a_fork_server(tmp_path):
    """The rule modules load numpy; left alone, its BLAS thread pool makes a fork unsafe and the
    workers then come from a fork server (a fresh interpreter and its imports first, ~0.4 s).
    The command switches those threads off and forks workers that inherit the loaded modules."""
    import os
    import subprocess
    import sys

    path = write(tmp_path / "train.jsonl", [chat_record(i) for i in range(9000)])
    assert path.stat().st_size > 2 * 2**20  # the size that starts workers
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", FORK_PROBE, "check", str(path), "-j", "2", "--no-cache",
                           "--select", "S,D101"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "exit 0 fork server None", done.stdout + done.stderr


def test_pruned_counters_give_the_same_statistics_with_workers(tmp_path, small_batches):
    """Q202/Q204 keep bounded frequent-item tables that prune themselves past 2 x capacity;
    where and how often they prune depends on the batches. Their distinct counts must not: once
    pruned they come from a HyperLogLog of every key counted, the same however the data was cut."""
    records = [chat_record(i) for i in range(4500)]
    write(tmp_path / "train.jsonl", records)
    serial = lint(tmp_path, ["train.jsonl"], jobs=1, select=["Q202", "Q204"])
    workers = lint(tmp_path, ["train.jsonl"], jobs=2, select=["Q202", "Q204"])
    stats = serial.files[0].statistics["Q202"]
    assert summary(workers) == summary(serial)
    openings = {" ".join(r["messages"][1]["content"].split()[:3]).casefold() for r in records}
    estimate = stats["distinct-prompt-openings"]
    assert isinstance(estimate, str) and estimate.startswith("~")  # pruned: estimated
    assert abs(int(estimate[1:]) - len(openings)) <= 0.03 * len(openings), (estimate, len(openings))
