"""Drop records that fail the structure rules: unparsable lines, schema violations, broken turns.

Only findings at error severity (as configured) drop a record: a warning such as an unknown key
(S102) or two user turns in a row (S203) leaves it in place. Blank lines (S005) are dropped too;
they hold no data. File-level findings (empty file, unknown format, too few records, a BOM) are
no record's fault and drop nothing.
"""
from __future__ import annotations

from typing import Any

from ..model import Finding, Sample, Severity
from ..rulepack import load_rules
from .base import FixContext, fixer

# Per-record codes of family S; S000/S003/S004/S010/S011/S211 concern the whole file.
FILE_LEVEL = frozenset({"S000", "S003", "S004", "S010", "S011", "S211"})


def _record_codes() -> tuple[str, ...]:
    return tuple(code for code in load_rules() if code.startswith("S") and code not in FILE_LEVEL)


@fixer(name="drop-invalid", flag="--drop-invalid", codes=_record_codes(), safe=True, order=10,
       help="drop records with structure errors: invalid JSON, not an object, schema violations, "
            "broken conversations (S0xx/S1xx/S2xx at error severity), and blank lines")
class DropInvalid:
    def __init__(self, options: dict[str, Any], context: FixContext) -> None:
        self.context = context
        # A record in another format than its file (S012) after the first round is one a
        # conversion had to leave as it was: dropping it would lose what the conversion kept.
        self.ignore = frozenset({"S012"}) if context.round > 1 else frozenset()

    def _fatal(self, findings: list[Finding]) -> bool:
        return any(f.severity >= Severity.ERROR and f.code not in self.ignore for f in findings)

    def drop_unparsed(self, findings: list[Finding]) -> bool:
        return self._fatal(findings) or any(f.code == "S005" for f in findings)

    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any:
        return None if self._fatal(findings) else data
