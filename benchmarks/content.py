"""Records/second of the content-quality rules (Q2xx-Q4xx), next to the bare floor (parse +
normalise + blake2b of every record, benchmarks/floor.py) measured in the same run.

Two measurements: (1) each rule alone, in this process, over samples built once (what the rule
itself costs; the floor is timed the same way), and (2) end-to-end `ftlint` runs in subprocesses
with their peak RSS, with a one-cheap-rule run (Q101) as the engine's own cost for reference.

The data is generated here (seeded): instruction-style prompts over a 2,000-word vocabulary with 5%
planted paraphrases, responses of 40-160 words, and a few refusals, truncations and dated claims,
so every rule has work to do. Each measurement runs in its own subprocess (its own peak RSS).
Usage: python benchmarks/content.py [N]   (writes benchmarks/data/content-N.jsonl if missing)
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the ftlint of this checkout

# One measurement in a fresh interpreter: records/s and its own peak RSS.
MEASURE = r'''
import json, resource, sys, time
path, mode = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "baseline":
    from floor import floor_pass  # benchmarks/floor.py (this runs with the benchmarks folder as cwd)
    n = floor_pass(path)
else:
    from ftlint.config import load_config
    from ftlint.engine import Engine
    config = load_config(None, cli={"select": mode.split(",")})
    n = Engine(config).run([path]).records  # no result cache: measure the work itself
elapsed = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": n, "seconds": elapsed, "peak_mib": peak_mib}))
'''

SUITES = [
    ("floor: orjson parse + normalise + blake2b", "baseline"),
    ("engine reference: Q101 only", "Q101"),
    ("Q401-Q404 per-record (refusal, restated, truncated, dated)", "Q401,Q402,Q403,Q404"),
    ("Q202-Q204 diversity statistics", "Q202,Q203,Q204"),
    ("Q201 similar instructions (ROUGE-L via LSH)", "Q201"),
    ("Q405 templated responses", "Q405"),
    ("all content rules Q2-Q4", "Q2,Q3,Q4"),
]
VERBS = "write describe explain list summarize compose generate create classify translate compare suggest".split()
EXTRAS = ("I'm sorry, but I can't help with that.", "As of 2023, the latest version is 3.2.",
          "Here is the code:\n\n```python\nprint(1)")


def vocabulary(rng: random.Random, n: int = 2000) -> list[str]:
    letters = "abcdefghijklmnoprstuvwy"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(n)]


def generate(path: Path, n: int) -> None:
    rng = random.Random(42)
    words = vocabulary(rng)
    prompts: list[str] = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if prompts and rng.random() < 0.05:  # a paraphrase of an earlier instruction
                base = rng.choice(prompts[-1000:]).split()
                base[rng.randrange(len(base))] = rng.choice(words)
                prompt = " ".join(base)
            else:
                filler = " ".join(rng.choices(words, k=rng.randint(6, 20)))
                prompt = f"{rng.choice(VERBS).capitalize()} a {filler}."
            prompts.append(prompt)
            response = ". ".join(" ".join(rng.choices(words, k=rng.randint(8, 16))).capitalize()
                                 for _ in range(rng.randint(4, 10))) + "."
            if i % 50 == 7:
                response = rng.choice(EXTRAS) + " " + response
            fh.write(json.dumps({"messages": [{"role": "user", "content": prompt},
                                              {"role": "assistant", "content": response}]}) + "\n")


def rule_costs(path: Path) -> None:
    """Each rule alone over pre-built samples (fresh ones per rule: no shared cache)."""
    import time

    import orjson

    from ftlint.formats import FORMATS
    from ftlint.model import Record
    from ftlint.registry import RunContext, discover
    from ftlint.rulepack import load_rules

    from floor import floor_pass

    lines = path.read_bytes().splitlines()
    start = time.perf_counter()
    floor = floor_pass(str(path)) / (time.perf_counter() - start)
    spec, rules, impls = FORMATS["openai-chat"], load_rules(), discover()
    datas = [orjson.loads(line) for line in lines]
    print(f"{'rule alone (samples pre-built)':<60} {'records/s':>10} {'':>9} {'vs floor':>9}")
    print(f"{'floor: orjson parse + normalise + blake2b':<60} {floor:>10,.0f} {'':>9} {1:>8.2f}x")
    for code in ("Q401", "Q402", "Q403", "Q404", "Q202", "Q203", "Q204", "Q201", "Q405"):
        samples = [spec.to_sample(Record(str(path), n + 1, d)) for n, d in enumerate(datas)]
        impl, options = impls[code], rules[code].options
        start = time.perf_counter()
        if impl.kind == "record":
            for sample in samples:
                for _ in impl.target(sample, options):
                    pass
        elif impl.kind == "dataset":
            state = impl.target(options)
            for sample in samples:
                state.add(sample)
            list(state.finish(str(path)))
            state.statistics()
        else:
            state = impl.target(options, RunContext({}, {}, "."))
            for sample in samples:
                state.add(sample, None)
            list(state.finish())
            state.statistics()
        rate = len(samples) / (time.perf_counter() - start)
        print(f"{code + ' ' + rules[code].name:<60} {rate:>10,.0f} {'':>9} {rate / floor:>8.2f}x")
    print()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    data = HERE / "data" / f"content-{n}.jsonl"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        generate(data, n)
    print(f"dataset: {data.name}, {n} records, {data.stat().st_size / 1e6:.1f} MB, python {sys.version.split()[0]}")
    print(f"{'end to end (ftlint in a subprocess)':<60} {'records/s':>10} {'peak MiB':>9} {'vs floor':>9}")
    floor = None
    for title, mode in SUITES:
        out = subprocess.run([sys.executable, "-c", MEASURE, str(data), mode], capture_output=True, text=True,
                             cwd=HERE, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rate = result["records"] / result["seconds"]
        floor = floor or rate
        print(f"{title:<60} {rate:>10,.0f} {result['peak_mib']:>9.0f} {rate / floor:>8.2f}x")
    print()
    rule_costs(data)  # after the subprocesses: a child inherits its parent's peak RSS


if __name__ == "__main__":
    main()
