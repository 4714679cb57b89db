"""Near-duplicate benchmark (D201): records/s and peak RSS next to the bare parse + hash floor.

Generates OpenAI-chat records (~700 bytes: a shared system prompt, one or two user/assistant
turns drawn from a Zipfian 5,000-word vocabulary, one record in eight a short exchange) in which
5% of the records are planted near duplicates of an earlier record (word substitutions sized for a
target word 5-gram Jaccard drawn from 0.5-0.95) and 1% are exact copies. Deterministic (seeded).

Measured, each in its own subprocess so peak RSS is that measurement's alone:
  floor   orjson parse + NFKC/casefold/whitespace + blake2b of every record's text
  pass    the same parse + normalise, then ftlint.similarity alone: index every text, find the
          clusters, verify candidates exactly (re-reading their lines); "similarity only" is the
          time inside similarity.py
  D201    `ftlint check --select D201` through the public API (reader, schema, views, rule)

Usage: python benchmarks/near_dup.py [N ...]   (default 100000; e.g. 100000 1000000)
Data goes to benchmarks/data/neardup-N.jsonl (generated when missing).
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM = "You are a concise, helpful assistant."
SYLLABLES = ("ka ri mo ta le su po ne vi da lo mi ra zu te ko sa ni fe go ha ju ba ce di el an or "
             "is un".split())


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))))
    return sorted(words)


class Generator:
    """Chat records with planted near duplicates; `records(n)` is a generator."""

    def __init__(self, seed: int = 7, near_rate: float = 0.05, exact_rate: float = 0.01) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        weights = [1.0 / (rank + 10) for rank in range(len(self.words))]  # Zipf-like
        total = sum(weights)
        self.cumulative = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self.cumulative.append(acc)
        self.near_rate = near_rate
        self.exact_rate = exact_rate
        self.recent: list[dict] = []  # earlier records a plant may copy (bounded reservoir)

    def sentence(self, n: int) -> str:
        picks = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        return " ".join(picks).capitalize() + "."

    def fresh(self) -> dict:
        rng = self.rng
        messages = [{"role": "system", "content": SYSTEM}]
        if rng.random() < 0.125:  # a short exchange
            messages.append({"role": "user", "content": self.sentence(rng.randint(3, 8))})
            messages.append({"role": "assistant", "content": self.sentence(rng.randint(2, 6))})
            return {"messages": messages}
        for _ in range(rng.choice((1, 1, 2))):
            messages.append({"role": "user", "content": self.sentence(rng.randint(8, 25))})
            answer = " ".join(self.sentence(rng.randint(6, 16)) for _ in range(3))
            messages.append({"role": "assistant", "content": answer})
        return {"messages": messages}

    def near_copy(self, original: dict, target: float) -> dict:
        """Substitute scattered words so that about a share f = 2J/(1+J) of 5-grams survive."""
        rng = self.rng
        keep = (2 * target / (1 + target)) ** (1 / 5)
        messages = [dict(m) for m in original["messages"]]
        for message in messages[1:]:
            words = message["content"].split()
            for i in range(len(words)):
                if rng.random() > keep:
                    words[i] = rng.choice(self.words)
            message["content"] = " ".join(words)
        return {"messages": messages}

    def records(self, n: int) -> Iterator[dict]:
        rng = self.rng
        for _ in range(n):
            roll = rng.random()
            if self.recent and roll < self.exact_rate:
                record = rng.choice(self.recent)
            elif self.recent and roll < self.exact_rate + self.near_rate:
                record = self.near_copy(rng.choice(self.recent), rng.uniform(0.5, 0.95))
            else:
                record = self.fresh()
            if len(self.recent) < 5000:
                self.recent.append(record)
            else:
                self.recent[rng.randrange(5000)] = record
            yield record


def write(path: Path, n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for record in Generator().records(n):
            fh.write(json.dumps(record) + "\n")


MEASURE = r'''
import hashlib, json, resource, sys, time
import orjson
from ftlint.textview import normalise
path, mode = sys.argv[1], sys.argv[2]

def texts():
    with open(path, "rb") as fh:
        for line in fh:
            data = orjson.loads(line)
            yield normalise("\n".join(m.get("content") or "" for m in data["messages"]))

start = time.perf_counter()
extra = {}
if mode == "floor":
    n = 0
    for text in texts():
        hashlib.blake2b(text.encode(), digest_size=8).digest()
        n += 1
elif mode == "pass":
    from ftlint.similarity import NearDuplicateIndex
    index = NearDuplicateIndex()
    inside = 0.0
    n = 0
    for text in texts():
        t = time.perf_counter()
        index.add(n + 1, text)  # key = line number
        inside += time.perf_counter() - t
        n += 1
    t = time.perf_counter()
    index.flush()
    inside += time.perf_counter() - t

    def load(keys):
        wanted, out = set(keys), {}
        with open(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                if number in wanted:
                    data = orjson.loads(line)
                    out[number] = normalise("\n".join(m.get("content") or "" for m in data["messages"]))
        return out

    t = time.perf_counter()
    result = index.find(load)
    find_seconds = time.perf_counter() - t
    inside += find_seconds
    extra = {"similarity_seconds": inside, "find_seconds": find_seconds, "index_bytes": result.index_bytes,
             "flagged": result.flagged, "clusters": len(result.clusters), "candidates": result.candidates,
             "screened": result.screened, "exact": result.exact}
else:
    import ftlint
    report = ftlint.check(path, select=mode.split(","))
    n = report.records
    extra = {"findings": len(report.findings)}
elapsed = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": n, "seconds": elapsed, "peak_mib": peak_mib, **extra}))
'''


def measure(data: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(data), mode], capture_output=True, text=True,
                         cwd=HERE, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000]
    for n in sizes:
        data = HERE / "data" / f"neardup-{n}.jsonl"
        if not data.exists():
            write(data, n)
        size = data.stat().st_size / 1e6
        print(f"\ndataset: {data.name}, {n:,} records, {size:.0f} MB, python {sys.version.split()[0]}")
        print(f"{'measurement':<44} {'records/s':>10} {'seconds':>8} {'peak MiB':>9}")
        floor = measure(data, "floor")
        print(f"{'floor: parse + normalise + blake2b':<44} {floor['records'] / floor['seconds']:>10,.0f} "
              f"{floor['seconds']:>8.1f} {floor['peak_mib']:>9.0f}")
        run = measure(data, "pass")
        print(f"{'near-dup pass (parse + similarity.py)':<44} {run['records'] / run['seconds']:>10,.0f} "
              f"{run['seconds']:>8.1f} {run['peak_mib']:>9.0f}")
        print(f"{'  similarity.py only (index + find)':<44} {run['records'] / run['similarity_seconds']:>10,.0f} "
              f"{run['similarity_seconds']:>8.1f}")
        print(f"    index {run['index_bytes'] / 2**20:.1f} MiB ({run['index_bytes'] / n:.0f} B/record); "
              f"find {run['find_seconds']:.1f} s; {run['candidates']:,} band candidates, {run['screened']:,} "
              f"after the 8-bit screen, {run['exact']:,} verified exactly; {run['flagged']:,} near duplicates "
              f"in {run['clusters']:,} clusters")
        check = measure(data, "D201")
        print(f"{'ftlint check --select D201':<44} {check['records'] / check['seconds']:>10,.0f} "
              f"{check['seconds']:>8.1f} {check['peak_mib']:>9.0f}")


if __name__ == "__main__":
    main()
