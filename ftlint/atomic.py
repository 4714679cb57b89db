"""Atomic file replacement: a reader (another run, a crash mid-write) sees the old file or the
new one, never half of one. Import-light on purpose: the cache-hit fast path uses it too."""
from __future__ import annotations

import os
import tempfile


def write_atomically(path: str | os.PathLike, data: bytes, prefix: str = ".tmp-") -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.fspath(path)) or ".", prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
