"""Uploaded feeds: size, emptiness, encoding and column checks with Korean messages, then `read_feed` rows."""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from kpfnlp.batch import Columns, FeedRow, feed_format, json_records, read_feed
from kpfnlp.corpus import MissingColumnError
from kpfnlp.corpus.columns import TEXT_COLUMNS, TITLE_COLUMNS
from kpfnlp.corpus.encoding import detect_encoding, has_undecodable, open_text

UPLOAD_TYPES = ["csv", "tsv", "xlsx", "jsonl", "json"]
SECTION_COLUMNS = ("section", "섹션", "category", "카테고리", "분류", "통합 분류1")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "cp949": "CP949 (EUC-KR)", "utf-16": "UTF-16"}
ENCODING_HELP = "파일을 UTF-8 또는 CP949(EUC-KR)로 저장한 뒤 다시 올려 주세요."


class UploadError(ValueError):
    """An upload the dashboard cannot use; the message is Korean and meant for the user."""


def max_upload_bytes() -> int:
    """The largest accepted upload ($KPFNLP_MAX_UPLOAD_MB, default 50 MB)."""
    return int(float(os.environ.get("KPFNLP_MAX_UPLOAD_MB", "50")) * 1024 * 1024)


def max_rows() -> int:
    """The most rows one page works on interactively ($KPFNLP_MAX_ROWS, default 20,000)."""
    return int(os.environ.get("KPFNLP_MAX_ROWS", "20000"))


@dataclass(frozen=True)
class Upload:
    """An accepted file: its name, bytes, format, detected encoding (None for XLSX) and column names."""

    name: str
    data: bytes
    format: str
    encoding: str | None
    columns: list[str]

    @property
    def key(self) -> str:
        """A content hash (results computed from this file are stored under it)."""
        return hashlib.sha1(self.data).hexdigest()[:16]

    @property
    def encoding_name(self) -> str:
        """The encoding as users know it."""
        return "엑셀" if self.encoding is None else ENCODING_NAMES.get(self.encoding, self.encoding)


@dataclass(frozen=True)
class Feed:
    """The usable rows of an upload (text, second column, id) and the reasons the other rows were left out."""

    source: str
    texts: list[str]
    extras: list[str]
    ids: list[str]
    errors: list[str]


@contextmanager
def _on_disk(name: str, data: bytes) -> Iterator[Path]:
    """The bytes as a temporary file with the upload's extension (the readers work on paths)."""
    with tempfile.TemporaryDirectory(prefix="kpfnlp-upload-") as tmp:
        path = Path(tmp) / (Path(name).name or "upload")  # row ids fall back to `name:line N`
        path.write_bytes(data)
        yield path


def _header(path: Path, fmt: str, encoding: str | None) -> list[str]:
    """Column names: the first non-empty row (CSV/TSV/XLSX) or the keys of the first JSON objects."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                if any(v not in (None, "") for v in values):
                    return [str(v).strip() for v in values if v not in (None, "")]
            return []
        finally:
            workbook.close()
    if fmt in ("jsonl", "json"):
        keys: dict[str, None] = {}
        for _, record in islice(json_records(path, encoding), 200):
            if isinstance(record, dict):
                keys.update(dict.fromkeys(record))
        return list(keys)
    with open_text(path, encoding, newline="") as stream:
        return [c.strip() for c in next(csv.reader(stream, delimiter="\t" if fmt == "tsv" else ","), [])]


def inspect_upload(name: str, data: bytes) -> Upload:
    """Check an uploaded file and read its columns; raises `UploadError` with a Korean message."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise UploadError(
            f"파일이 너무 큽니다: {len(data) / 1e6:,.1f} MB (한도 {limit / 1e6:,.0f} MB). "
            "큰 파일은 `kpfnlp cluster`·`kpfnlp dedup` 같은 배치 명령으로 처리하세요."
        )
    if not data.strip():
        raise UploadError(f"빈 파일입니다: {name}")
    try:
        fmt = feed_format(name)
    except ValueError as err:
        raise UploadError(f"지원하지 않는 파일 형식입니다: {name} (CSV, TSV, XLSX, JSONL, JSON만 읽습니다)") from err
    with _on_disk(name, data) as path:
        encoding = None if fmt == "xlsx" else detect_encoding(path)
        try:
            columns = _header(path, fmt, encoding)
        except Exception as err:  # a corrupt workbook or binary data: openpyxl/zipfile/csv raise many kinds
            raise UploadError(f"파일을 열 수 없습니다: {name} ({type(err).__name__}). {ENCODING_HELP}") from err
    if any(has_undecodable(c) or "\x00" in c for c in columns):
        raise UploadError(f"파일의 인코딩을 알아볼 수 없습니다: {name}. {ENCODING_HELP}")
    if not columns:
        raise UploadError(f"열 이름(머리글)이 없습니다: {name}. 첫 행에 제목·본문 같은 열 이름을 넣어 주세요.")
    return Upload(name, data, fmt, encoding, columns)


def guess_column(columns: Sequence[str], *preferred: Sequence[str]) -> str | None:
    """The first column of `columns` found in the preferred name lists, in order."""
    return next((c for names in preferred for c in names if c in columns), None)


def guess_text(columns: Sequence[str], headlines: bool) -> str | None:
    """The usual text column: titles first for headline pages, bodies first for the summarizer."""
    order = (TITLE_COLUMNS, TEXT_COLUMNS) if headlines else (TEXT_COLUMNS, TITLE_COLUMNS)
    return guess_column(columns, *order)


def missing_text_message(upload: Upload) -> str:
    """The Korean notice for a file without any of the usual text columns."""
    usual = ", ".join((*TITLE_COLUMNS, *TEXT_COLUMNS))
    return (
        f"'{upload.name}'에 제목/본문 열({usual})이 없습니다. 파일의 열: {', '.join(upload.columns)}. "
        "아래에서 글이 든 열을 직접 고르세요."
    )


def read_upload(upload: Upload, text: str, extra: str | None = None, id_column: str | None = None) -> Feed:
    """The rows of `upload` with `text` as the text (and `extra` as title/section); raises `UploadError`."""
    with _on_disk(upload.name, upload.data) as path:
        try:
            rows: list[FeedRow] = list(
                read_feed(path, Columns(text=text, title=extra, id=id_column), encoding=upload.encoding)
            )
        except MissingColumnError as err:
            raise UploadError(
                f"'{upload.name}'에 '{err.wanted}' 열이 없습니다. 파일의 열: {', '.join(err.available)}"
            ) from err
    if not rows:
        raise UploadError(f"'{upload.name}'에 데이터 행이 없습니다 (머리글만 있습니다).")
    good = [r for r in rows if r.error is None]
    if not good:
        undecodable = all("undecodable" in (r.error or "") for r in rows)
        reason = f"인코딩을 알아볼 수 없습니다. {ENCODING_HELP}" if undecodable else f"'{text}' 열이 비어 있습니다."
        raise UploadError(f"'{upload.name}'에서 읽을 수 있는 행이 없습니다: {reason}")
    if len(good) > max_rows():
        raise UploadError(
            f"행이 너무 많습니다: {len(good):,}행 (대시보드 한도 {max_rows():,}행). "
            "배치 명령(`kpfnlp cluster` 등)을 쓰세요."
        )
    return Feed(
        source=f"{upload.key}:{text}:{extra}:{id_column}",
        texts=[r.text for r in good],
        extras=[(r.title or "") if extra else "" for r in good],
        ids=[r.id for r in good],
        errors=[f"{r.id}: {r.error}" for r in rows if r.error is not None],
    )
