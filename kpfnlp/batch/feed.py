"""Read an article feed (JSONL, JSON array, CSV, TSV, XLSX; UTF-8 or CP949) as a stream, one `FeedRow` per row.

Unlike the corpus readers, which skip bad rows, a feed never drops one: a malformed JSON line, a row with the
wrong number of fields or an empty text becomes a `FeedRow` with `error` set, so a batch job can write one
output row per input row. Blank lines are not rows. A column missing from the whole file raises
`MissingColumnError` naming the columns the file has.

A `.json` file is a JSON array of objects when it starts with `[` (the newstrust headline export): its elements
are decoded one at a time, so memory stays bounded; a syntax error inside the array ends the read with one error
row that says where and that the rest of the file was not read (an array cannot be resynchronised). A `.json`
file whose first line is no complete JSON value is one JSON object, parsed whole: AI-Hub 문서요약 JSON gives one
row per entry of its `documents` list (its `text`, paragraphs of `{index, sentence}`, becomes the sentence list in
order), any other object one row. Any other `.json` file is read as JSON lines.

A CSV record may span lines only inside a quoted field, and a stray quote would make that field swallow the
rest of the file. So one record may hold at most `_RECORD_LINES` physical lines and `_RECORD_CHARS`
characters (memory stays bounded), and a record spanning lines must also parse strictly (its closing quote
followed by a delimiter or the line end) into the header's number of fields. A record that breaks any of
these becomes an error row for its first line (`malformed CSV: unclosed quote at line N ...`, naming the lines
it swallowed), and reading goes on from the line after it, so the rows it swallowed are read normally.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kpfnlp.corpus.aihub import aihub_sentences
from kpfnlp.corpus.columns import ColumnMapper
from kpfnlp.corpus.document import Document
from kpfnlp.corpus.encoding import data_suffix, has_undecodable, open_text
from kpfnlp.corpus.tabular import json_line_records

FEED_FORMATS = ("jsonl", "json", "csv", "tsv", "xlsx")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx"}
_SENTENCE_LISTS = ("article_original",)  # Dacon JSONL: the article as a list of sentences
# One CSV record's characters (all its lines): a little above the longest article the summarizer takes
# (`kpfnlp.summarize.summarizer.MAX_CHARS`, 200,000), so such an article still gets the summarizer's own error.
_RECORD_CHARS = 250_000
_RECORD_LINES = 10_000  # a quoted field over more lines than this is a stray quote, not an article
_JSON_CHUNK = 1 << 16  # characters read at a time from a JSON array
_JSON_ELEMENT_CHARS = 40 * _RECORD_CHARS  # a JSON array element longer than this ends the read as malformed
_JSON_SPACE = re.compile(r"[ \t\r\n]*")


@dataclass(frozen=True)
class FeedRow:
    """One input row: its 0-based position among the rows, id (column or `file:line N`), text, title, error."""

    index: int
    id: str
    text: str
    title: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Columns:
    """Which columns hold the text, title and id (None: the usual names, see `kpfnlp.corpus.columns`)."""

    text: str | None = None
    title: str | None = None
    id: str | None = None


def feed_format(path: str | Path) -> str:
    """The feed format from the extension (through .gz/.xz/.bz2): jsonl, json, csv, tsv or xlsx."""
    suffix = data_suffix(path)
    if suffix not in _SUFFIXES:
        raise ValueError(f"{path}: unsupported feed extension {suffix!r}; use one of {sorted(_SUFFIXES)}")
    return _SUFFIXES[suffix]


def read_feed(
    path: str | Path, columns: Columns | None = None, *, encoding: str | None = None, format: str | None = None
) -> Iterator[FeedRow]:
    """Stream the rows of a feed file, one `FeedRow` per non-blank input row, in file order."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such input file: {path}")
    name = format or feed_format(path)
    if name not in FEED_FORMATS:
        raise ValueError(f"unknown feed format {name!r}; choose one of {FEED_FORMATS}")
    records = _xlsx_records(path) if name == "xlsx" else _text_records(path, name, encoding)
    return _rows(path, records, columns or Columns())


def _mapper(path: Path, fields: list[str], columns: Columns) -> ColumnMapper:
    """Choose the columns once per file; Dacon's sentence list counts as the text column."""
    text = columns.text or next((c for c in _SENTENCE_LISTS if c in fields), None)
    return ColumnMapper(path, fields, text, columns.title, columns.id)


def _rows(path: Path, records: Iterator[tuple[str, dict[str, Any] | str]], columns: Columns) -> Iterator[FeedRow]:
    """Turn (location, record-or-reason) pairs into FeedRows; the first record fixes the column mapping."""
    mapper: ColumnMapper | None = None
    for index, (where, record) in enumerate(records):
        fallback_id = f"{path.name}:{where}"
        if isinstance(record, str):
            yield FeedRow(index, fallback_id, "", None, f"{where}: {record}")
            continue
        if mapper is None:
            mapper = _mapper(path, list(record), columns)
        doc = mapper.to_document(record, fallback_id)
        if isinstance(doc, Document):
            yield FeedRow(index, doc.id, doc.text, doc.title)
        else:
            raw_id = record.get(mapper.id_column) if mapper.id_column else None
            yield FeedRow(index, str(raw_id) if raw_id not in (None, "") else fallback_id, "", None, f"{where}: {doc}")


def _text_records(path: Path, name: str, encoding: str | None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Records of a JSONL/CSV/TSV file, or the reason a row is unusable."""
    if name == "jsonl":
        yield from _jsonl_records(path, encoding)
    elif name == "json":
        yield from json_records(path, encoding)
    else:
        yield from _csv_records(path, "\t" if name == "tsv" else ",", encoding)


def _jsonl_records(path: Path, encoding: str | None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    for lineno, record in json_line_records(path, encoding):
        yield f"line {lineno}", record


def json_records(path: Path, encoding: str | None = None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Records of a `.json` feed: the elements of a JSON array (`element N`), or its lines when it is no array."""
    with open_text(path, encoding) as stream:
        head = stream.read(_JSON_CHUNK)
        start = head.lstrip("\ufeff \t\r\n")
        if start.startswith("["):
            yield from _json_array_records(stream, start[1:])
            return
        first_line = start.split("\n", 1)[0] if "\n" in start else start + stream.readline()
    if start.startswith("{") and _one_object(first_line):
        yield from _json_object_records(path, encoding)
        return
    yield from _jsonl_records(path, encoding)


def _one_object(first_line: str) -> bool:
    """Whether a file starting with `first_line` is one JSON object: pretty-printed (a first line that opens it
    and goes on) or AI-Hub's `documents` on one line. A malformed first line of JSON lines is not."""
    try:
        value = json.loads(first_line)
    except json.JSONDecodeError:
        return first_line.rstrip().endswith(("{", "[", ","))
    return isinstance(value, dict) and isinstance(value.get("documents"), list)


def _json_object_records(path: Path, encoding: str | None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """One JSON object over many lines: the entries of an AI-Hub `documents` list, or the object itself."""
    with open_text(path, encoding) as stream:
        try:
            data = json.load(stream)
        except json.JSONDecodeError:  # not one object after all: line by line, each bad line its own error row
            data = None
    if data is None:
        yield from _jsonl_records(path, encoding)
        return
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        yield "object", data if isinstance(data, dict) else f"not a JSON object: {type(data).__name__}"
        return
    for position, record in enumerate(documents):
        where = f"documents[{position}]"
        if not isinstance(record, dict):
            yield where, f"not a JSON object: {type(record).__name__}"
            continue
        try:
            sentences = aihub_sentences(record)
        except (KeyError, TypeError) as exc:
            yield where, f"missing column: {exc} in 'text' (AI-Hub paragraphs of {{index, sentence}})"
            continue
        yield where, {**record, "text": sentences}


def _json_array_records(stream: IO[str], buffer: str) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """The elements of a JSON array whose text after `[` begins with `buffer` and goes on in `stream`."""
    decoder = json.JSONDecoder()
    pos, eof, count = 0, False, 0

    def more() -> bool:
        nonlocal buffer, pos, eof
        chunk = stream.read(_JSON_CHUNK)
        eof = not chunk
        buffer, pos = buffer[pos:] + chunk, 0
        return not eof

    def skip_space() -> str:
        nonlocal pos
        while True:
            pos = _JSON_SPACE.match(buffer, pos).end()
            if pos < len(buffer) or not more():
                return buffer[pos] if pos < len(buffer) else ""

    def broken(reason: str) -> tuple[str, str]:
        return f"element {count + 1}", f"malformed JSON array: {reason}; the rest of the file was not read"

    while True:
        char = skip_space()
        if char == "]" and count == 0:
            return
        while True:  # decode one element, reading on while it may be cut off by the buffer's end
            try:
                value, end = decoder.raw_decode(buffer, pos)
                if end < len(buffer) or eof:
                    break
            except json.JSONDecodeError as exc:
                if eof or len(buffer) - pos > _JSON_ELEMENT_CHARS:
                    yield broken(f"{exc.msg} at character {exc.pos - pos + 1} of the element")
                    return
            if len(buffer) - pos > _JSON_ELEMENT_CHARS:
                yield broken(f"an element of more than {_JSON_ELEMENT_CHARS:,} characters")
                return
            more()
        count += 1
        yield f"element {count}", value if isinstance(value, dict) else f"not a JSON object: {type(value).__name__}"
        pos = end
        char = skip_space()
        if char == "]":
            return
        if char != ",":
            yield broken("expected ',' or ']' after an element" if char else "the array is not closed")
            return
        pos += 1


class _RecordTooLong(Exception):
    """A CSV record grew past `_RECORD_LINES` lines or `_RECORD_CHARS` characters."""


class _CsvLines:
    """The physical lines of a CSV stream as `csv.reader` pulls them: numbered, capped per record, replayable.

    `csv.reader` asks for another line only while a record goes on (a quoted field holding a line break), so
    the lines taken between `start_record` and the record's return are exactly that record's lines. They are
    kept (bounded by the caps) so that `reject` can hand all but the first back to be read again.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._replay: deque[str] = deque()  # lines of a rejected record, to be read again before the stream's
        self.record: list[str] = []  # the physical lines of the record being read
        self.first = 1  # line number of the record's first line
        self.continued = False  # the record went on past its first line (or was cut off by the end of the file)
        self._chars = 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if self.record:
            self.continued = True
            if len(self.record) >= _RECORD_LINES:
                raise _RecordTooLong(f"a record of more than {_RECORD_LINES:,} lines")
        line = self._replay.popleft() if self._replay else self._read_line()
        if not line:
            raise StopIteration
        self.record.append(line)
        self._chars += len(line)
        if self._chars > _RECORD_CHARS:
            raise _RecordTooLong(f"a record of more than {_RECORD_CHARS:,} characters")
        return line

    def _read_line(self) -> str:
        """The next line of the stream; of a longer line only the first `_RECORD_CHARS + 1` characters."""
        line = self._stream.readline(_RECORD_CHARS + 1)
        rest = line
        while len(rest) > _RECORD_CHARS and not rest.endswith(("\n", "\r")):  # skip the rest of the line
            rest = self._stream.readline(_RECORD_CHARS + 1)
        return line

    @property
    def last(self) -> int:
        """Line number of the record's last line so far."""
        return self.first + len(self.record) - 1

    def start_record(self) -> None:
        """The next line pulled begins a new record."""
        self.first += len(self.record)
        self.record = []
        self.continued = False
        self._chars = 0

    def reject(self) -> None:
        """Give up on the record: only its first line counts as read, the others will be read again."""
        self._replay.extendleft(reversed(self.record[1:]))
        del self.record[1:]


def _strict_error(lines: list[str], delimiter: str) -> str | None:
    """Why `lines` (one record over several lines) is not a well-formed CSV record, or None if it is."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return str(exc)
    return None


def _csv_problem(lines: _CsvLines, row: list[str], header: list[str] | None, delimiter: str) -> str | None:
    """Why a record that went on past its first line is malformed, or None if it is a good multi-line record."""
    if not lines.continued:
        return None
    if header is not None and len(row) != len(header):
        return f"{len(row)} fields instead of {len(header)}"
    return _strict_error(lines.record, delimiter)


def _malformed(lines: _CsvLines, problem: str) -> str:
    """The reason for a malformed record's error row; rejects the record so its later lines are read again."""
    first, last = lines.first, lines.last
    lines.reject()
    if not lines.continued:
        return f"malformed CSV: {problem}"
    again = f"; lines {first + 1}-{last} read again" if last > first else ""
    return f"malformed CSV: unclosed quote at line {first} ({problem}, up to line {last}){again}"


def _csv_records(path: Path, delimiter: str, encoding: str | None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Records of a CSV/TSV file (the first non-blank record is the header), or the reason a row is unusable."""
    csv.field_size_limit(max(csv.field_size_limit(), _RECORD_CHARS))  # the record cap is the real limit
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with open_text(path, encoding, newline="") as stream:
        lines = _CsvLines(stream)
        rows = csv.reader(lines, delimiter=delimiter, quoting=quoting)
        header: list[str] | None = None
        while True:
            lines.start_record()
            where = f"line {lines.first}"
            try:
                row = next(rows)
                problem = _csv_problem(lines, row, header, delimiter)
            except StopIteration:
                return
            except (csv.Error, _RecordTooLong) as exc:
                problem = str(exc)
            if problem is not None:
                reason = _malformed(lines, problem)
                if header is None:
                    raise ValueError(f"{path}: the header row is not CSV: {where}: {reason}")
                yield where, reason
            elif not any(cell.strip() for cell in row):
                continue
            elif header is None:
                header = [column.strip() for column in row]
            elif any(has_undecodable(cell) for cell in row):
                yield where, "undecodable bytes"
            elif len(row) != len(header):
                yield where, f"wrong number of fields: {len(row)} instead of {len(header)}"
            else:
                yield where, dict(zip(header, row, strict=True))


def _xlsx_records(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Rows of the first sheet (openpyxl read-only); the first non-empty row is the header."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1)
        header: list[str] = []
        for rowno, values in rows:
            if all(value in (None, "") for value in values):
                continue
            if not header:
                header = [str(value).strip() if value is not None else "" for value in values]
                continue
            yield f"row {rowno}", {column: value for column, value in zip(header, values, strict=False) if column}
    finally:
        workbook.close()
