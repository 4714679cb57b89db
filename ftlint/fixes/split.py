"""A leakage-free train/test split by a grouping key (`ftlint fix DATA --split 0.1 --seed 0`).

Records are grouped so that nothing the leakage rules look for can cross the split: records with
the same normalised prompt (as X101 compares them), or the same value of `--group-by FIELD`, and
every member of a near-duplicate cluster (D201), of an exact-duplicate cluster (D101) and of a
near-duplicate prompt cluster (the comparison X102 makes between splits, with X102's options)
share a group (the union of all of them, via union-find). Whole groups are then drawn in a seeded random
order into the test side until it holds the requested share of records; a group that would
overshoot is skipped for a smaller one, so the share is met closely even with large groups.

The group a record belongs to depends on content, and the draw on the seed, so the same data and
seed give the same split. Entries that hold no valid record (broken lines) stay on the train side,
where `check` still reports them. Both outputs keep their records byte for byte.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ConfigError
from ..engine import Report
from ..formats import FORMATS
from ..textview import Normalisation, raw_view, view_hash
from .files import Writer, entries


@dataclass
class SplitResult:
    train_records: int
    test_records: int
    groups: int
    largest_group: int
    missing_field: int  # records without the --group-by field (each its own group)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def parse_ratio(value: str) -> float:
    import argparse

    try:
        ratio = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share of the records between 0 and 1, got {value!r}") from None
    if not 0.0 < ratio < 1.0:
        raise argparse.ArgumentTypeError(f"the test share must be between 0 and 1 (exclusive), got {value}")
    return ratio


def _field(data: Any, dotted: str) -> Any:
    value = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


_MISSING = object()


def _near_prompt_clusters(path: Path, spec: Any, options: dict[str, Any], max_line: int) -> list[list[int]]:
    """Clusters (lists of line numbers) of records whose prompts X102 would call near duplicates
    if they ended up on different sides; the index holds signatures, texts are re-read to verify."""
    from ..checks.near_duplicates import params_from_options
    from ..formats.schemas import validator_for
    from ..similarity import NearDuplicateIndex
    from ..textview import view

    scope = options.get("scope", "prompt")
    how = Normalisation.from_options(options)
    validator = validator_for(spec.name)

    def texts(wanted: set[int] | None = None) -> Any:
        for entry in entries(path, max_line):
            record = entry.record
            if (wanted is not None and entry.line not in wanted) or record is None or record.data is None \
                    or not validator.is_valid(record.data):
                continue
            sample = spec.to_sample(record)
            own = scope if raw_view(sample, scope).strip() else "record"
            yield entry.line, view(sample, own, how), view_hash(sample, own, how)

    index = NearDuplicateIndex(params_from_options(options, "X102"))
    for line, text, digest in texts():
        if text.strip():
            index.add(line, text, digest)
    result = index.find(lambda keys: {line: text for line, text, _ in texts(set(keys))})
    return [list(cluster.members) for cluster in result.clusters]


def split_file(path: Path, report: Report, rule_options: dict[str, dict[str, Any]], ratio: float, seed: int,
               group_by: str, train_out: Path, test_out: Path, max_line: int) -> SplitResult:
    here = path.resolve()
    result = next((r for r in report.files if Path(r.path).resolve() == here), None)
    spec = FORMATS.get(result.format or "") if result is not None else None
    if spec is None:
        raise ConfigError(f"{path}: cannot split a file whose format is unknown; set `format` or pass --format")
    from ..formats.schemas import validator_for

    validator = validator_for(spec.name)
    how = Normalisation.from_options(rule_options.get("X101", {}))
    uf = _UnionFind()
    node_of_line: dict[int, int] = {}
    node_of_key: dict[Any, int] = {}
    missing = 0
    for entry in entries(path, max_line):
        record = entry.record
        if record is None or record.data is None or not validator.is_valid(record.data):
            continue
        node = node_of_line[entry.line] = uf.add()
        if group_by == "prompt":
            sample = spec.to_sample(record)
            scope = "prompt" if raw_view(sample, "prompt").strip() else "record"
            key: Any = (scope, view_hash(sample, scope, how))
        else:
            value = _field(record.data, group_by)
            if value is _MISSING:
                missing += 1
                continue
            key = json.dumps(value, sort_keys=True, default=str)
        other = node_of_key.setdefault(key, node)
        uf.union(node, other)
    for members in _near_prompt_clusters(path, spec, rule_options.get("X102", {}), max_line):
        for line in members[1:]:
            uf.union(node_of_line[members[0]], node_of_line[line])
    for finding in report.findings:  # duplicate and near-duplicate clusters stay together
        if finding.code not in ("D101", "D201") or finding.location.line is None:
            continue
        lines = [loc.line for loc in (finding.location, *finding.related)
                 if loc.line in node_of_line and Path(loc.path).resolve() == here]
        for line in lines[1:]:
            uf.union(node_of_line[lines[0]], node_of_line[line])
    sizes: dict[int, int] = {}
    for node in node_of_line.values():
        root = uf.find(node)
        sizes[root] = sizes.get(root, 0) + 1
    total = len(node_of_line)
    if total < 2:
        raise ConfigError(f"{path}: {total} valid record(s); nothing to split")
    wanted = max(1, round(total * ratio))
    order = sorted(sizes)  # roots are first-appearance indices: stable for the same file
    random.Random(seed).shuffle(order)
    test_roots: set[int] = set()
    taken = 0
    for root in order:
        if taken >= wanted:
            break
        if taken + sizes[root] <= wanted or (taken == 0 and sizes[root] < total):
            test_roots.add(root)
            taken += sizes[root]
    train_writer, test_writer = Writer(path, train_out), Writer(path, test_out)
    try:
        for entry in entries(path, max_line):
            node = node_of_line.get(entry.line)
            to_test = node is not None and uf.find(node) in test_roots
            (test_writer if to_test else train_writer).keep(entry)
            (train_writer if to_test else test_writer).drop(entry)
    finally:
        train_writer.close()
        test_writer.close()
    return SplitResult(total - taken, taken, len(sizes), max(sizes.values()), missing)
