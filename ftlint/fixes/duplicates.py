"""Drop exact duplicates (D101) and near duplicates (D201), driven by the rules' own findings.

Using the findings rather than a second hashing pass keeps `fix` and `check` in agreement by
construction: the fixed file passes D101/D201 with the same options (normalisation, thresholds)
the user configured. The fix run reports every instance (its checks set `max-rate` to 0).

Exact duplicates: D101 reports every later copy; the first copy is kept.

Near duplicates: D201 clusters are connected components of similar pairs; one member is kept,
the most complete: the one with the most turns, then the longest response (assistant turns or
the chosen answer), then the longest text overall; on a tie the earliest. A member in a file this
run does not fix cannot be dropped, so it is the one that stays (fix every file of a split
together to choose among all of them). Because clusters chain (A~B, B~C), a dropped member may
be less than `threshold` similar to the kept one; that is the price of one survivor per cluster.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import Finding, Sample
from ..textview import raw_view
from .base import FixContext, fixer


@fixer(name="dedup", flag="--dedup", codes=("D101",), safe=True, order=20,
       help="drop exact duplicate records (D101); the first copy is kept")
class DropDuplicates:
    def __init__(self, options: dict[str, Any], context: FixContext) -> None:
        self.context = context

    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any:
        return None if findings else data


Member = tuple[Path, int]


def completeness(sample: Sample | None) -> tuple[int, int, int]:
    if sample is None:
        return (-1, -1, -1)
    turns = len(sample.turns) + (1 if sample.chosen else 0)
    return (turns, len(raw_view(sample, "response")), len(raw_view(sample, "record")))


class _Clusters:
    """D201 clusters of the whole run, as sets of (resolved file, line)."""

    def __init__(self, report: Any) -> None:
        self.cluster_of: dict[Member, int] = {}
        self.members: dict[int, set[Member]] = {}
        self.scores: dict[Member, tuple[int, int, int]] = {}
        self.winners: dict[int, Member] = {}
        for finding in report.findings:
            if finding.code != "D201" or finding.location.line is None:
                continue
            group = {(Path(loc.path).resolve(), loc.line) for loc in (finding.location, *finding.related)
                     if loc.line is not None}
            ids = {self.cluster_of[m] for m in group if m in self.cluster_of}
            target = min(ids) if ids else len(self.members)
            merged = self.members.setdefault(target, set())
            for other in ids - {target}:
                merged |= self.members.pop(other)
            merged |= group
            for member in merged:
                self.cluster_of[member] = target

    def winner(self, cluster: int, fixed: frozenset[Path]) -> Member:
        if cluster not in self.winners:
            members = self.members[cluster]
            outside = sorted((m for m in members if m[0] not in fixed), key=lambda m: (str(m[0]), m[1]))
            if outside:
                self.winners[cluster] = outside[0]
            else:
                ranked = sorted(members, key=lambda m: (str(m[0]), m[1]))
                self.winners[cluster] = max(ranked, key=lambda m: self.scores.get(m, (-1, -1, -1)))
        return self.winners[cluster]


@fixer(name="near-dedup", flag="--near-dedup", codes=("D201",), safe=False, order=30,
       help="drop near-duplicate records (D201), keeping the most complete member of each cluster "
            "(most turns, then longest response)")
class DropNearDuplicates:
    def __init__(self, options: dict[str, Any], context: FixContext) -> None:
        self.context = context
        key = ("near-dedup", id(context.report))
        if key not in context.shared:
            context.shared[key] = _Clusters(context.report)
        self.clusters: _Clusters = context.shared[key]
        self.here = context.path.resolve()
        self.kept_instead: list[str] = []

    def observe(self, data: Any, sample: Sample | None, findings: list[Finding]) -> None:
        if sample is None:
            return
        member = (self.here, sample.record.line)
        if member in self.clusters.cluster_of:
            self.clusters.scores[member] = completeness(sample)

    def apply(self, data: Any, sample: Sample | None, findings: list[Finding]) -> Any:
        if sample is None:
            return data
        member = (self.here, sample.record.line)
        cluster = self.clusters.cluster_of.get(member)
        if cluster is None:
            return data
        return data if self.clusters.winner(cluster, self.context.fixed_files) == member else None
