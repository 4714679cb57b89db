"""The progress bar: shown to a person at a terminal, never in CI, with --quiet or in a pipe."""
from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from ftlint import progress
from ftlint.progress import ProgressBar, wanted

from _records import chat_record


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_records_rate_and_eta_by_bytes_read():
    clock, out = Clock(), Terminal()
    bar = ProgressBar(out, clock)
    bar.start(total_bytes=1000)
    clock.now += 2.0
    bar.advance(5000, position=250)  # a quarter of the bytes in 2 s: 6 s to go
    line = out.getvalue().split("\r")[-1]
    assert "25%" in line and "5000 records" in line and "2500/s" in line and "ETA 6s" in line
    bar.file_done(400)
    clock.now += 1.0
    bar.advance(3000, position=300)  # 700 of 1000 bytes in 3 s
    assert out.getvalue().split("\r")[-1].startswith("ftlint [################--------]  70% 8000 records")
    bar.close()
    assert out.getvalue().endswith("\r")  # erased: the report starts on a clean line
    assert out.getvalue().split("\r")[-2].strip() == ""


def test_short_runs_and_fast_updates_draw_nothing_extra():
    clock, out = Clock(), Terminal()
    bar = ProgressBar(out, clock)
    bar.start(1000)
    clock.now += 0.3
    bar.advance(10, 100)
    assert out.getvalue() == ""  # under half a second: a quick run never flashes a bar
    clock.now += 0.5
    bar.advance(10, 200)
    clock.now += 0.01
    bar.advance(10, 300)  # within the redraw interval
    assert out.getvalue().count("\r") == 1
    bar.close()


def test_wanted_only_on_a_terminal_outside_ci_and_quiet():
    assert wanted(Terminal(), environ={})
    assert not wanted(io.StringIO(), environ={})  # a pipe or file
    assert not wanted(Terminal(), quiet=True, environ={})
    assert not wanted(Terminal(), environ={"CI": "true"})
    assert not wanted(Terminal(), environ={"TERM": "dumb"})
    assert wanted(Terminal(), environ={"CI": "0"})


def _run_in_pty(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run ftlint with stderr on a pseudo-terminal (stdout stays a pipe); return its outputs."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ftlint", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    stdout = proc.stdout.read().decode()
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, stdout, b"".join(chunks).decode(errors="replace")


def test_a_terminal_sees_the_bar_and_ci_does_not(tmp_path, monkeypatch):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(chat_record(i)) + "\n" for i in range(4000)))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TERM")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(progress.__file__).parents[1]), env.get("PYTHONPATH", "")])
    env["TERM"] = "xterm"
    env["FTLINT_PROGRESS_AFTER"] = "0"  # draw from the first update: the run may be quick
    args = ["check", "train.jsonl", "--select", "S,Q1", "--no-cache", "--jobs", "1"]
    code, stdout, stderr = _run_in_pty(args, tmp_path, env)
    assert code == 0 and "Checked 4000 records" in stdout
    assert "records" in stderr and "/s ETA" in stderr and "\r" in stderr
    assert "ftlint [" not in stdout  # the report stays clean
    code, _, stderr = _run_in_pty(args, tmp_path, {**env, "CI": "true"})
    assert code == 0 and "ETA" not in stderr
    code, _, stderr = _run_in_pty([*args, "--quiet"], tmp_path, env)
    assert "ETA" not in stderr
