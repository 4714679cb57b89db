"""What a record rule derives from its options (word sets, compiled phrase lists), built once per
options dict instead of once per record.

The engine hands a rule the same options dict for every record of a file, so the dict's identity
is a free cache key, and holding the dict keeps its id from being reused. Rebuilding per record
cost more than some rules' checks (a tuple of 60 echo verbs hashed for an `lru_cache` look-up on
every call).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PerOptions:
    """`build(options)` for the options dict of the last call: one identity test per record.
    Another dict (another file, another configuration) rebuilds."""

    __slots__ = ("build", "options", "value")

    def __init__(self, build: Callable[[dict[str, Any]], Any]) -> None:
        self.build = build
        self.options: dict[str, Any] | None = None
        self.value: Any = None

    def get(self, options: dict[str, Any]) -> Any:
        if options is not self.options:
            self.value = self.build(options)
            self.options = options  # after the build: a build that raises is not cached
        return self.value
