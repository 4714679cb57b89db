"""Records/second of the privacy rules (P101-P103, P201, P301) on realistic chat data.

Realistic means what fine-tuning chats hold: prose with numbers (years, prices, versions,
times, quantities), code snippets with assignments, URLs, and ~2% of records with a real-looking
e-mail, phone, card, IBAN, SSN, IP or API key. Beside them, in the same run and on the same file:
  * the floor: orjson parse + md5 of every text (no rule at all);
  * the peer: presidio's AnalyzerEngine.analyze on every text, (a) with presidio's default
    registry on the no-op NLP engine (what `AnalyzerEngine()` gives without a spaCy model) and
    (b) with ftlint's explicit pattern registry, no prefilter.
Each measurement runs in its own subprocess (fresh imports, its own analyzer); ftlint's rates are
steady-state (after a warm-up run on the first 2,000 records that loads presidio in every process),
with the one-time start-up printed beside them.

Usage: python benchmarks/privacy.py [N] [--peer-records M]
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

WORDS = ("the a to of and in is for on with how can you please explain why what model data train value "
         "python list function error file run use install version update server request response "
         "answer question step example table report result number time day week price order account "
         "customer support team project meeting email phone address name recipe cook bake water plan").split()


def _number(rng: random.Random) -> str:
    return rng.choice((str(rng.randint(1, 100)), str(rng.randint(1900, 2030)), f"${rng.randint(1, 999)}.{rng.randint(10, 99)}",
                       f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}", f"{rng.randint(0, 23)}:{rng.randint(10, 59)}",
                       f"{rng.randint(1, 99)}%", f"{rng.randint(1, 999)},{rng.randint(100, 999)},{rng.randint(100, 999)}",
                       f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"#{rng.randint(10000, 99999)}",
                       f"3.{rng.randint(1000, 99999)}"))


def _prose(rng: random.Random, words: int) -> str:
    """Words with a number in about one word of twenty (years, prices, versions, times, dates, big
    counts, order numbers) and now and then a link; two numbers are never adjacent, as in prose."""
    out: list[str] = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.05 and not (out and out[-1][-1:].isdigit()):
            out.append(_number(rng))
        elif roll < 0.053:
            out.append(rng.choice(("https://docs.python.org/3/library/re.html", "www.wikipedia.org", "e.g.", "i.e.")))
        else:
            out.append(rng.choice(WORDS))
    return " ".join(out).capitalize() + "."


def _code(rng: random.Random) -> str:
    n = rng.randint(2, 50)
    return rng.choice((f"```python\nfor i in range({n}):\n    total += i * {rng.randint(2, 9)}\n```",
                       f"```js\nconst limit = {n};\nconsole.log(items.slice(0, limit));\n```",
                       f"`timeout = {n}`", f"```sql\nSELECT * FROM orders WHERE id = {rng.randint(1, 99999)};\n```"))


def _pii(rng: random.Random) -> str:
    first = rng.choice(("maria", "li", "ahmed", "olga", "kwame", "sofia", "tom"))
    return rng.choice((
        f"my email is {first}.{rng.randint(10, 99)}@gmail.com",
        f"call me at +1 {rng.randint(201, 989)}-{rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
        f"my number is +44 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        "card 4539 1488 0343 6467 exp 04/27",
        "IBAN DE89 3704 0044 0532 0130 00",
        f"SSN {rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        f"server at 81.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
        "api_key = 'sk-proj-" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(40)) + "'",
    ))


def record(rng: random.Random, pii_share: float) -> dict:
    messages = [{"role": "system", "content": "You are a helpful assistant."}] if rng.random() < 0.5 else []
    for _ in range(rng.choice((1, 1, 2))):
        user = _prose(rng, rng.randint(8, 30))
        answer = " ".join(_prose(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.15:
            answer += "\n\n" + _code(rng)
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    if rng.random() < pii_share:
        messages[-2]["content"] += " " + _pii(rng)
    return {"messages": messages}


def generate(path: Path, n: int, pii_share: float = 0.02, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(n):
            fh.write(json.dumps(record(rng, pii_share)) + "\n")


MEASURE = r'''
import hashlib, json, sys, time
sys.path.insert(0, ROOT)
import orjson
path, mode, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
n = 0
if mode == "floor":
    with open(path, "rb") as fh:
        for line in fh:
            data = orjson.loads(line)
            for m in data["messages"]:
                hashlib.md5(m["content"].encode()).digest()
            n += 1
elif mode.startswith("peer"):
    texts = []
    with open(path, "rb") as fh:
        for line in fh:
            texts.append([m["content"] for m in orjson.loads(line)["messages"]])
            if len(texts) == limit:
                break
    if mode == "peer-default":
        import warnings, logging
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
        from ftlint.privacy.analyzer import tld_extractor
        import tldextract.tldextract as tx
        tx.TLD_EXTRACTOR = tld_extractor()  # keep the peer offline too
        engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}]); engine.load()
        analyzer = AnalyzerEngine(nlp_engine=engine)
        analyze = lambda t: analyzer.analyze(t, language="en")
    else:
        from ftlint.privacy.analyzer import pattern_analyzer
        from ftlint.privacy.entities import RATE_DEFAULT
        analyzer = pattern_analyzer()
        analyze = lambda t: analyzer.analyze(t, language="en", entities=list(RATE_DEFAULT))
    analyze("warm up with jane@gmail.com")
    start = time.perf_counter()
    for record in texts:
        for t in record:
            analyze(t)
        n += 1
else:
    from ftlint.config import load_config
    from ftlint.engine import Engine
    jobs = int(mode.split(":")[1])
    select = ["S001"] if mode.startswith("engine") else ["P101", "P102", "P103", "P201", "P301"]
    config = load_config(None, cli={"select": select})
    try:
        engine = Engine(config, jobs=jobs, parallel_min_bytes=0)
    except TypeError:  # an engine without a process pool
        if jobs > 1:
            print(json.dumps({"records": 0, "seconds": 0, "note": "engine has no process pool"})); sys.exit()
        engine = Engine(config)
    # Warm up on the first records: imports, rule pack, presidio's analyzer in every process.
    # One-time costs (about 1 s per process, nearly all of it importing presidio, which imports
    # spaCy at module level) are reported apart from the steady-state rate.
    warm = path + ".head.jsonl"
    with open(path, "rb") as src, open(warm, "wb") as dst:
        dst.writelines(line for _, line in zip(range(2000), src))
    engine.run([warm])
    startup = time.perf_counter() - start
    start = time.perf_counter()
    report = engine.run([path])
    n = report.records
    stats = report.files[0].statistics.get("P301", {})
    print(json.dumps({"records": n, "seconds": time.perf_counter() - start, "startup": startup,
                      "findings": len(report.findings), "records_with_pii": stats.get("records_with_pii")}))
    sys.exit()
print(json.dumps({"records": n, "seconds": time.perf_counter() - start}))
'''.replace("ROOT", repr(str(ROOT)))


def measure(path: Path, mode: str, limit: int = 0) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), mode, str(limit)], capture_output=True, text=True,
                         cwd=tempfile.gettempdir())  # no project config applies
    if out.returncode:
        raise SystemExit(f"{mode} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=50_000)
    parser.add_argument("--peer-records", type=int, default=3_000, help="records the presidio peers analyse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"privacy-chat-{args.n}.jsonl"
        generate(path, args.n)
        print(f"dataset: {args.n} chat records, {path.stat().st_size / 1e6:.1f} MB, ~2% with PII; python {sys.version.split()[0]}")
        rows = [
            ("floor: orjson parse + md5 of every text", "floor", 0),
            ("ftlint engine floor: read, validate, build samples (S001 only)", "engine:1", 0),
            ("ftlint P101-P103,P201,P301, 1 process", "ftlint:1", 0),
            ("ftlint P101-P103,P201,P301, 2 processes", "ftlint:2", 0),
            ("peer: presidio analyze every text, default registry (no-op NLP)", "peer-default", args.peer_records),
            ("peer: presidio analyze every text, ftlint's pattern registry", "peer-pattern", args.peer_records),
        ]
        for label, mode, limit in rows:
            result = measure(path, mode, limit)
            if not result["records"]:
                print(f"{label:<68} skipped ({result.get('note')})")
                continue
            rate = result["records"] / result["seconds"]
            extra = ""
            if result.get("records_with_pii") is not None:
                extra = f"  ({result['findings']} findings, {result['records_with_pii']} records with PII"
            if "startup" in result:
                extra += ("; " if extra else "  (") + f"start-up and warm-up {result['startup']:.1f} s not included)"
            print(f"{label:<68} {rate:>10,.0f} records/s{extra}")


if __name__ == "__main__":
    main()
