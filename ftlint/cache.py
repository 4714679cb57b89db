"""Per-file result cache keyed by content, settings and ftlint's own code, like ruff's.

A re-run on unchanged datasets (a pre-commit hook with `--all-files`, CI on a big repo) hashes
each file instead of linting it. An entry holds the file's findings and the compact states it
fed to run-wide rules (duplicate hashes, sketches), so cross-file rules still see cached files.

Entries are pickles, so each is signed with a per-user key kept outside the repository: an entry
someone else wrote (a committed cache directory, a shared volume) is ignored, never unpickled.
Entries are written atomically (temp file + rename), so concurrent runs never read half an
entry; a corrupt or foreign entry is a cache miss, never an error.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR_NAME = ".ftlint_cache"
_DIGEST = hashlib.sha256().digest_size


@functools.cache
def code_fingerprint() -> str:
    """ftlint's version plus the size and mtime of its code and rule pack, so a development
    checkout whose rules change without a version bump never serves stale results."""
    from .rulepack import rules_dir

    digest = hashlib.sha256(__version__.encode())
    for root in (Path(__file__).parent, rules_dir()):
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml", ".json") and path.is_file():
                stat = path.stat()
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


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
        fd, tmp = tempfile.mkstemp(dir=base)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        os.replace(tmp, path)
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


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory) / __version__
        self.hits = 0

    def key(self, path: Path, display: str, settings: Any, extra: Any = None) -> str | None:
        content = content_hash(path)
        if content is None:
            return None
        parts = [code_fingerprint(), fingerprint_of(settings), fingerprint_of(extra), content, display]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, key: str) -> Any:
        try:
            blob = (self.directory / f"{key}.pickle").read_bytes()
        except OSError:
            return None
        signature, payload = blob[:_DIGEST], blob[_DIGEST:]
        if not hmac.compare_digest(signature, hmac.new(_signing_key(), payload, hashlib.sha256).digest()):
            return None
        try:
            value = pickle.loads(payload)
        except Exception:  # a pickle from an older layout of ftlint's classes
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            signature = hmac.new(_signing_key(), payload, hashlib.sha256).digest()
            self.directory.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.directory.parent)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".pickle")
            with os.fdopen(fd, "wb") as fh:
                fh.write(signature + payload)
            os.replace(tmp, self.directory / f"{key}.pickle")
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # a read-only checkout still lints; it just does not cache


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by ftlint automatically.\n*\n", encoding="utf-8")
