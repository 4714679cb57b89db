"""One entity per span: decide between recognizers that claim overlapping text.

Without an NLP model presidio scores by pattern alone, so the same characters come back under
several names: a valid US SSN `536-90-4399` is also a phone number in some region, the URL
recognizer fires on `gmail.com` inside `john@gmail.com`, a card number contains phone-shaped
runs. The stronger claim wins: higher score first (checksums and validated shapes score 1.0),
then the more specific entity, then the longer span. Phone matches shaped like an SSN
(3-2-4 digits) or a date are dropped outright: presidio's SSN recognizer already rejected them
as SSNs (area 000/666, known sample numbers) and no phone plan formats numbers that way; so
are digit groups inside an IBAN- or card-shaped string whose checksum failed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .analyzer import Raw
from .entities import NER_ENTITIES, SECRET_ENTITIES

PRIORITY: dict[str, int] = {
    **{e: 100 for e in SECRET_ENTITIES},
    "CREDIT_CARD": 90, "IBAN_CODE": 90, "CRYPTO": 85, "EMAIL_ADDRESS": 80,
    "US_SSN": 70, "US_ITIN": 70, "UK_NHS": 65, "IP_ADDRESS": 60, "MAC_ADDRESS": 60,
    "PHONE_NUMBER": 50, "URL": 20,
    **{e: 10 for e in NER_ENTITIES},
}
_NOT_A_PHONE = re.compile(r"\d{3}([- .])\d{2}\1\d{4}|\d{4}([-/.])\d{1,2}\2\d{1,2}|\d{1,2}([-/.])\d{1,2}\3\d{4}")


# An account number with a country prefix, checksum valid or not: its digit groups are no phone.
# Same for a card-shaped number (4-4-4-4, 4-6-5) whose Luhn check failed.
_ACCOUNT_SHAPE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"
                            r"|\b\d{4}([ -]?)\d{4}\1\d{4}\1\d{1,7}\b|\b\d{4}([ -]?)\d{6}\2\d{5}\b")


def _plausible(text: str, r: Raw) -> bool:
    if r.entity != "PHONE_NUMBER":
        return True
    if _NOT_A_PHONE.fullmatch(text[r.start:r.end]):
        return False
    return not any(m.start() <= r.start and r.end <= m.end() for m in _ACCOUNT_SHAPE.finditer(text))


def resolve(text: str, results: Iterable[Raw]) -> list[Raw]:
    """Non-overlapping results, in text order. Named entities never override a pattern entity."""
    candidates = [r for r in results if r.end > r.start and _plausible(text, r)]
    candidates.sort(key=lambda r: (r.entity not in NER_ENTITIES, r.score, PRIORITY.get(r.entity, 40), r.end - r.start),
                    reverse=True)
    kept: list[Raw] = []
    for r in candidates:
        if all(r.end <= k.start or k.end <= r.start for k in kept):
            kept.append(r)
    kept.sort(key=lambda r: (r.start, r.end))
    return kept
