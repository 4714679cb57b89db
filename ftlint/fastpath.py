"""Replays the output of an unchanged `ftlint check` without importing the linter.

A CI job or pre-commit hook re-runs `ftlint check` on datasets that did not change. The result
cache already skips the linting, but importing the linter, its configuration and its reporters
still costs ~10x a bare `python -c pass`. So a plain `ftlint check` (no output file, no
baseline update) records what it printed together with everything that output depended on:
ftlint's own code, the configuration file, the baseline, each dataset file's stat signature
(size, mtime, ctime, inode: `touch -r` cannot forge a ctime) and the directories searched. The
next identical invocation (same arguments, directory, environment and terminal) checks those with
a few `stat` calls and prints the recorded bytes. Anything different, or any doubt, falls through
to the full path, which then re-validates by content hash (`ftlint.cache`).

This module imports only the standard library's smallest modules; entries are marshalled data
(no code) authenticated with the result cache's per-user key (keyed BLAKE2b), so a planted entry
is ignored.
"""
from __future__ import annotations

import marshal
import os
import sys

# hashlib and hmac load OpenSSL (~5 ms, half of a bare interpreter's start-up); the built-in
# BLAKE2 module is enough: keyed BLAKE2b is a MAC by design (RFC 7693), no HMAC construction needed.
try:
    from _blake2 import blake2b
except ImportError:  # an interpreter without the built-in module
    from hashlib import blake2b
try:
    from _operator import _compare_digest as compare_digest  # what hmac.compare_digest falls back to
except ImportError:
    from hmac import compare_digest

VERSION = "0.1.0"  # must match ftlint.__version__ (a test checks it)
CONFIG_NAMES = ("ftlint.toml", "pyproject.toml")
# Options whose run has effects beyond printing, or whose inputs this module cannot see.
# (argparse also accepts unambiguous prefixes, `--output-f`, and clustered short flags, `-qo`.)
_NOT_REPLAYED = ("--output-file", "--update-baseline", "--no-cache", "--split-context", "--help", "--version")
_SHORT_NOT_REPLAYED = "oh"
_VOLATILE_ENV = ("_", "OLDPWD", "SHLVL", "PS1", "PROMPT_COMMAND", "COLUMNS", "LINES",
                 # thread counts the command itself sets (ftlint.cli): they change no output
                 "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_COMMANDS = ("check", "baseline", "rule", "rules", "formats", "stats", "report", "fix")
_SUFFIXES = (".py", ".toml", ".json")


def code_fingerprint(package_dir: str | None = None) -> str:
    """ftlint's version plus the name, size and mtime of its code and rule pack, so a development
    checkout whose rules change without a version bump never serves stale results."""
    package_dir = package_dir or os.path.dirname(os.path.abspath(__file__))
    digest = blake2b(VERSION.encode())
    for root in (package_dir, _rules_dir(package_dir)):
        if root is None:
            continue
        entries = []
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            for name in files:
                if name.endswith(_SUFFIXES):
                    path = os.path.join(directory, name)
                    try:
                        stat = os.stat(path)
                    except OSError:
                        continue
                    entries.append(f"{os.path.relpath(path, root)}:{stat.st_size}:{stat.st_mtime_ns}")
        digest.update("\n".join(sorted(entries)).encode())
    return digest.hexdigest()


def _rules_dir(package_dir: str) -> str | None:
    for candidate in (os.path.join(package_dir, "rules"), os.path.join(os.path.dirname(package_dir), "rules")):
        if os.path.isdir(os.path.join(candidate, "schemas")):
            return candidate
    return None


def _signing_key() -> bytes | None:
    """The result cache's per-user key (created by the first full run); None: no replay."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    try:
        with open(os.path.join(base, "ftlint", "cache-signing-key"), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def eligible(argv: list[str]) -> bool:
    """A `check` that only prints (the default command when the first word is not a command)."""
    if argv and argv[0] in _COMMANDS and argv[0] != "check":
        return False
    for arg in argv:
        if any(c in arg for c in "*?["):
            return False  # a glob: which files it matches is not a stat away
        if arg.startswith("--"):
            name = arg.split("=", 1)[0]
            if len(name) > 2 and any(option.startswith(name) for option in _NOT_REPLAYED):
                return False
        elif arg.startswith("-") and len(arg) > 1 and any(flag in arg[1:] for flag in _SHORT_NOT_REPLAYED):
            return False
    return True


def find_config(start: str) -> str | None:
    """The configuration file `ftlint.config.find_config_file` would pick (same rules)."""
    directory = start
    while True:
        candidate = os.path.join(directory, "ftlint.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    if b"[tool.ftlint" in fh.read():
                        return candidate
            except OSError:
                pass
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _cache_dir(argv: list[str], cwd: str, config: str | None) -> str:
    for index, arg in enumerate(argv):
        if arg == "--cache-dir" and index + 1 < len(argv):
            return os.path.join(cwd, argv[index + 1])
        if arg.startswith("--cache-dir="):
            return os.path.join(cwd, arg.split("=", 1)[1])
    return os.path.join(os.path.dirname(config) if config else cwd, ".ftlint_cache")


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def invocation_key(argv: list[str], cwd: str, config: str | None) -> str:
    environment = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE_ENV)
    parts = [VERSION, code_fingerprint(), cwd, repr(argv), repr(config), repr(environment),
             repr((_isatty(sys.stdout), _isatty(sys.stderr)))]
    return blake2b("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def signature(path: str) -> str | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


_MAC_BYTES = 32


def _mac(key: bytes, payload: bytes) -> bytes:
    # BLAKE2b takes keys of at most 64 bytes; hashing a longer key first keeps any key usable.
    if len(key) > 64:
        key = blake2b(key).digest()
    return blake2b(payload, key=key, digest_size=_MAC_BYTES).digest()


def _entry_path(cache_dir: str, key: str) -> str:
    return os.path.join(cache_dir, VERSION, "replay", key[:40])


def replay(argv: list[str]) -> int | None:
    """Print the recorded output and return its exit code, or None to run ftlint for real."""
    if not eligible(argv):
        return None
    key_bytes = _signing_key()
    if key_bytes is None:
        return None
    cwd = os.getcwd()
    config = find_config(cwd)
    key = invocation_key(argv, cwd, config)
    try:
        with open(_entry_path(_cache_dir(argv, cwd, config), key), "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    mac, payload = blob[:_MAC_BYTES], blob[_MAC_BYTES:]
    if not compare_digest(mac, _mac(key_bytes, payload)):
        return None
    try:
        entry = marshal.loads(payload)
        if entry["key"] != key:
            return None
        for path, recorded in entry["depends"]:
            if signature(path) != recorded:
                return None
        stdout, stderr, code = entry["stdout"], entry["stderr"], entry["code"]
    except (ValueError, EOFError, TypeError, KeyError):
        return None
    _write(sys.stdout, stdout)
    if stderr:
        _write(sys.stderr, stderr)
    return int(code)


def _write(stream: object, data: bytes) -> None:
    stream.flush()  # type: ignore[attr-defined]
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(data)
    else:  # a text-only stream (a test's capture)
        stream.write(data.decode(getattr(stream, "encoding", None) or "utf-8", "replace"))  # type: ignore[attr-defined]
    stream.flush()  # type: ignore[attr-defined]


class Recorder:
    """Stands in for sys.stdout / sys.stderr during a full run and keeps what was written."""

    def __init__(self, stream: object) -> None:
        self._stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self._stream.write(text)  # type: ignore[attr-defined]

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)

    def data(self) -> bytes:
        encoding = getattr(self._stream, "encoding", None) or "utf-8"
        return "".join(self.parts).encode(encoding, "backslashreplace")


def record(argv: list[str], code: int, stdout: Recorder, stderr: Recorder, depends: list[str],
           cache_dir: str) -> None:
    """Store a finished run's output with the signatures of what it depended on. A dependency
    modified within the last two seconds could change again unseen within one mtime tick: then
    nothing is stored."""
    import time

    key_bytes = _signing_key()
    if key_bytes is None or code not in (0, 1):
        return
    cwd = os.getcwd()
    config = find_config(cwd)
    if os.path.join(os.path.dirname(config) if config else cwd, ".ftlint_cache") != os.path.abspath(cache_dir) \
            and _cache_dir(argv, cwd, config) != os.path.abspath(cache_dir):
        return  # a `cache-dir` set in the configuration: the replay would not find it
    signatures = []
    now = time.time()
    for path in dict.fromkeys(os.path.abspath(p) for p in [*depends, *([config] if config else [])]):
        recorded = signature(path)
        if recorded is None:
            return
        try:
            stat = os.stat(path)
        except OSError:
            return
        if now - max(stat.st_mtime, stat.st_ctime) < 2.0:
            return
        signatures.append((path, recorded))
    key = invocation_key(argv, cwd, config)
    payload = marshal.dumps({"key": key, "depends": signatures, "stdout": stdout.data(), "stderr": stderr.data(),
                             "code": code})
    path = _entry_path(os.path.abspath(cache_dir), key)
    try:
        from .atomic import write_atomically

        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomically(path, _mac(key_bytes, payload) + payload)
    except OSError:
        pass


def directories_searched(paths: list[str], is_excluded: object) -> list[str]:
    """Every directory a search of `paths` walks into (minus excluded ones): a file added or
    removed anywhere in them changes that directory's mtime."""
    from pathlib import Path

    found = []
    for raw in paths:
        if not os.path.isdir(raw):
            continue
        for directory, subdirs, _ in os.walk(raw):
            subdirs[:] = [d for d in subdirs if not is_excluded(Path(directory, d))]  # type: ignore[operator]
            found.append(directory)
    return found
