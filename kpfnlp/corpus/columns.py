"""Map the columns of a tabular record (JSONL object, CSV row, Excel row) onto a `Document`.

Column names are configurable; by default the first present of a list of usual names is used, so
BigKinds exports, Wikinews CSVs, petitions and plain `title/body` feeds read without options.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kpfnlp.corpus.document import Document, MissingColumnError

TEXT_COLUMNS = ("text", "body", "content", "본문", "내용", "document", "lead", "article")
TITLE_COLUMNS = ("title", "제목", "headline")
ID_COLUMNS = ("id", "뉴스 식별자", "doc_id", "guid")
# Source column names that get a common metadata key (BigKinds export, Wikinews CSV, AI-Hub).
META_KEYS = {
    "일자": "date",
    "작성일": "date",
    "publish_date": "date",
    "언론사": "media",
    "media_name": "media",
    "기고자": "byline",
    "통합 분류1": "category",
    "출처": "url",
    "URL": "url",
}


def _pick(explicit: str | None, defaults: Sequence[str], columns: Sequence[str], path: str) -> str | None:
    """The explicit column (which must exist) or the first default present, else None."""
    if explicit is not None:
        if explicit not in columns:
            raise MissingColumnError(path, explicit, list(columns))
        return explicit
    return next((name for name in defaults if name in columns), None)


def as_text(value: Any) -> str:
    """A cell as text: lists of sentences joined with a space, numbers and dates as strings, None as ''.

    A JSON object is not text (its repr would be read as an article): TypeError.
    """
    if value is None:
        return ""
    if isinstance(value, Mapping):
        raise TypeError("holds a JSON object, not text")
    if isinstance(value, list):
        return " ".join(as_text(item) for item in value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


class ColumnMapper:
    """Chooses the text/title/id columns once per file and turns each record into a `Document`."""

    def __init__(
        self,
        path: str | Path,
        columns: Sequence[str],
        text_column: str | None = None,
        title_column: str | None = None,
        id_column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.title_column = _pick(title_column, TITLE_COLUMNS, columns, self.path)
        self.id_column = _pick(id_column, ID_COLUMNS, columns, self.path)
        text = _pick(text_column, TEXT_COLUMNS, columns, self.path)
        # Headline-only files (a day's titles, YNAT) have no body: the title is the text.
        self.text_column = text or self.title_column
        if self.text_column is None:
            raise MissingColumnError(self.path, list(TEXT_COLUMNS + TITLE_COLUMNS), list(columns))
        self._used = {self.text_column, self.title_column, self.id_column}

    def to_document(self, record: Mapping[str, Any], fallback_id: str) -> Document | str:
        """The record as a Document, or the reason it is a bad row (missing column, empty text)."""
        if self.text_column not in record:
            return f"missing column: {self.text_column!r}"
        cells = {}
        for column in (self.text_column, self.title_column, self.id_column):
            try:
                cells[column] = as_text(record.get(column)) if column else ""
            except TypeError as err:
                return f"column {column!r} {err}"
        text, title, doc_id = (cells[c] for c in (self.text_column, self.title_column, self.id_column))
        if not text:
            return f"empty text: column {self.text_column!r}"
        meta = {
            META_KEYS.get(key, key): value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
            for key, value in record.items()
            if key not in self._used and value not in (None, "")
        }
        return Document(id=doc_id or fallback_id, text=text, title=title or None, source=self.path, meta=meta)
