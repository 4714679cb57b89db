"""The cheap gate in front of presidio: which entity types could possibly occur in a text.

presidio's analyzer costs 0.2-0.5 ms per text even when it finds nothing; these tests cost a
microsecond or two. Each trigger is a necessary condition of its recognizers' own patterns
(an e-mail needs an `@`, every phone, card or ID number needs a run of seven digits with at most
three separators between them, an IBAN starts with two letters and two digits), so skipping a
text that fails them cannot lose a detection; tests/test_privacy_accuracy.py checks exactly that
on labelled data, with and without the gate. Entities without a trigger (named entities, which
need a model anyway) always go to the analyzer.
"""
from __future__ import annotations

import re

from .entities import SECRET_ENTITIES
from .secrets import TRIGGER as SECRET_TRIGGER

_DIGITS = re.compile(r"\d(?:[\s().\-/+]{0,3}\d){6}")

TRIGGERS: dict[str, re.Pattern[str] | str] = {
    "at": "@",
    "digits": _DIGITS,
    "iban": re.compile(r"(?i)[a-z]{2}\d{2}(?:[ -]?[a-z0-9]){11}"),
    "ipv4": re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"),
    "colons": re.compile(r"(?i)[0-9a-f]{0,4}:[0-9a-f]{0,4}:"),
    "mac": re.compile(r"(?i)[0-9a-f]{2}[:-][0-9a-f]{2}[:-][0-9a-f]{2}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}"),
    "crypto": re.compile(r"(?:bc1|[13])[a-zA-HJ-NP-Z0-9]{25,}"),
    "url": re.compile(r"(?i)https?://|www\d{0,3}\.|[a-z0-9]\.[a-z]{2,}"),
    "digit": re.compile(r"\d"),
    "secret": SECRET_TRIGGER,
}

# entity -> the triggers of which at least one must fire; an entity not listed has no gate.
GATES: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("at",),
    "PHONE_NUMBER": ("digits",),
    "CREDIT_CARD": ("digits",),
    "US_SSN": ("digits",),
    "US_ITIN": ("digits",),
    "UK_NHS": ("digits",),
    "US_BANK_NUMBER": ("digits",),
    "ABA_ROUTING_NUMBER": ("digits",),
    "IBAN_CODE": ("iban",),
    "IP_ADDRESS": ("ipv4", "colons"),
    "MAC_ADDRESS": ("mac",),
    "CRYPTO": ("crypto",),
    "URL": ("url",),
    **{e: ("digit",) for e in ("US_PASSPORT", "US_DRIVER_LICENSE", "MEDICAL_LICENSE", "UK_NINO", "IN_AADHAAR",
                               "IN_PAN", "AU_TFN", "AU_ABN", "AU_MEDICARE", "SG_NRIC_FIN")},
}


def _fires(name: str, text: str) -> bool:
    trigger = TRIGGERS[name]
    return trigger in text if isinstance(trigger, str) else trigger.search(text) is not None


def possible_entities(text: str, entities: frozenset[str], memo: dict[str, bool] | None = None) -> frozenset[str]:
    """The subset of `entities` the text could hold; `memo` keeps trigger outcomes per text."""
    memo = {} if memo is None else memo
    found = []
    for entity in entities:
        gates = ("secret",) if entity in SECRET_ENTITIES else GATES.get(entity)
        if gates is None:
            found.append(entity)
            continue
        for name in gates:
            fired = memo.get(name)
            if fired is None:
                fired = memo[name] = _fires(name, text)
            if fired:
                found.append(entity)
                break
    return frozenset(found)
