"""Output formats. Each reporter turns a `Report` into text; none of them decides anything."""
from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..engine import Report
from . import github, gitlab, html, json_report, junit, sarif, text

Reporter = Callable[[Report, TextIO, dict], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.write,
    "concise": text.write_concise,
    "json": json_report.write,
    "json-lines": json_report.write_lines,
    "sarif": sarif.write,
    "junit": junit.write,
    "github": github.write,
    "gitlab": gitlab.write,
    "html": html.write,
}
