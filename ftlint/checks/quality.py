"""Content quality rules that look at the text of each turn."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from ..model import Hit, Sample
from ..registry import record_rule


@record_rule("Q101")
def empty_content(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    for turn in sample.all_turns():
        if not turn.payload and not turn.text.strip():
            what = "empty" if not turn.text else "whitespace-only"
            yield Hit(f"{what} {turn.role} content", turn.field)


@functools.lru_cache(maxsize=32)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Markdown code: fenced blocks (an unclosed fence runs to the end, as markdown renders it) and
# inline spans. `{{ x }}` there is template syntax being taught (Jinja, Handlebars, Vue, Ansible,
# Python's doubled f-string braces), not a placeholder someone forgot to fill.
_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`", re.DOTALL)


def _prose(text: str) -> str:
    return _CODE.sub(" ", text) if "`" in text or "~~~" in text else text


@record_rule("Q102")
def template_placeholder(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    pattern = _compile(tuple(options["patterns"]))
    turns = sample.all_turns()
    if not pattern.search("\n".join(turn.text for turn in turns)):
        return  # one scan of the whole record; most records have no placeholder
    skip_code = options.get("skip-code", True)
    for turn in turns:
        text = _prose(turn.text) if skip_code else turn.text
        found = list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))
        if found:
            shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            yield Hit(f"unfilled template placeholder {shown} in {turn.role} content", turn.field, excerpt=found[0])
