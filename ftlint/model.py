"""Plain data classes that every layer (readers, formats, rules, reporters) exchanges.

Keeping them free of behaviour lets each front-end (CLI, pytest, pre-commit) render the same
findings, and lets later engines ship them between processes cheaply.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered so that `fail-on` is a simple comparison."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a file, optionally a 1-based line/column and a JSON field path."""

    path: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(slots=True)
class ReadProblem:
    """A defect found while turning bytes into a record; the engine makes it a finding."""

    code: str
    message: str
    column: int | None = None
    fatal: bool = True  # fatal problems leave the record without data


@dataclass(slots=True)
class Record:
    """One parsed record as a reader yields it.

    `data` is None when the raw line could not be parsed; `problems` then says why. Non-fatal
    problems (a BOM, a duplicate key) travel alongside parsed data.
    """

    path: str
    line: int
    data: Any = None
    problems: list[ReadProblem] = field(default_factory=list)
    index: int = 0  # 0-based position among the file's records; -1 for lines that are no record
    raw_key: str | None = None  # content hash of a line that did not parse (baseline fingerprints)

    @property
    def is_record(self) -> bool:
        return self.index >= 0


@dataclass(slots=True)
class Turn:
    """One piece of text in a sample with the role that produced it and where it lives."""

    role: str  # canonical role: system, developer, user, assistant, tool
    text: str
    field: str  # JSON path, e.g. "messages[2].content"
    trained: bool = False  # does the trainer compute loss on it?
    payload: bool = False  # carries more than text (tool calls, images): empty text is fine


@dataclass(slots=True)
class Sample:
    """The format layer's normalised view of a record, computed once and shared by every rule.

    `turns` is the conversation that is trained on (prompt turns plus the response); preference
    formats put their alternatives in `chosen` / `rejected`.
    """

    record: Record
    format: str
    turns: list[Turn] = field(default_factory=list)
    chosen: list[Turn] | None = None
    rejected: list[Turn] | None = None
    label: Any = None
    tools: Any = None
    tools_field: str | None = None
    # Views that several rules need (message lists, normalised text) are computed once per
    # record and kept here, so no rule family re-derives what another already has.
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        return self.record.data

    def all_turns(self) -> list[Turn]:
        """Every text of the sample, prompt, response and alternatives alike."""
        turns = list(self.turns)
        if self.chosen:
            turns.extend(self.chosen)
        if self.rejected:
            turns.extend(self.rejected)
        return turns


@dataclass(slots=True)
class Hit:
    """What a check function reports; the engine adds code, severity and location."""

    message: str
    field: str | None = None
    line: int | None = None
    related: tuple[Location, ...] = ()
    excerpt: str | None = None
    severity: Severity | None = None  # for rules with two levels (e.g. error below 10, warning below 50)
    path: str | None = None  # run-wide rules (duplicates across files, leakage) say which file
    # Content identity for run-wide hits, which have no record at hand (e.g. the duplicated
    # text's hash): baselines then survive re-ordering for them too.
    key: str | None = None


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    location: Location
    rule: str = ""  # the rule's name, e.g. "invalid-json"
    related: tuple[Location, ...] = ()
    excerpt: str | None = None
    # Stable identity of what was found, independent of the line number: rule + hash of the
    # normalised record + field. Baselines and SARIF use it, so findings survive re-ordering.
    fingerprint: str | None = None

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line or 0, loc.column or 0, self.code, loc.field or "")
