"""API keys, tokens and private keys: provider-specific patterns plus a generic `key = value` rule.

Every pattern is anchored on what the provider puts in its tokens (a fixed prefix, a fixed
length, a signed JSON header), so a hit is almost never a coincidence. Placeholders that
tutorials are full of (`sk-...`, `AKIAIOSFODNN7EXAMPLE`, `<your-token>`, `xxxx`) are rejected by
shape and entropy. Patterns live here in plain `re`; `make_recognizer()` wraps them as a presidio
recognizer so the analyzer, the overlap resolution and the anonymizer treat secrets like any
other entity.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple


def entropy(text: str) -> float:
    """Shannon entropy in bits per character: random tokens score 4-6, words and templates 2-3.5."""
    if not text:
        return 0.0
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_PLACEHOLDER = re.compile(
    r"(?i)x{4,}|\*{3,}|\.{3}|…|<[^>]*>|\$\{|\{\{|%\(|example|sample|dummy|your[_-]?|here|placeholder|redacted|"
    r"changeme|insert|replace|fake|test[_-]?key|abcdef|123456|0{6,}|(.)\1{5,}"
)


def _classes(text: str) -> int:
    return sum((any(c.islower() for c in text), any(c.isupper() for c in text), any(c.isdigit() for c in text)))


def looks_random(token: str, min_entropy: float = 3.0, min_classes: int = 2) -> bool:
    return not _PLACEHOLDER.search(token) and _classes(token) >= min_classes and entropy(token) >= min_entropy


def _valid_jwt(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return isinstance(decoded, dict) and "alg" in decoded


def _valid_private_key(block: str) -> bool:
    body = re.sub(r"-----[A-Z0-9 ]+-----|[A-Za-z-]+:.*", "", block)
    payload = re.sub(r"[^A-Za-z0-9+/=]", "", body)
    # Real keys hold runs like AAAAAAAA (zero bytes in base64), so only tutorial fillers count here.
    return len(payload) >= 64 and entropy(payload) >= 3.5 and not re.search(r"(?i)\.\.\.|…|x{4}|<|your|example", body)


_PASSWORD_KEY = re.compile(r"(?i)pass|pwd")
_WEAK_PASSWORD = re.compile(r"(?i)p[a@]ss(?:w[o0]rd)?|secret|qwerty|letmein|admin|welcome|changeme|123")


class SecretPattern(NamedTuple):
    entity: str
    regex: re.Pattern[str]
    score: float
    valid: Callable[[re.Match[str]], bool]
    group: int | str = 0  # the part of the match that is the secret (a key name is not)


def _random_group(group: int | str = 0, min_entropy: float = 3.0) -> Callable[[re.Match[str]], bool]:
    return lambda m: looks_random(m.group(group), min_entropy)


def _generic_valid(m: re.Match[str]) -> bool:
    value = m.group("value")
    if _PLACEHOLDER.search(value) or value.lower() in {"none", "null", "true", "false", "undefined", "string"}:
        return False
    if not m.quoted and re.fullmatch(r"[a-z_][a-z0-9_]*(?:\.[A-Za-z_]\w*)*(\(.*)?|[A-Z_][A-Z0-9_]*|\d+(\.\d+)?", value):
        return False  # a variable, an attribute, a call, a constant or a number: code, not a secret
    if _PASSWORD_KEY.search(m.group("key")):
        if _WEAK_PASSWORD.search(value):
            return False  # password123, Passw0rd!: tutorial values, not someone's credential
        return len(value) >= 8 and _classes(value) >= 2 and entropy(value) >= 2.5
    return len(value) >= 16 and _classes(value) >= 2 and entropy(value) >= 3.3


PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern("ANTHROPIC_API_KEY", re.compile(r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{32,}"), 1.0,
                  _random_group()),
    SecretPattern("OPENAI_API_KEY", re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"), 1.0,
                  _random_group()),
    SecretPattern("AWS_ACCESS_KEY_ID",
                  re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b"),
                  1.0, lambda m: not m.group(0).endswith("EXAMPLE") and looks_random(m.group(0)[4:], 2.5, 1)),
    SecretPattern("AWS_SECRET_ACCESS_KEY",
                  re.compile(r"(?i)aws.{0,20}?secret.{0,20}?['\"]?\s*(?::|=|=>)\s*['\"]?(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
                  1.0, _random_group("value", 3.5), "value"),
    SecretPattern("GITHUB_TOKEN", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b"),
                  1.0, _random_group()),
    SecretPattern("GITLAB_TOKEN", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), 1.0, _random_group()),
    SecretPattern("SLACK_TOKEN", re.compile(r"\bxox[abposr]-(?:[0-9A-Za-z]+-)*[0-9A-Za-z]{8,}"), 1.0,
                  lambda m: looks_random(m.group(0).rsplit("-", 1)[1], 2.8)),  # the random tail; ids are digits
    SecretPattern("SLACK_WEBHOOK",
                  re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"), 1.0,
                  lambda m: looks_random(m.group(0).rsplit("/", 1)[1])),
    SecretPattern("STRIPE_KEY", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{20,}"), 1.0,
                  lambda m: looks_random(m.group(0).split("_", 2)[2])),
    SecretPattern("GOOGLE_API_KEY", re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"), 1.0, _random_group()),
    SecretPattern("HUGGINGFACE_TOKEN", re.compile(r"\bhf_[A-Za-z0-9]{34,}\b"), 1.0, _random_group()),
    SecretPattern("PRIVATE_KEY",
                  re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
                             r"[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)"),
                  1.0, lambda m: _valid_private_key(m.group(0))),
    SecretPattern("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"), 1.0,
                  lambda m: _valid_jwt(m.group(0))),
    SecretPattern("GENERIC_SECRET",
                  re.compile(r"(?i)(?P<key>\b[\w.-]*?(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|"
                             r"access[_-]?key|auth[_-]?key|credentials?|private[_-]?key)[\w.-]*)['\"]?[ \t]*"
                             r"(?::=|=>|=|:)[ \t]*(?:['\"](?P<value>[^'\"\s]{8,200})['\"]|(?P<bare>[^\s'\",;`)}\]]{8,200}))"),
                  0.75, lambda m: _generic_valid(_Bare(m)), "value"),
)


class _Bare:
    """Lets the generic validator read a quoted or a bare value under one group name."""

    def __init__(self, m: re.Match[str]) -> None:
        self.m = m
        self.quoted = m.group("value") is not None

    def group(self, name: Any) -> str:
        if name == "value":
            return self.m.group("value") or self.m.group("bare") or ""
        return self.m.group(name)


# The cheap prefilter: a text none of these substrings or shapes occur in holds no secret.
TRIGGER = re.compile(
    r"sk-|AKIA|ASIA|A[BCGINPR][A-Z]A|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack|_live_|_test_|AIza|hf_|"
    r"PRIVATE KEY|eyJ|(?i:key|secret|token|passw|pwd|credential)[\w.-]*['\"]?[ \t]*(?::|=)"
)


class SecretMatch(NamedTuple):
    entity: str
    start: int
    end: int
    score: float


def find_secrets(text: str, entities: frozenset[str] | None = None) -> Iterator[SecretMatch]:
    for pattern in PATTERNS:
        if entities is not None and pattern.entity not in entities:
            continue
        for m in pattern.regex.finditer(text):
            if not pattern.valid(m):
                continue
            group = pattern.group
            if group == "value" and pattern.entity == "GENERIC_SECRET":
                group = "value" if m.group("value") else "bare"
            yield SecretMatch(pattern.entity, m.start(group), m.end(group), pattern.score)


def make_recognizer() -> Any:
    """A presidio `LocalRecognizer` over `PATTERNS` (presidio imported only when called)."""
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    class SecretsRecognizer(LocalRecognizer):
        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            wanted = frozenset(entities) & frozenset(self.supported_entities)
            return [RecognizerResult(s.entity, s.start, s.end, s.score,
                                     recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                           RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                    for s in find_secrets(text, wanted)]

    from .entities import SECRET_ENTITIES

    return SecretsRecognizer(supported_entities=list(SECRET_ENTITIES), name="FtlintSecretsRecognizer",
                             supported_language="en")
