"""A one-line progress bar on stderr for long runs: records, records/s, and an ETA by bytes read.

Shown only to a person watching: stderr is a terminal, the run is not `--quiet` (nor
`--no-progress`), and no CI variable is set (CI logs keep carriage returns as garbage lines).
The bar redraws at most ten times a second and only after the run has taken half a second, so
short runs print nothing; it erases itself at the end, leaving the report as it would be.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

REDRAW_SECONDS = 0.1
# Runs shorter than this never show a bar (FTLINT_PROGRESS_AFTER=seconds changes it).
QUIET_SECONDS = float(os.environ.get("FTLINT_PROGRESS_AFTER") or 0.5)
WIDTH = 24


def wanted(stream: TextIO, quiet: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a bar belongs on `stream`: a terminal, no `--quiet`, and not in CI."""
    environ = os.environ if environ is None else environ
    if quiet or environ.get("CI", "").lower() not in ("", "0", "false") or environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """Cumulative counts in, a redrawn line out. The engine calls `start(total_bytes)`, then
    `advance(records, position)` as records are read (`position`: bytes read of the current
    file) and `file_done(size)` after each file, and `close()` at the end."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.total = 0
        self.records = 0
        self.done_bytes = 0  # bytes of finished files
        self.position = 0  # bytes read of the current file
        self.started = 0.0
        self.last_draw = 0.0
        self.drawn = 0  # length of the line on screen

    def start(self, total_bytes: int) -> None:
        self.total = total_bytes
        self.started = self.last_draw = self.clock()

    def advance(self, records: int, position: int) -> None:
        self.records += records
        self.position = position
        now = self.clock()
        if now - self.last_draw >= REDRAW_SECONDS and now - self.started >= QUIET_SECONDS:
            self.last_draw = now
            self._draw(self.render(now))

    def file_done(self, size: int) -> None:
        self.done_bytes += size
        self.position = 0

    def render(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.records / elapsed
        read = min(self.done_bytes + self.position, self.total) if self.total else 0
        fraction = read / self.total if self.total else 0.0
        filled = int(fraction * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        eta = _duration(elapsed * (1 - fraction) / fraction) if fraction > 0.001 else "?"
        return f"ftlint [{bar}] {fraction:4.0%} {_count(self.records)} records {_count(rate)}/s ETA {eta}"

    def _draw(self, line: str) -> None:
        pad = max(self.drawn - len(line), 0)
        try:
            self.stream.write("\r" + line + " " * pad)
            self.stream.flush()
        except (OSError, ValueError):
            return
        self.drawn = len(line)

    def close(self) -> None:
        if self.drawn:
            try:
                self.stream.write("\r" + " " * self.drawn + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self.drawn = 0


def _count(value: float) -> str:
    if value >= 10_000_000:
        return f"{value / 1e6:.0f}M"
    if value >= 1_000_000:
        return f"{value / 1e6:.1f}M"
    if value >= 10_000:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
