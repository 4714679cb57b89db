"""Tests for ftlint.readers: bytes on disk -> Records with the right codes, lines and columns.

Every test builds its input in `tmp_path`; nothing large is committed. Each "broken input" test
also checks that reading went on past the defect (later records still come out, with their own
line numbers), because reporting every broken line in one run is the reader's whole point.
"""
from __future__ import annotations

import gzip
import json
import math
import tracemalloc
from pathlib import Path

import pytest

from ftlint.model import Record
from ftlint.readers import (
    DEFAULT_MAX_LINE_BYTES,
    UnreadableFile,
    is_dataset_file,
    parse_json_bytes,
    read_records,
)

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20  # the JSON-array reader's read size; big-file tests must exceed it


# --------------------------------------------------------------------------- helpers


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    if name.endswith(".gz"):
        content = gzip.compress(content, mtime=0)
    path.write_bytes(content)
    return path


def read(path: Path, **kwargs) -> list[Record]:
    return list(read_records(path, **kwargs))


def read_with_peak(path):
    """Read every entry while tracing memory; returns (entries, peak traced bytes)."""
    tracemalloc.start()
    try:
        entries = read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return entries, peak


def records(entries: list[Record]) -> list[Record]:
    return [e for e in entries if e.is_record]


def codes(entry: Record) -> list[str]:
    return [p.code for p in entry.problems]


def all_codes(entries: list[Record]) -> list[str]:
    return [c for e in entries for c in codes(e)]


def problem(entry: Record, code: str):
    found = [p for p in entry.problems if p.code == code]
    assert len(found) == 1, f"expected one {code} on line {entry.line}, got {codes(entry)}"
    return found[0]


def with_code(entries: list[Record], code: str) -> list[Record]:
    return [e for e in entries if code in codes(e)]


def jsonl(*objs) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def start_lines_of_elements(text: str, indent: str = "  ") -> list[int]:
    """1-based lines where json.dumps(indent=2) puts each top-level element's opening '{'."""
    return [i for i, line in enumerate(text.split("\n"), 1) if line == indent + "{"]


# --------------------------------------------------------------------------- suffixes


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.jsonl", True),
        ("a.JSONL", True),
        ("a.ndjson", True),
        ("a.json", True),
        ("a.jsonl.gz", True),
        ("a.ndjson.gz", True),
        ("a.json.gz", True),
        ("a.parquet", True),
        ("a.txt", False),
        ("a.csv", False),
        ("a.gz", False),
        ("jsonl", False),
    ],
)
def test_is_dataset_file(name, expected):
    assert is_dataset_file(Path(name)) is expected


# --------------------------------------------------------------------------- JSONL


def test_jsonl_valid(tmp_path):
    objs = [{"prompt": "hi", "completion": "hello"}, {"prompt": "é ✓ 😀", "completion": ""}, {"n": [1, 2.5, None, True]}]
    entries = read(write(tmp_path, "d.jsonl", jsonl(*objs)))
    assert [e.line for e in entries] == [1, 2, 3]
    assert [e.index for e in entries] == [0, 1, 2]
    assert [e.data for e in entries] == objs
    assert all(e.problems == [] for e in entries)
    assert all(e.path == str(tmp_path / "d.jsonl") for e in entries)


def test_jsonl_last_line_without_newline(tmp_path):
    entries = read(write(tmp_path, "d.jsonl", '{"a": 1}\n{"a": 2}'))
    assert [(e.line, e.data) for e in entries] == [(1, {"a": 1}), (2, {"a": 2})]
    assert all_codes(entries) == []


def test_jsonl_invalid_json_in_middle(tmp_path):
    text = '{"a": 1}\n{"a": 2,, "b": 3}\n{"a": 3}\n{"a": 4\n{"a": 5}\n'
    entries = read(write(tmp_path, "d.jsonl", text))
    assert [e.line for e in entries] == [1, 2, 3, 4, 5]
    assert [e.index for e in entries] == [0, 1, 2, 3, 4]
    bad = entries[1]
    p = problem(bad, "S001")
    assert p.fatal and bad.data is None
    assert p.column == 9  # the second comma: '{"a": 2,' is 8 characters
    assert "invalid JSON" in p.message
    assert problem(entries[3], "S001").column == 8  # end of '{"a": 4' where '}' was expected
    assert entries[2].data == {"a": 3} and entries[2].problems == []
    assert entries[4].data == {"a": 5} and entries[4].problems == []


def test_jsonl_invalid_utf8(tmp_path):
    content = b'{"a": 1}\n{"a": "x\xffy"}\n{"\xc3\xa9": "\xfe"}\n{"a": 4}\n'
    entries = read(write(tmp_path, "d.jsonl", content))
    assert [e.line for e in entries] == [1, 2, 3, 4]
    p = problem(entries[1], "S002")
    assert entries[1].data is None
    assert p.column == 9  # '{"a": "x' is 8 characters
    assert "0xff" in p.message
    # the column counts characters, not bytes: 'é' is two bytes but one column
    assert problem(entries[2], "S002").column == 8
    assert entries[3].data == {"a": 4} and entries[3].problems == []


def test_jsonl_bom_on_first_line(tmp_path):
    entries = read(write(tmp_path, "d.jsonl", BOM + b'{"a": 1}\n{"a": 2}\n'))
    assert [e.line for e in entries] == [1, 2]
    p = problem(entries[0], "S003")
    assert not p.fatal
    assert entries[0].data == {"a": 1}  # still parsed
    assert entries[0].index == 0
    assert entries[1].problems == [] and entries[1].data == {"a": 2}


def test_jsonl_empty_file(tmp_path):
    entries = read(write(tmp_path, "d.jsonl", b""))
    assert len(entries) == 1
    (entry,) = entries
    assert codes(entry) == ["S004"]
    assert not entry.is_record and entry.index == -1
    assert entry.line == 1  # a 1-based line like every other finding


def test_jsonl_whitespace_only_file(tmp_path):
    entries = read(write(tmp_path, "d.jsonl", "\n   \n\t\r\n"))
    assert records(entries) == []
    assert "S004" in all_codes(entries)
    assert all(not e.is_record for e in entries)
    assert all(e.line >= 1 for e in entries)


def test_jsonl_blank_lines(tmp_path):
    text = '{"a": 1}\n\n{"a": 2}\n   \n\n{"a": 3}\n'
    entries = read(write(tmp_path, "d.jsonl", text))
    blanks = with_code(entries, "S005")
    assert [b.line for b in blanks] == [2, 4, 5]
    assert all(b.index == -1 and b.data is None for b in blanks)
    recs = records(entries)
    assert [(r.line, r.index, r.data) for r in recs] == [(1, 0, {"a": 1}), (3, 1, {"a": 2}), (6, 2, {"a": 3})]
    assert "S004" not in all_codes(entries)


def test_jsonl_trailing_newline_is_not_a_blank_line(tmp_path):
    entries = read(write(tmp_path, "d.jsonl", '{"a": 1}\n'))
    assert all_codes(entries) == []


@pytest.mark.parametrize(
    "line, kind",
    [("[1, 2]", "array"), ('"hello"', "string"), ("42", "number"), ("-1.5e3", "number"), ("null", "null"), ("true", "boolean")],
)
def test_jsonl_record_not_an_object(tmp_path, line, kind):
    entries = read(write(tmp_path, "d.jsonl", f'{{"a": 1}}\n{line}\n{{"a": 3}}\n'))
    assert [e.line for e in entries] == [1, 2, 3]
    bad = entries[1]
    p = problem(bad, "S006")
    assert kind in p.message
    assert bad.data is None and bad.is_record and bad.index == 1
    assert entries[2].data == {"a": 3} and entries[2].index == 2


def test_jsonl_line_over_limit_small(tmp_path):
    limit = 100
    exact = '{"t": "' + "x" * (limit - 9) + '"}'  # exactly `limit` bytes without the newline
    over = '{"t": "' + "x" * (limit - 8) + '"}'  # one byte more
    assert len(exact) == limit and len(over) == limit + 1
    entries = read(write(tmp_path, "d.jsonl", f'{exact}\n{over}\n{{"a": 3}}\n{over}'), max_line_bytes=limit)
    assert [e.line for e in entries] == [1, 2, 3, 4]
    assert entries[0].problems == [] and entries[0].data["t"].startswith("x")
    for bad in (entries[1], entries[3]):
        p = problem(bad, "S007")
        assert bad.data is None and bad.is_record
        assert "100 B" in p.message
    assert entries[2].data == {"a": 3} and entries[2].index == 2


def _write_big_line_file(path: Path, size: int, compress: bool = False) -> None:
    """line 1 valid, line 2 a `size`-byte record, line 3 valid; written in pieces."""
    opener = gzip.open if compress else open
    piece = b"x" * (1 << 20)
    with opener(path, "wb") as fh:
        fh.write(b'{"a": 1}\n{"text": "')
        remaining = size - len(b'{"text": ""}')
        while remaining > 0:
            fh.write(piece[:remaining])
            remaining -= len(piece)
        fh.write(b'"}\n{"a": 3}\n')


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz"])
def test_jsonl_50mb_line_is_drained_not_held(tmp_path, name):
    path = tmp_path / name
    size = 50 * 1024 * 1024
    _write_big_line_file(path, size, compress=name.endswith(".gz"))
    entries, peak = read_with_peak(path)
    assert [e.line for e in entries] == [1, 2, 3]
    assert entries[0].data == {"a": 1}
    big = entries[1]
    p = problem(big, "S007")
    assert big.data is None and big.index == 1
    assert "50.0 MiB" in p.message  # the line's size
    assert "10.0 MiB" in p.message  # the limit it broke
    assert entries[2].data == {"a": 3} and entries[2].index == 2 and entries[2].problems == []
    # the reader keeps at most one limit-sized piece of the line, never the 50 MB
    assert peak < 20 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB"


def test_default_limit_is_10_mib():
    assert DEFAULT_MAX_LINE_BYTES == 10 * 1024 * 1024


def test_jsonl_nan_and_infinity(tmp_path):
    text = '{"a": NaN}\n{"b": Infinity, "c": -Infinity}\n{"d": [1, NaN]}\n{"e": "NaN"}\n'
    entries = read(write(tmp_path, "d.jsonl", text))
    assert [e.line for e in entries] == [1, 2, 3, 4]
    p = problem(entries[0], "S008")
    assert not p.fatal and "NaN" in p.message
    assert math.isnan(entries[0].data["a"])  # data kept
    p = problem(entries[1], "S008")
    assert "Infinity" in p.message
    assert entries[1].data["b"] == math.inf and entries[1].data["c"] == -math.inf
    problem(entries[2], "S008")
    assert entries[2].data["d"][0] == 1 and math.isnan(entries[2].data["d"][1])
    assert entries[3].problems == [] and entries[3].data == {"e": "NaN"}  # a string is fine


def test_jsonl_duplicate_keys(tmp_path):
    text = (
        '{"a": 1, "a": 2}\n'
        '{"m": {"x": 1, "x": 2}, "y": 3}\n'
        '{"messages": [{"role": "user", "role": "assistant", "content": "hi"}]}\n'
        '{"a": 4}\n'
    )
    entries = read(write(tmp_path, "d.jsonl", text))
    assert [e.line for e in entries] == [1, 2, 3, 4]
    p = problem(entries[0], "S009")
    assert not p.fatal and "'a'" in p.message
    assert entries[0].data == {"a": 2}  # kept, with the value parsers keep
    assert "'x'" in problem(entries[1], "S009").message
    assert entries[1].data == {"m": {"x": 2}, "y": 3}
    assert "'role'" in problem(entries[2], "S009").message
    assert entries[3].problems == []


def test_jsonl_no_false_duplicate_keys(tmp_path):
    objs = [
        {"text": 'he said ":" and "a": 1', "a": 2},  # '":' inside a string inflates the raw count
        {"text": 'key "\\": x', "k": {"k": {"k": 1}}},
        {"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]},  # same key in different objects is fine
        {'quote"': 1, "quote": 2},
    ]
    entries = read(write(tmp_path, "d.jsonl", jsonl(*objs)))
    assert [e.data for e in entries] == objs
    assert all_codes(entries) == []


def test_jsonl_duplicate_key_with_misleading_string(tmp_path):
    # a '":' in a string plus a real duplicate: the fast equality check must not cancel them out
    entries = read(write(tmp_path, "d.jsonl", '{"t": "x\\": y", "a": 1, "a": 2}\n'))
    assert "'a'" in problem(entries[0], "S009").message


def test_duplicate_key_screen_never_misses_a_duplicate():
    """The screens that spare most lines the slow parse must never pass a line that has a
    duplicate key: random objects with keys and strings holding `":`, escaped quotes, `\\u0022`,
    whitespace before colons and nesting, each written with and without a repeated key."""
    import random

    rng = random.Random(7)
    atoms = ["a", "b", '\\":', '\\"', "\\u0022", "\\u0022:", " ", ":", "\\\\", 'x\\": y']  # JSON string pieces

    def word() -> str:
        return "".join(rng.choice(atoms) for _ in range(rng.randrange(1, 4)))

    def obj(depth: int) -> list[tuple[str, str]]:
        members = []
        for key in dict.fromkeys(word() for _ in range(rng.randrange(1, 4))):
            roll = rng.random()
            value = ('"' + word() + '"' if roll < 0.5 or depth > 2
                     else "[" + ", ".join(render(obj(depth + 1)) for _ in range(rng.randrange(1, 3))) + "]"
                     if roll < 0.75 else render(obj(depth + 1)))
            members.append(('"' + key + '"', value))
        return members

    def render(members: list[tuple[str, str]]) -> str:
        return "{" + ", ".join(k + rng.choice(["", " ", "\t", "\n "]) + ":" + v for k, v in members) + "}"

    checked = duplicated = 0
    for _ in range(3000):
        members = obj(0)
        repeat = rng.random() < 0.5
        if repeat:
            members.append((rng.choice(members)[0], '"' + word() + '"'))
        line = render(members).encode()
        try:
            expected = json.loads(line, object_pairs_hook=lambda pairs: len(pairs) != len(dict(pairs)) and 1 / 0 or dict(pairs))
            has_duplicate = False
        except ZeroDivisionError:
            has_duplicate = True
        except ValueError:
            continue  # an atom made invalid JSON: not this test's subject
        problems = []
        data = parse_json_bytes(line, problems)
        checked += 1
        duplicated += has_duplicate
        assert ("S009" in [p.code for p in problems]) == has_duplicate, line
        if not has_duplicate:
            assert data == expected
    assert checked > 2000 and duplicated > 500


def test_ndjson_suffix(tmp_path):
    entries = read(write(tmp_path, "d.ndjson", '{"a": 1}\nnot json\n{"a": 3}\n'))
    assert [e.line for e in entries] == [1, 2, 3]
    assert "S001" in codes(entries[1])
    assert entries[2].data == {"a": 3}


def test_jsonl_gzip(tmp_path):
    entries = read(write(tmp_path, "d.jsonl.gz", '{"a": 1}\n\n{"a": 2,}\n{"a": 3}\n'))
    assert [e.line for e in entries] == [1, 2, 3, 4]
    assert entries[0].data == {"a": 1}
    assert codes(entries[1]) == ["S005"]
    assert "S001" in codes(entries[2])
    assert entries[3].data == {"a": 3} and entries[3].index == 2


def _gzip_payload() -> bytes:
    return gzip.compress(jsonl(*({"i": i, "text": "lorem ipsum " * 5} for i in range(5000))).encode(), mtime=0)


def _corrupt_gzips() -> dict[str, bytes]:
    good = _gzip_payload()
    crc = bytearray(good)
    crc[-8] ^= 0xFF  # the CRC32 in the trailer
    return {
        "truncated": good[: len(good) // 2],  # EOFError inside gzip
        "bad-crc": bytes(crc),  # gzip.BadGzipFile
        # a valid gzip header, then a deflate block of the reserved type 3: zlib.error
        "bad-deflate": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07" + b"\x00" * 20,
        "not-gzip": b'{"a": 1}\n',
    }


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".json.gz", ".ndjson.gz"])
@pytest.mark.parametrize("kind", sorted(_corrupt_gzips()))
def test_corrupt_gzip_is_unreadable(tmp_path, kind, suffix):
    path = tmp_path / f"d{suffix}"
    path.write_bytes(_corrupt_gzips()[kind])
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["missing.jsonl", "missing.json", "missing.jsonl.gz", "missing.parquet"])
def test_missing_file_is_unreadable(tmp_path, name):
    path = tmp_path / "nowhere" / name
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert str(path) in str(info.value)


def test_directory_is_unreadable(tmp_path):
    path = tmp_path / "dir.jsonl"
    path.mkdir()
    with pytest.raises(UnreadableFile):
        read(path)


def test_jsonl_crlf(tmp_path):
    entries = read(write(tmp_path, "d.jsonl", b'{"a": "x"}\r\n{"a": 2,}\r\n\r\n{"a": 3}\r\n'))
    assert [e.line for e in entries] == [1, 2, 3, 4]
    assert entries[0].data == {"a": "x"} and entries[0].problems == []
    assert "S001" in codes(entries[1])
    assert codes(entries[2]) == ["S005"]
    assert entries[3].data == {"a": 3} and entries[3].index == 2 and entries[3].problems == []


def test_jsonl_deep_nesting_does_not_crash(tmp_path):
    deep = '{"a": ' * 5000 + "1" + "}" * 5000
    deepish = '{"a": ' * 990 + "1" + "}" * 990  # accepted by orjson, deeper than Python's limit
    entries = read(write(tmp_path, "d.jsonl", f"{deep}\n{deepish}\n{{\"a\": 3}}\n"))
    assert [e.line for e in entries] == [1, 2, 3]
    assert "S001" in codes(entries[0]) and entries[0].data is None
    assert entries[1].data is not None and entries[1].problems == []
    assert entries[2].data == {"a": 3}


def test_jsonl_records_the_fast_parser_refuses(tmp_path):
    # accepted by the slow parser only: a lone surrogate, NaN next to a >64-bit integer
    text = '{"a": "\\ud800"}\n{"a": NaN, "b": 100000000000000000000000}\n{"a": 3}\n'
    entries = read(write(tmp_path, "d.jsonl", text))
    assert [e.line for e in entries] == [1, 2, 3]
    assert entries[0].data == {"a": "\ud800"}
    assert entries[1].data["b"] == 10**23 and codes(entries[1]) == ["S008"]
    assert entries[2].data == {"a": 3}


def test_jsonl_duplicate_key_next_to_escaped_quote(tmp_path):
    # '\u0022' re-serialises as '\"', which must not hide the duplicate 'a'
    entries = read(write(tmp_path, "d.jsonl", '{"t": "\\u0022:", "a": 1, "a": 2}\n'))
    assert entries[0].data == {"t": '":', "a": 2}
    assert "'a'" in problem(entries[0], "S009").message


# --------------------------------------------------------------------------- parse_json_bytes


def test_parse_json_bytes():
    problems = []
    assert parse_json_bytes(b'{"a": 1}', problems) == {"a": 1} and problems == []
    problems = []
    assert parse_json_bytes(b"[1]", problems) is None and [p.code for p in problems] == ["S006"]
    problems = []
    assert parse_json_bytes(b'{"a": }', problems) is None and [p.code for p in problems] == ["S001"]
    problems = []
    assert parse_json_bytes(b'{"a": 1, "a": 2}', problems) == {"a": 2} and [p.code for p in problems] == ["S009"]


# --------------------------------------------------------------------------- JSON arrays


def test_json_array_pretty_printed(tmp_path):
    objs = [
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]},
        {"prompt": "a", "completion": "b"},
        {"nested": {"deep": {"x": [1, 2, {"y": None}]}}},
        {},
    ]
    text = json.dumps(objs, indent=2) + "\n"
    entries = read(write(tmp_path, "d.json", text))
    expected_lines = start_lines_of_elements(text)
    assert len(expected_lines) == 3  # '{}' is printed inline as '  {}'
    assert [e.line for e in entries[:3]] == expected_lines
    assert entries[3].line == text.split("\n").index("  {}") + 1
    assert [e.data for e in entries] == objs
    assert [e.index for e in entries] == [0, 1, 2, 3]
    assert all_codes(entries) == []


def test_json_array_compact_and_mixed_layout(tmp_path):
    text = '[{"a": 1}, {"a": 2},\n\n   {"a": 3}\n  ,{"a":\n4}]'
    entries = read(write(tmp_path, "d.json", text))
    assert [(e.line, e.data) for e in entries] == [(1, {"a": 1}), (1, {"a": 2}), (3, {"a": 3}), (4, {"a": 4})]
    assert all_codes(entries) == []


@pytest.mark.parametrize("text", ["[]", "[ ]\n", "\n\n  [\n\n]\n"])
def test_json_empty_array(tmp_path, text):
    entries = read(write(tmp_path, "d.json", text))
    assert records(entries) == []
    assert all_codes(entries) == ["S004"]


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_json_empty_file(tmp_path, text):
    entries = read(write(tmp_path, "d.json", text))
    assert records(entries) == []
    assert "S004" in all_codes(entries)
    assert all(e.line >= 1 for e in entries)


def test_json_top_level_object(tmp_path):
    text = json.dumps({"data": [{"a": 1}, {"a": 2}]}, indent=2)
    entries = read(write(tmp_path, "d.json", text))
    assert len(entries) == 1
    p = problem(entries[0], "S006")
    assert "object" in p.message and "array" in p.message
    assert entries[0].data is None and entries[0].line == 1


@pytest.mark.parametrize("text, kind", [('"just a string"', "string"), ("42\n", "number"), ("null", "null")])
def test_json_top_level_scalar(tmp_path, text, kind):
    entries = read(write(tmp_path, "d.json", text))
    assert len(entries) == 1
    assert kind in problem(entries[0], "S006").message


def test_json_single_line_object_reads_as_one_jsonl_record(tmp_path):
    # One object on one line cannot be told from one-line JSONL; it is read as one record.
    entries = read(write(tmp_path, "d.json", '{"prompt": "a", "completion": "b"}\n'))
    assert [(e.line, e.data) for e in entries] == [(1, {"prompt": "a", "completion": "b"})]
    assert all_codes(entries) == []


def test_json_array_syntax_error_in_middle(tmp_path):
    text = (
        "[\n"  # 1
        '  {"a": 1},\n'  # 2
        "  {\n"  # 3
        '    "a": 2\n'  # 4
        "  },\n"  # 5
        '  {"a": 3,, "b": 4},\n'  # 6  <- error at column 11, the second comma
        '  {"a": 5}\n'  # 7
        "]\n"
    )
    entries = read(write(tmp_path, "d.json", text))
    recs = records(entries)
    assert [(r.line, r.index, r.data) for r in recs] == [(2, 0, {"a": 1}), (3, 1, {"a": 2})]
    (err,) = with_code(entries, "S001")
    assert err.line == 6 and not err.is_record
    assert problem(err, "S001").column == 11


def test_json_array_missing_comma(tmp_path):
    text = '[\n  {"a": 1}\n  {"a": 2}\n]\n'
    entries = read(write(tmp_path, "d.json", text))
    assert [r.data for r in records(entries)] == [{"a": 1}]
    (err,) = with_code(entries, "S001")
    assert (err.line, problem(err, "S001").column) == (3, 3)
    assert "','" in problem(err, "S001").message


def test_json_array_not_closed(tmp_path):
    entries = read(write(tmp_path, "d.json", '[\n  {"a": 1},\n  {"a": 2}\n'))
    assert [(r.line, r.data) for r in records(entries)] == [(2, {"a": 1}), (3, {"a": 2})]
    (err,) = with_code(entries, "S001")
    assert err.line >= 3


def test_json_array_truncated_inside_element(tmp_path):
    entries = read(write(tmp_path, "d.json", '[\n  {"a": 1},\n  {"a": "unterminated\n'))
    assert [r.data for r in records(entries)] == [{"a": 1}]
    (err,) = with_code(entries, "S001")
    assert err.line == 3


def test_json_array_extra_data_after_close(tmp_path):
    entries = read(write(tmp_path, "d.json", '[\n  {"a": 1}\n]\n{"b": 2}\n'))
    assert [r.data for r in records(entries)] == [{"a": 1}]
    (err,) = with_code(entries, "S001")
    assert err.line == 4


def test_json_array_non_object_elements(tmp_path):
    elements = [{"a": 1}, 5, "s", [1, 2], None, True, {"b": 2}]
    text = "[\n" + ",\n".join("  " + json.dumps(e) for e in elements) + "\n]\n"
    entries = read(write(tmp_path, "d.json", text))
    assert [e.line for e in entries] == list(range(2, 2 + len(elements)))
    assert [e.index for e in entries] == list(range(len(elements)))
    kinds = ["number", "string", "array", "null", "boolean"]
    for entry, kind in zip(entries[1:6], kinds):
        assert kind in problem(entry, "S006").message
        assert entry.data is None and entry.is_record
    assert entries[0].data == {"a": 1} and entries[-1].data == {"b": 2}
    assert entries[-1].problems == []


def test_json_array_bom(tmp_path):
    entries = read(write(tmp_path, "d.json", BOM + b'[\n  {"a": 1},\n  {"a": 2}\n]\n'))
    assert [(e.line, e.data) for e in entries] == [(2, {"a": 1}), (3, {"a": 2})]
    assert not problem(entries[0], "S003").fatal
    assert entries[1].problems == []


def test_json_empty_array_with_bom_reports_both(tmp_path):
    entries = read(write(tmp_path, "d.json", BOM + b"[]"))
    assert sorted(all_codes(entries)) == ["S003", "S004"]


def test_json_array_invalid_utf8_in_element(tmp_path):
    content = (
        b"[\n"  # 1
        b'  {"a": 1},\n'  # 2
        b'  {"a": 2},\n'  # 3
        b'  {"a": "x\xffy"},\n'  # 4
        b'  {"a": 5}\n'  # 5
        b"]\n"
    )
    entries = read(write(tmp_path, "d.json", content))
    assert [e.line for e in entries] == [2, 3, 4, 5]
    assert entries[0].problems == [] and entries[1].problems == []
    p = problem(entries[2], "S002")
    assert "0xff" in p.message
    assert entries[2].data == {"a": "x\ufffdy"}  # non-fatal, replaced
    assert entries[3].problems == [] and entries[3].data == {"a": 5}


def test_json_array_invalid_utf8_twice_and_in_multiline_element(tmp_path):
    content = (
        b"[\n"  # 1
        b'  {"a": "\xfe"},\n'  # 2
        b'  {"a": 2},\n'  # 3
        b"  {\n"  # 4
        b'    "a": 3,\n'  # 5
        b'    "b": "\xff"\n'  # 6
        b"  },\n"
        b'  {"a": 4}\n'  # 8
        b"]\n"
    )
    entries = read(write(tmp_path, "d.json", content))
    assert [e.line for e in entries] == [2, 3, 4, 8]
    assert "0xfe" in problem(entries[0], "S002").message
    assert entries[1].problems == []
    p = problem(entries[2], "S002")
    assert "0xff" in p.message and "line 6" in p.message  # the byte's own line, in a record starting on 4
    assert entries[3].problems == []


def test_json_holding_jsonl_is_read_as_jsonl(tmp_path):
    text = '{"a": 1}\n{"a": 2,}\n\n{"a": 3}\n'
    entries = read(write(tmp_path, "d.json", text))
    assert [e.line for e in entries] == [1, 2, 3, 4]
    assert entries[0].data == {"a": 1}
    assert "S001" in codes(entries[1])
    assert codes(entries[2]) == ["S005"]
    assert entries[3].data == {"a": 3} and entries[3].index == 2


def test_json_holding_jsonl_with_bom_and_leading_blank_line(tmp_path):
    entries = read(write(tmp_path, "d.json", BOM + b'{"a": 1}\n{"a": 2}\n'))
    assert [(e.line, e.data) for e in entries] == [(1, {"a": 1}), (2, {"a": 2})]
    assert codes(entries[0]) == ["S003"]
    entries = read(write(tmp_path, "e.json", '\n{"a": 1}\n{"a": 2}\n'))
    assert [(r.line, r.data) for r in records(entries)] == [(2, {"a": 1}), (3, {"a": 2})]
    assert "S006" not in all_codes(entries)


def test_json_holding_jsonl_with_first_line_over_1_mib(tmp_path):
    first = json.dumps({"text": "x" * (2 * CHUNK)})
    entries = read(write(tmp_path, "d.json", first + '\n{"a": 2}\n{"a": 3}\n'))
    assert [e.line for e in entries] == [1, 2, 3]
    assert entries[0].data == {"text": "x" * (2 * CHUNK)}
    assert [e.data for e in entries[1:]] == [{"a": 2}, {"a": 3}]
    assert all_codes(entries) == []


def _big_array_objects(n: int) -> list[dict]:
    return [
        {"id": i, "score": i * 1.25 + 1e-7, "big": 10**15 + i, "text": "w" * (i % 97) + "é✓" * (i % 5), "ok": i % 2 == 0}
        for i in range(n)
    ]


@pytest.mark.parametrize("name", ["big.json", "big.json.gz"])
def test_json_large_array_pretty(tmp_path, name):
    objs = _big_array_objects(20000)
    text = json.dumps(objs, indent=2, ensure_ascii=False)
    assert len(text.encode()) > 3 * CHUNK
    entries = read(write(tmp_path, name, text))
    assert all_codes(entries) == []
    assert len(entries) == len(objs)
    assert [e.data for e in entries] == objs
    assert [e.line for e in entries] == start_lines_of_elements(text)
    assert [e.index for e in entries] == list(range(len(objs)))


def test_json_large_array_one_per_line(tmp_path):
    objs = _big_array_objects(20000)
    text = "[\n" + ",\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n]"
    assert len(text.encode()) > 2 * CHUNK
    entries = read(write(tmp_path, "d.json", text))
    assert all_codes(entries) == []
    assert [e.data for e in entries] == objs
    assert [e.line for e in entries] == list(range(2, len(objs) + 2))


def _array_with_value_across_chunk(value_at: int, template: str, filler_record: str) -> tuple[str, int]:
    """An array whose text puts character `value_at` of `template` on the first chunk boundary.

    Returns the text and the number of elements (ASCII only, so characters == bytes).
    """
    head = "[\n"
    n = (CHUNK - len(template) - len(head)) // (len(filler_record) + 2) - 1
    body = (filler_record + ",\n") * n
    pad = CHUNK - (len(head) + len(body)) - value_at
    assert pad >= 0
    text = head + body + " " * pad + template + ",\n" + filler_record + "\n]"
    assert text[CHUNK - 1 : CHUNK + 1] == template[value_at - 1 : value_at + 1]
    return text, n + 2


def test_json_array_number_element_across_chunk_boundary(tmp_path):
    # a top-level number cut at the 1 MiB boundary must not be read as two numbers
    template = "1234567890123"
    text, n = _array_with_value_across_chunk(5, template, '{"a": 1}')
    entries = read(write(tmp_path, "d.json", text))
    assert len(entries) == n and [e.index for e in entries] == list(range(n))
    assert "S001" not in all_codes(entries)
    assert [e for e in entries if "S006" in codes(e)] == [entries[-2]]
    assert entries[-1].data == {"a": 1} and entries[-1].line == text.count("\n")
    assert entries[-2].line == text.count("\n") - 1


OBJECT_TEMPLATE = '{"n": 123456789012, "s": "\\u00e9x", "f": -1.5e-3}'


@pytest.mark.parametrize(
    "cut",
    [
        1,  # between '{' and the first key
        3,  # inside the key
        7,  # inside a number
        OBJECT_TEMPLATE.index("012,"),  # inside a number, later
        OBJECT_TEMPLATE.index("u00e9") + 2,  # inside a \uXXXX escape
        OBJECT_TEMPLATE.index("e-3"),  # inside an exponent
        len(OBJECT_TEMPLATE) - 1,  # just before the closing '}'
    ],
)
def test_json_array_object_across_chunk_boundary(tmp_path, cut):
    text, n = _array_with_value_across_chunk(cut, OBJECT_TEMPLATE, '{"a": 1}')
    entries = read(write(tmp_path, "d.json", text))
    assert all_codes(entries) == []
    assert len(entries) == n
    assert entries[-2].data == {"n": 123456789012, "s": "éx", "f": -1.5e-3}
    assert entries[-2].line == text.count("\n") - 1
    assert entries[-1].data == {"a": 1}


def test_json_array_multibyte_character_across_chunk_boundary(tmp_path):
    filler = '{"a": 1}'
    head = "[\n"
    body = (filler + ",\n") * ((CHUNK - 200) // (len(filler) + 2))
    prefix = head + body + '{"t": "'
    pad = CHUNK - len(prefix.encode()) - 1  # the 2-byte 'é' then starts on the last byte of the chunk
    text = prefix + "x" * pad + 'é✓"},\n' + filler + "\n]"
    raw = text.encode()
    assert raw[CHUNK - 1 : CHUNK + 1] == "é".encode()
    entries = read(write(tmp_path, "d.json", raw))
    assert all_codes(entries) == []
    assert entries[-2].data == {"t": "x" * pad + "é✓"}


def test_json_array_invalid_utf8_after_first_chunk(tmp_path):
    lines = [json.dumps({"i": i, "t": "y" * 50}) for i in range(40000)]
    bad_index = 30000
    raw = ("[\n" + ",\n".join(lines) + "\n]").encode()
    marker = b'"i": %d,' % bad_index
    at = raw.index(marker)
    raw = raw[:at] + b'"i": %d, "bad": "\xff",' % bad_index + raw[at + len(marker):]
    assert at > 2 * CHUNK
    entries = read(write(tmp_path, "d.json", raw))
    assert [e.line for e in entries] == list(range(2, len(lines) + 2))
    flagged = with_code(entries, "S002")
    assert [e.index for e in flagged] == [bad_index]
    assert flagged[0].line == bad_index + 2
    assert flagged[0].data["bad"] == "\ufffd"


def test_json_array_syntax_error_early_does_not_load_whole_file(tmp_path):
    path = tmp_path / "d.json"
    with open(path, "w") as fh:
        fh.write('[\n  {"a": 1},\n  {"a": 2,, },\n')
        for i in range(300000):
            fh.write('  {"i": %d, "text": "%s"},\n' % (i, "z" * 80))
        fh.write('  {"a": 3}\n]\n')
    assert path.stat().st_size > 25 * CHUNK
    entries, peak = read_with_peak(path)
    assert [r.data for r in records(entries)] == [{"a": 1}]
    (err,) = with_code(entries, "S001")
    assert err.line == 3
    assert peak < 12 * CHUNK, f"peak traced memory {peak / 2**20:.1f} MiB"


def test_json_minified_one_line_array_columns_after_first_chunk(tmp_path):
    # json.dump(records, f) writes one long line; columns must count from the line's start,
    # not from where the reader last dropped consumed text
    element = '{"i": 1, "text": "%s"}' % ("m" * 60)
    head = "[" + ", ".join([element] * 40000)
    assert len(head) > 2 * CHUNK
    bad_utf8 = b', {"i": 2, "text": "\xff"}'
    text = head.encode() + bad_utf8 + b', {"i": 3,, "x": 1}, {"i": 4}]'
    entries = read(write(tmp_path, "d.json", text))
    recs = records(entries)
    assert len(recs) == 40001 and all(r.line == 1 for r in recs)
    assert problem(recs[-1], "S002").column == len(head) + bad_utf8.index(b"\xff") + 1
    (err,) = with_code(entries, "S001")
    assert err.line == 1
    # the one bad byte becomes one U+FFFD character, so characters before it == bytes
    second_comma = len(head) + len(bad_utf8) + len(', {"i": 3,') + 1
    assert problem(err, "S001").column == second_comma


def test_json_array_large_element_spanning_many_chunks(tmp_path):
    big = {"text": "q" * (5 * CHUNK + 123), "n": 7}
    text = "[\n" + json.dumps({"a": 1}) + ",\n" + json.dumps(big, indent=1) + ",\n" + json.dumps({"a": 3}) + "\n]\n"
    entries = read(write(tmp_path, "d.json", text))
    assert all_codes(entries) == []
    assert [e.line for e in entries] == [2, 3, 3 + json.dumps(big, indent=1).count("\n") + 1]
    assert entries[1].data == big


def test_json_array_nan_and_duplicates(tmp_path):
    text = '[\n  {"a": NaN},\n  {"b": 1, "b": 2},\n  {"t": "x\\": y", "c": 3},\n  {"d": -Infinity}\n]\n'
    entries = read(write(tmp_path, "d.json", text))
    assert [e.line for e in entries] == [2, 3, 4, 5]
    assert not problem(entries[0], "S008").fatal and math.isnan(entries[0].data["a"])
    assert "'b'" in problem(entries[1], "S009").message and entries[1].data == {"b": 2}
    assert entries[2].problems == []
    assert "S008" in codes(entries[3]) and entries[3].data == {"d": -math.inf}


def test_json_gz(tmp_path):
    objs = [{"a": i} for i in range(5)]
    text = json.dumps(objs, indent=2)
    entries = read(write(tmp_path, "d.json.gz", text))
    assert [e.data for e in entries] == objs
    assert [e.line for e in entries] == start_lines_of_elements(text)


def test_json_array_deep_nesting_does_not_crash(tmp_path):
    deep = "[" * 100000 + "]" * 100000
    entries = read(write(tmp_path, "d.json", '[\n  {"a": 1},\n  ' + deep + ',\n  {"a": 3}\n]\n'))
    assert entries[0].data == {"a": 1}
    assert {"S001", "S006"} & set(all_codes(entries[1:]))


# --------------------------------------------------------------------------- Parquet


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "n": i} for i in range(2500)]
    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=1000)
    entries = read(path)
    assert [e.line for e in entries] == list(range(1, 2501))
    assert [e.index for e in entries] == list(range(2500))
    assert [e.data for e in entries] == rows
    assert all_codes(entries) == []


def test_parquet_nested_messages(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}]
    path = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    entries = read(path)
    assert [(e.line, e.data) for e in entries] == [(1, rows[0])]


def test_parquet_empty_table(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"prompt": pa.array([], pa.string())}), path)
    entries = read(path)
    assert records(entries) == []
    assert all_codes(entries) == ["S004"]


@pytest.mark.parametrize("content", [b'{"a": 1}\n', b"", b"PAR1garbagePAR1"])
def test_not_parquet_is_unreadable(tmp_path, content):
    pytest.importorskip("pyarrow")
    path = tmp_path / "d.parquet"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------- JSONL in runs


def _reference_jsonl(path: Path, max_line: int) -> list[tuple]:
    """What the JSONL reader must yield, from the file split on its line ends one line at a time
    (the plain definition the run-based reader must equal)."""
    from ftlint.readers import RawLine, jsonl_records

    content = path.read_bytes()
    lines = content.split(b"\n")
    ends = [True] * (len(lines) - 1) + [False]
    if lines[-1] == b"":
        lines, ends = lines[:-1], ends[:-1]
    out, index = [], 0
    for n, (raw, ended) in enumerate(zip(lines, ends), 1):
        size = len(raw) + ended
        line = raw + b"\n" if ended else raw
        if len(raw) > max_line:
            item = RawLine(n, None, size, index)
        else:
            body = raw[len(BOM):] if n == 1 and raw.startswith(BOM) else raw
            item = RawLine(n, line, size, index if body.strip() else -1)
        index += item.index >= 0
        out += [_shape(r) for r in jsonl_records(str(path), item, max_line)]
    if not any(i >= 0 for _, i, *_ in out):
        out.append((1, -1, None, ["S004"]))
    return out


def _shape(record: Record) -> tuple:
    data = json.dumps(record.data, sort_keys=True) if record.data is not None else None
    return record.line, record.index, data, [p.code for p in record.problems]


@pytest.mark.parametrize("read_step", [1, 7, 64, 333, 1 << 20])
@pytest.mark.parametrize("max_line", [40, 90, DEFAULT_MAX_LINE_BYTES])
def test_jsonl_runs_equal_the_line_by_line_reading(tmp_path, monkeypatch, read_step, max_line):
    """Records come from reads of a fixed size cut into runs of whole lines; whatever the read
    size, the records equal those of reading one line at a time: blank and whitespace lines, CRLF,
    a BOM, broken and over-long lines, lines straddling a read, a last line without a line end."""
    import random

    from ftlint import readers

    monkeypatch.setattr(readers, "READ_STEP", read_step)
    rng = random.Random(read_step * 31 + max_line)
    pieces = [json.dumps({"messages": [{"role": "user", "content": "x" * rng.randrange(0, 120)}]}),
              "", "   ", "\t\r", '{"a": 1}\r', '{"broken": ', '{"a": 1, "a": 2}', "[1, 2]", '{"n": NaN}',
              "\u00e9\u4e2d" * rng.randrange(1, 40)]
    for trial in range(12):
        lines = [rng.choice(pieces) if rng.random() < 0.5 else pieces[0] for _ in range(rng.randrange(0, 30))]
        content = "\n".join(lines).encode("utf-8") + (b"\n" if rng.random() < 0.7 else b"")
        if rng.random() < 0.3:
            content = BOM + content
        path = write(tmp_path, f"t{trial}.jsonl", content)
        got = [_shape(r) for r in read_records(path, max_line_bytes=max_line)]
        assert got == _reference_jsonl(path, max_line), content


def test_jsonl_runs_are_whole_lines_of_at_most_one_read(tmp_path):
    """The parallel engine ships runs to workers: each holds whole lines only, no blank line, and
    its line numbers and record indices continue those before it."""
    from ftlint.readers import LineRun, read_jsonl_lines

    lines = [json.dumps({"text": "y" * (i % 50)}) for i in range(300)]
    lines[120] = ""
    path = write(tmp_path, "t.jsonl", "\n".join(lines) + "\n")
    items = list(read_jsonl_lines(path, step=1000))
    runs = [item for item in items if isinstance(item, LineRun)]
    assert len(runs) > 3
    for run in runs:
        assert run.size <= 1000 and run.data.endswith(b"\n") and run.data.count(b"\n") == run.count
        assert b"\n\n" not in run.data and not run.data.startswith(b"\n")
        first = run.data.split(b"\n", 1)[0]
        assert first == lines[run.lineno - 1].encode()
        assert run.index == run.lineno - 1 - (run.lineno > 121)
