"""Streaming readers: bytes on disk -> `Record`s with 1-based line numbers.

Every defect in the input (bad JSON, bad UTF-8, a BOM, an overlong line, NaN, duplicate keys,
a value that is not an object) becomes a `ReadProblem` on the record and reading goes on, so a
user sees every broken line of a file in one run. JSONL is read line by line with a byte limit
per line, so memory does not grow with the file, and an overlong line is drained, not held.
"""
from __future__ import annotations

import codecs
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from .model import ReadProblem, Record

BOM = codecs.BOM_UTF8
DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson")
JSON_SUFFIXES = (".json",)
PARQUET_SUFFIXES = (".parquet",)
DATASET_SUFFIXES = tuple(
    s + gz for s in JSONL_SUFFIXES + JSON_SUFFIXES for gz in ("", ".gz")
) + PARQUET_SUFFIXES

# A key in raw JSON is always a closing quote followed by optional whitespace and a colon, so
# this count is an upper bound of the number of keys; equality with the parsed key count proves
# there were no duplicate keys without a slow second parse.
_KEY_COLON = re.compile(rb'"\s*:')


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, permission, corrupt compression)."""


def is_dataset_file(path: Path) -> bool:
    return path.name.lower().endswith(DATASET_SUFFIXES)


def read_records(path: str | Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Record]:
    """Yield the records of one dataset file, choosing the reader by content and suffix."""
    path = Path(path)
    name = path.name.lower()
    display = str(path)
    if name.endswith(PARQUET_SUFFIXES):
        yield from _read_parquet(path, display)
        return
    try:
        fh = _open(path)
    except OSError as exc:
        raise UnreadableFile(f"{display}: cannot open: {exc.strerror or exc}") from exc
    with fh:
        try:
            if name.endswith(tuple(s + gz for s in JSON_SUFFIXES for gz in ("", ".gz"))) and _looks_like_json_document(fh):
                yield from _read_json_array(fh, display)
            else:
                yield from _read_jsonl(fh, display, max_line_bytes)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:  # corrupt gzip or I/O error mid-file
            raise UnreadableFile(f"{display}: read failed: {exc}") from exc


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _looks_like_json_document(fh: IO[bytes]) -> bool:
    """A `.json` file is a JSON document unless its first line is a complete object (JSONL)."""
    first = fh.readline(1 << 20)
    fh.seek(0)
    stripped = first.lstrip(BOM).strip()
    if not stripped.startswith(b"{"):
        return True
    try:
        return not isinstance(orjson.loads(stripped), dict)
    except orjson.JSONDecodeError:
        return True


# --------------------------------------------------------------------------- JSONL


def _read_jsonl(fh: IO[bytes], display: str, max_line_bytes: int) -> Iterator[Record]:
    index = 0
    saw_content = False
    lineno = 0
    for lineno, raw, size in _iter_lines(fh, max_line_bytes):
        problems: list[ReadProblem] = []
        if lineno == 1 and raw is not None and raw.startswith(BOM):
            raw = raw[len(BOM):]
            problems.append(ReadProblem("S003", "file starts with a UTF-8 byte-order mark (BOM); many JSON loaders reject it", column=1, fatal=False))
        if raw is None:
            saw_content = True
            problems.append(ReadProblem(
                "S007", f"line is {_human_bytes(size)}, over the {_human_bytes(max_line_bytes)} limit; not parsed",
            ))
            yield Record(display, lineno, None, problems, index)
            index += 1
            continue
        if not raw.strip():
            if problems:
                yield Record(display, lineno, None, problems, -1)
            yield Record(display, lineno, None, [ReadProblem("S005", "blank line")], -1)
            continue
        saw_content = True
        data = parse_json_bytes(raw, problems)
        yield Record(display, lineno, data, problems, index)
        index += 1
    if not saw_content:
        yield Record(display, 0, None, [ReadProblem("S004", "file is empty: no records")], -1)


def _iter_lines(fh: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """Yield (line number, bytes or None when over `limit`, size in bytes)."""
    lineno = 0
    while True:
        chunk = fh.readline(limit + 1)
        if not chunk:
            return
        lineno += 1
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            size = len(chunk)
            while True:  # drain the rest of the overlong line without keeping it
                more = fh.readline(1 << 20)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield lineno, None, size
        else:
            yield lineno, chunk, len(chunk)


def parse_json_bytes(raw: bytes, problems: list[ReadProblem]) -> Any:
    """Parse one JSON value; fills `problems` and returns None when it is not a usable object."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = _parse_slow(raw, problems)
        if data is None:
            return None
    if not isinstance(data, dict):
        problems.append(ReadProblem("S006", f"record is a JSON {_json_type(data)}, expected an object"))
        return None
    if len(_KEY_COLON.findall(raw)) != _count_keys(data):
        _find_duplicate_keys(raw, problems)
    return data


def _parse_slow(raw: bytes, problems: list[ReadProblem]) -> Any:
    """Explain why the fast parser refused a line (encoding, NaN, syntax) and salvage what we can."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
        problems.append(ReadProblem("S002", f"invalid UTF-8 byte 0x{raw[exc.start]:02x}", column=column))
        return None
    constants: list[str] = []

    def on_constant(name: str) -> float:
        constants.append(name)
        return float(name.replace("Infinity", "inf"))

    try:
        data = json.loads(text, parse_constant=on_constant)
    except json.JSONDecodeError as exc:
        problems.append(ReadProblem("S001", f"invalid JSON: {exc.msg}", column=exc.colno))
        return None
    if constants:
        names = ", ".join(sorted(set(constants)))
        problems.append(ReadProblem("S008", f"non-standard JSON number {names}; strict parsers reject it", fatal=False))
    return data


def _find_duplicate_keys(raw: bytes, problems: list[ReadProblem]) -> None:
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(pairs)

    try:
        json.loads(raw.decode("utf-8"), object_pairs_hook=pairs_hook, parse_constant=float)
    except (ValueError, UnicodeDecodeError):
        return
    if duplicates:
        keys = ", ".join(repr(k) for k in dict.fromkeys(duplicates))
        problems.append(ReadProblem("S009", f"duplicate key {keys}: parsers silently keep only the last value", fatal=False))


def _count_keys(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(_count_keys(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_keys(v) for v in value)
    return 0


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _human_bytes(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} B"


# --------------------------------------------------------------------------- JSON arrays

_CHUNK = 1 << 20
_WS = " \t\r\n"


class _ArrayStream:
    """Decodes a JSON array element by element from a growing text buffer.

    Memory holds the current element plus one chunk, not the whole file; line numbers are kept
    by counting newlines as the cursor moves.
    """

    def __init__(self, fh: IO[bytes], display: str) -> None:
        self.fh = fh
        self.display = display
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self.bytes_read = 0
        self.pending: list[tuple[int, ReadProblem]] = []

    def fill(self, size: int = _CHUNK) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(size)
        if not chunk:
            self.eof = True
            try:
                self.buf += self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.pending.append((self.line, ReadProblem("S002", "file ends in the middle of a UTF-8 sequence", fatal=False)))
            return False
        if self.bytes_read == 0 and chunk.startswith(BOM):
            chunk = chunk[len(BOM):]
            self.pending.append((1, ReadProblem("S003", "file starts with a UTF-8 byte-order mark (BOM); many JSON loaders reject it", column=1, fatal=False)))
        self.bytes_read += len(chunk)
        self.buf = self.buf[self.pos:]
        self.pos = 0
        self.buf += self._decode(chunk)
        return True

    def _decode(self, chunk: bytes) -> str:
        try:
            return self.decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            # Report with the line it is on, then go on with a replacement character.
            before = self.buf + chunk[: exc.start].decode("utf-8", "replace")
            line = self.line + before.count("\n", self.pos)
            self.pending.append((line, ReadProblem("S002", f"invalid UTF-8 byte 0x{chunk[exc.start]:02x}; replaced with U+FFFD", fatal=False)))
            self.decoder.reset()
            return chunk[: exc.start].decode("utf-8", "replace") + "\ufffd" + self._decode(chunk[exc.start + 1:])

    def advance(self, new_pos: int) -> None:
        self.line += self.buf.count("\n", self.pos, new_pos)
        self.pos = new_pos

    def skip_ws(self) -> str | None:
        """Advance past whitespace; return the next character or None at end of input."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return None

    def column(self) -> int:
        start = self.buf.rfind("\n", 0, self.pos) + 1
        return self.pos - start + 1


def _read_json_array(fh: IO[bytes], display: str) -> Iterator[Record]:
    stream = _ArrayStream(fh, display)
    decoder = json.JSONDecoder(parse_constant=lambda name: float(name.replace("Infinity", "inf")))
    first = stream.skip_ws()
    if first is None:
        yield Record(display, 1, None, [p for _, p in stream.pending] + [ReadProblem("S004", "file is empty: no records")], -1)
        return
    if first != "[":
        yield from _read_single_document(stream, decoder, display)
        return
    stream.advance(stream.pos + 1)
    index = 0
    expect_value = True
    while True:
        ch = stream.skip_ws()
        if ch is None:
            yield _array_error(stream, "invalid JSON: the array is not closed with ']'")
            return
        if ch == "]" :
            break
        if ch == "," and not expect_value:
            stream.advance(stream.pos + 1)
            expect_value = True
            continue
        if not expect_value:
            yield _array_error(stream, "invalid JSON: expected ',' or ']' between records")
            return
        start_line = stream.line
        value, raw_text = _decode_element(stream, decoder)
        if raw_text is None:
            yield _array_error(stream, f"invalid JSON: {value}; records after this point were not read")
            return
        problems = [p for line, p in stream.pending]
        stream.pending.clear()
        data = value
        if isinstance(value, dict):
            raw_bytes = raw_text.encode("utf-8", "surrogatepass")
            if "NaN" in raw_text or "Infinity" in raw_text:
                strict: list[ReadProblem] = []
                _parse_slow(raw_bytes, strict)
                problems.extend(p for p in strict if p.code == "S008")
            if len(_KEY_COLON.findall(raw_bytes)) != _count_keys(value):
                _find_duplicate_keys(raw_bytes, problems)
        else:
            problems.append(ReadProblem("S006", f"record is a JSON {_json_type(value)}, expected an object"))
            data = None
        yield Record(display, start_line, data, problems, index)
        index += 1
        expect_value = False
    stream.advance(stream.pos + 1)
    if stream.skip_ws() is not None:
        yield _array_error(stream, "invalid JSON: extra data after the closing ']'")
    elif index == 0:
        yield Record(display, 1, None, [ReadProblem("S004", "file is an empty array: no records")], -1)


def _decode_element(stream: _ArrayStream, decoder: json.JSONDecoder) -> tuple[Any, str | None]:
    """Decode the value at the cursor, reading more input while it is incomplete."""
    while True:
        try:
            value, end = decoder.raw_decode(stream.buf, stream.pos)
        except json.JSONDecodeError as exc:
            if stream.fill(max(_CHUNK, len(stream.buf))):
                continue
            err_line = stream.line + stream.buf.count("\n", stream.pos, exc.pos)
            stream.advance(exc.pos)
            stream.line = err_line
            return exc.msg, None
        raw = stream.buf[stream.pos:end]
        if end >= len(stream.buf) and not stream.eof and stream.fill():
            continue  # a number may continue in the next chunk; decode again with more input
        stream.advance(end)
        return value, raw


def _read_single_document(stream: _ArrayStream, decoder: json.JSONDecoder, display: str) -> Iterator[Record]:
    value, raw = _decode_element(stream, decoder)
    if raw is None:
        yield _array_error(stream, f"invalid JSON: {value}")
        return
    kind = _json_type(value) if not isinstance(value, dict) else "object"
    yield Record(display, 1, None, [ReadProblem(
        "S006", f"top-level JSON value is an {kind}, expected an array of records (or one object per line, JSONL)",
    )], 0)


def _array_error(stream: _ArrayStream, message: str) -> Record:
    problems = [p for _, p in stream.pending]
    problems.append(ReadProblem("S001", message, column=stream.column()))
    return Record(stream.display, stream.line, None, problems, -1)


# --------------------------------------------------------------------------- Parquet


def _read_parquet(path: Path, display: str) -> Iterator[Record]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise UnreadableFile(
            f"{display}: reading Parquet needs pyarrow: pip install 'ftlint[parquet]'"
        ) from exc
    try:
        parquet = pq.ParquetFile(path)
        row = 0
        for batch in parquet.iter_batches(batch_size=1024):
            for data in batch.to_pylist():
                row += 1
                yield Record(display, row, data, [], row - 1)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{display}: cannot open: {exc.strerror or exc}") from exc
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError types
        raise UnreadableFile(f"{display}: not a readable Parquet file: {exc}") from exc
