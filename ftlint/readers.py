"""Streaming readers: bytes on disk -> `Record`s with 1-based line numbers.

Every defect in the input (bad JSON, bad UTF-8, a BOM, an overlong line, NaN, duplicate keys,
a value that is not an object) becomes a `ReadProblem` on the record and reading goes on, so a
user sees every broken line of a file in one run. JSONL is read in blocks cut at line ends, with
a byte limit per line, so memory does not grow with the file, and an overlong line is drained,
not held.
"""
from __future__ import annotations

import codecs
import hashlib
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

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

# A key in raw JSON is always a closing quote followed by optional whitespace and a colon.
_KEY_COLON = re.compile(rb'"\s*:')
_ESCAPED_QUOTE = re.compile(rb"\\u0022", re.IGNORECASE)
_MAY_SPACE_BEFORE_COLON = re.compile(rb'"[ \t\r\n]+:')


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, permission, corrupt compression)."""


def is_dataset_file(path: Path) -> bool:
    return path.name.lower().endswith(DATASET_SUFFIXES)


def read_records(path: str | Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                 position: "ReadPosition | None" = None) -> Iterator[Record]:
    """Yield the records of one dataset file, choosing the reader by content and suffix.

    `position`, when given, follows how many bytes of the file were consumed (for progress bars).
    """
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
    if position is not None:
        position.follow(fh)
    with fh:
        try:
            if name.endswith(tuple(s + gz for s in JSON_SUFFIXES for gz in ("", ".gz"))) and _looks_like_json_document(fh, max_line_bytes):
                yield from _read_json_array(fh, display)
            else:
                yield from _read_jsonl(fh, display, max_line_bytes)
        except (OSError, EOFError, zlib.error) as exc:  # corrupt gzip or I/O error mid-file
            raise UnreadableFile(f"{display}: read failed: {exc}") from exc


def is_jsonl_file(path: str | Path) -> bool:
    """JSON Lines by name (`.jsonl`, `.ndjson`, optionally gzipped): records are lines, so a file
    can be cut into batches of lines that parse independently (the parallel engine does)."""
    return str(path).lower().endswith(tuple(s + gz for s in JSONL_SUFFIXES for gz in ("", ".gz")))


def read_jsonl_lines(path: str | Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                     position: "ReadPosition | None" = None, step: int | None = None) -> Iterator[RawLine | LineRun]:
    """The raw lines of a JSONL file, unparsed, in runs of ordinary lines and single lines, each
    with its line number and record index; `records_of` turns one into records exactly as
    `read_records` would. Runs hold at most `step` bytes (the size of one read)."""
    display = str(path)
    try:
        fh = _open(Path(path))
    except OSError as exc:
        raise UnreadableFile(f"{display}: cannot open: {exc.strerror or exc}") from exc
    if position is not None:
        position.follow(fh)
    with fh:
        try:
            yield from _jsonl_items(fh, max_line_bytes, step or READ_STEP)
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableFile(f"{display}: read failed: {exc}") from exc


class ReadPosition:
    """How far a reader got into its file, in bytes on disk (compressed bytes for `.gz`)."""

    def __init__(self) -> None:
        self._raw: Any = None

    def follow(self, fh: Any) -> None:
        self._raw = getattr(fh, "fileobj", None) or fh  # GzipFile reads from `fileobj`

    def tell(self) -> int:
        try:
            return self._raw.tell() if self._raw is not None else 0
        except (OSError, ValueError):  # closed
            return 0


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _looks_like_json_document(fh: IO[bytes], max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> bool:
    """A `.json` file is a JSON document unless its first non-blank line is a complete object (JSONL).

    The first line is read in pieces up to `max_line_bytes`, so a long first JSONL record is still
    recognised; a line starting with '{' that is longer still is taken as JSONL (and reported as
    over-long by the JSONL reader). NaN, duplicate keys and bad UTF-8 in that line do not matter
    here: the JSONL reader reports them.
    """
    try:
        first = True
        while True:
            piece = fh.readline(_LINE_PIECE)
            if not piece:
                return True  # empty or blank: the document reader reports it
            if first and piece.startswith(BOM):
                piece = piece[len(BOM):]
            first = False
            if piece.strip():
                break
        if not piece.lstrip().startswith(b"{"):
            return True
        parts, size = [piece], len(piece)
        while not piece.endswith(b"\n"):
            piece = fh.readline(_LINE_PIECE)
            if not piece:
                break
            size += len(piece)
            if size > max_line_bytes + 1:
                return False
            parts.append(piece)
        text = b"".join(parts).decode("utf-8", "replace")
        try:
            value = json.loads(text, parse_constant=float)
        except (ValueError, RecursionError):
            return True
        return not isinstance(value, dict)
    finally:
        fh.seek(0)


# --------------------------------------------------------------------------- JSONL


class RawLine(NamedTuple):
    """One line of a JSONL file before parsing; `raw` is None for a line over the byte limit."""

    lineno: int
    raw: bytes | None
    size: int
    index: int  # record index, -1 for a blank line


class LineRun(NamedTuple):
    """Consecutive ordinary lines of a JSONL file as one bytes object: each line is a record (not
    blank, within the byte limit, no byte-order mark). Most of a file comes as runs, each cut from
    one `read` (64 KiB in-process, a batch's megabyte for the workers) with one scan for blank
    lines: no per-line work before parsing, and a worker gets one bytes object to unpickle
    instead of a list of lines."""

    lineno: int  # line number of the first line
    data: bytes  # the lines, each ending with b"\n"
    size: int  # len(data)
    index: int  # record index of the first line
    count: int  # number of lines


READ_STEP = 1 << 16  # bytes per `read` of a JSONL file (the parallel engine reads its batch size)
# A blank line: whitespace only, as `bytes.strip` sees it; after a line end (a pattern that starts
# with a literal is searched for at C speed), or at the start of a read.
_BLANK_LINE = re.compile(rb"\n[ \t\r\x0b\x0c]*\n")
_BLANK_FIRST_LINE = re.compile(rb"[ \t\r\x0b\x0c]*\n")


def _read_jsonl(fh: IO[bytes], display: str, max_line_bytes: int) -> Iterator[Record]:
    saw_content = False
    for item in _jsonl_items(fh, max_line_bytes):
        saw_content = saw_content or item.index >= 0
        yield from records_of(display, item, max_line_bytes)
    if not saw_content:
        yield Record(display, 1, None, [ReadProblem("S004", "file is empty: no records")], -1)


def records_of(display: str, item: RawLine | LineRun, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Record]:
    """The records (or blank-line entries) of one item of `read_jsonl_lines`."""
    if type(item) is LineRun:
        return _run_records(display, item)
    return jsonl_records(display, item, max_line_bytes)


def _run_records(display: str, run: LineRun) -> Iterator[Record]:
    """`jsonl_records` for each line of a run, without its checks for blank, over-long and first
    lines (a run has none). The line end is not passed to the parser: the results are the same."""
    lineno, index, lines = run.lineno, run.index, run.data
    find = lines.find
    start = 0
    while (end := find(b"\n", start)) >= 0:  # one line copied at a time, not the run split at once
        raw = lines[start:end]
        start = end + 1
        problems: list[ReadProblem] = []
        data = parse_json_bytes(raw, problems)
        yield Record(display, lineno, data, problems, index, None if data is not None else raw_key(raw))
        lineno += 1
        index += 1


def _jsonl_items(fh: IO[bytes], max_line_bytes: int, read_step: int = 0) -> Iterator[RawLine | LineRun]:
    """The lines of a JSONL file in order: runs of ordinary lines, and lines that need a closer
    look one at a time (blank, over the limit, the first line with a BOM, and the line that
    straddles the end of each read). Memory stays at one read plus one line within the limit."""
    lineno = index = 0
    read_step = read_step or READ_STEP
    step = max(1, min(max_line_bytes + 1, _LINE_PIECE))
    # With a limit of at least one read, no complete line inside a read can be over it.
    runs = max_line_bytes >= read_step
    while True:
        chunk = fh.read(read_step)
        if not chunk:
            return
        cut = chunk.rfind(b"\n") + 1
        tail = chunk[cut:] if cut < len(chunk) else b""
        head = chunk[:cut] if tail else chunk
        del chunk  # a run holds its own bytes only
        if head:
            if (runs and not (lineno == 0 and head.startswith(BOM)) and _BLANK_FIRST_LINE.match(head) is None
                    and _BLANK_LINE.search(head) is None):
                count = head.count(b"\n")
                yield LineRun(lineno + 1, head, len(head), index, count)
                lineno += count
                index += count
            else:
                for raw in head.split(b"\n")[:-1]:
                    lineno += 1
                    size = len(raw) + 1
                    line = _classify(lineno, raw + b"\n" if size - 1 <= max_line_bytes else None, size, index)
                    index += line.index >= 0
                    yield line
        if tail:  # a line continues past this read: finish it with the line reader
            raw, size = _finish_line(fh, tail, step, max_line_bytes)
            lineno += 1
            line = _classify(lineno, raw, size, index)
            index += line.index >= 0
            yield line


def _classify(lineno: int, raw: bytes | None, size: int, index: int) -> RawLine:
    body = raw[len(BOM):] if lineno == 1 and raw is not None and raw.startswith(BOM) else raw
    if body is not None and not body.strip():
        return RawLine(lineno, raw, size, -1)
    return RawLine(lineno, raw, size, index)


def jsonl_records(display: str, line: RawLine, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Record]:
    """The record (or blank-line entries) of one raw JSONL line."""
    lineno, raw, size, index = line
    problems: list[ReadProblem] = []
    if lineno == 1 and raw is not None and raw.startswith(BOM):
        raw = raw[len(BOM):]
        problems.append(ReadProblem("S003", "file starts with a UTF-8 byte-order mark (BOM); many JSON loaders reject it", column=1, fatal=False))
    if raw is None:
        problems.append(ReadProblem(
            "S007", f"line is {_human_bytes(size)}, over the {_human_bytes(max_line_bytes)} limit; not parsed",
        ))
        yield Record(display, lineno, None, problems, index)
        return
    if index < 0:
        if problems:
            yield Record(display, lineno, None, problems, -1)
        yield Record(display, lineno, None, [ReadProblem("S005", "blank line")], -1)
        return
    data = parse_json_bytes(raw, problems)
    yield Record(display, lineno, data, problems, index, None if data is not None else raw_key(raw))


def raw_key(raw: bytes) -> str:
    """Content hash of a line that did not parse: its baseline fingerprint, the same whichever
    path read the line."""
    return hashlib.blake2b(raw.strip(), digest_size=8).hexdigest()


_LINE_PIECE = 1 << 20


def _finish_line(fh: IO[bytes], piece: bytes, step: int, limit: int) -> tuple[bytes | None, int]:
    """(the line, or None when over `limit`; its size in bytes) of a line whose first `piece`
    was read. The rest is read in pieces of at most `step` bytes, so an over-long line costs at
    most `limit` plus one piece of memory before its pieces are dropped and the rest is drained.
    (One `readline(limit + 1)` would briefly need twice `limit`: the buffered reader joins its
    parts.) A line is over the limit when its content, without the newline, exceeds `limit`."""
    size = len(piece)
    parts: list[bytes] | None = [piece]
    while not piece.endswith(b"\n"):
        if parts is not None and size > limit:
            parts = None  # over the limit: drop what we hold and drain the rest
        piece = fh.readline(step)
        if not piece:
            break
        size += len(piece)
        if parts is not None:
            parts.append(piece)
    content = size - 1 if piece.endswith(b"\n") else size
    if parts is None or content > limit:
        return None, size
    return (parts[0] if len(parts) == 1 else b"".join(parts)), size


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
    if _may_have_duplicate_keys(raw, data):
        _find_duplicate_keys(raw, problems)
    return data


def _may_have_duplicate_keys(raw: bytes, data: dict) -> bool:
    """Cheap screen: re-serialising keeps every key once, so a duplicate shows up as fewer
    `"key":` matches than the raw text has. Strings are escaped the same way in both, so text
    that merely contains `":` cancels out. Only lines that fail the screen get a slow parse.

    Two cases skip the screen: a quote written as `\\u0022` in the raw text comes back as `\\"`,
    adding matches that could hide a duplicate; and data orjson cannot serialise (lone
    surrogates, integers beyond 64 bits, deep nesting — all accepted by the slow parser)."""
    if b"\\u" in raw and _ESCAPED_QUOTE.search(raw):
        return True
    try:
        dumped = orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return True
    keys = dumped.count(b'":')  # orjson writes no whitespace: every key is `"key":`
    tight = raw.count(b'":')
    if tight > keys:
        return True
    if not _MAY_SPACE_BEFORE_COLON.search(raw):  # one C-level scan for `"` + whitespace
        return False
    return len(_KEY_COLON.findall(raw)) > keys


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
        # Without the line end, an error at the end of the line gets this line's column.
        data = json.loads(text.rstrip("\r\n"), parse_constant=on_constant)
    except json.JSONDecodeError as exc:
        problems.append(ReadProblem("S001", f"invalid JSON: {exc.msg}", column=exc.colno))
        return None
    except RecursionError:
        problems.append(ReadProblem("S001", "invalid JSON: nested too deeply to parse"))
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
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return
    if duplicates:
        keys = ", ".join(repr(k) for k in dict.fromkeys(duplicates))
        problems.append(ReadProblem("S009", f"duplicate key {keys}: parsers silently keep only the last value", fatal=False))


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
# A decode error this close to the end of the buffered text may only mean the element goes on
# in the next chunk (a cut literal, escape or number); further in, it is a real syntax error.
_TRUNCATION_MARGIN = 32


class _ArrayStream:
    """Decodes a JSON array element by element from a growing text buffer.

    Memory holds the current element plus one chunk, not the whole file; line numbers are kept
    by counting newlines as the cursor moves. `base` is the absolute character offset of
    `buf[0]` and `col_base` the number of characters of the cursor's line already dropped from
    the buffer, so columns stay right after the consumed text is discarded.
    """

    def __init__(self, fh: IO[bytes], display: str) -> None:
        self.fh = fh
        self.display = display
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.base = 0
        self.col_base = 0
        self.line = 1
        self.eof = False
        self.bytes_read = 0
        # (absolute character offset, line, column, problem), in file order
        self.pending: list[tuple[int, int, int, ReadProblem]] = []

    def fill(self, size: int = _CHUNK) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(size)
        if not chunk:
            self.eof = True
            try:
                self.buf += self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._add_pending("S002", "file ends in the middle of a UTF-8 sequence")
                self.buf += "\ufffd"
            return False
        if self.bytes_read == 0 and chunk.startswith(BOM):
            chunk = chunk[len(BOM):]
            self.pending.append((0, 1, 1, ReadProblem("S003", "file starts with a UTF-8 byte-order mark (BOM); many JSON loaders reject it", column=1, fatal=False)))
        self.bytes_read += len(chunk)
        self._trim()
        self._decode(chunk)
        return True

    def _trim(self) -> None:
        """Drop the consumed text before the cursor."""
        if not self.pos:
            return
        newline = self.buf.rfind("\n", 0, self.pos)
        self.col_base = self.pos - newline - 1 if newline >= 0 else self.col_base + self.pos
        self.base += self.pos
        self.buf = self.buf[self.pos:]
        self.pos = 0

    def _decode(self, data: bytes) -> None:
        """Append decoded text; each invalid sequence becomes U+FFFD and a pending S002."""
        while True:
            try:
                self.buf += self.decoder.decode(data)
                return
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's held-back bytes plus `data`
                bad = exc.object
                self.buf += bad[: exc.start].decode("utf-8")
                self._add_pending("S002", f"invalid UTF-8 byte 0x{bad[exc.start]:02x}; replaced with U+FFFD")
                self.buf += "\ufffd"
                self.decoder.reset()
                data = bad[exc.end:]

    def _add_pending(self, code: str, message: str) -> None:
        index = len(self.buf)
        line, column = self.line_col(index)
        self.pending.append((self.base + index, line, column, ReadProblem(code, message, fatal=False)))

    def line_col(self, index: int) -> tuple[int, int]:
        """Line and column of buffer position `index` (at or after the cursor)."""
        line = self.line + self.buf.count("\n", self.pos, index)
        newline = self.buf.rfind("\n", 0, index)
        column = index - newline if newline >= 0 else self.col_base + index + 1
        return line, column

    def take_pending(self, line: int, before: int | None = None) -> list[ReadProblem]:
        """Pending problems located before absolute offset `before` (all when None), for an
        entry reported at `line`; a problem on another line names its own line and column."""
        taken = [p for p in self.pending if before is None or p[0] < before]
        if not taken:
            return []
        self.pending = self.pending[len(taken):]
        problems: list[ReadProblem] = []
        first_bad_utf8: ReadProblem | None = None
        extra_bad_utf8 = 0
        for _, p_line, p_column, problem in taken:
            if problem.code == "S002":
                if first_bad_utf8 is not None:  # one S002 per entry, as for a JSONL line
                    extra_bad_utf8 += 1
                    continue
                first_bad_utf8 = problem
            if p_line == line:
                problem.column = p_column
            else:
                problem.message += f" (line {p_line}, column {p_column})"
            problems.append(problem)
        if extra_bad_utf8 and first_bad_utf8 is not None:
            first_bad_utf8.message += f"; {extra_bad_utf8} more invalid sequence{'s' if extra_bad_utf8 > 1 else ''} in this record"
        return problems

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
        return self.line_col(self.pos)[1]


def _read_json_array(fh: IO[bytes], display: str) -> Iterator[Record]:
    stream = _ArrayStream(fh, display)
    decoder = json.JSONDecoder(parse_constant=lambda name: float(name.replace("Infinity", "inf")))
    first = stream.skip_ws()
    if first is None:
        yield Record(display, 1, None, stream.take_pending(1) + [ReadProblem("S004", "file is empty: no records")], -1)
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
        if ch == "]":
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
        problems = stream.take_pending(start_line, before=stream.base + stream.pos)
        data = value
        if isinstance(value, dict):
            raw_bytes = raw_text.encode("utf-8", "surrogatepass")
            if "NaN" in raw_text or "Infinity" in raw_text:
                strict: list[ReadProblem] = []
                _parse_slow(raw_bytes, strict)
                problems.extend(p for p in strict if p.code == "S008")
            if _may_have_duplicate_keys(raw_bytes, value):
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
        return
    if index == 0:
        yield Record(display, 1, None, stream.take_pending(1) + [ReadProblem("S004", "file is an empty array: no records")], -1)
    while stream.pending:  # defensive: problems no record or error took
        offset, line = stream.pending[0][:2]
        yield Record(display, line, None, stream.take_pending(line, before=offset + 1), -1)


def _decode_element(stream: _ArrayStream, decoder: json.JSONDecoder) -> tuple[Any, str | None]:
    """Decode the value at the cursor, reading more input while it is incomplete.

    More input is read only when the error is at the end of the buffered text (or is a string
    still open there); a syntax error further in is reported at once, so a broken record early
    in a big file does not pull the rest of the file into memory.
    """
    while True:
        try:
            value, end = decoder.raw_decode(stream.buf, stream.pos)
        except json.JSONDecodeError as exc:
            maybe_cut = (
                exc.pos >= len(stream.buf) - _TRUNCATION_MARGIN or exc.msg.startswith("Unterminated string")
            )
            offset = exc.pos - stream.pos  # fill() may move the buffer under the cursor
            if maybe_cut and stream.fill(max(_CHUNK, len(stream.buf))):
                continue
            stream.advance(stream.pos + offset)
            return exc.msg, None
        except RecursionError:
            return "nested too deeply to parse", None
        if end >= len(stream.buf) and stream.fill():
            continue  # a number may continue in the next chunk; decode again with more input
        raw = stream.buf[stream.pos:end]
        stream.advance(end)
        return value, raw


def _read_single_document(stream: _ArrayStream, decoder: json.JSONDecoder, display: str) -> Iterator[Record]:
    value, raw = _decode_element(stream, decoder)
    if raw is None:
        yield _array_error(stream, f"invalid JSON: {value}")
        return
    kind = _json_type(value) if not isinstance(value, dict) else "object"
    article = "an" if kind[0] in "aeiou" else "a"
    yield Record(display, 1, None, stream.take_pending(1) + [ReadProblem(
        "S006", f"top-level JSON value is {article} {kind}, expected an array of records (or one object per line, JSONL)",
    )], 0)


def _array_error(stream: _ArrayStream, message: str) -> Record:
    problems = stream.take_pending(stream.line)
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
        if row == 0:
            yield Record(display, 1, None, [ReadProblem("S004", "file has no rows: no records")], -1)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{display}: cannot open: {exc.strerror or exc}") from exc
    except Exception as exc:  # pyarrow raises its own ArrowInvalid / OSError types
        raise UnreadableFile(f"{display}: not a readable Parquet file: {exc}") from exc
