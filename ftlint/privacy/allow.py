"""Allowlists: values that look like PII but are placeholders everyone uses.

The field's most common complaint about PII scanners is noise from documentation values
(speakeasy-api/gram#3175 hand-maintains a filter for placeholder e-mails): RFC 2606 domains
such as example.com, `test@...` addresses, the fictional 555-01xx numbers, private and
documentation IP ranges. They are built in (`allow-placeholders`, `allow-private-ips`), so the
user's `allow-values`, `allow-domains` and `allow-patterns` add to them instead of replacing them.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass


# Built in (option `allow-placeholders`), so that a user's own lists extend them, not replace them.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net", "example.edu", "example", "test", "invalid",
                       "localhost", "domain.com", "yourdomain.com", "company.com", "yourcompany.com", "email.com")
PLACEHOLDER_PATTERNS = (
    # test@..., user@..., your.email@...: addresses of forms and tutorials
    r"(?:test|testing|tester|example|sample|demo|user|username|someone|somebody|nobody|noreply|no-reply"
    r"|your[._-]?(?:name|email|e-?mail|address)|name|email|e-?mail|foo|bar|foobar|me|you)@.+",
    # the fictional 555-0100..0199 range, and 123-456-7890 / 555-555-5555 fillers
    r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?555[\s.-]?01\d\d",
    r"(?:\+?1[\s.-]?)?\(?(?:123|555|000)\)?[\s.-]?(?:456|555|000)[\s.-]?(?:7890|5555|0000)",
    # Ofcom's numbers for drama: 020 7946 0xxx, 0113/0161 496 0xxx, 01632 960xxx, 07700 900xxx
    r"(?:\+44\s?\(?0?\)?|0)(?:20\s?7946\s?0\d{3}|113\s?496\s?0\d{3}|161\s?496\s?0\d{3}|1632\s?960\s?\d{3}"
    r"|7700\s?900\s?\d{3})",
)


@dataclass(frozen=True)
class Allowlist:
    values: frozenset[str] = frozenset()  # case-folded, stripped
    domains: tuple[str, ...] = ()  # case-folded; a domain allows its subdomains too
    patterns: re.Pattern[str] | None = None  # full match, case-insensitive
    private_ips: bool = False

    @classmethod
    def build(cls, values: Iterable[str], domains: Iterable[str], patterns: Iterable[str],
              private_ips: bool = False, placeholders: bool = False) -> "Allowlist":
        if placeholders:
            domains = (*PLACEHOLDER_DOMAINS, *domains)
            patterns = (*PLACEHOLDER_PATTERNS, *patterns)
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
