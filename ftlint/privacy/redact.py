"""Redaction with presidio-anonymizer: the same detections the P rules report, replaced in place.

`redact_record(data, format)` returns a redacted copy of a record and the number of values
replaced per entity type; `ftlint fix --redact` (ftlint/fixes/redact.py) calls it per record and
writes the file atomically. Placeholders default to presidio's `<EMAIL_ADDRESS>` style, which
keeps the sentence readable for training ("mail me at <EMAIL_ADDRESS>"); `mask` stars the value,
`hash` puts presidio's SHA-256 with a random salt per value (so a phone number's hash can be
neither brute-forced nor linked across records), `remove` deletes it.
"""
from __future__ import annotations

import copy
import functools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .analyzer import quiet
from .scan import Detection, Settings, detect_texts, settings_for, texts_of

OPERATORS = ("replace", "mask", "hash", "remove")
DEFAULT_PLACEHOLDER = "<{entity}>"
DEFAULT_CODES = ("P101", "P102", "P103", "P201")


@functools.cache
def _engine() -> Any:
    quiet()
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def _operators(entities: Iterable[str], operator: str, placeholder: str) -> dict[str, Any]:
    from presidio_anonymizer.entities import OperatorConfig

    if operator not in OPERATORS:
        raise ValueError(f"unknown redaction operator {operator!r} (expected one of {', '.join(OPERATORS)})")
    configs = {}
    for entity in entities:
        if operator == "replace":
            configs[entity] = OperatorConfig("replace", {"new_value": placeholder.replace("{entity}", entity)})
        elif operator == "mask":
            configs[entity] = OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 10_000, "from_end": False})
        elif operator == "hash":
            configs[entity] = OperatorConfig("hash", {"hash_type": "sha256"})
        else:
            configs[entity] = OperatorConfig("redact", {})
    return configs


def redact_text(text: str, detections: list[Detection], operator: str = "replace",
                placeholder: str = DEFAULT_PLACEHOLDER) -> str:
    """`text` with every detection replaced (detections never overlap: the scan resolved them)."""
    if not detections:
        return text
    from presidio_anonymizer.entities import RecognizerResult

    results = [RecognizerResult(d.entity, d.start, d.end, d.score) for d in detections]
    operators = _operators({d.entity for d in detections}, operator, placeholder)
    return _engine().anonymize(text=text, analyzer_results=results, operators=operators).text


def default_settings(codes: Iterable[str] = DEFAULT_CODES, rule_options: dict[str, dict[str, Any]] | None = None
                     ) -> list[Settings]:
    """The settings of the rules whose findings redaction removes: the rule pack's defaults, or
    the options a configuration sets for them (so `fix` removes exactly what `check` reports)."""
    from ..rulepack import load_rules

    rules = load_rules()
    out = []
    for code in codes:
        options = (rule_options or {}).get(code) or dict(rules[code].options)
        if code == "P104" and not options.get("spacy-model"):
            continue
        out.append(settings_for(code, options))
    return out


def _set(data: Any, path: tuple, value: str) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def redact_record(data: Any, format_name: str | None = None, settings: list[Settings] | None = None,
                  operator: str = "replace", placeholder: str = DEFAULT_PLACEHOLDER) -> tuple[Any, Counter[str]]:
    """A redacted copy of `data` (the original is never modified) and counts per entity type.

    `format_name` gives roles to the texts (so `roles` options apply as in `check`); without it
    every string counts as `other`. Returns `data` itself when nothing was found.
    """
    turns: list[Any] = []
    if format_name:
        from ..formats import FORMATS
        from ..model import Record

        spec = FORMATS.get(format_name)
        if spec is not None:
            try:
                turns = spec.to_sample(Record("<redact>", 0, data)).all_turns()
            except (AttributeError, KeyError, TypeError, ValueError, IndexError):
                turns = []  # a record its format cannot read: scan its strings as `other`
    texts = texts_of(data, turns)
    per_path: dict[tuple, dict[tuple[int, int], Detection]] = {}
    for s in settings if settings is not None else default_settings():
        for d in detect_texts(texts, s):
            spans = per_path.setdefault(d.path, {})
            if all(d.end <= a or b <= d.start for a, b in spans):  # rules never claim overlapping spans
                spans[(d.start, d.end)] = d
    counts: Counter[str] = Counter()
    if not per_path:
        return data, counts
    redacted = copy.deepcopy(data)
    by_path = {t.path: t for t in texts}
    for path, spans in per_path.items():
        detections = sorted(spans.values(), key=lambda d: d.start)
        counts.update(d.entity for d in detections)
        _set(redacted, path, redact_text(by_path[path].text, detections, operator, placeholder))
    return redacted, counts
