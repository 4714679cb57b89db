"""Format detection from the keys of records, with a reason a user can read.

A record's candidates are the formats whose required keys it has; the one that explains most of
its keys wins, and a format-specific preference (who speaks last) breaks ties. A tie that
remains is ambiguity, reported rather than guessed.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .registry import FORMATS, FormatSpec


@dataclass(frozen=True)
class Detection:
    format: str | None  # None when nothing matched or the match was ambiguous
    reason: str
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.format is None and len(self.candidates) > 1


def _keys_text(keys: Iterable[str]) -> str:
    keys = sorted(keys)
    return ", ".join(keys) if keys else "(none)"


def detect_record_format(data: dict, candidates: Iterable[str] | None = None) -> Detection:
    keys = set(data)
    scored: list[tuple[int, FormatSpec]] = []
    specs = FORMATS.values() if candidates is None else [FORMATS[name] for name in candidates]
    for spec in specs:
        if spec.required <= keys:
            scored.append((len(keys & spec.known_keys), spec))
    if not scored:
        among = "known format" if candidates is None else f"format among {', '.join(candidates)}"
        return Detection(None, f"no {among} has keys {_keys_text(keys)}")
    best = max(score for score, _ in scored)
    top = [spec for score, spec in scored if score == best]
    if len(top) > 1:
        # Formats that share keys (chat SFT vs RFT) collapse to one by who speaks last; with an
        # unusual last turn SFT, far more common, stands for the group. Other ties remain.
        group = [spec for spec in top if spec.prefers is not None]
        if group:
            preferred = [spec for spec in group if spec.prefers(data)]
            representative = preferred[0] if len(preferred) == 1 else group[0]
            top = [spec for spec in top if spec.prefers is None] + [representative]
    if len(top) > 1:
        names = tuple(spec.name for spec in top)
        return Detection(None, f"keys {_keys_text(keys)} match {' and '.join(names)} equally", names)
    spec = top[0]
    why = f"keys {_keys_text(keys & spec.known_keys)}"
    if spec.prefers is not None and spec.prefers(data) and len(scored) > 1:
        why += ", last turn " + ("assistant" if spec.name == "openai-chat" else "is the prompt")
    return Detection(spec.name, why, (spec.name,))


def detect_file_format(samples: Iterable[dict], candidates: Iterable[str] | None = None) -> Detection:
    """Detect the format of a file from its first records (the caller decides how many)."""
    candidates = tuple(candidates) if candidates is not None else None
    votes: Counter[str] = Counter()
    reasons: dict[str, str] = {}
    ambiguous: Detection | None = None
    unmatched: Detection | None = None
    total = 0
    for data in samples:
        total += 1
        detection = detect_record_format(data, candidates)
        if detection.format:
            votes[detection.format] += 1
            reasons.setdefault(detection.format, detection.reason)
        elif detection.ambiguous:
            ambiguous = ambiguous or detection
        else:
            unmatched = unmatched or detection
    if not votes:
        if ambiguous:
            return Detection(None, f"ambiguous format: {ambiguous.reason}", ambiguous.candidates)
        if unmatched:
            return Detection(None, unmatched.reason)
        return Detection(None, "no records to detect a format from")
    (winner, count), *rest = votes.most_common()
    if rest and rest[0][1] == count:
        names = (winner, rest[0][0])
        return Detection(None, f"ambiguous format: as many records look like {names[0]} as {names[1]}", names)
    return Detection(winner, f"{reasons[winner]} in {count} of {total} records sampled", (winner,))
