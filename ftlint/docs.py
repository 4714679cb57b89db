"""Renders documentation from the rule pack, so the README's tables cannot drift from it.

`python -m ftlint.docs` rewrites the marked sections of README.md; a test fails when they differ.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .formats import FORMATS
from .rulepack import load_rules

def rule_table() -> str:
    lines = ["| code | name | severity | what it finds | options (default) |", "| --- | --- | --- | --- | --- |"]
    for meta in load_rules().values():
        options = ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in meta.options.items())
        summary = meta.summary.replace("|", "\\|")
        off = " (off by default)" if not meta.default_enabled else ""
        lines.append(f"| {meta.code} | `{meta.name}` | {meta.severity}{off} | {summary} | {options.replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


def format_table() -> str:
    lines = ["| format | keys (required; optional) | what it is | trainers |", "| --- | --- | --- | --- |"]
    for spec in FORMATS.values():
        keys = ", ".join(f"`{k}`" for k in sorted(spec.required))
        if spec.optional:
            keys += "; " + ", ".join(f"`{k}`" for k in sorted(spec.optional))
        if spec.open_keys:
            keys += "; any other key (grader data)"
        lines.append(f"| `{spec.name}` | {keys} | {spec.title} | {spec.trainers} |")
    return "\n".join(lines)


SECTIONS = {"rules": rule_table, "formats": format_table}


def render(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}-table:start -->\n)(?:.*?\n)?(<!-- {name}-table:end -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def main() -> int:
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    text = readme.read_text(encoding="utf-8")
    updated = render(text)
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
        print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
