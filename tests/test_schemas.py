"""The per-format JSON Schemas in rules/schemas and the fixture records in tests/data/formats.

Every schema must be a valid Draft 2020-12 document, there must be exactly one per registered
format, and both validators ftlint can use (pure-Python `jsonschema` and Rust `jsonschema_rs`)
must agree that every valid fixture record passes and every invalid one fails.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from ftlint.formats import FORMATS, detect_record_format

SCHEMA_DIR = Path(__file__).parent.parent / "rules" / "schemas"
FIXTURE_DIR = Path(__file__).parent / "data" / "formats"
COMMON = "common.json"
ID_PREFIX = "https://ftlint.dev/schemas/"


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _common() -> dict:
    return _load(SCHEMA_DIR / COMMON)


@cache
def _py_validator(name: str) -> Draft202012Validator:
    common = _common()
    registry = Registry().with_resource(common["$id"], Resource.from_contents(common))
    return Draft202012Validator(_load(SCHEMA_DIR / f"{name}.json"), registry=registry)


@cache
def _rs_validator(name: str):
    common = _common()
    registry = jsonschema_rs.Registry([(common["$id"], common)])
    # offline=True: a ref missing from the registry must fail here, never trigger an HTTP fetch.
    return jsonschema_rs.validator_for(_load(SCHEMA_DIR / f"{name}.json"), registry=registry, offline=True)


def _records(fmt: str, kind: str) -> list[tuple[int, dict]]:
    path = FIXTURE_DIR / fmt / f"{kind}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, json.loads(line)) for n, line in enumerate(lines, 1) if line.strip()]


def _cases(kind: str) -> list:
    return [pytest.param(fmt, n, record, id=f"{fmt}-{kind}-{n}")
            for fmt in sorted(FORMATS) for n, record in _records(fmt, kind)]


# --- the schema files themselves -------------------------------------------------------------

SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.json"))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.stem for p in SCHEMA_FILES])
def test_schema_is_valid_draft_2020_12(path: Path):
    schema = _load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == ID_PREFIX + path.name
    assert schema.get("title") and schema.get("description")


def test_one_schema_per_format_and_no_extra():
    names = {p.stem for p in SCHEMA_FILES if p.name != COMMON}
    assert names == set(FORMATS)
    assert {spec.schema_file for spec in FORMATS.values()} == {f"{n}.json" for n in names}


def test_common_holds_only_defs():
    common = _common()
    assert set(common) <= {"$schema", "$id", "title", "description", "$defs"}
    assert common["$defs"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_schema_matches_registry_keys(fmt: str):
    spec = FORMATS[fmt]
    schema = _load(SCHEMA_DIR / spec.schema_file)
    assert schema["type"] == "object"
    assert set(schema["required"]) == spec.required
    assert set(schema["properties"]) == spec.known_keys
    # Unknown top-level keys are a separate warning rule, never a schema error.
    assert schema.get("additionalProperties", True) is not False


# --- fixtures against both validators ---------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_fixture_files_exist_with_3_to_6_records(fmt: str):
    for kind in ("valid", "invalid"):
        assert 3 <= len(_records(fmt, kind)) <= 6, f"{fmt}/{kind}.jsonl"


@pytest.mark.parametrize("fmt,line,record", _cases("valid"))
def test_valid_record_passes(fmt: str, line: int, record: dict):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _py_validator(fmt).iter_errors(record)]
    assert not errors, f"jsonschema rejects {fmt}/valid.jsonl:{line}: {errors}"
    assert _rs_validator(fmt).is_valid(record), (
        f"jsonschema_rs rejects {fmt}/valid.jsonl:{line}: {[str(e) for e in _rs_validator(fmt).iter_errors(record)]}")


@pytest.mark.parametrize("fmt,line,record", _cases("invalid"))
def test_invalid_record_fails(fmt: str, line: int, record: dict):
    errors = list(_py_validator(fmt).iter_errors(record))
    assert errors, f"jsonschema accepts {fmt}/invalid.jsonl:{line}"
    assert not _rs_validator(fmt).is_valid(record), f"jsonschema_rs accepts {fmt}/invalid.jsonl:{line}"
    # Each invalid record breaks the schema in one field (so a fixture tests one thing)...
    fields = {e.absolute_path[0] if e.absolute_path else None for e in errors}
    assert len(fields) == 1, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    # ...that a finding can point at: a field path, or a missing required key.
    error = best_match(errors)
    assert error.absolute_path or error.validator == "required", error
    # Both validators point at the same places, so findings do not depend on the backend.
    rs_paths = {tuple(e.instance_path) for e in _rs_validator(fmt).iter_errors(record)}
    assert rs_paths == {tuple(e.absolute_path) for e in errors}


def test_alpaca_json_array_matches_jsonl():
    array = _load(FIXTURE_DIR / "alpaca" / "valid.json")
    assert isinstance(array, list)
    assert array == [record for _, record in _records("alpaca", "valid")]


def test_validators_resolve_common_refs_without_network():
    # A record that is only invalid through a $ref into common.json.
    bad = {"messages": [{"role": "narrator", "content": "Once upon a time"}]}
    assert not _py_validator("openai-chat").is_valid(bad)
    assert not _rs_validator("openai-chat").is_valid(bad)


# --- fixtures carry the keys detection needs --------------------------------------------------

@pytest.mark.parametrize("fmt,line,record", _cases("valid") + _cases("invalid"))
def test_detection_picks_fixture_format(fmt: str, line: int, record: dict):
    detection = detect_record_format(record)
    assert detection.format == fmt, f"line {line}: {detection.reason}"
