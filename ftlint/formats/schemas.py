"""Schema validation: jsonschema-rs decides valid/invalid fast; jsonschema explains failures.

The Rust validator is ~100x faster than the pure-Python one, but the Python one gives the error
tree we turn into field paths and messages. Since almost every record is valid, asking the
slow validator only about failures keeps its detail at nearly the fast one's price.
"""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema_rs

from ..rulepack import load_schema

COMMON = "common.json"


def bundle(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline `common.json` definitions so both validators work without a reference registry."""
    common_defs = load_schema(COMMON).get("$defs", {})
    bundled = copy.deepcopy(schema)
    defs = bundled.setdefault("$defs", {})
    for name, definition in common_defs.items():
        defs.setdefault(name, definition)

    def rewrite(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMMON + "#"):
                node["$ref"] = ref[len(COMMON):]
            for value in node.values():
                rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(bundled)
    return bundled


class FormatValidator:
    def __init__(self, format_name: str) -> None:
        self.schema = bundle(load_schema(f"{format_name}.json"))
        self._fast = jsonschema_rs.Draft202012Validator(self.schema)
        self._slow = jsonschema.Draft202012Validator(self.schema)

    def is_valid(self, data: Any) -> bool:
        try:
            return self._fast.is_valid(data)
        except (ValueError, TypeError, UnicodeError):  # e.g. a lone surrogate in a key
            return self._slow.is_valid(data)

    def explain(self, data: Any) -> Iterator[tuple[str, str]]:
        """Yield (field path, message) for each schema error, most specific cause first."""
        errors = sorted(self._slow.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
        for error in errors:
            if error.context:
                error = jsonschema.exceptions.best_match(error.context) or error
            yield field_path(error.absolute_path), _message(error)


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, with a long offending value shortened (it may be a whole turn)."""
    message = error.message
    full = repr(error.instance)
    if message.startswith(full):  # show the value as JSON (null, true), not as a Python repr
        message = _short(error.instance) + message[len(full):]
    return message if len(message) <= 240 else message[:237] + "..."


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_path(parts: Any) -> str:
    """`messages[2].role` style, the way users write paths into JSON records."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@functools.cache
def validator_for(format_name: str) -> FormatValidator:
    return FormatValidator(format_name)
