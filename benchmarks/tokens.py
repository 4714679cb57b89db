"""Token-rule benchmark: records/s and tokens/s of the T rules next to the bare parse + hash floor
measured in the same run, with the default tokenizer (o200k_base through bpe-openai), with a
shared 2 KB system prompt in every record (as most real datasets have: counted once per process),
and with a Hugging Face tokenizer.json rendered through its chat template. Plus the per-record
encode vs encode_batch question (how much faster is batching across records?) and ftlint's
word-at-a-time o200k count against the Rust tokenizer's own count.

No download: the HF tokenizer is a byte-level BPE (16k vocabulary) trained here with `tokenizers`
on the benchmark data itself, saved with a ChatML chat template, and loaded through the
configuration as a user's model directory would be.

Each measurement runs in its own subprocess, so tokenizer start-up and peak RSS are its own.
Usage: python benchmarks/tokens.py [N]   (default 50000; data from benchmarks/generate.py)
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}")

MEASURE = r'''
import json, resource, sys, time
path, mode, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
config_file = sys.argv[4] if len(sys.argv) > 4 else None
start = time.perf_counter()
cpu = time.process_time()
tokens = None
if mode == "floor":
    from floor import floor_pass  # benchmarks/floor.py (this runs with the benchmarks folder as cwd)
    n = floor_pass(path)
else:
    from ftlint.config import load_config
    from ftlint.engine import Engine
    config = load_config(config_file, cli={"select": mode.split(",")})
    try:
        engine = Engine(config, jobs=jobs)
    except TypeError:  # an engine without worker processes
        engine = Engine(config)
    report = engine.run([path])
    n = report.records
    stats = report.files[0].statistics.get("T103") or {}
    tokens = stats.get("tokens")
elapsed = time.perf_counter() - start
cpu = time.process_time() - cpu
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"records": n, "seconds": elapsed, "cpu": cpu, "peak_mib": peak_mib, "tokens": tokens}))
'''

BATCHING = r'''
import json, sys, time
import orjson
path, tokenizer_file = sys.argv[1], sys.argv[2]
texts = []
with open(path, "rb") as fh:
    for i, line in enumerate(fh):
        if i == 5000:
            break
        texts.extend(m["content"] for m in orjson.loads(line)["messages"])
out = {"texts": len(texts)}
from tokenizers import Tokenizer
tok = Tokenizer.from_file(tokenizer_file)
tok.encode_batch(texts[:100], add_special_tokens=False)
t = time.perf_counter()
for text in texts:
    tok.encode(text, add_special_tokens=False)
out["hf encode one text a call"] = len(texts) / (time.perf_counter() - t)
t = time.perf_counter()
tok.encode_batch(texts, add_special_tokens=False)
out["hf encode_batch, all texts"] = len(texts) / (time.perf_counter() - t)
t = time.perf_counter()
for i in range(0, len(texts), 5):
    tok.encode_batch(texts[i:i + 5], add_special_tokens=False)
out["hf encode_batch, one record a call"] = len(texts) / (time.perf_counter() - t)
t = time.perf_counter()
for i in range(0, len(texts), 1280):
    tok.encode_batch(texts[i:i + 1280], add_special_tokens=False)
out["hf encode_batch, 256 records a call"] = len(texts) / (time.perf_counter() - t)
from bpe_openai import _bindings
import bpe_openai
rust = _bindings.tokenizer_for_encoding("o200k_base")
t = time.perf_counter()
for text in texts:
    rust.count(text)
out["o200k count one text a call"] = len(texts) / (time.perf_counter() - t)
from ftlint.tokens.backends import OpenAIBackend
from ftlint.tokens.settings import TokenizerSpec
table = OpenAIBackend(TokenizerSpec("openai", "o200k_base", "o200k_base"))
t = time.perf_counter()
for text in texts:
    table._count_one(text)
out["o200k ftlint word table, first pass"] = len(texts) / (time.perf_counter() - t)
t = time.perf_counter()
for text in texts:
    table._count_one(text)
out["o200k ftlint word table, second pass"] = len(texts) / (time.perf_counter() - t)
enc = bpe_openai.get_encoding("o200k_base")
t = time.perf_counter()
enc.encode_ordinary_batch(texts, num_threads=2)
out["o200k encode_ordinary_batch, 2 threads"] = len(texts) / (time.perf_counter() - t)
print(json.dumps(out))
'''


def train_tokenizer(data: Path, directory: Path) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    import orjson

    def texts():
        with open(data, "rb") as fh:
            for i, line in enumerate(fh):
                if i == 20000:
                    break
                for message in orjson.loads(line)["messages"]:
                    yield message["content"]

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=16000, special_tokens=["<|im_start|>", "<|im_end|>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(texts(), trainer)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(directory / "tokenizer.json"))
    (directory / "tokenizer_config.json").write_text(json.dumps({"eos_token": "</s>", "chat_template": CHATML}))
    return directory


def with_system_prompt(data: Path, out: Path, size: int = 2000) -> Path:
    """The data with one shared ~2 KB system prompt in every conversation."""
    import random

    import orjson

    rng = random.Random(5)
    words = ("answer carefully and cite the policy on refunds shipping returns warranty account security "
             "privacy escalation tone format length").split()
    prompt = ("You are the support assistant for Example Corp. " + " ".join(
        " ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(size // 60)))[:size]
    with open(data, "rb") as source, open(out, "wb") as target:
        for line in source:
            record = orjson.loads(line)
            messages = record.get("messages")
            if isinstance(messages, list):
                if messages and isinstance(messages[0], dict) and messages[0].get("role") == "system":
                    messages[0]["content"] = prompt
                else:
                    messages.insert(0, {"role": "system", "content": prompt})
            target.write(orjson.dumps(record) + b"\n")
    return out


def measure(data: Path, mode: str, jobs: int = 1, config: Path | None = None) -> dict:
    args = [sys.executable, "-c", MEASURE, str(data), mode, str(jobs)] + ([str(config)] if config else [])
    out = subprocess.run(args, capture_output=True, text=True, cwd=HERE, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    data = HERE / "data" / f"chat-{n}.jsonl"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(data), str(n)], check=True)
    print(f"dataset: {data.name}, {n} records, {data.stat().st_size / 1e6:.1f} MB, python {sys.version.split()[0]}")
    t_rules = "T100,T101,T102,T103,T105,T106,T107"  # the default T rules (T104 is opt-in)
    with tempfile.TemporaryDirectory() as tmp:
        model = train_tokenizer(data, Path(tmp) / "bpe-16k")
        hf_config = Path(tmp) / "ftlint.toml"
        hf_config.write_text(f'[tokens]\ntokenizer = "{model}"\n', encoding="utf-8")
        shared = with_system_prompt(data, Path(tmp) / "shared-system-prompt.jsonl")
        suites = [
            ("floor: orjson parse + normalise + blake2b", "floor", 1, None, data),
            ("engine alone: read, detect, schema (S101)", "S101", 1, None, data),
            ("T rules, o200k_base (default), 1 process", t_rules, 1, None, data),
            ("T rules, o200k_base (default), 2 processes", t_rules, 2, None, data),
            ("T rules, o200k, shared 2 KB system prompt, 1 proc", t_rules, 1, None, shared),
            ("T101 alone, o200k_base, 1 process", "T101", 1, None, data),
            ("T105 alone (no tokenizer), 1 process", "T105", 1, None, data),
            ("T rules, tokenizer.json + chat template, 1 process", t_rules, 1, hf_config, data),
            ("T rules, tokenizer.json + chat template, 2 processes", t_rules, 2, hf_config, data),
        ]
        # Wall-clock rates depend on what else the machine runs; rates per CPU-second of the
        # measuring process do not (for one process), so both are shown.
        print(f"{'suite':<54} {'records/s':>10} {'tokens/s':>11} {'vs floor':>9} {'rec/CPU-s':>10} "
              f"{'vs floor':>9} {'peak MiB':>9}")
        floor = floor_cpu = None
        for title, mode, jobs, config, path in suites:
            result = measure(path, mode, jobs, config)
            rate = result["records"] / result["seconds"]
            floor = floor or rate
            tokens = f"{result['tokens'] / result['seconds']:,.0f}" if result.get("tokens") else "-"
            line = f"{title:<54} {rate:>10,.0f} {tokens:>11} {rate / floor:>8.2f}x"
            if jobs == 1:
                cpu_rate = result["records"] / result["cpu"]
                floor_cpu = floor_cpu or cpu_rate
                line += f" {cpu_rate:>10,.0f} {cpu_rate / floor_cpu:>8.2f}x"
            else:
                line += f" {'-':>10} {'-':>9}"
            print(line + f" {result['peak_mib']:>9.0f}")
        out = subprocess.run([sys.executable, "-c", BATCHING, str(data), str(model / "tokenizer.json")],
                             capture_output=True, text=True, check=True)
        batching = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\ncounting one text a call vs in batches ({batching.pop('texts')} message texts of 5,000 records), texts/s:")
        for name, rate in batching.items():
            print(f"  {name:<44} {rate:>12,.0f}")


if __name__ == "__main__":
    main()
