"""Output formats. Each reporter turns a `Report` into text; none of them decides anything."""
from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..engine import Report
from . import json_report, text

Reporter = Callable[[Report, TextIO, dict], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.write,
    "concise": text.write,
    "json": json_report.write,
}
