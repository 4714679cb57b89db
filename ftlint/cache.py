"""Per-file result cache keyed by content, settings and ftlint's own code, like ruff's.

A re-run on unchanged datasets (a pre-commit hook with `--all-files`, CI on a big repo) hashes
each file instead of linting it. An entry holds the file's findings and the compact states it
fed to run-wide rules (duplicate hashes, sketches), so cross-file rules still see cached files.
A second kind of entry holds a whole run's report, keyed by every file's content: a run in which
nothing changed neither re-merges run-wide states nor imports a single rule module.

Hashing a 1 GB file costs a second, so a file's content hash is remembered next to its `stat`
signature (size, mtime, ctime, inode), as git's index does: an unchanged signature means an
unchanged file and is not re-hashed. `touch -r` and friends cannot forge the ctime, and a file
modified within two seconds of being hashed is never remembered (it could change again within the
same timestamp tick).

Entries are pickles, so each is signed with a per-user key kept outside the repository: an entry
someone else wrote (a committed cache directory, a shared volume) is ignored, never unpickled.
Entries are written atomically (temp file + rename), so concurrent runs (pre-commit runs hooks in
parallel) never read half an entry; a corrupt, foreign or vanished entry is a cache miss, never
an error. The cache cleans itself: an entry not used for `MAX_AGE_DAYS` is deleted, and beyond
`MAX_BYTES` the least recently used go first (a hit refreshes the entry's mtime); cleaning runs at
most once an hour and only after a run that wrote something, so a cache hit never pays for it.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import pickle
import time
from pathlib import Path

from .atomic import write_atomically
from typing import Any

from . import __version__

CACHE_DIR_NAME = ".ftlint_cache"
MAX_AGE_DAYS = 14
MAX_BYTES = 1 << 30
PRUNE_INTERVAL = 3600.0  # seconds between two cleanings of one cache directory
RACY_SECONDS = 2.0  # a file modified this recently is hashed every time
_DIGEST = hashlib.sha256().digest_size


@functools.cache
def code_fingerprint() -> str:
    """ftlint's version plus the size and mtime of its code and rule pack, so a development
    checkout whose rules change without a version bump never serves stale results (shared with
    the replay fast path, which must not import this module)."""
    from .fastpath import code_fingerprint as fingerprint

    return fingerprint()


@functools.cache
def _signing_key() -> bytes:
    """A random per-user secret in the user's cache directory (not in the repository)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ftlint"
    path = base / "cache-signing-key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    key = os.urandom(32)
    try:
        base.mkdir(parents=True, exist_ok=True)
        write_atomically(path, key)
        return path.read_bytes()  # another process may have won the race: use its key
    except OSError:
        return key  # unwritable home: this process's entries are only valid for itself


def fingerprint_of(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=_plain).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    return str(value)


def content_hash(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None  # unreadable files are never cached: the engine reports them
    return digest.hexdigest()


def _sign(payload: bytes) -> bytes:
    return hmac.new(_signing_key(), payload, hashlib.sha256).digest()


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.root = Path(directory)
        self.directory = self.root / __version__
        self.hits = 0  # files served from the cache
        self.writes = 0
        self._hashes: dict[Path, str | None] = {}

    # ------------------------------------------------------------------ content hashes

    def content_hash(self, path: Path) -> str | None:
        """sha256 of the file, re-using the hash remembered for an unchanged stat signature."""
        path = Path(path)
        if path in self._hashes:
            return self._hashes[path]
        try:
            stat = path.stat()
        except OSError:
            return None
        signature = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}:{stat.st_dev}"
        entry = self.directory / "stat" / hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
        remembered = self._read_signed(entry)
        digest = None
        if remembered is not None:
            known, _, value = remembered.decode("ascii", "replace").partition(" ")
            if known == signature and len(value) == 64:
                digest = value
        if digest is None:
            digest = content_hash(path)
            racy = time.time() - max(stat.st_mtime, stat.st_ctime) < RACY_SECONDS
            if digest is not None and not racy:
                self._write_signed(entry.parent, entry.name, f"{signature} {digest}".encode())
        self._hashes[path] = digest
        return digest

    # ------------------------------------------------------------------ keys

    def key(self, path: Path, display: str, settings: Any, extra: Any = None) -> str | None:
        """One file's entry: its content, its settings and what run-wide rules it feeds."""
        content = self.content_hash(path)
        if content is None:
            return None
        parts = [code_fingerprint(), fingerprint_of(settings), fingerprint_of(extra), content, display]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def run_key(self, files: list[tuple[Path, str]], config: Any) -> str | None:
        """A whole run's entry: every file's content and display name plus the configuration
        (its table and command-line layer determine every file's settings)."""
        contents = []
        for path, display in files:
            content = self.content_hash(path)
            if content is None:
                return None
            contents.append([display, content])
        parts = ["run", code_fingerprint(), fingerprint_of(config), fingerprint_of(contents)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    # ------------------------------------------------------------------ entries

    def get(self, key: str, files: int = 1) -> Any:
        """The entry under `key` or None; a hit counts `files` files served from the cache."""
        path = self.directory / f"{key}.pickle"
        payload = self._read_signed(path)
        if payload is None:
            return None
        try:
            value = pickle.loads(payload)
        except Exception:  # a pickle from an older layout of ftlint's classes
            return None
        try:
            os.utime(path)  # recently used: the cleaner keeps it
        except OSError:
            pass
        self.hits += files
        return value

    def put(self, key: str, value: Any) -> None:
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        if self._write_signed(self.directory, f"{key}.pickle", payload):
            self.writes += 1

    def _read_signed(self, path: Path) -> bytes | None:
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        signature, payload = blob[:_DIGEST], blob[_DIGEST:]
        if not hmac.compare_digest(signature, _sign(payload)):
            return None
        return payload

    def _write_signed(self, directory: Path, name: str, payload: bytes) -> bool:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.root)
            write_atomically(directory / name, _sign(payload) + payload)
            return True
        except OSError:
            return False  # a read-only checkout still lints; it just does not cache

    # ------------------------------------------------------------------ cleaning

    def maybe_prune(self, now: float | None = None) -> bool:
        """Clean the cache if this run wrote to it and no run cleaned it in the last hour."""
        now = time.time() if now is None else now
        marker = self.root / ".last-prune"
        if not self.writes:
            return False
        try:
            if now - marker.stat().st_mtime < PRUNE_INTERVAL:
                return False
        except OSError:
            pass
        try:
            marker.touch()
        except OSError:
            return False
        self.prune(now)
        return True

    def prune(self, now: float | None = None, max_age_days: float = MAX_AGE_DAYS, max_bytes: int = MAX_BYTES) -> int:
        """Delete entries (of every ftlint version) unused for `max_age_days`, then the least
        recently used until the cache fits in `max_bytes`; returns how many were deleted.
        Safe while other runs use the cache: a deleted entry is their cache miss."""
        now = time.time() if now is None else now
        entries: list[tuple[float, int, Path]] = []
        removed = 0
        files, directories = _walk(self.root)
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.name.startswith(".tmp-"):
                stale = now - stat.st_mtime > PRUNE_INTERVAL  # a writer that died mid-write
                removed += stale and _unlink(path)
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        entries.sort()
        total = sum(size for _, size, _ in entries)
        for mtime, size, path in entries:
            if now - mtime <= max_age_days * 86400 and total <= max_bytes:
                break
            if _unlink(path):
                removed += 1
                total -= size
        for directory in sorted(directories, key=lambda p: -len(p.parts)):
            try:
                directory.rmdir()  # only succeeds when empty
            except OSError:
                pass
        return removed


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    """Files and directories below the version folders of `root`. os.walk skips what vanishes
    while it looks (another run pruning at the same time); Path.glob raises instead."""
    files: list[Path] = []
    directories: list[Path] = []
    for top, dirnames, filenames in os.walk(root):
        here = Path(top)
        if here != root:
            directories.append(here)
            files.extend(here / name for name in filenames)
    return files, directories


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except OSError:
        return False


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by ftlint automatically.\n*\n", encoding="utf-8")
