"""No raw PII or secret value in any output: every CLI format, the baseline file, the pytest plugin.

The fixture plants real-looking values in every place a record can hold them (system, user,
assistant and tool turns, tool-call arguments, multimodal parts, metadata), runs the real CLI
once per `--output-format` with statistics, writes a baseline, runs `pytest --ftlint`, and
searches everything written for each raw value and for its identifying parts.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from _records import chat_record
from ftlint.reporters import REPORTERS

pytest_plugins = ["pytester"]

RAW = {
    "EMAIL_ADDRESS": "maeve.millay@gmail.com",
    "PHONE_NUMBER": "+1 415 867 5309",
    "PHONE_UK": "020 7123 4567",
    "CREDIT_CARD": "4539 1488 0343 6467",
    "IBAN_CODE": "DE89 3704 0044 0532 0130 00",
    "US_SSN": "536-90-4399",
    "IP_ADDRESS": "88.214.7.33",
    "MAC_ADDRESS": "3c:22:fb:1a:9e:07",
    "OPENAI_API_KEY": "sk-proj-9TgH2kLm4NpQ7rSt1VwX3yZa6BcD",
    "AWS_ACCESS_KEY_ID": "AKIAZ7Q3MNBVCX4WERTY",
    "GITHUB_TOKEN": "ghp_q7Vt2WkR9zLp4XmN8sJc3YhBq7Vt2WkR9zLp",
    "GENERIC_SECRET": "Zx9Qw8Er7Ty6Ui5Op4As3Df",
    "TOOL_EMAIL": "kwame.mensah@proton.me",
    "META_EMAIL": "olga.petrova@yandex.ru",
}
# Parts that identify on their own: an e-mail's local part, a card's middle digits, a key's body.
PARTS = ["maeve.millay", "kwame.mensah", "olga.petrova", "1488 0343", "867 5309", "7123 4567", "3704 0044",
         "214.7.33", "fb:1a:9e", "9TgH2kLm4NpQ7rSt1VwX3yZa", "Z7Q3MNBVCX4W", "q7Vt2WkR9zLp4XmN", "Zx9Qw8Er7Ty6Ui5"]


def planted() -> list[dict]:
    r = RAW
    return [
        {"messages": [{"role": "system", "content": f"You are the help desk. Escalations go to {r['EMAIL_ADDRESS']}."},
                      {"role": "user", "content": f"My card {r['CREDIT_CARD']} was charged twice, SSN {r['US_SSN']}."},
                      {"role": "assistant", "content": f"I can refund it to {r['IBAN_CODE']} or call you on {r['PHONE_NUMBER']}."}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Why is my key rejected?"},
                                                    {"type": "text", "text": f"openai.api_key = '{r['OPENAI_API_KEY']}'"}]},
                      {"role": "assistant", "content": f"Revoke it; the AWS key {r['AWS_ACCESS_KEY_ID']} too."}]},
        {"messages": [{"role": "user", "content": "Mail the summary please."},
                      {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
                          "name": "send_mail", "arguments": json.dumps({"to": r["TOOL_EMAIL"]})}}]},
                      {"role": "tool", "tool_call_id": "call_1", "content": f"queued from {r['IP_ADDRESS']} ({r['MAC_ADDRESS']})"},
                      {"role": "assistant", "content": f"Sent. Our London office is on {r['PHONE_UK']} if needed."}],
         "metadata": {"owner": r["META_EMAIL"]}},
        {"messages": [{"role": "user", "content": f"Deploy with GITHUB_TOKEN={r['GITHUB_TOKEN']} and client_secret = \"{r['GENERIC_SECRET']}\""},
                      {"role": "assistant", "content": "Never paste tokens into chats; rotate both now."}]},
    ]


def dataset(path: Path) -> Path:
    records = [chat_record(i) for i in range(40)] + planted()
    records.append(planted()[0])  # an exact duplicate: D101 reports it too
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def assert_no_raw_value(text: str, where: str) -> None:
    for name, value in RAW.items():
        assert value not in text, f"{name} leaked in {where}"
    for part in PARTS:
        assert part not in text, f"{part!r} leaked in {where}"


def ftlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftlint", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("leaks")
    dataset(root / "data" / "train.jsonl")
    (root / "ftlint.toml").write_text('select = ["P"]\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reports(workdir) -> dict[str, tuple[int, str]]:
    """format -> (exit code, everything written: the -o file, stdout and stderr), from one process
    that runs the real CLI entry point once per format (presidio loads once, not nine times)."""
    script = f"""
import contextlib, io, json, sys
from ftlint.cli import main
results = {{}}
for fmt in {sorted(REPORTERS)!r}:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "data/train.jsonl", "--output-format", fmt, "--statistics", "--no-cache",
                     "-o", "report." + fmt])
        main(["check", "data/train.jsonl", "--output-format", fmt, "--statistics"])  # to stdout, from the cache
    results[fmt] = [code, out.getvalue() + err.getvalue()]
print(json.dumps(results))
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=workdir, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout.splitlines()[-1])
    return {fmt: (code, (workdir / f"report.{fmt}").read_text(encoding="utf-8") + printed + run.stderr)
            for fmt, (code, printed) in results.items()}


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_no_output_format_shows_a_raw_value(reports, fmt):
    code, written = reports[fmt]
    assert code == 1
    for rule in ("P101", "P102", "P103", "P201"):
        assert rule in written, f"{rule} missing from {fmt}"
    assert_no_raw_value(written, fmt)


def test_the_default_rule_set_shows_no_raw_value_either(workdir, tmp_path):
    """Rules of other families quote record text too (openings in statistics, truncated tails):
    they pass it through ftlint.privacy.scrub.mask_pii."""
    (tmp_path / "ftlint.toml").write_text('extend-select = ["P"]\n', encoding="utf-8")
    data = dataset(tmp_path / "train.jsonl")
    text = ftlint("check", str(data), "--statistics", "--no-cache", cwd=tmp_path)
    html = ftlint("check", str(data), "--output-format", "html", "--no-cache", cwd=tmp_path)
    assert_no_raw_value(text.stdout + text.stderr + html.stdout, "the default rule set")


def test_the_masked_values_are_what_findings_show(workdir):
    result = ftlint("check", "data/train.jsonl", "--output-format", "json", "--no-cache", cwd=workdir)
    findings = json.loads(result.stdout)["findings"]
    messages = {f["message"] for f in findings if f["code"].startswith("P")}
    for masked in ("m***@g***.com", "**** **** **** 6467", "***-**-**99", "DE** **** **** **** **30 00", "+* *** *** **09",
                   "88.*.*.*", "sk-proj-…6BcD", "AKIA…WERTY"[:4], "k***@p***.me", "o***@y***.ru"):
        assert any(masked in m for m in messages), masked
    fields = {f["field"] for f in findings if f["code"] == "P101"}
    assert {"messages[0].content", "messages[2].content", "messages[1].tool_calls[0].function.arguments",
            "metadata.owner", "messages[3].content"} <= fields


def test_the_baseline_file_holds_no_raw_value(workdir):
    result = ftlint("baseline", "data/train.jsonl", "--baseline", "privacy-baseline.json", "--no-cache", cwd=workdir)
    assert result.returncode == 0, result.stderr
    text = (workdir / "privacy-baseline.json").read_text(encoding="utf-8")
    assert "P101" in text and "P201" in text
    assert_no_raw_value(text + result.stdout, "the baseline")
    again = ftlint("check", "data/train.jsonl", "--baseline", "privacy-baseline.json", "--no-cache", cwd=workdir)
    assert again.returncode == 0, again.stdout  # every P finding has its own stable fingerprint
    assert_no_raw_value(again.stdout + again.stderr, "the baselined check")


def test_pytest_plugin_failure_report_holds_no_raw_value(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    dataset(pytester.path / "data" / "train.jsonl")
    pytester.makepyprojecttoml('[tool.ftlint]\npaths = ["data"]\nextend-select = ["P"]\n')
    result = pytester.runpytest_subprocess("--ftlint", "-v", "-rA")
    text = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "P101" in text and "m***@g***.com" in text
    assert_no_raw_value(text, "pytest --ftlint")


def test_values_quoted_by_other_rules_are_masked_too(tmp_path):
    """A schema error quotes the offending value (S101), an unknown key is the field path (S102),
    a degenerate repetition quotes the repeated phrase (T105): the engine masks them all."""
    email, phone = RAW["EMAIL_ADDRESS"], RAW["PHONE_NUMBER"]
    records = [chat_record(i) for i in range(40)] + [
        {"messages": [{"role": email, "content": "Hello"}, {"role": "assistant", "content": "Hi."}]},
        {"messages": [{"role": "user", "content": "Hi", email: "x"}, {"role": "assistant", "content": "Hi."}]},
        {"messages": [{"role": "user", "content": "Who do I call?"},
                      {"role": "assistant", "content": f"Call {phone} now! " * 300}]},
    ]
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = ftlint("check", str(data), "--select", "S101,S102,T105", "--output-format", "json", "--no-cache",
                    cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert {f["code"] for f in findings} >= {"S101", "S102", "T105"}, findings
    assert_no_raw_value(result.stdout + result.stderr, "non-privacy findings")
    assert any("m***@g***.com" in (f["message"] + (f["field"] or "")) for f in findings)
