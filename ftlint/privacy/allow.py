"""Allowlists: values that look like PII but are placeholders everyone uses.

The field's most common complaint about PII scanners is noise from documentation values
(speakeasy-api/gram#3175 hand-maintains a filter for placeholder e-mails): RFC 2606 domains
such as example.com, `test@...` addresses, the fictional 555-01xx numbers, private and
documentation IP ranges. Each rule's defaults cover those; users extend or clear them.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Allowlist:
    values: frozenset[str] = frozenset()  # case-folded, stripped
    domains: tuple[str, ...] = ()  # case-folded; a domain allows its subdomains too
    patterns: re.Pattern[str] | None = None  # full match, case-insensitive
    private_ips: bool = False

    @classmethod
    def build(cls, values: Iterable[str], domains: Iterable[str], patterns: Iterable[str],
              private_ips: bool = False) -> "Allowlist":
        return cls(frozenset(v.strip().casefold() for v in values),
                   tuple(d.strip().casefold().lstrip("*.").lstrip("@") for d in domains if d.strip()),
                   _combined(tuple(patterns)), private_ips)

    def allows(self, entity: str, value: str) -> bool:
        folded = value.strip().casefold()
        if folded in self.values:
            return True
        if self.patterns is not None and self.patterns.fullmatch(value.strip()):
            return True
        if self.domains and entity in ("EMAIL_ADDRESS", "URL"):
            host = _host(entity, folded)
            if any(host == d or host.endswith("." + d) for d in self.domains):
                return True
        if self.private_ips and entity == "IP_ADDRESS":
            return _private_ip(value)
        return False


@functools.lru_cache(maxsize=64)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _host(entity: str, value: str) -> str:
    if entity == "EMAIL_ADDRESS":
        return value.rpartition("@")[2]
    host = value.split("://", 1)[-1]
    return re.split(r"[/:?#]", host, maxsplit=1)[0].removeprefix("www.")


def _private_ip(value: str) -> bool:
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_reserved
