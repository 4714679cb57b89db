"""The P rules through ftlint's public API and CLI: what a user sees, where, and what never shows.

Accuracy on labelled data is in test_privacy_accuracy.py, the no-leak guarantee across every
output format in test_privacy_leaks.py, redaction in test_privacy_redact.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _records import chat_record, one, where
from ftlint.config import ConfigError

EMAIL = "dolores.abernathy@gmail.com"
PHONE = "+1 415 867 5309"
CARD = "4539 1488 0343 6467"
KEY = "sk-proj-4fGh8KqL2mNp9RsT3vWx6YzA1bCd"


def chat(user: str, assistant: str = "Sure, I can help with that.", system: str | None = None, **extra) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": messages, **extra}


def records(*planted: dict, clean: int = 20) -> list[dict]:
    return [chat_record(i) for i in range(clean)] + list(planted)


def test_a_finding_names_entity_field_span_and_a_masked_value(run):
    text = f"Please mail {EMAIL} today"
    report = run("openai-chat", records(chat(text)), select=["P"])
    finding = one(report, "P101")
    start = text.index(EMAIL)
    assert (finding.location.line, finding.location.field) == (21, "messages[0].content")
    assert finding.message == f"EMAIL_ADDRESS d***@g***.com in user text at [{start}:{start + len(EMAIL)}]"
    assert finding.excerpt == "d***@g***.com"
    assert str(finding.severity) == "error"


def test_each_family_reports_its_own_entities(run):
    report = run("openai-chat", records(
        chat(f"call {PHONE}"),
        chat(f"card {CARD}, SSN 536-90-4399, IBAN DE89 3704 0044 0532 0130 00, BTC 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        chat("my public IP is 81.2.69.160 and the MAC 3c:22:fb:1a:9e:07"),
        chat(f"openai.api_key = '{KEY}'"),
    ), select=["P"])
    assert [f.message.split()[0] for f in report.by_rule("P101")] == ["PHONE_NUMBER"]
    assert [f.message.split()[0] for f in report.by_rule("P102")] == ["CREDIT_CARD", "US_SSN", "IBAN_CODE", "CRYPTO"]
    assert [f.message.split()[0] for f in report.by_rule("P103")] == ["IP_ADDRESS", "MAC_ADDRESS"]
    assert [f.message.split()[0] for f in report.by_rule("P201")] == ["OPENAI_API_KEY"]
    messages = " ".join(f.message for f in report.findings)
    assert "**** **** **** 6467" in messages and "sk-proj-…1bCd" in messages and "81.*.*.*" in messages
    for raw in (PHONE, CARD, "536-90-4399", "81.2.69.160", KEY, "DE89 3704", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"):
        assert raw not in messages


def test_overlapping_claims_resolve_to_one_entity(run):
    report = run("openai-chat", records(
        chat(f"write to {EMAIL}"),  # the URL recognizer also fires on gmail.com
        chat("SSN 536-90-4399 please"),  # a phone number in some numbering plans
        chat("the SSN 078-05-1120 from the Woolworth wallet card"),  # the famous sample SSN: neither
    ), select=["P"], extend_select=[])
    assert where(report, "P101") == [(21, "messages[0].content")]
    assert [f.message.split()[0] for f in report.by_rule("P102")] == ["US_SSN"]
    assert report.by_rule("P103") == []


def test_urls_only_on_request_and_never_inside_an_email(write_jsonl, check, tmp_path):
    path = write_jsonl(records(chat(f"see https://shop.acme-corp.io/orders or mail {EMAIL}")))
    assert check(path, select=["P103"]).by_rule("P103") == []
    (tmp_path / "ftlint.toml").write_text('[rules.P103]\nentities = ["URL"]\n', encoding="utf-8")
    found = check(path, select=["P103"]).by_rule("P103")
    assert [f.message.split()[:2] for f in found] == [["URL", "https://***"]]


def test_placeholders_and_documentation_values_are_allowlisted(run):
    report = run("openai-chat", records(
        chat("Mail support@example.com or test@acme-corp.io or call (415) 555-0123 or 020 7946 0123"),
        chat("ping 192.168.1.1, 10.0.0.7 and 127.0.0.1; docs use 2001:db8::1"),
        chat("Use AKIAIOSFODNN7EXAMPLE, sk-your-key-here and api_key = os.environ['KEY']"),
    ), select=["P"])
    assert [f for f in report.findings if f.code != "P104"] == []


def test_own_allowlists_extend_the_placeholders(write_jsonl, check, tmp_path):
    path = write_jsonl(records(chat("Mail support@example.com, ops@acme-corp.io or call (415) 555-0123")))
    config = tmp_path / "ftlint.toml"
    config.write_text('[rules.P101]\nallow-domains = ["acme-corp.io"]\n', encoding="utf-8")
    assert check(path, select=["P101"]).by_rule("P101") == []
    config.write_text("[rules.P101]\nallow-placeholders = false\n", encoding="utf-8")
    assert [f.message.split()[0] for f in check(path, select=["P101"]).by_rule("P101")] == [
        "EMAIL_ADDRESS", "EMAIL_ADDRESS", "PHONE_NUMBER"]


def test_a_privacy_table_sets_the_option_of_every_p_rule(write_jsonl, check, tmp_path):
    """`[privacy]` (and `[per-file."GLOB".privacy]`) instead of one allowlist per P rule; a rule's
    own table still wins, and an unknown key is an error naming it."""
    path = write_jsonl(records(chat("Mail ops@acme-corp.io, key sk-proj-9TgH2kLm4NpQ7rSt1VwX3yZa6BcD")))
    config = tmp_path / "ftlint.toml"
    assert {f.code for f in check(path, select=["P"]).findings} >= {"P101", "P201"}
    config.write_text('[privacy]\nroles = ["assistant"]\n', encoding="utf-8")
    assert [f.code for f in check(path, select=["P101", "P201"]).findings] == []
    config.write_text('[privacy]\nroles = ["assistant"]\n[rules.P201]\nroles = ["user"]\n', encoding="utf-8")
    assert [f.code for f in check(path, select=["P101", "P201"]).findings] == ["P201"]
    config.write_text(f'[per-file."{path.name}".privacy]\nallow-domains = ["acme-corp.io"]\n', encoding="utf-8")
    assert [f.code for f in check(path, select=["P101"]).findings] == []
    config.write_text('[privacy]\nallow-domain = ["acme-corp.io"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"privacy.allow-domain: unknown privacy setting \(known: .*allow-domains"):
        check(path, select=["P101"])


def test_allowlists_and_scope_are_configurable(write_jsonl, check, tmp_path):
    path = write_jsonl(records(
        chat(f"mail {EMAIL}", system="Escalate to ops@acme-corp.io"),
        chat("hi", assistant=f"Call {PHONE}", metadata={"owner": "kwame.mensah@proton.me"}),
    ))
    assert len(check(path, select=["P101"]).by_rule("P101")) == 4
    config = tmp_path / "ftlint.toml"
    config.write_text('[rules.P101]\nallow-domains = ["acme-corp.io"]\nallow-values = ["DOLORES.ABERNATHY@GMAIL.COM"]\n',
                      encoding="utf-8")
    assert [f.location.field for f in check(path, select=["P101"]).by_rule("P101")] == ["messages[1].content", "metadata.owner"]
    config.write_text('[rules.P101]\nroles = ["user", "assistant"]\nskip-fields = ["metadata.*"]\n', encoding="utf-8")
    assert [f.location.field for f in check(path, select=["P101"]).by_rule("P101")] == ["messages[1].content",
                                                                                      "messages[1].content"]
    config.write_text('[rules.P101]\nentities = ["EMAIL_ADDRESS"]\nroles = ["other"]\n', encoding="utf-8")
    found = check(path, select=["P101"]).by_rule("P101")
    assert [(f.location.field, f.message.split()[3]) for f in found] == [("metadata.owner", "other")]


def test_every_string_of_a_record_is_scanned(run):
    record = {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "my card"}, {"type": "text", "text": f"is {CARD}"}]},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "send_mail", "arguments": json.dumps({"to": EMAIL})}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": f"sent to {EMAIL}"},
        {"role": "assistant", "content": "Done."}]}
    report = run("openai-chat", records(record), select=["P"])
    assert where(report, "P102") == [(21, "messages[0].content[1].text")]
    assert [(f.location.field, f.message.split()[3]) for f in report.by_rule("P101")] == [
        ("messages[1].tool_calls[0].function.arguments", "assistant"), ("messages[2].content", "tool")]


def test_many_values_in_one_record_are_summarised(write_jsonl, check, tmp_path):
    contacts = ", ".join(f"user{i}.name@gmail.com" for i in range(8))
    path = write_jsonl(records(chat(f"Mailing list: {contacts}")))
    (tmp_path / "ftlint.toml").write_text("[rules.P101]\nmax-per-record = 3\n", encoding="utf-8")
    found = check(path, select=["P101"]).by_rule("P101")
    assert len(found) == 4
    summary = [f.message for f in found if not f.message.startswith("EMAIL_ADDRESS")]
    assert summary == ["5 more values in this record not shown (EMAIL_ADDRESS 5); raise max-per-record to list them"]
    assert len({f.fingerprint for f in found}) == 4  # each finding its own baseline identity


def test_secrets_of_the_common_providers(run):
    secrets = {
        "AWS_ACCESS_KEY_ID": "AKIAZ7Q3MNBVCX4WERTY", "GITHUB_TOKEN": "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
        "SLACK_TOKEN": "xoxb-123456789012-1234567890123-q7Vt2WkR9zLp4XmN8sJc3YhB",
        "STRIPE_KEY": "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "GOOGLE_API_KEY": "AIzaSyD4fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5b",
        "HUGGINGFACE_TOKEN": "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",
        "JWT": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "GENERIC_SECRET": "Zx9Qw8Er7Ty6Ui5Op4As3Df",
    }
    planted = [chat(f"use {value} now") for name, value in secrets.items() if name != "GENERIC_SECRET"]
    planted.append(chat(f'client_secret = "{secrets["GENERIC_SECRET"]}"'))
    planted.append(chat("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" * 2
                        + "\n-----END OPENSSH PRIVATE KEY-----"))
    report = run("openai-chat", records(*planted), select=["P201"])
    assert [f.message.split()[0] for f in report.by_rule("P201")] == [*secrets, "PRIVATE_KEY"]
    text = " ".join(f.message for f in report.findings)
    assert all(value not in text for value in secrets.values())


def test_rate_rule_statistics_and_threshold(run):
    planted = [chat(f"mail user.{i}@gmail.com") for i in range(3)] + [chat(f"call {PHONE}")]
    report = run("openai-chat", records(*planted, clean=96), select=["P301"])
    finding = one(report, "P301")
    assert finding.message.startswith("4.0% of records (4 of 100) hold PII or secrets, above max-rate 1.0%")
    stats = report.files[0].statistics["P301"]
    assert stats == {"records_scanned": 100, "records_with_pii": 4, "rate": 0.04,
                     "entities": {"EMAIL_ADDRESS": 3, "PHONE_NUMBER": 1},
                     "plots": [{"kind": "bars", "title": "PII entities found",
                                "values": {"EMAIL_ADDRESS": 3, "PHONE_NUMBER": 1}, "unit": "findings"}]}
    small = run("openai-chat", records(*planted, clean=10), select=["P301"])
    assert small.by_rule("P301") == [] and small.files[0].statistics["P301"]["records_with_pii"] == 4


def test_bad_options_are_configuration_errors(write_jsonl, check, tmp_path):
    path = write_jsonl(records(chat(f"mail {EMAIL}")))
    config = tmp_path / "ftlint.toml"
    for table, message in (('entities = ["EMAIL", "PHONE_NUMBER"]', "unknown entity 'EMAIL'; known: EMAIL_ADDRESS"),
                           ('roles = ["human"]', "unknown role 'human'"),
                           ('phone-regions = ["XX"]', "unknown phone region 'XX'"),
                           ("allow-patterns = ['(unclosed']", "invalid regular expression")):
        config.write_text(f"[rules.P101]\n{table}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="P101"):
            check(path, select=["P101"])
        with pytest.raises(ConfigError) as error:
            check(path, select=["P101"])
        assert message in str(error.value)


def test_p104_selected_without_a_model_says_so_once_per_file(run):
    report = run("openai-chat", records(chat("Hi, I am Dolores.")), select=["P104"])
    finding = one(report, "P104")
    assert finding.location.line == 1 and str(finding.severity) == "info"
    assert "spacy-model is not set" in finding.message


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_clean_data_never_imports_presidio_and_pii_builds_one_analyzer(tmp_path):
    from _records import write_jsonl

    write_jsonl(tmp_path / "clean.jsonl", [chat_record(i) for i in range(30)])
    write_jsonl(tmp_path / "pii.jsonl", [chat(f"mail user{i}@gmail.com, call {PHONE}") for i in range(30)])
    out = _python("""
        import sys, ftlint
        ftlint.check("clean.jsonl", select=["P"])
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("presidio_analyzer", "spacy", "phonenumbers")))
        report = ftlint.check("pii.jsonl", select=["P"])
        from ftlint.privacy.analyzer import pattern_analyzer
        print(len(report.by_rule("P101")), pattern_analyzer.cache_info().currsize)
    """, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "60 1"]


def test_offline_and_quiet(tmp_path):
    """No network connection is attempted (tldextract's suffix list included) and nothing but the
    report is printed: no presidio warning, no tldextract traceback."""
    from _records import write_jsonl

    write_jsonl(tmp_path / "pii.jsonl", [chat(f"mail {EMAIL} or user{i}@mail.co.uk, call {PHONE}") for i in range(5)])
    out = _python("""
        import socket, sys
        attempts = []
        class NoNetwork(socket.socket):
            def connect(self, address):
                attempts.append(address)
                raise OSError("network disabled by the test")
        socket.socket = NoNetwork
        socket.create_connection = lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(OSError("no network"))
        socket.getaddrinfo = lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(OSError("no network"))
        from ftlint.cli import main
        code = main(["check", "pii.jsonl", "--select", "P", "--no-cache", "-q"])
        print("attempts", len(attempts), "exit", code)
    """, tmp_path)
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert lines[-1] == "attempts 0 exit 1"
    assert len([line for line in lines if " P101 " in line]) == 15  # 10 e-mails and 5 phone numbers


def test_mask_pii_for_text_other_rules_quote():
    from ftlint.privacy.scrub import mask_pii, mask_tree

    assert mask_pii(f"'Mail {EMAIL} or call {PHONE}.' repeated 40 times") == \
        "'Mail d***@g***.com or call +* *** *** **09.' repeated 40 times"
    assert mask_pii("Bakery orchard lantern") == "Bakery orchard lantern"
    stats = {"top-response-openings": {f"Mail {EMAIL}": 2, "As of 2023,": 1}, "words": 3}
    assert mask_tree(stats) == {"top-response-openings": {"Mail d***@g***.com": 2, "As of 2023,": 1}, "words": 3}
