"""ftlint's benchmark: records/s and peak memory per rule family and for the default rule set,
as ratios against the bare floor and against peers doing the same jobs, on the same data, in one
run. Writes benchmarks/RESULTS.md.

    python benchmarks/run.py --size 100000        # 10000 for a quick look; 1000000 for memory

Measured, each in its own process (peak RSS = the largest sum over the process and its workers,
sampled from /proc every 0.25 s):
  floor        orjson parse + NFKC/casefold/whitespace normalisation + blake2b of every record,
               one core: the least any linter must do to look at every record
  ftlint       `Engine(...).run()` without the result cache, per family (its default-enabled
               rules), schema + quality, the default rule set with every CPU and with one
  peers        benchmarks/peers.py: the OpenAI cookbook checks, naive datasketch near-dup,
               presidio on every text; "peers in sequence" is the sum of the three
  near-dup     D201 against datasketch: records/s and recall of the planted near duplicates
               (pairs whose true word 5-gram Jaccard is >= 0.8)
  start-up     `ftlint check` on the unchanged dataset (replayed; and served by the result cache
               with --output-file, which is never replayed) against `python -c pass`

Data: benchmarks/generate.py (seeded chat records with planted duplicates, near duplicates, PII,
over-long and flawed records), generated into benchmarks/data/ when missing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
NOTES_MARKER = "<!-- hand-written notes: run.py keeps everything from here on -->"


# --------------------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(child) for child in fh.read().split())
    except (OSError, ValueError):
        pass
    return out


def _tree_rss(root: int) -> int:
    """RSS of a process and all its descendants (workers, the fork server)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(pid))
    return total


def run_measured(args: list[str]) -> dict:
    """Run a measurement process; its JSON result plus the peak RSS of its process tree."""
    # as the ftlint command does (ftlint.cli): no BLAS threads, so workers can be forked
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **os.environ,
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=HERE, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.25)
    out, err = proc.communicate()
    if proc.returncode != 0:  # reported in the table; the other measurements still run
        print(f"measurement {args} failed:\n{err[-3000:]}", file=sys.stderr)
        return {"records": 0, "seconds": float("nan"), "peak_mib": peak / 2**20, "failed": err.strip()[-300:]}
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = peak / 2**20
    return result


def best_of(runs: int, args: list[str]) -> dict:
    """The fastest of `runs` measurements, each in a fresh process, with the largest peak RSS of
    them all: other jobs on a shared machine only ever slow a run down."""
    measured = [run_measured(args) for _ in range(max(1, runs))]
    ok = [m for m in measured if not m.get("failed")] or measured
    best = min(ok, key=lambda m: m["seconds"])
    return {**best, "peak_mib": max(m["peak_mib"] for m in measured), "runs": len(measured),
            "slowest_seconds": max(m["seconds"] for m in ok)}


def _command_env() -> dict[str, str]:
    """The environment of the timed commands: ftlint from this checkout, bytecode allowed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_bytecode() -> None:
    """An installed package has its bytecode compiled: so has every measurement (these machines
    may set PYTHONDONTWRITEBYTECODE, and compiling ftlint's modules costs ~0.3 s a process)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ftlint")], env=_command_env(),
                   check=False, stdout=subprocess.DEVNULL)


def measure_floor(path: str) -> dict:
    from floor import floor_pass  # benchmarks/floor.py: the one floor every script uses

    start = time.perf_counter()
    n = floor_pass(path)
    return {"records": n, "seconds": time.perf_counter() - start}


def measure_ftlint(path: str, select: str, jobs: int) -> dict:
    from ftlint.config import load_config
    from ftlint.engine import Engine

    cli: dict = {} if select == "default" else {"select": select.split(",")}
    if select == "D201":  # every near duplicate found, not only a rate above 5%: recall is measured
        cli["rules"] = {"D201": {"max-rate": 0.0}}
    start = time.perf_counter()
    report = Engine(load_config(None, start=HERE, cli=cli), jobs=jobs).run([path])
    seconds = time.perf_counter() - start
    counts: dict[str, int] = defaultdict(int)
    clusters: dict[tuple, None] = {}
    for finding in report.findings:
        counts[finding.code] += 1
        if finding.code == "D201" and finding.location.line:
            clusters[tuple(sorted({finding.location.line, *(r.line for r in finding.related)}))] = None
    return {"records": report.records, "seconds": seconds, "findings": dict(counts),
            "clusters": [list(c) for c in clusters]}


# --------------------------------------------------------------------------- scoring


def _texts(raw: str) -> str:
    sys.path.insert(0, str(HERE))
    from peers import record_texts

    return "\n".join(record_texts(json.loads(raw)))


def near_truth(path: Path, labels: dict, threshold: float = 0.8) -> list[tuple[int, int]]:
    """Planted near-duplicate pairs whose exact word 5-gram Jaccard reaches the threshold. A copy
    whose substitutions all missed (short texts) is an exact duplicate: D101's, not a near one."""
    sys.path.insert(0, str(HERE))
    from peers import shingles

    wanted = {line for pair in labels["near"] for line in pair}
    texts = {}
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, 1):
            if number in wanted:
                texts[number] = shingles(" ".join(_texts(raw).split()))
    truth = []
    for copy, original in labels["near"]:
        a, b = texts[copy], texts[original]
        if a and b and threshold <= len(a & b) / len(a | b) < 1.0:
            truth.append((copy, original))
    return truth


def recall(truth: list[tuple[int, int]], groups: list[list[int]]) -> float:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x] = parent.get(parent[x], parent[x])
        return x

    for group in groups:
        for other in group[1:]:
            parent[find(other)] = find(group[0])
    found = sum(find(a) == find(b) for a, b in truth)
    return found / len(truth) if truth else 1.0


# --------------------------------------------------------------------------- start-up


def time_commands(commands: dict[str, list[str]], runs: int, cwd: Path) -> dict[str, dict]:
    """Median and minimum wall time of each command, run in turn (one of each, then again), so
    that a busy spell on a shared machine slows them all alike and their ratios hold."""
    env = _command_env()
    walls: dict[str, list[float]] = {title: [] for title in commands}
    for _ in range(runs):
        for title, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls[title].append(time.perf_counter() - start)
    return {title: {"median_ms": statistics.median(w) * 1000, "min_ms": min(w) * 1000} for title, w in walls.items()}


def startup(data: Path, runs: int) -> dict:
    env = _command_env()  # bytecode was compiled before the first measurement (main)
    check = [sys.executable, "-m", "ftlint", "check", data.name]
    subprocess.run(check, cwd=data.parent, env=env, stdout=subprocess.DEVNULL)  # fill the cache (full run)
    subprocess.run(check, cwd=data.parent, env=env, stdout=subprocess.DEVNULL)  # and record the replay
    return time_commands({"python -c pass": [sys.executable, "-c", "pass"],
                          "ftlint --version": [sys.executable, "-m", "ftlint", "--version"],
                          "ftlint check (unchanged: replayed)": check,
                          "ftlint check -o FILE (unchanged: result cache)": [*check, "-o", "/dev/null"]},
                         runs, data.parent)


# --------------------------------------------------------------------------- report


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem_gb = int(mem.split()[1]) / 2**20
    except (OSError, StopIteration):
        mem_gb = 0.0
    cpus = len(os.sched_getaffinity(0))
    load = os.getloadavg()
    return (f"{model}, {cpus} CPUs available, {mem_gb:.1f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--format", choices=("chat", "alpaca", "dpo"), default="chat")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--only", help="suite titles to run (prefix match; several separated by ';'), for a quick look")
    parser.add_argument("--startup-runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3,
                        help="measure the floor and each ftlint suite this many times, each in a fresh process, "
                             "and keep the fastest (the machine is shared; peers run once)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="where to write the report")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)  # internal: one measurement
    args = parser.parse_args()
    if args.measure:
        kind, path, *rest = args.measure
        if kind == "floor":
            result = measure_floor(path)
        else:
            result = measure_ftlint(path, kind, int(rest[0]))
        print(json.dumps(result))
        return

    sys.path.insert(0, str(ROOT))
    from ftlint.rulepack import FAMILIES, load_rules

    data = HERE / "data" / f"bench-{args.format}-{args.size}.jsonl"
    if not data.exists():
        sys.path.insert(0, str(HERE))
        from generate import write

        print(f"generating {data.name} ...", flush=True)
        write(data, args.size, args.format)
    labels = json.loads(Path(f"{data}.labels.json").read_text())
    description = machine()
    print(f"dataset {data.name}: {args.size:,} records, {data.stat().st_size / 1e6:.0f} MB\n{description}\n", flush=True)

    rules = load_rules()
    default_codes = [c for c, m in rules.items() if m.default_enabled]

    def family(letter: str) -> str:
        return ",".join(c for c in default_codes if c.startswith(letter))

    suites: list[tuple[str, list[str]]] = [("floor: orjson + normalise + blake2b (1 core)", ["floor", str(data)]),
                                           ("engine alone: read, parse, schema, samples; no rule", ["S001", str(data), str(args.jobs)])]
    for letter, name in FAMILIES.items():
        if family(letter):
            suites.append((f"{letter} {name} (default rules)", [family(letter), str(data), str(args.jobs)]))
    suites += [("S + Q schema and quality", [family("S") + "," + family("Q"), str(data), str(args.jobs)]),
               ("D201 near duplicates alone", ["D201", str(data), str(args.jobs)]),
               (f"default rule set, {args.jobs} jobs", ["default", str(data), str(args.jobs)]),
               ("default rule set, 1 job", ["default", str(data), "1"])]
    peers = [] if args.skip_peers or args.format != "chat" else ["cookbook", "datasketch", "presidio"]
    only = [o.strip() for o in args.only.split(";")] if args.only else None

    compile_bytecode()
    results: dict[str, dict] = {}
    for title, measure in suites:
        if only and not any(title.startswith(o) for o in only) and not title.startswith("floor"):
            continue
        results[title] = best_of(args.repeat, [str(Path(__file__)), "--measure", *measure])
        r = results[title]
        print(f"{title:<48} {r['records'] / r['seconds']:>10,.0f} rec/s {r['seconds']:>8.1f} s "
              f"{r['peak_mib']:>7.0f} MiB", flush=True)
    for name in peers:
        if only and not any(f"peer {name}".startswith(o) for o in only):
            continue
        results[f"peer {name}"] = r = run_measured([str(HERE / "peers.py"), name, str(data)])
        print(f"{'peer ' + name:<48} {r['records'] / r['seconds']:>10,.0f} rec/s {r['seconds']:>8.1f} s "
              f"{r['peak_mib']:>7.0f} MiB", flush=True)
    starts = startup(data, args.startup_runs) if not only else {}
    for title, t in starts.items():
        print(f"{title:<48} median {t['median_ms']:7.1f} ms  min {t['min_ms']:7.1f} ms", flush=True)
    end_load = os.getloadavg()
    write_results(args, data, labels, description, end_load, results, starts)


def targets(args, results: dict, starts: dict) -> list[tuple[str, str, bool]]:
    """The issues' speed and memory targets, each with what this run measured."""
    floor = results["floor: orjson + normalise + blake2b (1 core)"]
    floor_rate = floor["records"] / floor["seconds"]

    def rate(title: str) -> float | None:
        r = results.get(title)
        return r["records"] / r["seconds"] if r else None

    rows: list[tuple[str, str, bool]] = []
    default = results.get(f"default rule set, {args.jobs} jobs")
    peer_keys = [k for k in results if k.startswith("peer ")]
    if default and len(peer_keys) == 3:
        ratio = sum(results[k]["seconds"] for k in peer_keys) / default["seconds"]
        rows.append(("default rule set >= 3x the peers in sequence", f"{ratio:.1f}x", ratio >= 3))
    d201, sketch = results.get("D201 near duplicates alone"), results.get("peer datasketch")
    if d201 and sketch:
        speed = sketch["seconds"] / d201["seconds"]
        rows.append(("near-dup >= 3x naive datasketch (recall: see above)", f"{speed:.1f}x", speed >= 3))
    for title, name, share in ((f"default rule set, {args.jobs} jobs", "default rule set", 0.25),
                               ("S + Q schema and quality", "schema + quality", 0.50),
                               ("T tokens (default rules)", "token rules (issue 5)", 0.30)):
        measured = rate(title)
        if measured is not None:
            rows.append((f"{name} >= {share:.0%} of the floor", f"{measured / floor_rate:.1%}", measured / floor_rate >= share))
    privacy = rate("P privacy (default rules)")
    if privacy is not None:
        rows.append(("PII rules >= 20,000 records/s on 2 cores (issue 6)", f"{privacy:,.0f} records/s", privacy >= 20_000))
    replayed = starts.get("ftlint check (unchanged: replayed)")
    if replayed:
        ratio = replayed["median_ms"] / starts["python -c pass"]["median_ms"]
        rows.append(("unchanged re-run <= 2x `python -c pass`", f"{ratio:.2f}x (median)", ratio <= 2))
    if default and args.size >= 1_000_000:
        peak = default["peak_mib"] * 2**20 / 1e9
        rows.append(("peak RSS for 1M chat records < 1.5 GB", f"{peak:.2f} GB", peak < 1.5))
    return rows


def write_results(args, data: Path, labels: dict, description: str, end_load, results: dict, starts: dict) -> None:
    floor = results["floor: orjson + normalise + blake2b (1 core)"]
    floor_rate = floor["records"] / floor["seconds"]
    lines = ["# ftlint benchmark results", "",
             f"Command: `python benchmarks/run.py --size {args.size}" + (f" --format {args.format}" if args.format != "chat" else "")
             + (f" --repeat {args.repeat}" if args.repeat != 3 else "") + "`",
             "", f"Machine: {description}; at the end {end_load[0]:.2f} / {end_load[1]:.2f} / {end_load[2]:.2f}.",
             "The machine was shared with other jobs while this ran (see the load averages): absolute "
             "numbers are noisy, the ratios within one run much less so. The floor and every ftlint row are "
             f"the fastest of {args.repeat} runs, each in a fresh process (the slowest is in the last column); "
             "the peers run once.", "",
             f"Dataset: `{data.name}` ({args.size:,} {labels['format']} records, {data.stat().st_size / 1e6:.0f} MB), "
             f"planted: {len(labels['exact'])} exact copies, {len(labels['near'])} near copies, "
             f"{len(labels['pii'])} records with PII, {len(labels['long'])} over-long, {len(labels['flawed'])} flawed.",
             "", "## Throughput and memory", "",
             "| suite | records/s | seconds | peak RSS MiB | vs floor | slowest run, vs floor |",
             "|---|---:|---:|---:|---:|---:|"]
    for title, r in results.items():
        rate = r["records"] / r["seconds"]
        slowest = r.get("slowest_seconds")
        spread = f"{r['records'] / slowest / floor_rate:.1%}" if slowest and r.get("runs", 1) > 1 else ""
        lines.append(f"| {title} | {rate:,.0f} | {r['seconds']:.1f} | {r['peak_mib']:.0f} | {rate / floor_rate:.1%} | {spread} |")
    lines += ["", "Peak RSS is the largest sum over the measuring process and its worker processes.", ""]
    default = results.get(f"default rule set, {args.jobs} jobs")
    peer_keys = [k for k in results if k.startswith("peer ")]
    lines += ["## Ratios", ""]
    if default and len(peer_keys) == 3:
        peers_seconds = sum(results[k]["seconds"] for k in peer_keys)
        lines.append(f"- default rule set vs the peers' equivalent steps one after another (cookbook checks + "
                     f"datasketch near-dup + presidio): {peers_seconds / default['seconds']:.2f}x faster "
                     f"({default['seconds']:.1f} s vs {peers_seconds:.1f} s); target >= 3x.")
    if default:
        rate = default["records"] / default["seconds"]
        lines.append(f"- default rule set: {rate / floor_rate:.1%} of the floor's records/s; target >= 25%.")
    sq = results.get("S + Q schema and quality")
    if sq:
        lines.append(f"- schema + quality: {sq['records'] / sq['seconds'] / floor_rate:.1%} of the floor; target >= 50%.")
    d201, sketch = results.get("D201 near duplicates alone"), results.get("peer datasketch")
    if d201 and sketch:
        truth = near_truth(data, labels)
        ours, theirs = recall(truth, d201["clusters"]), recall(truth, sketch["pairs"])
        lines.append(f"- near-dup: D201 {d201['seconds'] and sketch['seconds'] / d201['seconds']:.2f}x the speed of naive "
                     f"datasketch (target >= 3x); recall of the {len(truth)} planted near pairs with 0.8 <= Jaccard < 1: "
                     f"D201 {ours:.1%}, datasketch {theirs:.1%}.")
    if starts:
        base = starts["python -c pass"]
        for title, t in starts.items():
            if title != "python -c pass":
                lines.append(f"- {title}: median {t['median_ms']:.0f} ms = {t['median_ms'] / base['median_ms']:.2f}x "
                             f"`python -c pass` ({base['median_ms']:.0f} ms); min {t['min_ms']:.0f} ms = "
                             f"{t['min_ms'] / base['min_ms']:.2f}x")
    lines += ["", "## Targets (issues 5, 6 and 8)", "", "| target | result | met |", "|---|---|---|"]
    lines += [f"| {name} | {result} | {'yes' if met else 'no'} |" for name, result, met in targets(args, results, starts)]
    lines += ["", "## Findings on the planted data", ""]
    for title, r in results.items():
        if "findings" in r and title.startswith("default rule set, "):
            lines.append(f"- {title}: " + ", ".join(f"{c} {n}" for c, n in sorted(r["findings"].items())))
    if "peer cookbook" in results:
        c = results["peer cookbook"]
        lines.append(f"- cookbook: format errors {c['format_errors']}, over 16,385 tokens {c['too_long']}, "
                     f"missing system {c['missing_system']}")
    if "peer presidio" in results:
        lines.append(f"- presidio: {len(results['peer presidio']['with_pii'])} records with a finding "
                     f"({len(labels['pii'])} planted with PII) over {results['peer presidio']['texts']:,} texts")
    lines += ["", "## How to read this", "",
              "- The floor and the peers use one core, as they are usually run; ftlint uses every CPU unless "
              "the row says 1 job (then compare per core).",
              "- Family rows run that family's default-enabled rules alone; each row includes its own start-up "
              "(imports, tokenizer, analyzer) and the end-of-file work of dataset rules.",
              "- \"Engine alone\" runs no rule beyond the engine's own (read, parse, duplicate-key screen, schema "
              "check, building each record's sample): the ceiling of any rule set's records/s on this machine.",
              "- presidio runs with its predefined recognizers and `NoOpNlpEngine`: its default spaCy model is "
              "not installed offline; without NER it is faster, so that ratio is conservative.",
              "- Start-up is measured with compiled bytecode (as an installed package has), the four commands "
              f"in turn, {args.startup_runs} rounds. \"Replayed\" is an "
              "unchanged `ftlint check` answered by `ftlint.fastpath` without importing the linter; \"result "
              "cache\" is the same run with `-o FILE`, which is never replayed: configuration, rule pack and "
              "reporters load, every file is served from the cache."]
    kept = ""  # hand-written notes below the marker survive a new run
    if args.results.exists():
        previous = args.results.read_text()
        if NOTES_MARKER in previous:
            kept = previous[previous.index(NOTES_MARKER):]
    args.results.write_text("\n".join(lines) + "\n" + ("\n" + kept if kept else ""))
    print(f"\nwrote {args.results}")


if __name__ == "__main__":
    main()
