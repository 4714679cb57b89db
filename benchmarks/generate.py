"""Generate a synthetic OpenAI-chat SFT dataset for benchmarks (~600 bytes a record).

Deterministic (seeded) so runs compare; a few records carry flaws so rules have work to do.
Usage: python benchmarks/generate.py OUT.jsonl [N]
"""
from __future__ import annotations

import json
import random
import sys

WORDS = ("data model train token prompt answer question system user assistant language value "
         "example quality format record field schema check report error warning number list "
         "python json file line code test result sample batch epoch loss weight").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def record(rng: random.Random, i: int) -> dict:
    messages = [{"role": "system", "content": "You are a concise, helpful assistant."}]
    for _ in range(rng.choice((1, 1, 2))):
        messages.append({"role": "user", "content": sentence(rng, rng.randint(8, 25))})
        messages.append({"role": "assistant", "content": " ".join(sentence(rng, rng.randint(6, 14)) for _ in range(3))})
    flaw = i % 97
    if flaw == 1:
        messages[-1]["content"] = "   "
    elif flaw == 2:
        messages[-1]["content"] += " Signed, {{name}}."
    elif flaw == 3:
        messages.append({"role": "user", "content": "And then?"})
    return {"messages": messages}


def main() -> None:
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    rng = random.Random(42)
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(record(rng, i)) + "\n")


if __name__ == "__main__":
    main()
