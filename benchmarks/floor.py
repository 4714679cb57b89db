"""The bare floor every benchmark compares with: orjson parse + normalise (ftlint's own:
NFKC for non-ASCII text, case folding, whitespace collapsed) + a 64-bit blake2b of every
record's text, on one core — the least any linter must do to look at every record. One
definition, so the ratios of all the benchmark scripts mean the same thing."""
from __future__ import annotations

import hashlib
from typing import Any

import orjson

from ftlint.textview import normalise


def record_text(data: Any) -> str:
    """Every top-level string and every message `content` of a record, one per line."""
    texts = []
    for value in data.values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.extend(m.get("content") or "" for m in value if isinstance(m, dict))
    return "\n".join(texts)


def floor_pass(path: str) -> int:
    """Parse, normalise and hash every record of a JSONL file; the number of records."""
    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            hashlib.blake2b(normalise(record_text(orjson.loads(line))).encode("utf-8", "surrogatepass"),
                            digest_size=8).digest()
            n += 1
    return n
