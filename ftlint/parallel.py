"""Checks one big JSONL file on a pool of worker processes.

The main process reads raw lines (no parsing: that is the workers' job) and ships them in
batches of about a megabyte; each worker parses its batch, validates, builds samples once, runs
the per-record rules and feeds fresh dataset-level and run-wide states. Back come the findings
and those states; the main process merges them in file order, so line numbers, record indices,
"first occurrence" decisions and the report are exactly those of one process reading the file.
The main process reads about a megabyte at a time and ships runs of whole lines as one bytes
object (`LineRun`): a scan for blank lines is all it does per line.

Workers are forked before the run loads anything that starts threads (`start_forked_pool`), or
else come from a `forkserver`: forking a process that already loaded tokenizers (whose thread
pool does not survive a fork), numpy's BLAS or an analyzer is unsafe, while the fork server
itself only imported ftlint's modules. Heavy objects (tokenizer, analyzer) are loaded once per
worker by the rules' own module-level caches.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import pkgutil
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import FileSettings
from .formats import FORMATS
from .gcpolicy import relaxed_gc
from .model import Finding, Location
from .readers import LineRun, RawLine, ReadPosition, read_jsonl_lines, records_of
from .registry import RunContext

if TYPE_CHECKING:
    from .engine import Engine, FileResult, _Emitter, _RunFeeds

CHUNK_BYTES = 1 << 20  # raw bytes per batch: ~1,700 chat records, ~5 ms of pickling
IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: keeps workers busy, bounds memory
START_METHOD: str | None = None  # tests force "fork" or "forkserver"; None decides per run


@dataclass
class FileJob:
    """What a worker needs to check lines of one file (pickled with every batch: ~10 KB)."""

    display: str
    settings: FileSettings
    format: str | None
    max_line: int
    run_codes: list[str]  # run-wide rules this file feeds, in the order of the main's states
    run_options: dict[str, dict[str, Any]]
    run_context: RunContext
    split: str | None


@dataclass
class ChunkResult:
    findings: list[Finding]
    records: int
    dataset_states: list[Any]  # in the order of RecordChecker.dataset_states
    run_states: list[Any]  # in the order of FileJob.run_codes


def make_pool(jobs: int) -> ProcessPoolExecutor:
    """Fork when this process runs a single thread (instant start, modules already loaded);
    otherwise a fork server, which starts clean. A fork with other threads running (a
    tokenizer's or BLAS's thread pool) can leave their locks held forever in the child."""
    method = START_METHOD or ("fork" if _single_threaded() else "forkserver")
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        from . import checks

        # The fork server imports the rule modules once; every worker forked from it has them.
        context.set_forkserver_preload(["ftlint.engine", *(f"{checks.__name__}.{m.name}"
                                                           for m in pkgutil.iter_modules(checks.__path__))])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                               initargs=(os.getpid(),))


def start_forked_pool(jobs: int) -> ProcessPoolExecutor | None:
    """Fork the workers now, while this process still runs one thread: they start instantly with
    ftlint's modules already loaded, where a fork server costs a fresh interpreter and its
    imports first. Called before the run's states are built (they load tokenizers, whose thread
    pools would make a later fork unsafe). The rule modules import numpy, whose BLAS threads the
    `ftlint` command switches off; a program that embeds the engine with threads running gets
    None here, and a fork server later."""
    if START_METHOD not in (None, "fork") or not _single_threaded():
        return None
    pool = make_pool(jobs)
    with _main_hidden():
        pool.submit(_ready).result()  # a fork pool starts every worker at the first submit
    return pool


def _ready() -> bool:
    return True


def _single_threaded() -> bool:
    """Counts native threads too (Rust and C thread pools are invisible to `threading`)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Workers started by a fork server or spawn re-import the caller's `__main__` unless it
    looks like an interactive session; a script calling `ftlint.check()` without an
    `if __name__ == "__main__":` guard would then run again in every worker. Workers need
    nothing from `__main__` (rules come from ftlint.checks), so it is hidden while they start."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _init_worker(main_pid: int) -> None:
    # One worker per core already: a tokenizer's own thread pool would only compete with them.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    threading.Thread(target=_exit_with, args=(main_pid,), daemon=True, name="ftlint-watchdog").start()


def _exit_with(main_pid: int) -> None:
    """A killed ftlint (CI timeout, Ctrl-C twice) must not leave workers burning CPU on batches
    nobody will read: a worker exits within a second of the main process."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(main_pid, 0)
            with open(f"/proc/{main_pid}/stat", "rb") as fh:
                dead = fh.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")  # a zombie: not yet reaped
        except (ProcessLookupError, PermissionError, FileNotFoundError):  # gone, or its pid reused
            dead = True
        except OSError:  # no /proc: the kill test alone
            dead = False
        if dead:
            os._exit(1)


def check_lines(job: FileJob, lines: list[RawLine | LineRun]) -> ChunkResult:
    """Worker side: check a batch of raw lines with fresh states."""
    from .engine import RecordChecker, _Emitter
    from .registry import discover
    from .rulepack import load_rules

    implementations = discover()
    emit = _Emitter(load_rules(), job.settings)
    run_states = [implementations[code].target(job.run_options[code], job.run_context) for code in job.run_codes]
    spec = FORMATS.get(job.format or "")
    checker = RecordChecker(job.display, job.settings, spec, implementations, emit, run_states, job.split)
    with relaxed_gc():
        for line in lines:
            for record in records_of(job.display, line, job.max_line):
                checker.feed(record)
    return ChunkResult(emit.findings, checker.records, [state for _, state in checker.dataset_states], run_states)


def check_in_workers(engine: "Engine", path: str | Path, display: str, settings: FileSettings, emit: "_Emitter",
                     feeds: "_RunFeeds", max_line: int, position: ReadPosition) -> "FileResult":
    """Main side: detect the format from the head, then farm out batches and merge in order."""
    from .engine import DETECTION_SAMPLE, RecordChecker

    lines = read_jsonl_lines(path, max_line, position, step=CHUNK_BYTES)
    head_lines: list[RawLine | LineRun] = []
    head_records = []
    parsed = 0
    for line in lines:
        head_lines.append(line)
        for record in records_of(display, line, max_line):
            head_records.append(record)
            parsed += record.data is not None
            if parsed >= DETECTION_SAMPLE:
                break
        if parsed >= DETECTION_SAMPLE:
            break
    result, spec = engine.start_file(display, settings, emit, head_records)
    # The file's states are the first batch's, which absorb the others' in file order.
    merged = RecordChecker(display, settings, spec, engine.implementations, emit, [], feeds.split)
    run_settings = engine._run_settings()
    applies = [i for i, (impl, _) in enumerate(feeds.run_checks)
               if spec is not None and impl.applies_to(spec.name, spec.tags)]
    run_codes = [feeds.run_checks[i][0].code for i in applies]
    job = FileJob(display, settings, spec.name if spec is not None else None, max_line, run_codes,
                  {code: run_settings.options[code] for code in run_codes}, engine._run_context(), feeds.split)
    if engine._pool is None:
        engine._pool = make_pool(engine.jobs)
    pool: ProcessPoolExecutor = engine._pool
    pending: deque[Future] = deque()
    records = 0
    saw_content = False

    def absorb(chunk: ChunkResult, first: bool) -> None:
        nonlocal records
        emit.findings.extend(chunk.findings)
        records += chunk.records
        for j, part in enumerate(chunk.dataset_states):
            if first:
                merged.dataset_states[j] = (merged.dataset_states[j][0], part)
            else:
                merged.dataset_states[j][1].merge(part)
        for i, part in zip(applies, chunk.run_states):
            impl, state = feeds.run_checks[i]
            if first:
                feeds.run_checks[i] = (impl, part)  # the list is the caller's: it sees the new state
            else:
                state.merge(part)
        if engine.progress is not None:
            engine.progress.advance(chunk.records, position.tell())

    absorbed = 0
    try:
        for batch in _batches(_chain(head_lines, lines)):
            saw_content = saw_content or any(line.index >= 0 for line in batch)
            with _main_hidden():  # a submit may start a worker process
                pending.append(pool.submit(check_lines, job, batch))
            while len(pending) >= IN_FLIGHT_PER_WORKER * engine.jobs:
                absorb(pending.popleft().result(), absorbed == 0)
                absorbed += 1
        while pending:
            absorb(pending.popleft().result(), absorbed == 0)
            absorbed += 1
    finally:
        for future in pending:
            future.cancel()
    if not saw_content:
        emit.raw("S004", "file is empty: no records", Location(display, 1))
    result.records = records
    engine.finish_file(result, merged.dataset_states, emit)
    return result


def _chain(head: list[RawLine | LineRun], rest: Iterable[RawLine | LineRun]) -> Iterator[RawLine | LineRun]:
    yield from head
    yield from rest


def _batches(lines: Iterable[RawLine | LineRun]) -> Iterator[list[RawLine | LineRun]]:
    batch: list[RawLine | LineRun] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += line.size
        if size >= CHUNK_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
