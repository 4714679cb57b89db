"""Personal data and secrets (family P): one rule per family of entities, plus the PII rate.

Rules are split by what a team does about a finding, not by entity: contact details (P101) and
ID or card numbers (P102) are errors to redact, network identifiers (P103) are often benign
warnings, names (P104) need a model and are opt-in, secrets (P201) must be revoked. One shared
detection pass per text serves all of them (`ftlint.privacy.scan`). Messages carry only masked
values; presidio is imported only when a text passes the prefilter.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from ..config import ConfigError
from ..model import Hit, Sample, Severity
from ..privacy.analyzer import ModelNotFound
from ..privacy.scan import PrivacyOptionError, detect, settings_for
from ..registry import dataset_rule, record_rule


# id(options) -> (options, where `detect` keeps the record gate's answer in Sample.cache), for
# settings without a named-entity model. The first P rule on a record runs the gate; every other
# rule sharing its universe then learns that a clean record is clean from one dict look-up.
_GATE_KEYS: dict[int, tuple[dict[str, Any], Any]] = {}


def _detections(code: str, sample: Sample, options: dict[str, Any]) -> list[Any]:
    known = _GATE_KEYS.get(id(options))
    if known is not None and known[0] is options:
        active = sample.cache.get(known[1])
        if active is not None and not active:
            return []
    try:
        settings = settings_for(code, options)
        if known is None or known[0] is not options:
            if len(_GATE_KEYS) > 256:
                _GATE_KEYS.clear()
            _GATE_KEYS[id(options)] = (options, None if settings.named else settings.active_key)
        return detect(sample, settings)
    except PrivacyOptionError as exc:
        raise ConfigError(f"rules.{code}: {exc}".replace(f"{code}: ", "", 1)) from None
    except ModelNotFound as exc:
        raise ConfigError(f"rules.{code}.spacy-model: {exc}") from None


def _as_hits(detections: list[Any], sample: Sample, options: dict[str, Any]) -> list[Hit]:
    """Called only for the few records with detections; the rules return () for the rest, with
    no generator frame: a clean record costs each rule three calls and a cache look-up."""
    from ..engine import record_key

    record = record_key(sample.record)
    limit = int(options.get("max-per-record", 0))
    shown = detections[:limit] if limit > 0 else detections
    hits = [Hit(f"{d.entity} {d.masked} in {d.role} text at [{d.start}:{d.end}]", d.field or None,
                excerpt=d.masked, key=f"{record}|{d.field}|{d.entity}|{d.start}") for d in shown]
    rest = detections[len(shown):]
    if rest:
        kinds = ", ".join(f"{entity} {n}" for entity, n in Counter(d.entity for d in rest).most_common())
        hits.append(Hit(f"{len(rest)} more values in this record not shown ({kinds}); raise max-per-record to list them",
                        key=f"{record}|more"))
    return hits


@record_rule("P101")
def contact_details(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    found = _detections("P101", sample, options)
    return _as_hits(found, sample, options) if found else ()


@record_rule("P102")
def financial_or_id_number(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    found = _detections("P102", sample, options)
    return _as_hits(found, sample, options) if found else ()


@record_rule("P103")
def network_identifier(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    found = _detections("P103", sample, options)
    return _as_hits(found, sample, options) if found else ()


@record_rule("P104")
def named_entity(sample: Sample, options: dict[str, Any]) -> Iterator[Hit]:
    if not options.get("spacy-model"):
        # Selected through a prefix or ALL without a model: say so once per file, not per record.
        if sample.record.index == 0:
            yield Hit("P104 is enabled but rules.P104.spacy-model is not set, so names were not checked: install a "
                      "model (`python -m spacy download en_core_web_lg`) and set spacy-model = \"en_core_web_lg\", "
                      "or a directory saved with nlp.to_disk()", severity=Severity.INFO, key="P104-no-model")
        return
    found = _detections("P104", sample, options)
    if found:
        yield from _as_hits(found, sample, options)


@record_rule("P201")
def secret(sample: Sample, options: dict[str, Any]) -> Iterable[Hit]:
    found = _detections("P201", sample, options)
    return _as_hits(found, sample, options) if found else ()


@dataset_rule("P301")
class PiiRate:
    """Counters only: records seen, records with PII, detections per entity type."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.records = 0
        self.with_pii = 0
        self.entities: Counter[str] = Counter()

    def add(self, sample: Sample) -> None:
        self.records += 1
        found = _detections("P301", sample, self.options)
        if found:
            self.with_pii += 1
            self.entities.update(d.entity for d in found)

    def merge(self, other: "PiiRate") -> None:
        self.records += other.records
        self.with_pii += other.with_pii
        self.entities.update(other.entities)

    @property
    def rate(self) -> float:
        return self.with_pii / self.records if self.records else 0.0

    def finish(self, path: str) -> Iterator[Hit]:
        max_rate = float(self.options.get("max-rate", 0.01))
        if self.records < int(self.options.get("min-records", 50)) or self.rate <= max_rate:
            return
        kinds = ", ".join(f"{entity} {n}" for entity, n in self.entities.most_common(5))
        yield Hit(f"{self.rate:.1%} of records ({self.with_pii} of {self.records}) hold PII or secrets, above "
                  f"max-rate {max_rate:.1%}: {kinds}")

    def statistics(self) -> dict[str, Any]:
        if not self.records:
            return {}
        entities = dict(self.entities.most_common())
        return {
            "records_scanned": self.records,
            "records_with_pii": self.with_pii,
            "rate": round(self.rate, 6),
            "entities": entities,
            "plots": [{"kind": "bars", "title": "PII entities found", "values": entities, "unit": "findings"}],
        }
