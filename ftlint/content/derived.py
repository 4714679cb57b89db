"""What a record rule derives from its options (word sets, compiled phrase lists), built once per
options dict instead of once per record.

The engine hands a rule the same options dict for every record of a file, so the dict's identity
is a free cache key; the entry keeps a reference to the dict, so its id cannot be reused by
another dict while the entry lives. Rebuilding per record cost more than some rules' checks
(a tuple of 60 echo verbs hashed for an `lru_cache` look-up on every call).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 256  # options dicts alive at once: one per rule per file format; cleared beyond

_ENTRIES: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}


def derived(options: dict[str, Any], name: str, build: Callable[[dict[str, Any]], T]) -> T:
    """`build(options)`, cached for this options dict under `name` (one name per rule)."""
    entry = _ENTRIES.get((id(options), name))
    if entry is not None and entry[0] is options:
        return entry[1]
    if len(_ENTRIES) >= MAX_ENTRIES:
        _ENTRIES.clear()
    value = build(options)
    _ENTRIES[(id(options), name)] = (options, value)
    return value
