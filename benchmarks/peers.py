"""Peers: the same jobs done the way people do them today, on the same data, for the ratios.

  cookbook    OpenAI's cookbook "Data preparation and analysis for chat model fine-tuning",
              re-implemented faithfully: load the file, format-error checks, missing system/user
              counts, token counts per example (tiktoken's o200k_base, here through bpe-openai's
              tiktoken-compatible `Encoding.encode`), assistant tokens, the 16,385-token limit,
              distributions and the epoch estimate.
  datasketch  naive near-duplicate search: per record a `MinHash(num_perm=128)` fed with
              `update_batch` over word 5-grams, query then insert into `MinHashLSH(threshold=0.8)`.
  presidio    `AnalyzerEngine.analyze` on every text with presidio's predefined recognizer
              registry. Its default NLP engine needs a spaCy model (en_core_web_lg) that is not
              installed offline, so the engine runs with `NoOpNlpEngine` (no NER): the faster of
              the two set-ups, so the ratio is conservative.

Usage: python benchmarks/peers.py NAME DATA.jsonl  -> one JSON line (records, seconds, details)
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict


def cookbook(path: str) -> dict:
    import numpy as np
    from bpe_openai import get_encoding

    encoding = get_encoding("o200k_base")
    with open(path, "r", encoding="utf-8") as f:
        dataset = [json.loads(line) for line in f]

    # Format validation
    format_errors: dict[str, int] = defaultdict(int)
    for ex in dataset:
        if not isinstance(ex, dict):
            format_errors["data_type"] += 1
            continue
        messages = ex.get("messages", None)
        if not messages:
            format_errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                format_errors["message_missing_key"] += 1
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                format_errors["message_unrecognized_key"] += 1
            if message.get("role", None) not in ("system", "user", "assistant", "function"):
                format_errors["unrecognized_role"] += 1
            content = message.get("content", None)
            function_call = message.get("function_call", None)
            if (not content and not function_call) or not isinstance(content, str):
                format_errors["missing_content"] += 1
        if not any(message.get("role", None) == "assistant" for message in messages):
            format_errors["example_missing_assistant_message"] += 1

    def num_tokens_from_messages(messages, tokens_per_message=3, tokens_per_name=1):
        num_tokens = 0
        for message in messages:
            num_tokens += tokens_per_message
            for key, value in message.items():
                num_tokens += len(encoding.encode(value))
                if key == "name":
                    num_tokens += tokens_per_name
        num_tokens += 3
        return num_tokens

    def num_assistant_tokens_from_messages(messages):
        num_tokens = 0
        for message in messages:
            if message["role"] == "assistant":
                num_tokens += len(encoding.encode(message["content"]))
        return num_tokens

    def distribution(values):
        return {"min": int(min(values)), "max": int(max(values)), "mean": float(np.mean(values)),
                "median": float(np.median(values)), "p5": float(np.quantile(values, 0.1)),
                "p95": float(np.quantile(values, 0.9))}

    n_missing_system = 0
    n_missing_user = 0
    n_messages = []
    convo_lens = []
    assistant_message_lens = []
    for ex in dataset:
        messages = ex["messages"]
        if not any(message["role"] == "system" for message in messages):
            n_missing_system += 1
        if not any(message["role"] == "user" for message in messages):
            n_missing_user += 1
        n_messages.append(len(messages))
        convo_lens.append(num_tokens_from_messages(messages))
        assistant_message_lens.append(num_assistant_tokens_from_messages(messages))
    n_too_long = sum(length > 16385 for length in convo_lens)

    # Epochs and cost estimate
    max_tokens_per_example, target_epochs = 16385, 3
    min_target_examples, max_target_examples = 100, 25000
    min_default_epochs, max_default_epochs = 1, 25
    n_epochs = target_epochs
    n_train_examples = len(dataset)
    if n_train_examples * target_epochs < min_target_examples:
        n_epochs = min(max_default_epochs, min_target_examples // n_train_examples)
    elif n_train_examples * target_epochs > max_target_examples:
        n_epochs = max(min_default_epochs, max_target_examples // n_train_examples)
    n_billing_tokens = sum(min(max_tokens_per_example, length) for length in convo_lens)
    return {"records": len(dataset), "format_errors": dict(format_errors), "missing_system": n_missing_system,
            "missing_user": n_missing_user, "too_long": int(n_too_long), "epochs": n_epochs,
            "billing_tokens": int(n_billing_tokens), "messages": distribution(n_messages),
            "tokens": distribution(convo_lens), "assistant_tokens": distribution(assistant_message_lens)}


def record_texts(data: dict) -> list[str]:
    """Every text of a chat, alpaca or preference record."""
    out: list[str] = []

    def walk(value, key=None):
        if isinstance(value, str):
            if key in ("content", "instruction", "input", "output", "prompt", "chosen", "rejected") and value:
                out.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(data)
    return out


def shingles(text: str, n: int = 5) -> set[str]:
    words = text.lower().split()
    if len(words) < n:
        return {" ".join(words)}
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def datasketch(path: str) -> dict:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    pairs = []
    n = 0
    with open(path, "r", encoding="utf-8") as fh:
        for line, raw in enumerate(fh, 1):
            text = "\n".join(record_texts(json.loads(raw)))
            m = MinHash(num_perm=128)
            m.update_batch([s.encode("utf-8") for s in shingles(text)])
            for other in lsh.query(m):
                pairs.append([other, line])
            lsh.insert(line, m)
            n += 1
    return {"records": n, "pairs": pairs}


def presidio(path: str) -> dict:
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    registry = RecognizerRegistry()
    registry.load_predefined_recognizers()
    registry.remove_recognizer("SpacyRecognizer")  # NER needs the spaCy model; NoOpNlpEngine refuses it
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    engine.load()
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry)
    n = texts = 0
    with_pii: list[int] = []
    with open(path, "r", encoding="utf-8") as fh:
        for line, raw in enumerate(fh, 1):
            found = False
            for text in record_texts(json.loads(raw)):
                texts += 1
                if analyzer.analyze(text=text, language="en"):
                    found = True
            if found:
                with_pii.append(line)
            n += 1
    return {"records": n, "texts": texts, "with_pii": with_pii}


PEERS = {"cookbook": cookbook, "datasketch": datasketch, "presidio": presidio}


def main() -> None:
    name, path = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    result = PEERS[name](path)
    result["seconds"] = time.perf_counter() - start
    print(json.dumps(result))


if __name__ == "__main__":
    main()
