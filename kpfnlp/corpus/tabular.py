"""Readers for record-shaped files: JSONL, JSON arrays, CSV/TSV and Excel (BigKinds export), row by row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kpfnlp.corpus.columns import ColumnMapper
from kpfnlp.corpus.document import Document, ReadReport
from kpfnlp.corpus.encoding import has_undecodable, open_text

_FIELD_LIMIT = 1 << 30  # article bodies exceed csv's default 128 KiB field limit


def _emit(
    mapper: ColumnMapper, record: dict[str, Any], where: str, fallback_id: str, report: ReadReport
) -> Iterator[Document]:
    """Yield the record's Document, or record why it is a bad row."""
    doc = mapper.to_document(record, fallback_id)
    if isinstance(doc, str):
        report.add(where, doc)
    else:
        yield doc


def _emit_records(
    path: str | Path,
    records: Iterable[tuple[str, str, dict[str, Any]]],
    report: ReadReport,
    text_column: str | None,
    title_column: str | None,
    id_column: str | None,
) -> Iterator[Document]:
    """Yield the Documents of (location, fallback id, object) records; columns are set by the first object."""
    mapper: ColumnMapper | None = None
    for where, fallback_id, record in records:
        if mapper is None:
            mapper = ColumnMapper(path, list(record), text_column, title_column, id_column)
        yield from _emit(mapper, record, where, fallback_id, report)


def read_jsonl(
    path: str | Path,
    report: ReadReport,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
) -> Iterator[Document]:
    """Stream a JSON-lines file (one object a line, blank lines skipped); columns set by the first object."""
    name = Path(path).name
    records = ((where, f"{name}:{lineno}", record) for where, lineno, record in iter_json_lines(path, report, encoding))
    yield from _emit_records(path, records, report, text_column, title_column, id_column)


def json_line_records(path: str | Path, encoding: str | None = None) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Yield (line number, object) for each non-blank line, or (line number, reason) when it is no JSON object."""
    with open_text(path, encoding) as stream:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            if has_undecodable(line):
                yield lineno, "undecodable bytes"
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield lineno, f"malformed JSON: {exc.msg} at column {exc.colno}"
                continue
            yield lineno, record if isinstance(record, dict) else f"not a JSON object: {type(record).__name__}"


def iter_json_lines(
    path: str | Path, report: ReadReport, encoding: str | None = None
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Yield (location, line number, object) for each JSON object line; bad lines go to `report`."""
    for lineno, record in json_line_records(path, encoding):
        where = f"{path}:line {lineno}"
        if isinstance(record, str):
            report.add(where, record)
        else:
            yield where, lineno, record


def read_json_records(
    path: str | Path,
    report: ReadReport,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
) -> Iterator[Document]:
    """Read a JSON array of objects (e.g. the newstrust headlines, KLUE-NLI); the array is parsed whole."""
    name = Path(path).name
    with open_text(path, encoding) as stream:
        records = json.load(stream)
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a JSON array of objects, got {type(records).__name__}")

    def objects() -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(location, fallback id, object) for each item that is an object; the others go to `report`."""
        for index, record in enumerate(records):
            where = f"{path}:item {index}"
            if isinstance(record, dict):
                yield where, f"{name}:{index}", record
            else:
                report.add(where, f"not a JSON object: {type(record).__name__}")

    yield from _emit_records(path, objects(), report, text_column, title_column, id_column)


def read_csv(
    path: str | Path,
    report: ReadReport,
    *,
    delimiter: str = ",",
    text_column: str | None = None,
    title_column: str | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
) -> Iterator[Document]:
    """Stream a CSV (quoted fields may span lines) or TSV (tab-separated, unquoted) file with a header row."""
    csv.field_size_limit(_FIELD_LIMIT)
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    name = Path(path).name
    with open_text(path, encoding, newline="") as stream:
        rows = csv.reader(stream, delimiter=delimiter, quoting=quoting)
        header = [column.strip() for column in next(rows, [])]
        if not header:
            return
        mapper = ColumnMapper(path, header, text_column, title_column, id_column)
        line = rows.line_num + 1  # first physical line of the next record
        for row in rows:
            where, fallback_id = f"{path}:line {line}", f"{name}:{line}"
            line = rows.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if any(has_undecodable(cell) for cell in row):
                report.add(where, "undecodable bytes")
            elif len(row) != len(header):
                report.add(where, f"wrong number of fields: {len(row)} instead of {len(header)}")
            else:
                yield from _emit(mapper, dict(zip(header, row, strict=True)), where, fallback_id, report)


def read_xlsx(
    path: str | Path,
    report: ReadReport,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    id_column: str | None = None,
) -> Iterator[Document]:
    """Stream the first sheet of an Excel workbook, e.g. a BigKinds export, in openpyxl read-only mode."""
    from openpyxl import load_workbook

    name = Path(path).name
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        non_empty = ((i, v) for i, v in enumerate(rows, 1) if any(x not in (None, "") for x in v))
        header_row, values = next(non_empty, (0, ()))
        header = [str(value).strip() if value is not None else "" for value in values]
        if not header:
            return
        mapper = ColumnMapper(path, header, text_column, title_column, id_column)
        for rowno, values in enumerate(rows, header_row + 1):
            if all(value in (None, "") for value in values):
                continue
            record = {column: value for column, value in zip(header, values, strict=False) if column}
            yield from _emit(mapper, record, f"{path}:row {rowno}", f"{name}:{rowno}", report)
    finally:
        workbook.close()
