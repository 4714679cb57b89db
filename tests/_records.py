"""Record builders shared by several test modules (plain functions, imported by name)."""
from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = (
    "river harbour lantern copper meadow violin glacier orchard compass thunder pepper saddle marble "
    "falcon ribbon quarry walnut velvet anchor blossom canyon ember fossil garnet hazel island jasmine "
    "kettle ladder mango nectar oyster pebble quill raven sorrel tundra umber vessel willow yarrow zephyr "
    "bakery cobalt dune engine ferry granite hammock ivory jigsaw kiln lagoon mosaic nutmeg opal parsley "
    "quartz rhubarb spruce tulip urchin valley wharf basil cactus dolphin estuary fjord gravel heron "
    "indigo juniper kelp lichen mussel nettle olive prism quince reef salmon thistle tide vapor wren"
).split()


def chat_record(i: int, **extra) -> dict:
    """A valid openai-chat record whose texts differ from every other record's."""
    rng = random.Random(i)
    question = " ".join(rng.sample(WORDS, 9)).capitalize() + "?"
    answer = " ".join(rng.sample(WORDS, 14)).capitalize() + "."
    return {"messages": [{"role": "user", "content": question},
                         {"role": "assistant", "content": answer}], **extra}


def write_jsonl(path: Path, records: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def clean_file(path: Path, n: int = 60) -> Path:
    return write_jsonl(path, [chat_record(i) for i in range(n)])


def warning_file(path: Path, n: int = 60) -> Path:
    """Valid records that each carry one unknown key (`id`): one S102 warning per record."""
    return write_jsonl(path, [chat_record(i, id=i) for i in range(n)])


def where(report, code: str) -> list[tuple[int | None, str | None]]:
    """(line, field) of every finding of one rule."""
    return [(f.location.line, f.location.field) for f in report.by_rule(code)]


def one(report, code: str):
    """The single finding of a rule (fails with the list when there are more or none)."""
    found = report.by_rule(code)
    assert len(found) == 1, [(f.location.line, f.location.field, f.message) for f in found]
    return found[0]
