"""Write batch results as JSONL or CSV (chosen by extension), appending safely after a resume.

`count_complete_rows` is the resume side: it counts the complete rows already in an output file, truncates a
partially written last row (a job killed mid-write) and returns the id of the last complete row for checking.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv"}


def output_format(path: str | Path) -> str:
    """'jsonl' or 'csv' from the output file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ValueError(f"{path}: output must end in .jsonl or .csv, not {suffix!r}")
    return OUTPUT_FORMATS[suffix]


def _cell(value: Any) -> str:
    """A CSV cell: lists and dicts as JSON, None as empty, numbers and text as they are."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class FeedWriter:
    """Append rows (dicts with `fields`) to a JSONL or CSV file, flushing each batch; UTF-8 (CSV with a BOM,
    so Excel reads the Korean)."""

    def __init__(self, path: str | Path, fields: Sequence[str]) -> None:
        self.path = Path(path)
        self.fields = list(fields)
        self.format = output_format(self.path)
        new = not self.path.exists() or self.path.stat().st_size == 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        encoding = "utf-8-sig" if self.format == "csv" and new else "utf-8"
        self._stream: IO[str] = open(self.path, "a", encoding=encoding, newline="")  # noqa: SIM115
        self._csv = csv.writer(self._stream, lineterminator="\n") if self.format == "csv" else None
        if self._csv is not None and new:
            self._csv.writerow(self.fields)

    def write(self, row: dict[str, Any]) -> None:
        """Write one row; fields missing from `row` are written as null."""
        if self._csv is not None:
            self._csv.writerow([_cell(row.get(field)) for field in self.fields])
        else:
            record = {field: row.get(field) for field in self.fields}
            self._stream.write(json.dumps(record, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        """Push written rows to disk (called after every batch, so an interruption loses at most one batch)."""
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> FeedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class ExistingOutput:
    """What a resume finds in an output file: complete rows, the id of the last one, bytes cut off its end."""

    rows: int
    last_id: str | None
    truncated_bytes: int


def _jsonl_ends(data: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """(end offset, id) of each complete JSONL row: a parseable object terminated by a newline."""
    offset = 0
    for line in data:
        try:
            record = json.loads(line) if line.endswith(b"\n") else None
        except ValueError:
            return
        if not isinstance(record, dict):
            return
        offset += len(line)
        yield offset, None if record.get("id") is None else str(record["id"])


def _csv_ends(data: IO[bytes], n_fields: int) -> Iterator[tuple[int, str | None]]:
    """(end offset, first cell) of the header and each complete CSV record with `n_fields` fields.

    `csv.reader` takes a line only while its record goes on, so when it returns a record the bytes read so far
    end exactly at that record's end: one running offset is all the memory this needs.
    """
    end = 0

    def lines() -> Iterator[str]:
        nonlocal end
        for raw in data:
            if not raw.endswith(b"\n"):
                return
            encoding = "utf-8-sig" if end == 0 else "utf-8"
            end += len(raw)
            yield raw.decode(encoding, errors="replace")

    try:
        for record in csv.reader(lines(), strict=True):
            if len(record) != n_fields:
                return
            yield end, record[0] or None
    except csv.Error:  # a record cut inside a quoted field
        return


def count_complete_rows(path: str | Path, fields: Sequence[str]) -> ExistingOutput:
    """Count the complete rows of an output file and truncate whatever follows the last one."""
    path = Path(path)
    if not path.exists():
        return ExistingOutput(0, None, 0)
    size = path.stat().st_size
    is_csv = output_format(path) == "csv"
    units, end, last_id = 0, 0, None
    with open(path, "rb") as data:
        for units, (end, last_id) in enumerate(_csv_ends(data, len(fields)) if is_csv else _jsonl_ends(data), 1):  # noqa: B007
            pass
    if end < size:
        with open(path, "r+b") as data:
            data.truncate(end)
    rows = units - 1 if is_csv and units else units
    return ExistingOutput(rows, last_id if rows else None, size - end)
