"""Mask PII in free text that another rule is about to quote (an excerpt, a truncated tail).

Rules outside family P sometimes put record text into messages: a response's last words, a
repeated phrase. Passing it through `mask_pii` first keeps the promise that no output shows a
raw e-mail, number or key, at the cost of a prefilter pass on the quoted text (microseconds;
presidio runs only when the prefilter lets it).
"""
from __future__ import annotations

import functools
from typing import Any

from .scan import Settings, detect_text, settings_for


@functools.cache
def _settings() -> Settings:
    from ..rulepack import load_rules

    return settings_for("P301", dict(load_rules()["P301"].options))


def mask_pii(text: str) -> str:
    if not text:
        return text
    detections = detect_text(text, _settings())
    if not detections:
        return text
    out, last = [], 0
    for d in detections:
        out += [text[last:d.start], d.masked]
        last = d.end
    out.append(text[last:])
    return "".join(out)


def mask_tree(value: Any) -> Any:
    """`mask_pii` over every string (keys included) of a JSON-like value: statistics that list
    texts, such as the most common response openings."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {mask_tree(k) if isinstance(k, str) else k: mask_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_tree(v) for v in value)
    return value
