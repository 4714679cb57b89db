"""Lazy start-up: `--help`, `--version` and a re-run on unchanged data import no heavy library.

Each run is a fresh interpreter (a subprocess) that prints the modules it ended up importing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import ftlint
from ftlint import fastpath

from _records import chat_record

HEAVY = ("presidio_analyzer", "presidio_anonymizer", "tokenizers", "spacy", "jinja2", "numpy", "jsonschema",
         "jsonschema_rs", "bpe_openai", "pyarrow", "datasketch")
ROOT = str(Path(ftlint.__file__).resolve().parents[1])

PROBE = """
import json, sys
import ftlint.cli
try:
    code = ftlint.cli.main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def probe(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, list[str]]:
    """Run ftlint's main in a fresh interpreter: (exit code, stdout, imported module names)."""
    environ = {**os.environ, "PYTHONPATH": ROOT, **(env or {})}
    environ.pop("CI", None)
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=300)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], done.stdout, report["modules"]


def heavy(modules: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def dataset(tmp_path: Path, n: int = 300) -> Path:
    records = [chat_record(i) for i in range(n)]
    records[7] = {"messages": [{"role": "user", "content": "left unanswered"}]}
    path = tmp_path / "data" / "train.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_help_and_version_import_no_heavy_library(tmp_path):
    for args in (["--version"], ["--help"], ["check", "--help"]):
        code, out, modules = probe(args, tmp_path)
        assert code == 0 and out
        assert heavy(modules) == [], args
        assert not any(m.startswith("ftlint.checks") for m in modules), args
        if args == ["--version"]:
            assert out == f"ftlint {ftlint.__version__}\n" and "argparse" not in modules


def test_a_cached_run_imports_no_rule_module(tmp_path):
    """Through the full CLI (an output file is never replayed): the run's report comes from the
    result cache, so neither the rule modules nor their libraries are loaded."""
    dataset(tmp_path)
    args = ["check", "data", "--output-file", "report.txt"]
    first, _, modules = probe(args, tmp_path)
    assert first == 1 and any(m.startswith("ftlint.checks") for m in modules)  # the first run did lint
    code, _, modules = probe(args, tmp_path)
    assert code == 1 and "S202" in (tmp_path / "report.txt").read_text()
    assert heavy(modules) == []
    assert not any(m.startswith("ftlint.checks") for m in modules)


def test_an_unchanged_rerun_replays_the_output_without_importing_the_linter(tmp_path):
    path = dataset(tmp_path)
    time.sleep(2.1)  # a file modified in the last two seconds is never trusted by its stat signature
    first = probe(["data"], tmp_path)
    again = probe(["data"], tmp_path)
    assert again[:2] == first[:2] and "S202" in first[1]
    assert "ftlint.engine" in first[2] and "ftlint.engine" not in again[2] and "argparse" not in again[2]
    assert "_hashlib" not in again[2]  # OpenSSL's module alone costs half of a bare interpreter's start-up
    # any change to the data is seen: the stat signature (size, mtime, ctime, inode) differs
    with open(path, "a") as fh:
        fh.write("{broken\n")
    changed = probe(["data"], tmp_path)
    assert "S001" in changed[1] and "ftlint.engine" in changed[2]
    # so is a new file in a searched directory, and a configuration change
    (path.parent / "extra.jsonl").write_text(json.dumps(chat_record(1000)) + "\n")
    assert "2 files" in probe(["data"], tmp_path)[1]
    (tmp_path / "ftlint.toml").write_text('ignore = ["S202"]\n')
    code, out, _ = probe(["data"], tmp_path)
    assert "S202" not in out


def test_replay_is_only_for_runs_that_just_print():
    assert fastpath.eligible(["check", "data"]) and fastpath.eligible([]) and fastpath.eligible(["data", "-q"])
    assert fastpath.eligible(["data", "--output-format", "json", "-j", "2", "--select", "S,Q"])
    for args in (["check", "data", "-o", "r.txt"], ["data", "--output-file=r.txt"], ["data", "--update-baseline"],
                 ["data", "--no-cache"], ["baseline", "data"], ["fix", "data"], ["data/*.jsonl"], ["--version"],
                 ["data", "-qo", "r.txt"], ["data", "--output-f", "r.txt"], ["data", "--no-c"], ["-h"]):
        assert not fastpath.eligible(args), args


def test_fastpath_knows_ftlints_version():
    assert fastpath.VERSION == ftlint.__version__


def test_a_planted_replay_entry_is_ignored(tmp_path):
    """Entries are signed with the per-user key: one written by someone else is never replayed."""
    dataset(tmp_path)
    time.sleep(2.1)
    probe(["data"], tmp_path)
    entries = list((tmp_path / ".ftlint_cache").rglob("replay/*"))
    assert len(entries) == 1
    blob = entries[0].read_bytes()
    entries[0].write_bytes(blob[:32] + blob[32:].replace(b"S202", b"X999"))
    code, out, modules = probe(["data"], tmp_path)
    assert "S202" in out and "X999" not in out and "ftlint.engine" in modules
