"""One entity per span: decide between recognizers that claim overlapping text.

Without an NLP model presidio scores by pattern alone, so the same characters come back under
several names: a valid US SSN `536-90-4399` is also a phone number in some region, the URL
recognizer fires on `gmail.com` inside `john@gmail.com`, a card number contains phone-shaped
runs. The stronger claim wins: higher score first (checksums and validated shapes score 1.0),
then the more specific entity, then the longer span. Phone matches shaped like an SSN
(3-2-4 digits) or a date are dropped outright: presidio's SSN recognizer already rejected them
as SSNs (area 000/666, known sample numbers) and no phone plan formats numbers that way; so
are digit groups inside an IBAN- or card-shaped string whose checksum failed, ranges (4000-4999),
and numbers next to an arithmetic operator (math answers are full of Luhn-valid sums). Card
numbers must be written whole or in the groups card issuers print (4-4-4-4, 4-6-5).
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


_DIGIT_ENTITIES = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "US_ITIN", "UK_NHS", "US_BANK_NUMBER",
                             "US_PASSPORT", "AU_TFN", "IN_AADHAAR"})
_MATH_BEFORE = re.compile(r"(?:[=+×*/÷^]|--)\s{0,3}$")
_MATH_AFTER = re.compile(r"^\s{0,3}[=+×*/÷^]")
_MATH_WORDS = re.compile(r"(?i)\b(?:sum|result|total|product|quotient|difference|equals?|answer|calculat\w*|solve|compute)\b")
_RANGE = re.compile(r"([1-9]\d{2,3})-([1-9]\d{2,3})")
_CARD_GROUPS = {(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 3), (4, 4, 5), (4, 4, 4, 2)}


def _plausible(text: str, r: Raw) -> bool:
    if r.entity not in _DIGIT_ENTITIES:
        return True
    value = text[r.start:r.end]
    # Arithmetic: "95808 + 3036165596 = 3045734404" holds sums, not phone or card numbers.
    if _MATH_BEFORE.search(text, max(0, r.start - 8), r.start) or _MATH_AFTER.match(text[r.end:r.end + 8]):
        return False
    before = text[r.start - 1] if r.start else ""
    if before in ".," and r.start > 1 and text[r.start - 2].isdigit():
        return False  # the decimals of 275.43397884615385
    if value.startswith("+") and (before.isdigit() or before == ")"):
        return False  # 821091117+4908374100427: a sum, not +49 ...
    if value.isdigit() and _MATH_WORDS.search(text, max(0, r.start - 40), r.start):
        return False  # "the sum is 1007411131329104": an unformatted number in a calculation
    if r.entity == "CREDIT_CARD" and not value.isdigit():
        groups = tuple(len(g) for g in re.split(r"[ -]", value))
        if groups not in _CARD_GROUPS:  # 355909190063-746 is no way to write a card number
            return False
    if r.entity != "PHONE_NUMBER":
        return True
    if _NOT_A_PHONE.fullmatch(value):
        return False
    span = _RANGE.fullmatch(value)
    if span and len(span.group(1)) == len(span.group(2)) and int(span.group(1)) < int(span.group(2)):
        return False  # 4000-4999: a range
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
