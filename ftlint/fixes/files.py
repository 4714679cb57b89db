"""Dataset files as sequences of entries that can be written back with untouched entries byte for byte.

A fix must keep `git diff` small: a record no fixer changed is copied from the input as it was
(spacing, key order, escapes and all), and only changed records are serialised, in the style of
the line they replace. JSONL (plain or gzip) is streamed line by line; a JSON array is held in
memory (its elements are located with the standard decoder, so the text between them — commas,
indentation — is kept too). Parquet files are rewritten row group by row group with the input's
schema and compression: dropped rows go, changed rows must keep the columns (a conversion to
another format is refused: a Parquet file's columns are its schema).

Writes are atomic: a temporary file in the destination's directory, flushed and fsynced, then
`os.replace`d over the destination, so a crash never leaves a half-written dataset behind.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..config import ConfigError
from ..model import Record
from ..readers import BOM, DEFAULT_MAX_LINE_BYTES, PARQUET_SUFFIXES, read_records


@dataclass(slots=True)
class Entry:
    """One physical piece of a dataset file: a JSONL line or a JSON array element.

    `records` are what the reader made of it: usually one record, none for an element of an
    array, two for a line that is blank and starts with a BOM."""

    line: int
    raw: bytes
    records: list[Record] = field(default_factory=list)

    @property
    def record(self) -> Record | None:
        """The entry's record (index >= 0), or None for a line that is no record (blank)."""
        return next((r for r in self.records if r.is_record), None)


class FixRefused(ConfigError):
    """The file cannot be fixed mechanically (unsupported kind, broken JSON array)."""


def kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return "gzip" if name.endswith(".gz") else "plain"


class _GzipOut(gzip.GzipFile):
    """Gzip output with no name or time in the header: the same content gives the same bytes,
    so fixing twice gives identical files."""

    def __init__(self, path: Path) -> None:
        self._raw = open(path, "wb")
        super().__init__(filename="", mode="wb", fileobj=self._raw, mtime=0)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _open_write(path: Path, like: Path) -> IO[bytes]:
    return _GzipOut(path) if kind_of(like) == "gzip" else open(path, "wb")  # type: ignore[return-value]


def _open_read(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if kind_of(path) == "gzip" else open(path, "rb")  # type: ignore[return-value]


def is_json_array(path: Path) -> bool:
    """The reader's own decision between a JSON document and JSONL for this file."""
    name = path.name.lower().removesuffix(".gz")
    if not name.endswith(".json"):
        return False
    from ..readers import _looks_like_json_document  # the reader's rule, not a second guess

    with _open_read(path) as fh:
        return _looks_like_json_document(fh)


def entries(path: Path, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Entry]:
    """The entries of a dataset file, in file order, with the reader's records attached."""
    if kind_of(path) == "parquet":
        for record in read_records(path, max_line_bytes):
            yield Entry(record.line, b"", [record])
        return
    if is_json_array(path):
        yield from _array_entries(path, max_line_bytes)
    else:
        yield from _jsonl_entries(path, max_line_bytes)


def _jsonl_entries(path: Path, max_line_bytes: int) -> Iterator[Entry]:
    records = read_records(path, max_line_bytes)
    pending: Record | None = next(records, None)
    with _open_read(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            entry = Entry(lineno, raw)
            while pending is not None and pending.line <= lineno:
                if pending.line == lineno:
                    entry.records.append(pending)
                pending = next(records, None)
            yield entry


# --------------------------------------------------------------------------- JSON arrays


@dataclass
class ArrayLayout:
    """A JSON array's text split into elements and the text around them."""

    head: str  # everything up to the first element ("[\n  ")
    elements: list[tuple[int, str]]  # (line, element text)
    separators: list[str]  # separators[i] is the text between element i-1 and i (separators[0] == "")
    tail: str  # from the end of the last element to the end of the file ("\n]\n")


def _decode_text(raw: bytes) -> str:
    # surrogateescape keeps undecodable bytes, so untouched text re-encodes to the same bytes
    return raw.decode("utf-8", "surrogateescape")


def _encode_text(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def array_layout(path: Path) -> ArrayLayout:
    with _open_read(path) as fh:
        text = _decode_text(fh.read())
    decoder = json.JSONDecoder(parse_constant=float)
    ws = re.compile(r"[ \t\r\n]*")
    pos = ws.match(text, len("\ufeff") if text.startswith("\ufeff") else 0).end()
    if not text.startswith("[", pos):
        raise FixRefused(f"{path}: not a JSON array of records; nothing can be fixed record by record")
    pos = ws.match(text, pos + 1).end()
    head_end = pos
    elements: list[tuple[int, str]] = []
    separators: list[str] = []
    last_end = pos
    if not text.startswith("]", pos):
        while True:
            try:
                _, end = decoder.raw_decode(text, pos)
            except (json.JSONDecodeError, RecursionError) as exc:
                line = text.count("\n", 0, getattr(exc, "pos", pos)) + 1
                raise FixRefused(f"{path}:{line}: the JSON array is broken ({getattr(exc, 'msg', exc)}); "
                                 "repair it by hand first, `ftlint check` shows where") from None
            separators.append(text[last_end:pos] if elements else "")
            elements.append((text.count("\n", 0, pos) + 1, text[pos:end]))
            last_end = end
            pos = ws.match(text, end).end()
            if text.startswith(",", pos):
                pos = ws.match(text, pos + 1).end()
                continue
            if text.startswith("]", pos):
                break
            line = text.count("\n", 0, pos) + 1
            raise FixRefused(f"{path}:{line}: the JSON array is broken (expected ',' or ']'); repair it by hand first")
    tail = text[last_end:] if elements else text[head_end:]
    if elements and tail.lstrip(" \t\r\n").startswith(","):  # trailing comma is invalid JSON anyway
        raise FixRefused(f"{path}: the JSON array is broken (comma before ']'); repair it by hand first")
    return ArrayLayout(text[:head_end], elements, separators, tail)


def _array_entries(path: Path, max_line_bytes: int) -> Iterator[Entry]:
    layout = array_layout(path)
    lines = [line for line, _ in layout.elements]
    shared = next((a for a, b in zip(lines, lines[1:]) if a == b), None)
    if shared is not None:
        # Findings are located by line: two records on one line could not be told apart.
        raise FixRefused(f"{path}:{shared}: several records start on this line, and findings are located by "
                         "line; put one record per line first (e.g. `python -m json.tool FILE`) or convert to JSONL")
    by_index: dict[int, list[Record]] = {}
    for record in read_records(path, max_line_bytes):
        if record.is_record:
            by_index.setdefault(record.index, []).append(record)
        elif record.problems and any(p.code == "S001" for p in record.problems):
            raise FixRefused(f"{path}:{record.line}: {record.problems[-1].message}; repair it by hand first")
    for i, (line, text) in enumerate(layout.elements):
        yield Entry(line, _encode_text(text), by_index.get(i, []))


# --------------------------------------------------------------------------- serialisation


_SPACED = re.compile(rb'"\s*:\s+\S|,\s+"')


def serialise_like(data: Any, original: bytes, indent_of: str = "") -> bytes:
    """`data` as JSON in the style of the record it replaces: spaced or compact separators,
    ASCII escapes or raw UTF-8, one line or indented like the original element."""
    ascii_only = original.isascii() and b"\\u" in original
    try:
        return _dumps(data, original, indent_of, ascii_only).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a valid JSON escape): keep it escaped
        return _dumps(data, original, indent_of, True).encode("ascii")


def _dumps(data: Any, original: bytes, indent_of: str, ascii_only: bool) -> str:
    if b"\n" in original.strip():
        text = json.dumps(data, ensure_ascii=ascii_only, indent=_indent_step(original))
        return text.replace("\n", "\n" + indent_of)
    separators = (", ", ": ") if _SPACED.search(original) else (",", ":")
    return json.dumps(data, ensure_ascii=ascii_only, separators=separators)


def _indent_step(original: bytes) -> int:
    lines = original.split(b"\n")
    if len(lines) < 2:
        return 2
    first = lines[-1]  # the closing brace sits at the element's own indentation
    base = len(first) - len(first.lstrip(b" "))
    inner = min((len(line) - len(line.lstrip(b" ")) for line in lines[1:-1] if line.strip()), default=base + 2)
    return max(1, inner - base)


# --------------------------------------------------------------------------- writing


class _ParquetWriter:
    """Parquet output: the decisions per row are collected, then the input is streamed batch by
    batch into a writer with the input's schema and compression."""

    def __init__(self, source: Path, target: Path) -> None:
        self.source, self.target = source, target
        self.keep_rows = bytearray()  # 1 = keep, 0 = drop, per input row
        self.changed: dict[int, Any] = {}

    def keep(self, entry: Entry) -> None:
        self.keep_rows.append(1)

    def drop(self, entry: Entry) -> None:
        self.keep_rows.append(0)

    def change(self, entry: Entry, data: Any) -> None:
        self.changed[len(self.keep_rows)] = data
        self.keep_rows.append(1)

    def close(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.source)
        schema = source.schema_arrow
        codec = "snappy"
        if source.metadata.num_row_groups and source.metadata.num_columns:
            codec = source.metadata.row_group(0).column(0).compression.lower()
        names = set(schema.names)
        row = 0
        with pq.ParquetWriter(self.target, schema, compression=codec) as writer:
            for batch in source.iter_batches(batch_size=4096):
                n = batch.num_rows
                keep = [i for i in range(n) if row + i >= len(self.keep_rows) or self.keep_rows[row + i]]
                changed = [i for i in keep if row + i in self.changed]
                if changed:
                    rows = batch.to_pylist()
                    for i in changed:
                        data = self.changed[row + i]
                        if not isinstance(data, dict) or set(data) != names:
                            raise FixRefused(f"{self.source}: row {row + i + 1} would change columns; a Parquet file "
                                             "keeps its schema (convert to JSONL first to change the format)")
                        rows[i] = data
                    try:
                        batch = pa.RecordBatch.from_pylist([rows[i] for i in keep], schema=schema)
                    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                        raise FixRefused(f"{self.source}: a changed row does not fit the file's schema: {exc}") from None
                elif len(keep) != n:
                    batch = batch.take(pa.array(keep, type=pa.int64()))
                writer.write_batch(batch)
                row += n


class Writer:
    """Collects the output of one file: kept entries verbatim, changed ones re-serialised."""

    def __new__(cls, source: Path, target: Path) -> Any:
        if kind_of(source) == "parquet":
            return _ParquetWriter(source, target)
        return super().__new__(cls)

    def __init__(self, source: Path, target: Path) -> None:
        self.source = source
        self.target = target
        self.array = is_json_array(source)
        self.layout = array_layout(source) if self.array else None
        self._kept: list[tuple[int, bytes]] = []  # arrays: (element index, bytes)
        self._fh: IO[bytes] | None = None
        self._index = 0
        self._pending_bom = False  # line 1 held the file's BOM and was dropped
        if not self.array:
            self._fh = _open_write(target, source)

    def keep(self, entry: Entry) -> None:
        self._emit(entry, entry.raw)

    def drop(self, entry: Entry) -> None:
        if not self.array and entry.line == 1 and entry.raw.startswith(BOM):
            self._pending_bom = True  # the BOM belongs to the file: dropping line 1 must not drop it
        self._index += 1

    def change(self, entry: Entry, data: Any) -> None:
        if self.array:
            assert self.layout is not None
            indent_of = _line_indent(self.layout, self._index)
            self._emit(entry, serialise_like(data, entry.raw, indent_of))
        else:
            raw = entry.raw
            bom = BOM if raw.startswith(BOM) else b""
            body = raw[len(bom):]
            ending = body[len(body.rstrip(b"\r\n")):] or b"\n"
            self._emit(entry, bom + serialise_like(data, body.rstrip(b"\r\n")) + ending)

    def _emit(self, entry: Entry, data: bytes) -> None:
        if self.array:
            self._kept.append((self._index, data))
        else:
            assert self._fh is not None
            if self._pending_bom:
                data = data if data.startswith(BOM) else BOM + data
                self._pending_bom = False
            self._fh.write(data)
        self._index += 1

    def close(self) -> None:
        if self.array:
            assert self.layout is not None
            layout = self.layout
            parts = [layout.head]
            for n, (index, data) in enumerate(self._kept):
                if n:
                    parts.append(layout.separators[index] if index else ",\n")
                parts.append(_decode_text(data))
            tail = layout.tail
            if not self._kept and layout.elements:
                tail = "\n]\n" if layout.tail.endswith("\n") else "]"
                parts = [layout.head.rstrip(" \t\r\n")]
            parts.append(tail)
            payload = _encode_text("".join(parts))
            with _open_write(self.target, self.source) as fh:
                fh.write(payload)
        else:
            assert self._fh is not None
            self._fh.close()


def _line_indent(layout: ArrayLayout, index: int) -> str:
    before = layout.separators[index] if index else layout.head
    return before[before.rfind("\n") + 1:] if "\n" in before else ""


def atomic_copy(source: Path, destination: Path, backup: Path | None = None) -> None:
    """Put `source`'s bytes at `destination` atomically; first copy the old destination to `backup`."""
    directory = destination.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        if destination.exists():
            shutil.copymode(destination, tmp)
            if backup is not None:
                shutil.copy2(destination, backup)
        else:  # mkstemp makes the file private; a new dataset gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, destination)
        _fsync_directory(directory)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not supported on every platform
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
