"""Precision and recall of the privacy rules on generated labelled data (tests/_privacy_data.py).

Pattern entities must reach recall >= 0.95 and precision >= 0.9 per entity with the shipped
defaults, and the prefilter must not change a single detection. Names go through a real spaCy
pipeline the test builds and saves (blank English + entity_ruler), loaded through P104's
`spacy-model` option exactly as a user's model is.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from _privacy_data import Labelled, generate, score
from ftlint.config import ConfigError
from ftlint.privacy.scan import detect_text, settings_for
from ftlint.rulepack import load_rules

PATTERN_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS",
                    "OPENAI_API_KEY", "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN", "SLACK_TOKEN", "JWT", "PRIVATE_KEY",
                    "GENERIC_SECRET")


@pytest.fixture(scope="module")
def data() -> list[Labelled]:
    return generate(seed=11, per_entity=60)


@pytest.fixture(scope="module")
def settings():
    """What `ftlint check` uses by default: P301 counts every default entity with the allowlists."""
    return settings_for("P301", dict(load_rules()["P301"].options))


def test_every_pattern_entity_reaches_the_bar(data, settings):
    result = score(data, lambda text: detect_text(text, settings))
    report = {entity: {k: round(v, 3) for k, v in r.items()} for entity, r in result.items()}
    for entity in PATTERN_ENTITIES:
        assert entity in result, f"{entity} never detected: {report}"
        assert result[entity]["recall"] >= 0.95, (entity, report[entity])
        assert result[entity]["precision"] >= 0.9, (entity, report[entity])
    # Nothing outside the labels is reported at all (checksum look-alikes, dates, placeholders).
    assert set(result) <= set(PATTERN_ENTITIES), report


def test_the_prefilter_changes_no_detection(data, settings):
    with_gate = [sorted((d.entity, d.start, d.end) for d in detect_text(item.text, settings)) for item in data]
    without = [sorted((d.entity, d.start, d.end) for d in detect_text(item.text, settings, prefilter=False))
               for item in data]
    assert with_gate == without
    assert sum(map(len, with_gate)) >= len([i for i in data if i.spans])  # the comparison saw detections


# Digits of other scripts, which `\d` (and presidio) also match: the prefilter must not assume ASCII.
OTHER_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _variants(text: str) -> list[str]:
    return [text, text.translate(OTHER_DIGITS), text.translate(FULLWIDTH_DIGITS), f"“{text}” ✓", text.lower()]


def _every_universe() -> list[frozenset[str]]:
    from ftlint.privacy.entities import ALL_ENTITIES, NER_ENTITIES

    rules = load_rules()
    defaults = [settings_for(code, dict(rules[code].options)).universe for code in ("P101", "P102", "P103", "P201", "P301")]
    return [*defaults, frozenset(e for e in ALL_ENTITIES if e not in NER_ENTITIES)]


def test_the_prefilter_shortcuts_agree_with_every_trigger_run_in_full(data):
    """`possible_entities` skips digit triggers on digit-free text and memoises per text, the
    record gate `could_hold_any` stops at the first trigger: both must agree with running every
    trigger of every entity, in any script."""
    import re

    from ftlint.privacy.prefilter import (_BECH32, _CRYPTO, _DIGIT_RUN, _DIGITS, _NOT_AN_ID, GATES, TRIGGERS,
                                          could_hold_any, has_digit, non_ascii, possible_entities)

    rng = random.Random(7)
    alphabet = "0123456789 ()-./+\n\t\x1c\x85\xa0\u2009’—😀ab13xyzAKbc٣０"
    noise = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(40))) for _ in range(3000)]
    shaped = ["send 1BoatSLRHtKNngkdXEeobR76b53LETtpyT now", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ok",
              "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "x1BoatSLRHtKNngkdXEeobR76b53LETtpy",
              "on 2024-01-15 and 15/01/2024 we paid 1,234,567.89", "pi 3.14159265, call 415 555 2671 (ext. 12)"]
    texts = [v for item in data for v in _variants(item.text)] + ["", "no digits at all", "٣", "x０y", "1"]
    for text in texts + noise + shaped:
        assert has_digit(text) == (re.search(r"\d", text) is not None), text
        assert non_ascii(text) == "".join(c for c in text if ord(c) > 127), text
        assert TRIGGERS["crypto"](text) == (_CRYPTO.search(text) is not None or _BECH32.search(text) is not None), text
        assert TRIGGERS["digits"](text) == (_DIGIT_RUN.search(text) is not None and any(
            not _NOT_AN_ID.fullmatch(m.group(0)) for m in _DIGITS.finditer(text))), text
    assert sum(map(TRIGGERS["digits"], noise)) > 50
    assert sum(map(TRIGGERS["crypto"], shaped)) == 4
    for text in texts:
        for universe in _every_universe():
            full = frozenset(e for e in universe if e not in GATES or any(TRIGGERS[n](text) for n in GATES[e]))
            assert possible_entities(text, universe) == full, (text, sorted(universe))
            assert could_hold_any(text, universe) == bool(full), (text, sorted(universe))


def test_the_record_gate_changes_no_detection(data):
    """Records of several strings (messages, a nested tool call, metadata) through `detect`, which
    gates the whole record first, against every string analysed without any gate."""
    from ftlint.formats.registry import FORMATS
    from ftlint.model import Record
    from ftlint.privacy.entities import FAMILIES
    from ftlint.privacy.scan import detect, detect_texts, plain_strings, sample_texts, strings_of

    rules = load_rules()
    settings = [settings_for(code, dict(rules[code].options)) for code in ("P101", "P102", "P103", "P201", "P301")]
    settings.append(settings_for("P103", {"entities": ["IP_ADDRESS", "MAC_ADDRESS", "URL"]}))
    settings.append(settings_for("P102", {"entities": list(FAMILIES["P102"].available)}))  # the "digit" gate too
    rng = random.Random(5)
    texts = [v for item in data for v in _variants(item.text)[:3]]
    clean = ["How do I bake sourdough bread at home?", "Sure, here is a recipe.", "Thanks!", "ok"]
    spec = FORMATS["openai-chat"]
    seen = 0
    for i in range(0, len(texts), 3):
        picked = texts[i:i + 3]
        user = rng.choice([*picked, *clean])
        messages = [{"role": "system", "content": rng.choice(clean)}, {"role": "user", "content": user},
                    {"role": "assistant", "content": rng.choice(clean),
                     "tool_calls": [{"id": "c1", "type": "function",
                                     "function": {"name": "send", "arguments": json.dumps({"body": picked[-1]})}}]}]
        data_ = {"messages": messages, "metadata": {"notes": [picked[0], 7, None, {"deep": picked[1 % len(picked)]}]}}
        record = Record(path="t.jsonl", line=i + 1, data=data_, index=i)
        assert plain_strings(data_) == [s for _, _, s in strings_of(data_)]
        for s in settings:
            gated = detect(spec.to_sample(record), s)
            sample = spec.to_sample(record)
            assert gated == list(detect_texts(sample_texts(sample), s, prefilter=False)), (data_, sorted(s.entities))
            seen += len(gated)
    assert seen > len(texts) // 3  # the comparison saw detections


def test_the_prefilter_keeps_clean_text_away_from_presidio(settings):
    from ftlint.privacy.prefilter import possible_entities

    clean = ["How do I bake sourdough bread at home?", "Python 3.12 was released on 2023-10-02; pip 23.3.1 too.",
             "The meeting is at 10:30 in room 4.12, bring 3 copies.", "Pi is 3.14159265 and the total was $1,299.99."]
    for text in clean:
        assert possible_entities(text, settings.universe) == frozenset(), text


def test_phone_numbers_in_national_formats(settings):
    numbers = {"US": "(212) 736-5000", "GB": "020 7946 1234", "GB-intl": "+44 20 7946 1234", "DE": "030 12345678",
               "DE-mobile": "+49 151 23456789", "FR": "01 42 68 53 00", "FR-intl": "+33 6 12 34 56 78",
               "IN": "+91 98765 43210", "IN-compact": "+91-9876543210",
               # unassigned area codes (synthetic data generators make them): the layout says phone
               "US-synthetic": "(234) 567-8901", "US-extension": "+1-234-567-8901x1234"}
    for where, number in numbers.items():
        text = f"You can call {number} after nine."
        found = [(d.entity, text[d.start:d.end]) for d in detect_text(text, settings)]
        assert found == [("PHONE_NUMBER", number)], where


def test_checksums_decide_cards_and_ibans(settings):
    rng = random.Random(3)
    from _privacy_data import card, iban

    for _ in range(20):
        good, bad = card(rng), card(rng, valid=False)
        assert [d.entity for d in detect_text(f"card {good} ok", settings)] == ["CREDIT_CARD"], good
        assert [d.entity for d in detect_text(f"card {bad} ok", settings)] == [], bad
        good, bad = iban(rng), iban(rng, valid=False)
        assert [d.entity for d in detect_text(f"pay to {good} now", settings)] == ["IBAN_CODE"], good
        assert [d.entity for d in detect_text(f"pay to {bad} now", settings)] == [], bad


# ---------------------------------------------------------------------------- named entities

NAMES = ["Dolores Abernathy", "Kwame Mensah", "Olga Petrova", "Ravi Shankar", "Sofia Rossi", "Chen Wei"]
PLACES = ["Sweetwater", "Accra", "Novosibirsk", "Chennai"]
ORGS = ["Delos Incorporated", "Acme Robotics"]


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory) -> Path:
    """A real spaCy pipeline on disk: blank English tokenizer + an entity_ruler that knows NAMES."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": name} for name in NAMES]
                       + [{"label": "GPE", "pattern": place} for place in PLACES]
                       + [{"label": "ORG", "pattern": org} for org in ORGS])
    path = tmp_path_factory.mktemp("spacy") / "ner-model"
    nlp.to_disk(path)
    return path


def _named_records(rng: random.Random) -> tuple[list[dict], list[tuple[int, str, str]]]:
    records, labels = [], []
    for i in range(40):
        name, place = rng.choice(NAMES), rng.choice(PLACES)
        if i % 4 == 3:  # a record without names
            user = f"What is the capital of nothing, question {i}?"
        else:
            user = f"Hi, I am {name} and I live in {place}. Question {i}: how do I renew my licence?"
            labels += [(i + 1, "PERSON", name), (i + 1, "LOCATION", place)]
        records.append({"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": f"Sure, step {i}."}]})
    return records, labels


def test_names_through_a_configured_spacy_pipeline(ner_model, write_jsonl, check, tmp_path):
    records, labels = _named_records(random.Random(5))
    path = write_jsonl(records)
    (tmp_path / "ftlint.toml").write_text(
        f'extend-select = ["P104"]\n[rules.P104]\nspacy-model = {json.dumps(str(ner_model))}\n', encoding="utf-8")
    report = check(path, select=["P104"])
    found = [(f.location.line, f.message.split()[0]) for f in report.by_rule("P104")]
    expected = [(line, entity) for line, entity, _ in labels]
    tp = len(set(found) & set(expected))
    assert tp / len(expected) >= 0.95 and tp / max(len(found), 1) >= 0.9, (found, expected)
    text = "\n".join(f.message for f in report.by_rule("P104"))
    for _, _, value in labels:
        assert value not in text  # names are masked too: "D*** A***"
    assert "D*** A***" in text or "K*** M***" in text


def test_a_missing_spacy_model_says_how_to_install_it(write_jsonl, check, tmp_path):
    from _records import chat_record

    path = write_jsonl([chat_record(i) for i in range(3)])
    (tmp_path / "ftlint.toml").write_text('[rules.P104]\nspacy-model = "en_core_web_nonexistent"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        check(path, select=["P104"])
    assert "python -m spacy download en_core_web_nonexistent" in str(error.value)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    (tmp_path / "ftlint.toml").write_text(f'[rules.P104]\nspacy-model = {json.dumps(str(empty))}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="config.cfg"):
        check(path, select=["P104"])
