"""Read an article feed (JSONL, CSV, TSV, XLSX; UTF-8 or CP949) as a stream with exactly one `FeedRow` per row.

Unlike the corpus readers, which skip bad rows, a feed never drops one: a malformed JSON line, a row with the
wrong number of fields or an empty text becomes a `FeedRow` with `error` set, so a batch job can write one
output row per input row. Blank lines are not rows. A column missing from the whole file raises
`MissingColumnError` naming the columns the file has.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpfnlp.corpus.columns import ColumnMapper
from kpfnlp.corpus.document import Document
from kpfnlp.corpus.encoding import data_suffix, has_undecodable, open_text
from kpfnlp.corpus.tabular import json_line_records

FEED_FORMATS = ("jsonl", "csv", "tsv", "xlsx")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx"}
_SENTENCE_LISTS = ("article_original",)  # Dacon JSONL: the article as a list of sentences
_FIELD_LIMIT = 1 << 30


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
    """The feed format from the extension (through .gz/.xz/.bz2): jsonl, csv, tsv or xlsx."""
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
    else:
        yield from _csv_records(path, "\t" if name == "tsv" else ",", encoding)


def _jsonl_records(path: Path, encoding: str | None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    for lineno, record in json_line_records(path, encoding):
        yield f"line {lineno}", record


def _csv_records(path: Path, delimiter: str, encoding: str | None) -> Iterator[tuple[str, dict[str, Any] | str]]:
    csv.field_size_limit(_FIELD_LIMIT)
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with open_text(path, encoding, newline="") as stream:
        rows = csv.reader(stream, delimiter=delimiter, quoting=quoting)
        header = [column.strip() for column in next(rows, [])]
        line = rows.line_num + 1
        for row in rows:
            where = f"line {line}"
            line = rows.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if any(has_undecodable(cell) for cell in row):
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
