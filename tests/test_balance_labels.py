"""The shared `[labels]` table: one label source for every class rule, per-file overrides resolved
per sample, configuration errors, and the result cache following label settings. Counts are
compared with counts computed here from the generated records."""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from ftlint.cache import ResultCache
from ftlint.config import ConfigError, load_config
from ftlint.engine import Engine
from ftlint.labels import LabelResolver, layered

from _records import chat_record, write_jsonl

SPLITS = '[splits]\ntrain = ["train.jsonl"]\ntest = ["test.jsonl"]\n'


def labelled(n: int, where: str, counts: dict[str, int], seed: int = 1, start: int = 0) -> list[dict]:
    """chat records whose label sits at the dotted path `where`, shuffled."""
    records = []
    for label, k in counts.items():
        for _ in range(k):
            record = chat_record(start + len(records))
            node = record
            *parents, leaf = where.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = label
            records.append(record)
    random.Random(seed).shuffle(records)
    assert len(records) == n
    return records


def label_counts(records: list[dict], where: str) -> Counter:
    out: Counter = Counter()
    for record in records:
        value = record
        for part in where.split("."):
            value = value[part]
        out[value.strip().casefold()] += 1
    return out


def configure(root: Path, text: str) -> None:
    (root / "ftlint.toml").write_text(text, encoding="utf-8")


def test_one_labels_table_serves_every_class_rule(tmp_path, lint):
    records = labelled(155, "metadata.category", {"billing": 120, "refund": 25, "fraud": 10})
    configure(tmp_path, '[labels]\nfield = "metadata.category"\n')
    report = lint(records, select=["B101", "B102", "B108"])
    expected = label_counts(records, "metadata.category")
    stats = report.dataset_statistics["B101"]
    assert stats["counts"] == dict(expected.most_common())
    assert stats["label-source"] == "field 'metadata.category'"
    assert sorted((f.severity.name, f.message.split(" in ")[0]) for f in report.by_rule("B101")) == [
        ("ERROR", "class 'fraud' has 10 examples"), ("WARNING", "class 'refund' has 25 examples")]
    (b102,) = report.by_rule("B102")
    assert "majority class 'billing' has 120 examples, minority class 'fraud' 10 (12.0:1" in b102.message
    assert report.by_rule("B108") == []  # a configured source is not auto-detection


def test_regex_strip_and_case_fold(lint):
    records = [chat_record(i, tag=f"  Label: {'Spam' if i % 3 else 'ham'} ") for i in range(90)]
    report = lint(records, select=["B101"], labels={"field": "tag", "regex": r"Label: (\w+)"})
    assert report.dataset_statistics["B101"]["counts"] == {"Spam": 60, "ham": 30}
    report = lint(records, select=["B101"], labels={"field": "tag", "regex": r"Label: (\w+)", "case-fold": True})
    assert report.dataset_statistics["B101"]["counts"] == {"spam": 60, "ham": 30}
    # Without strip, surrounding spaces make two labels of one.
    records = [chat_record(i, tag="yes" if i % 2 else "yes ") for i in range(80)]
    assert lint(records, select=["B101"], labels={"field": "tag"}).dataset_statistics["B101"]["counts"] == {"yes": 80}
    report = lint(records, select=["B101"], labels={"field": "tag", "strip": False})
    assert report.dataset_statistics["B101"]["counts"] == {"yes": 40, "yes ": 40}


def test_per_file_label_location_feeds_per_split_counts(tmp_path, check):
    """train keeps its label in `label`, test in `annotation.gold`: both count as the same classes."""
    configure(tmp_path, SPLITS + '[labels]\nfield = "category"\n[per-file."test.jsonl".labels]\nfield = "annotation.gold"\n')
    train = labelled(150, "category", {"pos": 70, "neg": 50, "spam": 30})
    test = labelled(30, "annotation.gold", {"pos": 14, "neg": 11, "neutral": 5}, start=1000)
    write_jsonl(tmp_path / "train.jsonl", train)
    write_jsonl(tmp_path / "test.jsonl", test)
    report = check(["train.jsonl", "test.jsonl"], select=["B101", "B103"])
    per_split = report.dataset_statistics["B103"]["per-split"]
    assert per_split["train"] == dict(label_counts(train, "category").most_common())
    assert per_split["test"] == dict(label_counts(test, "annotation.gold").most_common())
    messages = sorted(f.message for f in report.by_rule("B103"))
    assert messages == ["1 class of split 'test' never occur in training (5 records): 'neutral' (5)",
                        "1 training class never occur in split 'test' (not evaluated): 'spam' (30)"]
    assert report.by_rule("B101") == []  # held-out test is small by design; train classes are >= 30
    groups = report.dataset_statistics["B101"]["groups"]
    assert groups["test"]["split"] == "test" and groups["test"]["labelled"] == 30


def test_per_file_source_switch_drops_the_inherited_field(tmp_path, check):
    configure(tmp_path, '[labels]\nfield = "category"\n[per-file."replies.jsonl".labels]\nfrom = "assistant"\n')
    write_jsonl(tmp_path / "fields.jsonl", labelled(60, "category", {"a": 40, "b": 20}))
    replies = [{"messages": [{"role": "user", "content": f"Review {i}"},
                             {"role": "assistant", "content": "a" if i < 25 else "c"}]} for i in range(50)]
    write_jsonl(tmp_path / "replies.jsonl", replies)
    report = check(["fields.jsonl", "replies.jsonl"], select=["B101"])
    stats = report.dataset_statistics["B101"]
    assert stats["counts"] == {"a": 65, "c": 25, "b": 20}
    assert stats["label-source"] == "field 'category'; the final assistant reply"
    assert layered([{"field": "x", "regex": "r"}, {"from": "assistant"}]) == {"from": "assistant", "regex": "r"}
    assert layered([{"from": "assistant"}, {"field": "y"}]) == {"field": "y"}


def test_free_form_file_does_not_stop_a_configured_file(tmp_path, check):
    """Auto-detection gives up on free-form chat, but a file with a label field still counts."""
    configure(tmp_path, '[per-file."labelled.jsonl".labels]\nfield = "category"\n')
    write_jsonl(tmp_path / "chat.jsonl", [chat_record(i) for i in range(100)])
    write_jsonl(tmp_path / "labelled.jsonl", labelled(45, "category", {"x": 30, "y": 15}, start=500))
    report = check(["chat.jsonl", "labelled.jsonl"], select=["B101", "B108"])
    stats = report.dataset_statistics["B101"]
    assert stats["counts"] == {"x": 30, "y": 15}
    assert stats["stopped"] == "a reply longer than a short label: not classification data"
    assert [f.message.split(" in ")[0] for f in report.by_rule("B101")] == ["class 'y' has 15 examples"]
    assert report.by_rule("B108") == []


@pytest.mark.parametrize("text, fragment", [
    ('[labels]\nfrom = "field"\n', "labels.from: \"field\" needs a field path"),
    ('[labels]\nfeild = "label"\n', "labels: unknown key 'feild'"),
    ('[per-file."t.jsonl".labels]\nmax-classes = 10\n', "per-file.'t.jsonl'.*labels.max-classes counts over the whole run"),
    ('[per-file."t.jsonl".labels]\nregex = "(("\n', "per-file.'t.jsonl'.*labels.regex: invalid regular expression"),
    ('[per-file."t.jsonl"]\nlabels = "label"\n', "labels must be a table"),
    ('[labels]\nfield = "label"\n[per-file."t.jsonl".labels]\nfrom = "field"\n', "per-file.'t.jsonl'.*needs a field path"),
])
def test_label_configuration_errors_name_the_key(tmp_path, text, fragment):
    configure(tmp_path, text)
    with pytest.raises(ConfigError, match=fragment):
        config = load_config(start=tmp_path)
        LabelResolver.from_config(config)


def test_cached_run_follows_label_settings(tmp_path):
    """Cached run-wide states were counted with the label settings of their run: changing the
    [labels] table must not serve them again."""
    # (not `label`: a chat record with a `label` key is KTO data, whose label must be a boolean)
    records = [chat_record(i, category="a" if i < 40 else "b", topic="t1" if i % 2 else "t2") for i in range(70)]
    write_jsonl(tmp_path / "train.jsonl", records)
    cache = tmp_path / "cache"

    def counts(table: str) -> dict:
        configure(tmp_path, 'select = ["B101"]\n' + table)
        config = load_config(start=tmp_path)
        report = Engine(config, ResultCache(cache)).run([str(tmp_path / "train.jsonl")])
        return report.dataset_statistics["B101"]["counts"]

    assert counts('[labels]\nfield = "category"') == {"a": 40, "b": 30}
    assert counts('[labels]\nfield = "category"') == {"a": 40, "b": 30}  # served from the cache
    assert counts('[labels]\nfield = "topic"') == {"t1": 35, "t2": 35}
    assert counts('[labels]\nfield = "category"\n[per-file."train.jsonl".labels]\nfield = "topic"') == {"t1": 35, "t2": 35}
