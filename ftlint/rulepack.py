"""Loads the declarative rule pack (`rules/`): rule metadata, defaults and docs, and schemas.

The pack lives at the repository's top level and is copied into the wheel as `ftlint/rules`,
so both an installed package and a source checkout find it.
"""
from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

FAMILIES = {
    "S": "structure",
    "Q": "quality",
    "D": "duplicates",
    "X": "leakage",
    "T": "tokens",
    "P": "privacy",
    "B": "balance",
}


@dataclass(frozen=True)
class RuleMeta:
    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    bad: str
    good: str
    options: dict[str, Any] = field(default_factory=dict)
    option_docs: dict[str, str] = field(default_factory=dict)
    option_types: dict[str, str] = field(default_factory=dict)  # "regex" / "regex-list": validated
    default_enabled: bool = True
    source: str = ""

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]

    def explain(self) -> str:
        """The text of `ftlint rule CODE`: metadata first, then why, then the examples."""
        lines = [f"{self.code} ({self.name})", "", self.summary, "",
                 f"Family: {self.family}    Default severity: {self.severity}"
                 + ("" if self.default_enabled else "    Off by default (enable with select/extend-select)"),
                 "", "Why", "---", self.why.strip()]
        if self.options:
            lines += ["", "Options", "-------"]
            for key, value in self.options.items():
                doc = self.option_docs.get(key, "")
                lines.append(f"{key} = {json.dumps(value)}" + (f"    # {doc}" if doc else ""))
        lines += ["", "Bad", "---", self.bad.strip(), "", "Good", "----", self.good.strip()]
        return "\n".join(lines)


def rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "schemas").is_dir():
            return candidate
    raise FileNotFoundError(
        f"ftlint's rule pack was not found next to {here}; the installation is incomplete, reinstall ftlint"
    )


class RulePackError(Exception):
    """The shipped rule pack is inconsistent: a packaging bug, not a user error."""


@functools.cache
def load_rules() -> dict[str, RuleMeta]:
    rules: dict[str, RuleMeta] = {}
    for toml_path in sorted(rules_dir().glob("*.toml")):
        with open(toml_path, "rb") as fh:
            table = tomllib.load(fh)
        for code, entry in table.items():
            if code in rules:
                raise RulePackError(f"rule {code} is defined twice (second time in {toml_path.name})")
            if code[:1] not in FAMILIES or not code[1:].isdigit() or len(code) != 4:
                raise RulePackError(f"{toml_path.name}: {code!r} is not a rule code like S101")
            options = dict(entry.get("options", {}))
            rules[code] = RuleMeta(
                code=code,
                name=entry["name"],
                severity=Severity.parse(entry["severity"]),
                summary=entry["summary"],
                why=entry["why"],
                bad=entry["bad"],
                good=entry["good"],
                options=options,
                option_docs=dict(entry.get("option-docs", {})),
                option_types=dict(entry.get("option-types", {})),
                default_enabled=entry.get("default", True),
                source=toml_path.name,
            )
    family_order = list(FAMILIES)
    return dict(sorted(rules.items(), key=lambda item: (family_order.index(item[0][0]), item[0])))


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    path = rules_dir() / "schemas" / name
    with open(path, "rb") as fh:
        return json.load(fh)
