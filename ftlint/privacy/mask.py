"""Masked forms of detected values: enough to recognise a finding, never enough to recover it.

Every finding, excerpt, report and baseline shows these instead of the raw value. The shape of
the value is kept (separators, an e-mail's public suffix, a card's last four digits as on any
receipt) so a reviewer can tell `j***@e***.com` from `a***@g***.com`; whatever identifies the
person or grants access is replaced by `*`. A masked value never contains its raw value.
"""
from __future__ import annotations

import re

from .entities import SECRET_ENTITIES

_PREFIXES = re.compile(r"^(sk-ant-(?:api|admin)\d\d-|sk-(?:proj-|svcacct-|admin-)?|gh[pousr]_|github_pat_|glpat-|"
                       r"xox[abposr]-|(?:sk|rk|pk)_(?:live|test)_|AIza|hf_|eyJ|AKIA|ASIA|https://hooks\.slack\.com/)")


def _digits_kept(value: str, keep: int, keep_head_letters: bool = False) -> str:
    """Star every digit and letter except the last `keep` alphanumerics; separators stay."""
    alnum = [i for i, c in enumerate(value) if c.isalnum()]
    visible = set(alnum[-keep:]) if keep and len(alnum) > 2 * keep else set()
    if keep_head_letters:
        visible |= {i for i in alnum[:2] if value[i].isalpha()}
    return "".join(c if (i in visible or not c.isalnum()) else "*" for i, c in enumerate(value))


def _email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    from .analyzer import tld_extractor

    parts = tld_extractor()(domain)
    suffix = parts.suffix or domain.rpartition(".")[2]
    name = domain[: len(domain) - len(suffix) - 1] if suffix and domain.endswith("." + suffix) else domain
    first = name.rsplit(".", 1)[-1][:1] or "*"
    return f"{local[:1]}***@{first}***.{suffix}" if suffix else f"{local[:1]}***@***"


def _secret(value: str) -> str:
    if value.startswith("-----BEGIN"):
        return value.split("-----", 2)[1].join(("-----", "----- …")) if value.count("-----") >= 2 else "-----BEGIN …"
    head = _PREFIXES.match(value)
    prefix = head.group(0) if head else ""
    if len(value) - len(prefix) < 16:
        return prefix + "*" * 8
    return f"{prefix}…{value[-4:]}"


def _name(value: str) -> str:
    return " ".join(w[:1] + "***" if len(w) > 1 else "*" for w in value.split())


def mask(entity: str, value: str) -> str:
    if entity == "EMAIL_ADDRESS" and "@" in value:
        masked = _email(value)
    elif entity in SECRET_ENTITIES:
        masked = _secret(value)
    elif entity in ("CREDIT_CARD", "IBAN_CODE"):
        masked = _digits_kept(value, 4, keep_head_letters=entity == "IBAN_CODE")
    elif entity == "IP_ADDRESS":
        sep = "." if "." in value else ":"
        head = value.split(sep, 1)[0]
        masked = f"{head}{sep}*{sep}*{sep}*" if sep == "." else f"{head}:****:…"
    elif entity in ("PERSON", "LOCATION", "ORGANIZATION", "NRP"):
        masked = _name(value)
    elif entity == "URL":
        scheme = value.split("://", 1)[0] + "://" if "://" in value else ""
        masked = f"{scheme}***"
    elif entity == "CRYPTO":
        masked = f"{value[:3]}…{value[-3:]}" if len(value) > 12 else "*" * len(value)
    else:  # phone numbers and ID numbers: keep the shape and the last two characters
        masked = _digits_kept(value, 2)
    if value and value in masked:  # a value too short to mask partially
        masked = "*" * max(len(value), 3)
    return masked
