"""Seeded benchmark datasets: chat, alpaca or DPO records with planted defects at known rates.

Texts are sentences over a Zipfian 5,000-word vocabulary (as in near_dup.py), ~600 bytes a chat
record. Planted, each at its own rate and recorded in `OUT.labels.json` (1-based line numbers):

  exact      an earlier record copied verbatim                       1.0%
  near       an earlier record with 1.5% of its words substituted    2.0%  (word 5-gram Jaccard ~0.86)
  pii        an e-mail, phone number, credit card or IP in the prompt 2.0%
  long       a response of ~20k tokens (over a 16,385-token limit)    0.1%
  flawed     an empty answer or an unanswered conversation            0.5%

Usage: python benchmarks/generate.py OUT.jsonl N [--format chat|alpaca|dpo] [--seed 42]
"""
from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

RATES = {"exact": 0.01, "near": 0.02, "pii": 0.02, "long": 0.001, "flawed": 0.005}
SYSTEM = "You are a concise, helpful assistant."
SYLLABLES = "ka ri mo ta le su po ne vi da lo mi ra zu te ko sa ni fe go ha ju ba ce di el an or is un".split()
FIRST = "Alice Bruno Chen Dana Emeka Farah Goran Hana Ivan Julia Kofi Lena Mateo Nadia Omar Priya".split()
LAST = "Smith Okafor Novak Garcia Tanaka Muller Rossi Kowalski Haddad Silva Jensen Moreau".split()


class Generator:
    def __init__(self, fmt: str = "chat", seed: int = 42) -> None:
        self.fmt = fmt
        self.rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < 5000:
            words.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.choice((1, 2, 2, 3, 3, 4)))))
        self.words = sorted(words)
        weights = [1.0 / (rank + 10) for rank in range(len(self.words))]
        total, acc, self.cumulative = sum(weights), 0.0, []
        for w in weights:
            acc += w / total
            self.cumulative.append(acc)
        self.recent: list[tuple[int, dict]] = []  # (line, record) reservoir that copies draw from
        self.labels: dict[str, list] = {kind: [] for kind in RATES}

    def sentence(self, n: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=n)).capitalize() + "."

    def answer(self) -> str:
        return " ".join(self.sentence(self.rng.randint(6, 16)) for _ in range(3))

    def pii(self) -> str:
        rng = self.rng
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        kind = rng.choice(("email", "phone", "card", "ip"))
        if kind == "email":
            return f"Please write to {name} at {name.split()[0].lower()}.{rng.randint(1, 999)}@example.com about it."
        if kind == "phone":
            return f"Call {name} on (212) 555-{rng.randint(1000, 9999)} tomorrow."
        if kind == "card":
            return f"My card number is 4111 1111 1111 1111, expiry {rng.randint(1, 12):02d}/29."
        return f"The server at 192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)} keeps failing."

    def fresh(self, prompt_extra: str = "", long: bool = False, flawed: bool = False) -> dict:
        rng = self.rng
        prompt = (self.sentence(rng.randint(8, 25)) + " " + prompt_extra).strip()
        answer = "" if flawed else self.answer()
        if long:
            answer = " ".join(self.sentence(14) for _ in range(1800))  # ~20k tokens
        if self.fmt == "alpaca":
            return {"instruction": prompt, "input": "", "output": answer}
        if self.fmt == "dpo":
            return {"prompt": [{"role": "user", "content": prompt}],
                    "chosen": [{"role": "assistant", "content": answer}],
                    "rejected": [{"role": "assistant", "content": self.answer()}]}
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
        if not (flawed and rng.random() < 0.5):
            messages.append({"role": "assistant", "content": answer})
        if not flawed and rng.random() < 0.3:  # a second exchange
            messages += [{"role": "user", "content": self.sentence(rng.randint(6, 18))},
                         {"role": "assistant", "content": self.answer()}]
        return {"messages": messages}

    def near_copy(self, record: dict) -> dict:
        copy = json.loads(json.dumps(record))

        def edit(text: str) -> str:
            words = text.split()
            for i in range(len(words)):
                if self.rng.random() < 0.015:
                    words[i] = self.rng.choice(self.words)
            return " ".join(words)

        def walk(value):
            if isinstance(value, dict):
                return {k: (edit(v) if isinstance(v, str) and k in ("content", "instruction", "output") else walk(v))
                        for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        return walk(copy)

    def records(self, n: int) -> Iterator[dict]:
        rng = self.rng
        for line in range(1, n + 1):
            roll, acc, kind = rng.random(), 0.0, None
            for name, rate in RATES.items():
                acc += rate
                if roll < acc:
                    kind = name
                    break
            if kind in ("exact", "near") and not self.recent:
                kind = None
            if kind == "exact":
                original_line, original = rng.choice(self.recent)
                record = original
                self.labels["exact"].append([line, original_line])
            elif kind == "near":
                original_line, original = rng.choice(self.recent)
                record = self.near_copy(original)
                self.labels["near"].append([line, original_line])
            else:
                record = self.fresh(self.pii() if kind == "pii" else "", long=kind == "long", flawed=kind == "flawed")
                if kind:
                    self.labels[kind].append(line)
            if kind not in ("exact", "near", "long"):
                if len(self.recent) < 5000:
                    self.recent.append((line, record))
                else:
                    self.recent[rng.randrange(5000)] = (line, record)
            yield record


def write(out: Path, n: int, fmt: str = "chat", seed: int = 42) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    generator = Generator(fmt, seed)
    with open(out, "w", encoding="utf-8") as fh:
        for record in generator.records(n):
            fh.write(json.dumps(record) + "\n")
    labels = {"records": n, "format": fmt, "seed": seed, "rates": RATES, **generator.labels}
    Path(f"{out}.labels.json").write_text(json.dumps(labels))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--format", choices=("chat", "alpaca", "dpo"), default="chat")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    write(args.out, args.n, args.format, args.seed)


if __name__ == "__main__":
    main()
