"""Token counting: tokenizers loaded through the configuration, counts checked against an
independent count with the same tokenizer, clear errors for what cannot be loaded."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from _records import chat_record
from _tokens import CHATML, build_tokenizer, write_config

from ftlint.cli import main
from ftlint.config import ConfigError, load_config



def stats(report, code="T103"):
    return report.files[0].statistics[code]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("models") / "tiny-chatml"
    build_tokenizer(directory, CHATML)
    return directory


def _conversations(n: int = 60) -> list[dict]:
    records = [chat_record(i) for i in range(n)]
    records[0]["messages"].insert(0, {"role": "system", "content": "Be brief. Grüße aus 東京!"})
    return records


def test_tokenizer_json_counts_equal_an_independent_count(tmp_path, write_jsonl, check, model_dir):
    from tokenizers import Tokenizer

    records = _conversations()
    write_config(tmp_path, tokenizer=str(model_dir / "tokenizer.json"), chat_template="none")
    report = check(write_jsonl(records), select=["T103"])
    independent = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    per_record = [sum(len(independent.encode(m["content"], add_special_tokens=False).ids) for m in r["messages"])
                  for r in records]
    trained = sum(len(independent.encode(r["messages"][-1]["content"], add_special_tokens=False).ids)
                  for r in records)
    numbers = stats(report)
    assert numbers["tokens"] == sum(per_record)
    assert numbers["trained-tokens"] == trained
    assert numbers["total"]["max"] == max(per_record) and numbers["total"]["min"] == min(per_record)
    assert numbers["counted"] == "content only (no chat template)"
    assert numbers["tokenizer"] == str(model_dir / "tokenizer.json")


def test_chat_template_count_is_the_rendered_conversation(tmp_path, write_jsonl, check, model_dir):
    """The model directory's tokenizer_config.json template is rendered: the total equals the
    tokens of the ChatML text written out by hand, special tokens counted once each."""
    from tokenizers import Tokenizer

    records = _conversations()
    write_config(tmp_path, tokenizer=str(model_dir))
    report = check(write_jsonl(records), select=["T103", "T100"])
    independent = Tokenizer.from_file(str(model_dir / "tokenizer.json"))

    def rendered(record):
        return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in record["messages"])

    totals = [len(independent.encode(rendered(r), add_special_tokens=False).ids) for r in records]
    assert stats(report)["tokens"] == sum(totals)
    # Per-turn counts come from the rendered encoding; with ChatML's special-token boundaries
    # they equal the contents encoded alone.
    assert stats(report)["trained-tokens"] == sum(
        len(independent.encode(r["messages"][-1]["content"], add_special_tokens=False).ids) for r in records)
    assert stats(report)["tokens-by-role"]["system"] == len(
        independent.encode(records[0]["messages"][0]["content"], add_special_tokens=False).ids)
    assert stats(report)["counted"] == "chat template (exact)"
    assert report.dataset_statistics["T100"]["tokens"] == sum(totals)
    # Each <|im_start|> is one token: the rendered count is far below a character-level count.
    assert independent.encode("<|im_start|>", add_special_tokens=False).ids == [
        independent.token_to_id("<|im_start|>")]


def test_relative_tokenizer_path_is_relative_to_the_config_file(tmp_path, write_jsonl, monkeypatch, model_dir):
    import shutil

    import ftlint

    shutil.copytree(model_dir, tmp_path / "models" / "tiny")
    write_config(tmp_path, tokenizer="models/tiny")
    data = write_jsonl(_conversations())
    elsewhere = tmp_path / "sub"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = ftlint.check(data, config=tmp_path / "ftlint.toml", select=["T103"])
    assert stats(report)["tokenizer"] == "models/tiny"
    assert stats(report)["counted"] == "chat template (exact)"


def test_o200k_count_of_a_fixed_string_matches_a_reference_bpe(write_jsonl, check):
    """18 tokens for this string with o200k_base, checked by an independent byte-pair merge over
    the encoding's own vocabulary file (the algorithm tiktoken implements)."""
    pytest.importorskip("bpe_openai")
    import regex
    from bpe_openai import registry

    text = "ftlint counts tokens offline: Grüße, 東京, and 12345 emojis 🎉!"
    meta = registry.o200k_base()
    ranks = meta["mergeable_ranks"]

    def merge(piece: bytes) -> list[int]:
        parts = [bytes([b]) for b in piece]
        while True:
            pairs = [(ranks.get(parts[i] + parts[i + 1]), i) for i in range(len(parts) - 1)]
            pairs = [p for p in pairs if p[0] is not None]
            if not pairs:
                return [ranks[p] for p in parts]
            _, i = min(pairs)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]

    reference = sum(len(merge(piece.encode())) for piece in regex.findall(meta["pat_str"], text))
    assert reference == 18
    report = check(write_jsonl([{"text": text}] * 60), select=["T103"], format="trl-text")
    numbers = stats(report)
    assert numbers["tokenizer"] == "o200k_base"  # the default with the openai extra
    assert numbers["total"]["median"] == 18 and numbers["tokens"] == 18 * 60


def test_openai_overhead_follows_the_cookbook(write_jsonl, check):
    """3 tokens per message and 3 to prime the reply, as the OpenAI cookbook counts."""
    pytest.importorskip("bpe_openai")
    from bpe_openai import _bindings

    encoding = _bindings.tokenizer_for_encoding("o200k_base")
    records = [chat_record(i) for i in range(60)]
    report = check(write_jsonl(records), select=["T103"])
    expected = sum(sum(encoding.count(m["content"]) + 3 for m in r["messages"]) + 3 for r in records)
    assert stats(report)["tokens"] == expected
    assert stats(report)["counted"] == "content + 3 tokens a message"


def test_estimate_is_labelled_in_every_message(write_jsonl, check, tmp_path):
    write_config(tmp_path, tokenizer="estimate", max_tokens=20)
    report = check(write_jsonl([chat_record(i) for i in range(3)]), select=["T101", "T103"])
    assert report.by_rule("T101")
    assert all("estimated" in f.message and "~" in f.message for f in report.by_rule("T101"))
    assert stats(report)["tokenizer"] == "estimated"


def test_estimate_is_within_a_third_of_o200k_on_english(write_jsonl):
    pytest.importorskip("bpe_openai")
    from bpe_openai import _bindings

    from ftlint.tokens.backends import EstimateBackend

    text = " ".join(chat_record(i)["messages"][1]["content"] for i in range(50))
    exact = _bindings.tokenizer_for_encoding("o200k_base").count(text)
    assert abs(EstimateBackend.estimate(text) - exact) / exact < 0.34


# --------------------------------------------------------------------------- errors


def test_missing_tokenizer_file_is_a_config_error_with_exit_2(tmp_path, monkeypatch, capsys, write_jsonl):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, tokenizer="models/missing/tokenizer.json")
    data = write_jsonl([chat_record(0)])
    assert main([str(data)]) == 2
    err = capsys.readouterr().err
    assert "models/missing/tokenizer.json not found" in err and "relative to the configuration file" in err


def test_directory_without_tokenizer_json_says_what_is_there(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "tokenizer.model").write_bytes(b"\0")
    write_config(tmp_path, tokenizer="m")
    with pytest.raises(ConfigError, match=r"no tokenizer.json \(it has tokenizer.model; a SentencePiece"):
        load_config(tmp_path / "ftlint.toml")


def test_hub_name_not_in_cache_names_what_to_download(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    write_config(tmp_path, tokenizer="example-org/tiny-chat")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "ftlint.toml")
    message = str(info.value)
    assert "'example-org/tiny-chat' is not in the local Hugging Face cache" in message
    assert str(tmp_path / "hf" / "hub") in message and "never downloads" in message
    assert "hf download example-org/tiny-chat tokenizer.json tokenizer_config.json" in message
    assert f"as a path, {tmp_path / 'example-org' / 'tiny-chat'} does not exist" in message


def test_hub_name_in_the_local_cache_loads_its_snapshot(tmp_path, monkeypatch, write_jsonl, check, model_dir):
    import shutil

    hub = tmp_path / "hf" / "hub" / "models--example-org--tiny-chat"
    shutil.copytree(model_dir, hub / "snapshots" / "0123abcd")
    (hub / "refs").mkdir()
    (hub / "refs" / "main").write_text("0123abcd", encoding="utf-8")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    write_config(tmp_path, tokenizer="example-org/tiny-chat")
    report = check(write_jsonl(_conversations()), select=["T103"])
    assert stats(report)["tokenizer"] == "example-org/tiny-chat"
    assert stats(report)["counted"] == "chat template (exact)"


def test_corrupt_tokenizer_json_is_a_config_error(tmp_path, write_jsonl, check):
    (tmp_path / "tokenizer.json").write_text('{"model": 1}', encoding="utf-8")
    write_config(tmp_path, tokenizer="tokenizer.json")
    with pytest.raises(ConfigError, match="is not a valid tokenizer.json"):
        check(write_jsonl([chat_record(0)]), select=["T101"])


def test_unknown_token_setting_and_bad_type_are_config_errors(tmp_path):
    write_config(tmp_path, tokeniser="o200k_base")
    with pytest.raises(ConfigError, match=r"tokens.tokeniser: unknown token setting \(known: .*tokenizer"):
        load_config(tmp_path / "ftlint.toml")
    write_config(tmp_path, max_tokens="4k")
    with pytest.raises(ConfigError, match=r"tokens.max-tokens: expected int"):
        load_config(tmp_path / "ftlint.toml")


def test_template_syntax_error_is_a_config_error(tmp_path, write_jsonl, check, model_dir):
    (tmp_path / "broken.jinja").write_text("{% for m in messages %}{{ m.content }", encoding="utf-8")
    write_config(tmp_path, tokenizer=str(model_dir), chat_template="broken.jinja")
    with pytest.raises(ConfigError, match="broken.jinja: template syntax error on line 1"):
        check(write_jsonl([chat_record(0)]), select=["T101"])


# --------------------------------------------------------------------------- settings layering


def test_shared_table_sets_every_t_rule_and_per_file_overrides_it(tmp_path):
    (tmp_path / "ftlint.toml").write_text(
        '[tokens]\nmax-tokens = 4096\n[per-file."long/*.jsonl".tokens]\nmax-tokens = 131072\n'
        '[rules.T101]\nmax-tokens = 8192\n', encoding="utf-8")
    config = load_config(tmp_path / "ftlint.toml")
    short = config.settings_for(tmp_path / "short.jsonl").options
    long = config.settings_for(tmp_path / "long" / "a.jsonl").options
    assert short["T101"]["max-tokens"] == 8192  # the rule's own table wins over the shared one
    assert short["T103"]["max-tokens"] == 4096 and short["T100"]["max-tokens"] == 4096
    assert long["T101"]["max-tokens"] == 131072 and long["T103"]["max-tokens"] == 131072


def test_replacing_the_tokenizer_file_changes_the_settings_fingerprint(tmp_path, model_dir):
    import shutil

    from ftlint.cache import fingerprint_of

    shutil.copytree(model_dir, tmp_path / "m")
    write_config(tmp_path, tokenizer="m")
    before = fingerprint_of(load_config(tmp_path / "ftlint.toml").settings_for(tmp_path / "a.jsonl"))
    build_tokenizer(tmp_path / "m", CHATML, vocab_size=700)
    after = fingerprint_of(load_config(tmp_path / "ftlint.toml").settings_for(tmp_path / "a.jsonl"))
    assert before != after


def test_checking_without_token_rules_imports_no_tokenizer_library(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n')
    probe = ("import sys, ftlint; ftlint.check(%r, select=['S']); "
             "print(sorted(m for m in ('tokenizers', 'bpe_openai', 'jinja2') if m in sys.modules))" % str(data))
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lone_surrogates_are_counted_not_crashed_on(tmp_path, write_jsonl, check, model_dir):
    """Valid JSON may hold a lone surrogate ("\\ud800"); both back-ends count it as U+FFFD's '?'."""
    records = ['{"messages": [{"role": "user", "content": "Hi \\ud800 there"}, '
               '{"role": "assistant", "content": "Lone \\udc00 surrogate"}]}'] * 3
    data = write_jsonl(records)
    for tokenizer in (str(model_dir), "o200k_base"):
        write_config(tmp_path, tokenizer=tokenizer)
        report = check(data, select=["T"])
        assert stats(report)["records"] == 3 and stats(report)["trained-tokens"] > 0


def test_without_the_openai_extra_the_default_is_a_labelled_estimate(tmp_path, write_jsonl):
    """`sys.modules[name] = None` is how Python marks a package as not importable: the run sees
    what a user without ftlint[openai] sees."""
    write_config(tmp_path, max_tokens=20)
    data = write_jsonl([chat_record(i) for i in range(3)])
    probe = ("import sys; sys.modules['bpe_openai'] = None; import ftlint; "
             f"r = ftlint.check({str(data)!r}, select=['T101', 'T103']); "
             "print(r.files[0].statistics['T103']['tokenizer']); "
             "print('\\n'.join(f.message for f in r.by_rule('T101')))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    label, *messages = out.stdout.strip().splitlines()
    assert label == "estimated"
    assert len(messages) == 3 and all(m.startswith("~") and "tokens (estimated)" in m for m in messages)
    write_config(tmp_path, tokenizer="o200k_base")
    probe = ("import sys; sys.modules['bpe_openai'] = None; from ftlint.config import load_config; "
             f"load_config({str(tmp_path / 'ftlint.toml')!r})")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert "needs the bpe-openai package: pip install 'ftlint[openai]'" in out.stderr


def test_chat_template_without_a_hugging_face_tokenizer_is_a_config_error(tmp_path):
    (tmp_path / "chat.jinja").write_text("{% for m in messages %}{{ m.content }}{% endfor %}", encoding="utf-8")
    write_config(tmp_path, chat_template="chat.jinja")
    with pytest.raises(ConfigError, match="chat-template 'chat.jinja' needs a Hugging Face tokenizer"):
        load_config(tmp_path / "ftlint.toml")
