"""Content quality rules that look at the text of each turn."""
from __future__ import annotations

import re
from typing import Any

from ..content.derived import PerOptions
from ..content.screen import literal_prefixes
from ..model import Hit, Sample
from ..registry import record_rule


@record_rule("Q101")
def empty_content(sample: Sample, options: dict[str, Any]) -> list[Hit]:
    hits: list[Hit] = []
    for turn in sample.all_turns():
        text = turn.text
        # `not text or text.isspace()` is `not text.strip()` without copying the text
        if (not text or text.isspace()) and not turn.payload:
            hits.append(Hit(f"{'empty' if not text else 'whitespace-only'} {turn.role} content", turn.field))
    return hits


def _compile(options: dict[str, Any]) -> tuple[re.Pattern[str], dict[str, tuple[str, ...]] | None]:
    """The patterns as one regex, and the literals one of which every match opens with, grouped
    by first character (None: some pattern has no such literal). Only literals without case or
    whitespace screen: the search is case-sensitive, and the code masking of `_prose` inserts
    spaces, which could join a literal with a space in it."""
    patterns = tuple(options["patterns"])
    regex = re.compile("|".join(f"(?:{p})" for p in patterns))
    screens: dict[str, tuple[str, ...]] | None = {}
    for pattern in patterns:
        found = literal_prefixes(pattern)
        if found is None or any(p != p.upper() or p != p.lower() or any(c.isspace() for c in p) for p in found):
            screens = None
            break
        for p in found:
            screens[p[0]] = screens.get(p[0], ()) + (p,)
    return regex, screens if patterns else None


_Q102 = PerOptions(_compile)


def _may_match(text: str, screens: dict[str, tuple[str, ...]]) -> bool:
    """A one-character search (memchr) per first character, the literals only where it occurs."""
    for first, literals in screens.items():
        if first in text:
            for literal in literals:
                if literal in text:
                    return True
    return False


# Markdown code: fenced blocks (an unclosed fence runs to the end, as markdown renders it) and
# inline spans. `{{ x }}` there is template syntax being taught (Jinja, Handlebars, Vue, Ansible,
# Python's doubled f-string braces), not a placeholder someone forgot to fill.
_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`", re.DOTALL)


def _prose(text: str) -> str:
    return _CODE.sub(" ", text) if "`" in text or ("~" in text and "~~~" in text) else text


@record_rule("Q102")
def template_placeholder(sample: Sample, options: dict[str, Any]) -> list[Hit]:
    # a list, not a generator: most records have no finding, and an empty list costs less
    pattern, screens = _Q102.get(options)
    turns = sample.all_turns()
    joined = "\n".join([turn.text for turn in turns])
    if screens is not None and not _may_match(joined, screens):
        return []  # no "{{", "[[" or "<<" anywhere: most records
    if not pattern.search(joined):
        return []  # one scan of the whole record; most records have no placeholder
    skip_code = options.get("skip-code", True)
    hits: list[Hit] = []
    for turn in turns:
        text = _prose(turn.text) if skip_code else turn.text
        found = list(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))
        if found:
            shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            hits.append(Hit(f"unfilled template placeholder {shown} in {turn.role} content", turn.field,
                            excerpt=found[0]))
    return hits
