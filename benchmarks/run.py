"""Records/second and peak memory per rule family and for the default rule set, next to a bare
baseline (parse + normalise + hash every record) measured in the same run.

Each measurement runs in its own subprocess so peak RSS belongs to that measurement alone.
Usage: python benchmarks/run.py [N]   (generates benchmarks/data/chat-N.jsonl if missing)
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MEASURE = r'''
import hashlib, json, resource, sys, time, unicodedata
import orjson
path, mode = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "baseline":
    n = 0
    with open(path, "rb") as fh:
        for line in fh:
            data = orjson.loads(line)
            text = " ".join(m.get("content") or "" for m in data["messages"])
            hashlib.md5(" ".join(unicodedata.normalize("NFKC", text).casefold().split()).encode()).digest()
            n += 1
else:
    import ftlint
    select = None if mode == "default" else mode.split(",")
    overrides = {"select": select} if select else {}
    from ftlint.config import load_config
    from ftlint.engine import Engine
    config = load_config(None, cli=overrides)
    report = Engine(config).run([path])  # no result cache: measure the work itself
    n = report.records
elapsed = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": n, "seconds": elapsed, "peak_mib": peak_mib}))
'''

SUITES = [
    ("baseline: orjson parse + NFKC/casefold + md5", "baseline"),
    ("S0/S1 input + schema (S101 via jsonschema-rs)", "S0,S1"),
    ("S2 structure rules", "S2"),
    ("Q quality rules", "Q"),
    ("D1 exact duplicates (run-wide)", "D1"),
    ("default rule set", "default"),
]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    data = HERE / "data" / f"chat-{n}.jsonl"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(data), str(n)], check=True)
    size_mb = data.stat().st_size / 1e6
    print(f"dataset: {data.name}, {n} records, {size_mb:.1f} MB, python {sys.version.split()[0]}")
    print(f"{'suite':<48} {'records/s':>12} {'peak MiB':>9} {'vs baseline':>12}")
    baseline_rate = None
    for title, mode in SUITES:
        out = subprocess.run([sys.executable, "-c", MEASURE, str(data), mode], capture_output=True, text=True,
                             cwd=HERE, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rate = result["records"] / result["seconds"]
        baseline_rate = baseline_rate or rate
        print(f"{title:<48} {rate:>12,.0f} {result['peak_mib']:>9.0f} {rate / baseline_rate:>11.2f}x")


if __name__ == "__main__":
    main()
