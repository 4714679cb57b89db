"""Remove leaked held-out items from the training files (X101 prompt leak, X103 n-gram overlap).

The leakage rules report on the held-out record and name its training copies as related
locations; this fixer drops those training records and never touches a held-out file (its
content is what the model is measured on: change it on purpose, not by a fix). It needs the
splits configured (`[tool.ftlint.splits]`): the held-out files are read as context even when
only the training file is named. The leakage rules list at most 20 training copies per finding;
the fix loop re-checks and drops the rest in the next round.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import Finding, Sample
from .base import FixContext, fixer

CODES = ("X101", "X103")


def leaked_training_lines(report: Any) -> set[tuple[Path, int]]:
    leaked: set[tuple[Path, int]] = set()
    for finding in report.findings:
        if finding.code in CODES and finding.location.line is not None:
            for loc in finding.related:
                if loc.line is not None:
                    leaked.add((Path(loc.path).resolve(), loc.line))
    return leaked


@fixer(name="drop-leaked", flag="--drop-leaked", codes=CODES, safe=True, order=40,
       help="drop training records that leak into a held-out split (X101 same prompt, X103 shared "
            "13-gram); needs [tool.ftlint.splits]")
class DropLeaked:
    def __init__(self, options: dict[str, Any], context: FixContext) -> None:
        key = ("drop-leaked", id(context.report))
        if key not in context.shared:
            context.shared[key] = leaked_training_lines(context.report)
        self.leaked: set[tuple[Path, int]] = context.shared[key]
        self.here = context.path.resolve()
        self.context = context
        self.asked = bool(options.get("drop_leaked"))  # named on its own, not only through --fix

    def notes(self) -> list[str]:
        if self.asked and not self.context.config.splits:
            return ["drop-leaked: no [tool.ftlint.splits] configured, so no held-out split to compare with"]
        return []

    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any:
        if sample is None:
            return data
        return None if (self.here, sample.record.line) in self.leaked else data
