"""The cheap gate in front of presidio: which entity types could possibly occur in a text.

presidio's analyzer costs 0.2-0.5 ms per text even when it finds nothing; these tests cost a
few microseconds, mostly substring tests and character counts done in C before any regex runs.
Each trigger is a necessary condition of its recognizers' own patterns (an e-mail needs an `@`;
every phone, card, IBAN or ID number has a run of seven digits with at most three separators
between them; an IPv4 address needs three dots), so skipping a text that fails them cannot lose
a detection. tests/test_privacy_accuracy.py checks exactly that on labelled data, with and
without the gate. Entities without a gate (named entities, which need a model anyway) always go
to the analyzer.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

from .entities import SECRET_ENTITIES
from .secrets import TRIGGER as SECRET_TRIGGER

_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d(?:[\s().\-/+]{0,3}\d){6,}")
# Digit runs that are no entity of the "digits" gate: ISO and European dates, plain decimals.
# No phone plan, card, IBAN or ID number has these shapes (tests hold presidio to it).
_NOT_AN_ID = re.compile(r"\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2\d{4}|\d+\.\d+")
# Patterns that start with a literal character: the regex engine then skips ahead in C.
_IPV4 = re.compile(r"\.\d{1,3}\.\d{1,3}\.\d")
_IPV6 = re.compile(r"(?i):[0-9a-f]{0,4}:")
_MAC = re.compile(r"(?i)[0-9a-f]{2}([:-])[0-9a-f]{2}\1[0-9a-f]{2}")
_CISCO_MAC = re.compile(r"\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}")
_CRYPTO = re.compile(r"[13][a-zA-HJ-NP-Z0-9]{25}")  # presidio's pattern after its 1 or 3
_BECH32 = re.compile(r"bc1[a-zA-HJ-NP-Z0-9]{25}")
_DIGIT_RUN = re.compile(r"\d[\d\s().\-/+]{6,}")  # necessary for _DIGITS, and twice as cheap to rule out
# The same search with a literal first character, which the regex engine finds with a fast scan
# instead of trying every position (a search that starts with a class such as `[13]` costs
# ~15 µs on a 700-character answer, these a few tenths each).
_CRYPTO_AT = tuple((c, re.compile(c + _CRYPTO.pattern[4:])) for c in "13")
_URL = re.compile(r"(?i)https?://|www\d{0,3}\.|[a-z0-9]\.[a-z]{2,}")
_CAPITAL_A = re.compile(r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|PKA|ROA|SCA|Iza)")  # AWS key IDs, Google keys
_UNDERSCORED = re.compile(r"(?:[srp]k|gh[pousr]|github_pat|hf)_")


def has_digit(text: str) -> bool:
    """Whether `\\d` matches anywhere: an ASCII digit (ten substring tests in C, ~20x cheaper than
    a regex that tries every position) or a digit of another script among the text's few
    non-ASCII characters."""
    if "0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text \
            or "6" in text or "7" in text or "8" in text or "9" in text:
        return True
    return not text.isascii() and _DIGIT.search(non_ascii(text)) is not None


_ASCII_BYTES = bytes(range(128))


def non_ascii(text: str) -> str:
    """The characters of `text` outside ASCII, in order: UTF-8 encodes them with bytes >= 0x80
    only, so deleting every ASCII byte (in C) leaves exactly their encodings."""
    return text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")


def _secret(text: str) -> bool:
    # A rare single character before a substring: `in` with one character runs at memchr speed.
    if "-" in text and ("sk-" in text or "glpat-" in text or ("x" in text and "xox" in text)
                        or ("V" in text and "PRIVATE KEY" in text)):
        return True
    if "_" in text and _UNDERSCORED.search(text) is not None:
        return True
    if "A" in text and _CAPITAL_A.search(text) is not None:
        return True
    if ("J" in text and "eyJ" in text) or "hooks.slack" in text:
        return True
    if "=" not in text and ":" not in text:
        return False
    lower = text.lower()  # the words of SECRET_TRIGGER's key branch, spelled out: no generator per text
    return ("key" in lower or "secret" in lower or "token" in lower or "passw" in lower or "pwd" in lower
            or "credential" in lower) and SECRET_TRIGGER.search(text) is not None


def _crypto(text: str) -> bool:
    """`_CRYPTO.search(text) is not None`, as one literal-first search per first character."""
    for first, pattern in _CRYPTO_AT:
        if first in text and pattern.search(text) is not None:
            return True
    return "bc1" in text and _BECH32.search(text) is not None


# In ASCII text a `\d` is one of 0-9: mapped to b"0" (every other byte unchanged), the digit
# pattern starts with a literal "0", which the regex engine finds with a fast scan, and matches
# the same spans. The separators are the ASCII characters the str pattern's class matches
# (`\s` there includes \x1c-\x1f, which a bytes `\s` does not).
_SHAPE = bytes.maketrans(b"123456789", b"000000000")
_SEPARATORS = bytes(c for c in range(128) if re.fullmatch(r"[\s().\-/+]", chr(c)))
_DIGITS_ASCII = re.compile(b"0(?:[" + re.escape(_SEPARATORS) + b"]{0,3}0){6,}")


_DIGIT_OR_SPACE = re.compile(r"[\d\s]")


def _digits(text: str) -> bool:
    """A run of seven digits with short separators that is no date or decimal."""
    if text.isascii():
        shape = text.encode("ascii").translate(_SHAPE)
    elif _DIGIT_OR_SPACE.search(non_ascii(text)) is None:
        # No non-ASCII character is a digit or a separator (curly quotes, dashes, emoji): each
        # becomes one "?", which is neither, so positions and matches stay the same.
        shape = text.encode("ascii", "replace").translate(_SHAPE)
    else:
        return _DIGIT_RUN.search(text) is not None and any(
            not _NOT_AN_ID.fullmatch(m.group(0)) for m in _DIGITS.finditer(text))
    return any(not _NOT_AN_ID.fullmatch(text[m.start():m.end()]) for m in _DIGITS_ASCII.finditer(shape))


def _mac(text: str) -> bool:
    # `in` before `count`: a substring test stops at the first hit, a count reads the whole text.
    if ((":" in text and text.count(":") >= 5) or ("-" in text and text.count("-") >= 5)) \
            and _MAC.search(text) is not None:
        return True
    return _CISCO_MAC.search(text) is not None  # needs two dots itself, found by a literal-first scan


TRIGGERS: dict[str, Callable[[str], bool]] = {
    "at": lambda t: "@" in t,
    "digits": _digits,
    "ipv4": lambda t: _IPV4.search(t) is not None,
    "ipv6": lambda t: ":" in t and t.count(":") >= 2 and _IPV6.search(t) is not None,
    "mac": _mac,
    "crypto": _crypto,
    "url": lambda t: "." in t and _URL.search(t) is not None,
    "digit": has_digit,
    "secret": _secret,
}

# entity -> the triggers of which at least one must fire; an entity not listed has no gate.
GATES: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("at",),
    "PHONE_NUMBER": ("digits",),
    "CREDIT_CARD": ("digits",),
    "IBAN_CODE": ("digits",),
    "US_SSN": ("digits",),
    "US_ITIN": ("digits",),
    "UK_NHS": ("digits",),
    "US_BANK_NUMBER": ("digits",),
    "ABA_ROUTING_NUMBER": ("digits",),
    "IP_ADDRESS": ("ipv4", "ipv6"),
    "MAC_ADDRESS": ("mac",),
    "CRYPTO": ("crypto",),
    "URL": ("url",),
    **{e: ("digit",) for e in ("US_PASSPORT", "US_DRIVER_LICENSE", "MEDICAL_LICENSE", "UK_NINO", "IN_AADHAAR",
                               "IN_PAN", "AU_TFN", "AU_ABN", "AU_MEDICARE", "SG_NRIC_FIN")},
    **{e: ("secret",) for e in SECRET_ENTITIES},
}


@functools.lru_cache(maxsize=64)
def _plan(entities: frozenset[str]) -> tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]:
    """(entities without a gate, (trigger, entities it opens) pairs) for one set of entities."""
    open_always = frozenset(e for e in entities if e not in GATES)
    by_trigger: dict[str, set[str]] = {}
    for entity in entities - open_always:
        for name in GATES[entity]:
            by_trigger.setdefault(name, set()).add(entity)
    return open_always, tuple((name, frozenset(found)) for name, found in by_trigger.items())


# Triggers whose every pattern starts from or contains a `\d` (or the digit 1 or 3): a text
# without any digit cannot fire them, which one cheap `has_digit` settles for all three.
NEEDS_DIGIT = frozenset({"digits", "ipv4", "crypto"})


def possible_entities(text: str, entities: frozenset[str], memo: dict[str, bool] | None = None) -> frozenset[str]:
    """The subset of `entities` the text could hold; `memo` keeps trigger outcomes per text."""
    found, plan = _plan(entities)
    if memo is None:
        memo = {}
    for name, opened in plan:
        if opened <= found:
            continue
        fired = memo.get(name)
        if fired is None:
            if name in NEEDS_DIGIT:
                digit = memo.get("digit")
                if digit is None:
                    digit = memo["digit"] = has_digit(text)
                fired = digit and TRIGGERS[name](text)
            else:
                fired = TRIGGERS[name](text)
            memo[name] = fired
        if fired:
            found = found | opened
    return found


@functools.lru_cache(maxsize=64)
def _gate(entities: frozenset[str]) -> tuple[bool, tuple[Callable[[str], bool], ...], bool, tuple[Callable[[str], bool], ...]]:
    """(an entity without a gate, triggers without a digit, the `digit` trigger, triggers needing one)."""
    open_always, plan = _plan(entities)
    names = sorted(name for name, _ in plan)
    return (bool(open_always), tuple(TRIGGERS[n] for n in names if n not in NEEDS_DIGIT and n != "digit"),
            "digit" in names, tuple(TRIGGERS[n] for n in names if n in NEEDS_DIGIT))


def could_hold_any(text: str, entities: frozenset[str]) -> bool:
    """`bool(possible_entities(text, entities))`, sooner: the record gate only needs yes or no, so
    it stops at the first trigger that fires, and one `has_digit` answers for every digit trigger
    of a text without digits (most prose)."""
    always, plain, digit, needs_digit = _gate(entities)
    if always:
        return True
    for trigger in plain:
        if trigger(text):
            return True
    if not (digit or needs_digit) or not has_digit(text):
        return False
    if digit:
        return True
    for trigger in needs_digit:
        if trigger(text):
            return True
    return False
