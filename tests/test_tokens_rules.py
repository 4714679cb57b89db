"""The T rules through the public API: what they report, where, and what they leave alone."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from _records import WORDS, chat_record, one, where
from _tokens import CHATML, DROPS_OTHERS, NO_SYSTEM, build_tokenizer, write_config

from ftlint.model import Severity
from ftlint.tokens.repetition import find_loop


def chat(user: str, assistant: str, system: str | None = None, **extra) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": messages, **extra}


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    for name, template in (("chatml", CHATML), ("no-system", NO_SYSTEM), ("drops", DROPS_OTHERS)):
        build_tokenizer(root / name, template)
    return root


# --------------------------------------------------------------------------- T101


def test_t101_says_by_how_much_and_which_turn_is_cut(run, tmp_path):
    rng = random.Random(1)
    write_config(tmp_path, max_tokens=300)
    long_answer = chat("Tell me a story.", words(rng, 400))
    long_prompt = chat(words(rng, 600), "Done.")
    report = run("openai-chat", [chat_record(0), long_answer, long_prompt, chat_record(1)], select=["T101"])
    assert where(report, "T101") == [(2, "messages[1].content"), (3, "messages[0].content")]
    cut_answer, cut_prompt = report.by_rule("T101")
    assert "over max-tokens 300: truncation cuts the assistant turn after" in cut_answer.message
    assert "(o200k_base)" in cut_answer.message and "trained tokens are lost" in cut_answer.message
    assert "cuts the user turn" in cut_prompt.message
    assert "drops the 1 turn after it; no trained token survives: the record trains nothing" in cut_prompt.message
    assert cut_answer.severity == Severity.ERROR


def test_t101_numbers_add_up(run, tmp_path):
    from bpe_openai import _bindings

    count = _bindings.tokenizer_for_encoding("o200k_base").count
    rng = random.Random(2)
    record = chat(words(rng, 30), words(rng, 200))
    total = sum(count(m["content"]) + 3 for m in record["messages"]) + 3
    write_config(tmp_path, max_tokens=total - 50)
    finding = one(run("openai-chat", [record], select=["T101"]), "T101")
    user = count(record["messages"][0]["content"])
    assistant = count(record["messages"][1]["content"])
    kept = total - 50 - (3 + user) - 3
    assert finding.message.startswith(f"{total:,} tokens (o200k_base) with 3 tokens a message for the chat format, "
                                      f"50 over max-tokens {total - 50:,}")
    assert f"after {kept:,} of its {assistant:,} tokens" in finding.message
    assert f"{assistant - kept:,} of {assistant:,} trained tokens are lost" in finding.message


def test_t101_with_a_chat_template_is_exact_and_per_file(run, tmp_path, models):
    from tokenizers import Tokenizer

    rng = random.Random(3)
    record = chat(words(rng, 20), words(rng, 120))
    tokenizer = Tokenizer.from_file(str(models / "chatml" / "tokenizer.json"))
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in record["messages"])
    exact = len(tokenizer.encode(text, add_special_tokens=False).ids)
    (tmp_path / "ftlint.toml").write_text(
        f'[tokens]\ntokenizer = "{models / "chatml"}"\nmax-tokens = {exact - 1}\n'
        f'[per-file."long*.jsonl".tokens]\nmax-tokens = {exact}\n', encoding="utf-8")
    finding = one(run("openai-chat", [record], select=["T101"]), "T101")
    assert finding.message.startswith(f"{exact:,} tokens ({models / 'chatml'}), 1 over max-tokens")
    # One token over: the answer survives, the closing "\n" after <|im_end|> does not.
    assert "keeps the assistant turn's" in finding.message and "cuts the chat-format tokens after it" in finding.message
    assert run("openai-chat", [record], name="long.jsonl", select=["T101"]).by_rule("T101") == []
    # Ten tokens into the answer, after the user block and the assistant's header.
    user_block = len(tokenizer.encode(f"<|im_start|>user\n{record['messages'][0]['content']}<|im_end|>\n",
                                      add_special_tokens=False).ids)
    header = len(tokenizer.encode("<|im_start|>assistant\n", add_special_tokens=False).ids)
    answer = len(tokenizer.encode(record["messages"][1]["content"], add_special_tokens=False).ids)
    (tmp_path / "ftlint.toml").write_text(f'[tokens]\ntokenizer = "{models / "chatml"}"\n'
                                          f"max-tokens = {user_block + header + 10}\n", encoding="utf-8")
    finding = one(run("openai-chat", [record], select=["T101"]), "T101")
    assert f"truncation cuts the assistant turn after 10 of its {answer:,} tokens" in finding.message


def test_t101_checks_each_preference_side(run, tmp_path):
    rng = random.Random(4)
    write_config(tmp_path, max_tokens=200)
    record = {"input": {"messages": [{"role": "user", "content": "Describe the sea."}]},
              "preferred_output": [{"role": "assistant", "content": words(rng, 40)}],
              "non_preferred_output": [{"role": "assistant", "content": words(rng, 300)}]}
    finding = one(run("openai-dpo", [record], select=["T101"]), "T101")
    assert finding.message.startswith("prompt + rejected: ")
    assert finding.location.field == "non_preferred_output[0].content"


# --------------------------------------------------------------------------- T102


def test_t102_invisible_response_is_an_error_empty_is_left_to_q101(run):
    records = [chat_record(i) for i in range(5)]
    records[1] = chat("Hello?", "\u200b\u200b\u2060")
    records[3] = chat("Hello?", "   ")
    report = run("openai-chat", records, select=["T102", "Q101"])
    finding = one(report, "T102")
    assert finding.location.line == 2 and finding.severity == Severity.ERROR
    assert "no visible character (3 invisible or format characters" in finding.message
    assert where(report, "Q101") == [(4, "messages[1].content")]


def test_t102_one_token_answers_are_warned_only_among_long_answers(run, tmp_path):
    rng = random.Random(5)
    long_file = [chat(words(rng, 10), words(rng, 40)) for _ in range(40)]
    long_file[7] = chat("Explain how tides work in detail.", "Moon")
    assert run("openai-chat", long_file, select=["T102"]).by_rule("T102") == []  # off by default
    write_config(tmp_path, warn_below_tokens=2)
    report = run("openai-chat", long_file, select=["T102"])
    finding = one(report, "T102")
    assert finding.location.line == 8 and finding.severity == Severity.WARNING
    assert "assistant response of 1 token in a file whose median response has" in finding.message
    labels = [chat(f"Sentiment of: {words(rng, 12)}", rng.choice(["positive", "negative"])) for _ in range(40)]
    assert run("openai-chat", labels, select=["T102"]).by_rule("T102") == []


# --------------------------------------------------------------------------- T103 + statistics


def test_t103_reports_the_extreme_record_with_its_numbers(run):
    rng = random.Random(6)
    records = [chat(words(rng, 10), words(rng, rng.randint(30, 60))) for _ in range(80)]
    records[41] = chat(words(rng, 10), words(rng, 2000))
    report = run("openai-chat", records, select=["T103"])
    finding = one(report, "T103")
    assert finding.location.line == 42
    assert "x the file's median of" in finding.message and "above its p99" in finding.message
    assert "(prompt " in finding.message and "response " in finding.message


def test_t103_similar_lengths_and_small_files_report_nothing(run):
    rng = random.Random(7)
    even = [chat(words(rng, 10), words(rng, rng.randint(30, 300))) for _ in range(200)]
    assert run("openai-chat", even, select=["T103"]).by_rule("T103") == []
    few = [chat(words(rng, 10), words(rng, 30)) for _ in range(20)] + [chat("x", words(rng, 3000))]
    assert run("openai-chat", few, select=["T103"]).by_rule("T103") == []


def test_t103_statistics_match_numpy(run, tmp_path):
    import numpy as np
    from bpe_openai import _bindings

    count = _bindings.tokenizer_for_encoding("o200k_base").count
    rng = random.Random(8)
    records = [chat(words(rng, rng.randint(3, 40)), words(rng, rng.randint(1, 200))) for _ in range(101)]
    write_config(tmp_path, max_tokens=150)
    report = run("openai-chat", records, select=["T103"])
    numbers = report.files[0].statistics["T103"]
    totals = np.array([sum(count(m["content"]) + 3 for m in r["messages"]) + 3 for r in records])
    responses = np.array([count(r["messages"][1]["content"]) for r in records])
    assert numbers["total"]["median"] == pytest.approx(np.percentile(totals, 50))
    assert numbers["total"]["p95"] == pytest.approx(np.percentile(totals, 95), abs=0.01)
    assert numbers["response"]["max"] == responses.max() and numbers["response"]["min"] == responses.min()
    assert numbers["over-limit"] == int((totals > 150).sum())
    assert numbers["over-limit-share"] == pytest.approx((totals > 150).mean(), abs=1e-6)
    assert numbers["trained-tokens"] == responses.sum()
    histogram = numbers["plots"][0]
    assert histogram["kind"] == "histogram" and histogram["limit"] == 150 and histogram["unit"] == "tokens"
    assert len(histogram["edges"]) == len(histogram["counts"]) + 1 and sum(histogram["counts"]) == 101
    assert histogram["edges"] == sorted(histogram["edges"])
    assert numbers["plots"][2]["kind"] == "bars" and set(numbers["plots"][2]["values"]) == {"user", "assistant"}


def test_t100_totals_over_files_and_splits(tmp_path, write_jsonl, check):
    from bpe_openai import _bindings

    count = _bindings.tokenizer_for_encoding("o200k_base").count
    train = [chat_record(i) for i in range(30)]
    test = [chat_record(i) for i in range(100, 110)]
    (tmp_path / "ftlint.toml").write_text('[splits]\ntrain = ["train.jsonl"]\ntest = ["test.jsonl"]\n'
                                          "[tokens]\nmax-tokens = 40\n", encoding="utf-8")
    report = check([write_jsonl(train, "train.jsonl"), write_jsonl(test, "test.jsonl")], select=["T100"])
    numbers = report.dataset_statistics["T100"]

    def total(r):
        return sum(count(m["content"]) + 3 for m in r["messages"]) + 3

    assert numbers["records"] == 40
    assert numbers["trained-tokens"] == sum(count(r["messages"][1]["content"]) for r in train + test)
    assert numbers["tokens"] == sum(total(r) for r in train + test)
    assert numbers["tokens-per-epoch"] == sum(min(40, total(r)) for r in train + test)
    assert numbers["splits"]["test"]["records"] == 10 and numbers["splits"]["train"]["records"] == 30
    assert report.findings == []


# --------------------------------------------------------------------------- T104


def test_t104_is_opt_in_and_finds_a_misaligned_record(run):
    rng = random.Random(9)
    records = [chat(words(rng, rng.randint(20, 40)), words(rng, rng.randint(20, 40))) for _ in range(80)]
    records[12] = chat("Hi", words(rng, 900))
    assert run("openai-chat", records).by_rule("T104") == []
    finding = one(run("openai-chat", records, select=["T104"]), "T104")
    assert finding.location.line == 13 and "above the file's median ratio" in finding.message


# --------------------------------------------------------------------------- T105


def test_t105_catches_the_cookbook_banana_loop(run):
    records = [chat_record(0), chat("I'm hungry.", "Eat a banana!" * 2000, system="You are a happy assistant.")]
    finding = one(run("openai-chat", records, select=["T105"]), "T105")
    assert finding.location.line == 2 and finding.severity == Severity.ERROR
    assert "100% of the assistant response is one loop: 'Eat a banana!' repeated 2,000 times" in finding.message


def _positives(rng: random.Random) -> list[str]:
    texts = []
    for i in range(60):
        unit = words(rng, rng.randint(1, 20)) + rng.choice([".", "!", "", ","])
        glue = rng.choice([" ", "", "\n"])
        repeats = rng.randint(6, 60)
        loop = glue.join([unit] * repeats)
        prefix = words(rng, rng.randint(0, len(loop.split()) // 2)) + " " if i % 2 else ""
        texts.append(prefix + loop)
    for n in (300, 600, 1200):
        texts.append(f"The answer is 1326134.{'0' * n}")
        texts.append("Ha" * (n // 2))
        texts.append(words(rng, 20) + " " + "!" * n)
    return texts


def _negatives(rng: random.Random) -> list[str]:
    texts = []
    for _ in range(60):
        texts.append(". ".join(words(rng, rng.randint(5, 20)) for _ in range(rng.randint(2, 30))) + ".")
    for _ in range(15):  # numbered lists with a repeated frame
        texts.append("\n".join(f"{k}. Add the {rng.choice(WORDS)} to the {rng.choice(WORDS)} and stir."
                               for k in range(1, rng.randint(5, 30))))
    for _ in range(15):  # code with repetitive lines
        texts.append("\n".join(f"    value_{k} = compute({k}, '{rng.choice(WORDS)}')" for k in range(rng.randint(5, 40))))
    for _ in range(10):  # markdown tables
        rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.choice(['yes', 'no'])} |"
                         for _ in range(rng.randint(5, 30)))
        texts.append("| name | count | ok |\n| --- | --- | --- |\n" + rows)
    for _ in range(10):  # a song: a chorus between verses, three times
        chorus = words(rng, 16)
        texts.append("\n\n".join(f"{words(rng, 30)}\n{chorus}" for _ in range(3)))
    texts.append("Yes. " * 3 + words(rng, 50))
    return texts


def test_t105_precision_and_recall_on_labelled_texts():
    rng = random.Random(10)
    positives, negatives = _positives(rng), _negatives(rng)

    def flagged(text: str) -> bool:
        loop = find_loop(text, 32)
        return loop is not None and loop.share >= 0.5 and loop.repeats >= 4

    found = sum(flagged(t) for t in positives)
    false = [t[:80] for t in negatives if flagged(t)]
    assert found / len(positives) >= 0.95, f"recall {found}/{len(positives)}"
    assert false == [], "false positives"


def _long_texts(rng: random.Random) -> tuple[list[str], list[str]]:
    """Loops and ordinary texts of 16k-200k characters, where T105 screens with `cannot_loop`."""
    loops, plain = [], []
    for i in range(12):
        unit = words(rng, rng.randint(1, 40)) + rng.choice([".", "!", "", ","])
        variants = [unit, unit.upper(), unit.capitalize()] if i % 3 == 0 else [unit]
        glue = rng.choice([" ", "", "\n", "  \n\t"])
        size = rng.choice([20_000, 60_000, 190_000])
        loop = glue.join(rng.choice(variants) for _ in range(size // len(unit) + 1))[: size // 2 + 4000]
        prefix = " ".join(words(rng, 30) for _ in range(size // 2 // 200))[: size // 2 - 4000]
        loops.append(prefix + " " + loop if i % 2 else loop + " " + prefix)
    loops.append(words(rng, 3000) + " 1326134." + "0" * 25_000)
    loops.append("Ha" * 20_000)
    for size in (17_000, 50_000, 210_000):
        plain.append(". ".join(words(rng, rng.randint(5, 20)) for _ in range(size // 70)))
        plain.append("\n".join(f"    value_{k} = compute({k}, '{rng.choice(WORDS)}')" for k in range(size // 40)))
    return loops, plain


def test_t105_cannot_loop_never_hides_a_loop():
    """The screen before zlib on long texts: whatever it rules out is not reported without it, and
    it rules out the ordinary long texts (else it would be a cost, not a saving)."""
    from ftlint.tokens.repetition import cannot_loop

    rng = random.Random(11)
    loops, plain = _long_texts(rng)
    short_loops, short_plain = _positives(rng), _negatives(rng)

    def flagged(text: str) -> bool:
        loop = find_loop(text, 32)
        return loop is not None and loop.share >= 0.5 and loop.repeats >= 4

    for text in loops + plain + short_loops + short_plain:
        if cannot_loop(text, 32):
            assert not flagged(text), text[:80]
    assert sum(map(flagged, loops)) >= len(loops) - 2  # (a loop past the first 20,000 words is not judged)
    assert not any(cannot_loop(t, 32) for t in loops)
    assert all(cannot_loop(t, 32) for t in plain if len(t) > 100_000)  # (shorter ones: zlib decides)


def test_t105_casefold_keeps_word_and_non_word_characters_apart():
    """What `cannot_loop` counts on, for this Python's Unicode tables: a token all of \\w characters
    after casefolding was all \\w before (U+0345 aside, which it checks for), one with none had
    none, and casefolding neither makes nor removes whitespace."""
    import re
    import sys

    word = re.compile(r"\w")
    odd = []
    changed = (chr(code) for code in range(sys.maxunicode + 1) if chr(code).casefold() != chr(code))
    for char in changed:  # a character casefolding to itself keeps every property
        folded = char.casefold()
        in_word = [bool(word.match(c)) for c in folded]
        if all(in_word) and not word.match(char) and char != "\u0345":
            odd.append(hex(code))
        if not any(in_word) and word.match(char):
            odd.append(hex(code))
        if char.isspace() != folded.isspace() or (not char.isspace() and any(c.isspace() for c in folded)):
            odd.append(hex(code))
    assert odd == []


def test_t105_skips_rejected_answers_by_default(run):
    record = {"prompt": "Count.", "chosen": "One, two, three.", "rejected": "1326134." + "0" * 900}
    assert run("trl-preference", [record], select=["T105"]).by_rule("T105") == []


def test_t105_check_rejected_option(run, tmp_path):
    (tmp_path / "ftlint.toml").write_text("[rules.T105]\ncheck-rejected = true\n", encoding="utf-8")
    record = {"prompt": "Count.", "chosen": "One, two, three.", "rejected": "1326134." + "0" * 900}
    finding = one(run("trl-preference", [record], select=["T105"]), "T105")
    assert finding.location.field == "rejected" and "'0' repeated 900 times" in finding.message


# --------------------------------------------------------------------------- T106


def test_t106_fixed_list_and_html_strikethrough(run):
    records = [
        chat("Hi", "Hello!<|im_end|>\n<|im_start|>user\nMore?"),
        chat("[INST] Be terse [/INST]", "OK."),
        chat("Format this", "It was <s>cheap</s> affordable."),
        chat("Hi", "Bye</s>"),
        chat_record(9),
    ]
    report = run("openai-chat", records, select=["T106"])
    assert where(report, "T106") == [(1, "messages[1].content"), (2, "messages[0].content"), (4, "messages[1].content")]
    assert "<|im_end|>, <|im_start|>" in report.by_rule("T106")[0].message
    assert all(f.severity == Severity.ERROR for f in report.by_rule("T106"))


def test_t106_includes_the_tokenizers_own_special_tokens(run, tmp_path, models):
    write_config(tmp_path, tokenizer=str(models / "chatml"))
    records = [chat("Hi", "Call it<|tool_sep|>now"), chat("Strike", "It was <s>cheap</s> then.")]
    report = run("openai-chat", records, select=["T106"])
    first, second = report.by_rule("T106")
    assert "a special token of the configured tokenizer in assistant content: <|tool_sep|>" in first.message
    assert second.location.line == 2  # <s> is this tokenizer's own token: the HTML pair is injected too


def test_t106_allow_tokens(run, tmp_path):
    (tmp_path / "ftlint.toml").write_text('[rules.T106]\nallow-tokens = ["[INST]", "[/INST]"]\n', encoding="utf-8")
    assert run("openai-chat", [chat("[INST] hi [/INST]", "OK.")], select=["T106"]).by_rule("T106") == []


def test_t106_extra_tokens_need_no_angle_bracket(run, tmp_path):
    """The quick screen before the pattern covers every token's first character, not only < and [."""
    (tmp_path / "ftlint.toml").write_text('[rules.T106]\nextra-tokens = ["@@END@@", "### Response:"]\n',
                                          encoding="utf-8")
    records = [chat("Hi", "Done.@@END@@"), chat("Hi", "Fine."), chat("### Response: hi", "OK."), chat("Hi", "[INST]")]
    report = run("openai-chat", records, select=["T106"])
    assert where(report, "T106") == [(1, "messages[1].content"), (3, "messages[0].content"), (4, "messages[1].content")]


# --------------------------------------------------------------------------- T107


def test_t107_template_without_system_role(run, tmp_path, models):
    write_config(tmp_path, tokenizer=str(models / "no-system"))
    records = [chat("Hi", "Hello", system="Be brief."), chat("Hi", "Hello"),
               {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"},
                             {"role": "assistant", "content": "c"}]}]
    report = run("openai-chat", records, select=["T107"])
    system, alternation = report.by_rule("T107")
    assert (system.location.line, system.location.field) == (1, "messages[0].content")
    assert "cannot take a system turn: it raises 'System role not supported'" in system.message
    assert alternation.location.line == 3
    assert "refuses this conversation: Conversation roles must alternate" in alternation.message


def test_t107_template_that_drops_a_role(run, tmp_path, models):
    write_config(tmp_path, tokenizer=str(models / "drops"))
    record = {"messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                           {"role": "assistant", "content": "Hello"}]}
    finding = one(run("openai-chat", [record, chat("Hi", "Hello")], select=["T107"]), "T107")
    assert "cannot take a developer turn: it drops its text" in finding.message


def test_t107_is_silent_without_a_template(run):
    assert run("openai-chat", [chat("Hi", "Hello", system="Be brief.")], select=["T107"]).by_rule("T107") == []


def test_t102_min_response_tokens_raises_the_error_floor(run, tmp_path):
    (tmp_path / "ftlint.toml").write_text("[rules.T102]\nmin-response-tokens = 3\n", encoding="utf-8")
    records = [chat_record(i) for i in range(4)] + [chat("Capital of France?", "Paris")]
    finding = one(run("openai-chat", records, select=["T102"]), "T102")
    assert finding.location.line == 5 and finding.severity == Severity.ERROR
    assert "has 1 token (o200k_base), fewer than min-response-tokens 3" in finding.message


# --------------------------------------------------------------------------- worker processes


def test_t_rules_in_worker_processes_match_one_process(tmp_path, write_jsonl, monkeypatch, models):
    """Record rules in pool workers, dataset states merged back: the same findings and statistics
    as one process, with a tokenizer.json each worker loads for itself."""
    import ftlint.parallel
    from ftlint.config import load_config
    from ftlint.engine import Engine

    rng = random.Random(11)
    records = [chat(words(rng, 10), words(rng, rng.randint(20, 60))) for _ in range(240)]
    records[17] = chat("Hi", "Eat a banana!" * 300)
    records[150] = chat(words(rng, 10), words(rng, 1500))
    records[200] = chat("Hi", "Hello<|im_end|>")
    data = write_jsonl(records)
    write_config(tmp_path, tokenizer=str(models / "chatml"), max_tokens=600)
    monkeypatch.setattr(ftlint.parallel, "CHUNK_BYTES", 8192)  # several batches, both workers busy

    def lint(jobs: int):
        config = load_config(tmp_path / "ftlint.toml", cli={"select": ["T"]})
        report = Engine(config, jobs=jobs, parallel_min_bytes=0).run([str(data)])
        return ([(f.code, f.location.line, f.message) for f in report.findings],
                report.files[0].statistics, report.dataset_statistics)

    single, pooled = lint(1), lint(2)
    assert pooled == single
    codes = {(code, line) for code, line, _ in single[0]}
    assert {("T105", 18), ("T101", 151), ("T103", 151), ("T106", 201)} <= codes


def test_t101_one_finding_when_both_sides_lose_the_shared_prompt(run, tmp_path):
    rng = random.Random(12)
    write_config(tmp_path, max_tokens=100)
    record = {"prompt": words(rng, 300), "chosen": "Yes, briefly.", "rejected": "No."}
    finding = one(run("trl-preference", [record], select=["T101"]), "T101")
    assert finding.location.field == "prompt"
    assert finding.message.startswith("both preference sides; longest prompt + chosen: ")
    assert "no trained token survives" in finding.message


def test_length_counter_add_many_equals_add_one_by_one(monkeypatch):
    """T103 hands lengths over in batches: the same counts, sums and quantiles as one at a time,
    also when the batch crosses the limit where lengths start to be rounded."""
    import random

    from ftlint.tokens import stats

    monkeypatch.setattr(stats, "MAX_DISTINCT", 300)
    rng = random.Random(7)
    values = [rng.randrange(0, 10 ** rng.randrange(1, 7)) for _ in range(5000)]
    one, many = stats.LengthCounter(), stats.LengthCounter()
    for value in values:
        one.add(value)
    for start in range(0, len(values), 777):
        many.add_many(values[start:start + 777])
    assert (many.n, many.sum, many.coarse, many.counts) == (one.n, one.sum, one.coarse, one.counts)
    assert many.quantiles([0.1, 0.5, 0.95]) == one.quantiles([0.1, 0.5, 0.95])
