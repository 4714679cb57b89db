"""Token counting for the T rules: tokenizers, chat templates and per-record counts.

Nothing heavy is imported here: `tokenizers`, `bpe_openai` and `jinja2` load on the first count,
once per process, through a cache keyed by the resolved tokenizer setting.
"""
from __future__ import annotations

from .settings import TokenizerSpec, resolve_tokenizer

__all__ = ["TokenizerSpec", "resolve_tokenizer"]
