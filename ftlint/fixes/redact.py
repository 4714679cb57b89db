"""`ftlint fix --redact`: replace the PII and secrets the P rules report with placeholders.

Detection is the rules' own (same options, same allowlists), so the fixed file passes them;
replacement is presidio-anonymizer's (ftlint/privacy/redact.py). Records without findings are
written back byte for byte. Unsafe (it changes training text), so `--fix` alone never redacts.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Finding, Sample
from .base import FixContext, fixer

CODES = ("P101", "P102", "P103", "P201")
# Names need a model: redacted only when P104 is enabled with a spacy-model in the configuration
# (not a declared code, so a configuration without a model sees no "model missing" note here).
NER_CODE = "P104"


@fixer(name="redact", flag="--redact", codes=CODES, safe=False, order=60,
       help="replace e-mails, phone numbers, card/ID numbers, IP addresses and secrets (P101-P103, P201; "
            "names too when P104 is enabled with a spacy-model) by <ENTITY_TYPE> placeholders")
class Redact:
    @classmethod
    def add_arguments(cls, group: Any) -> None:
        group.add_argument("--redact-with", default="replace", choices=("replace", "mask", "hash", "remove"),
                           help="what --redact puts instead of a value: a placeholder (default), stars, "
                                "a SHA-256 hash or nothing")
        group.add_argument("--redact-placeholder", default="<{entity}>", metavar="TEMPLATE",
                           help="placeholder of --redact-with replace; {entity} is the entity type (default <{entity}>)")

    def __init__(self, options: dict[str, Any], context: FixContext) -> None:
        from ..privacy.redact import default_settings

        self.context = context
        self.operator = options.get("redact_with") or "replace"
        self.placeholder = options.get("redact_placeholder") or "<{entity}>"
        self.counts: Counter[str] = Counter()
        self.records = 0
        self._settings = {code: default_settings([code], context.rule_options) for code in CODES}
        ner_on = NER_CODE in context.config.settings_for(context.path).enabled if context.config is not None else False
        self._names = default_settings([NER_CODE], context.rule_options) if ner_on else []

    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any:
        codes = {f.code for f in findings if f.code in CODES}
        if not codes and not self._names:
            return data
        from ..privacy.redact import redact_record

        settings = [s for code in CODES if code in codes for s in self._settings[code]] + self._names
        redacted, counts = redact_record(data, self.context.format if sample is not None else None, settings,
                                         self.operator, self.placeholder)
        if counts:
            self.records += 1
            self.counts.update(counts)
        return redacted

    def notes(self) -> list[str]:
        if not self.counts:
            return []
        kinds = ", ".join(f"{entity} {n}" for entity, n in self.counts.most_common())
        return [f"redact: replaced {sum(self.counts.values())} values in {self.records} records ({kinds})"]
