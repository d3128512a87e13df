"""One entry point for every corpus format: `read_documents` detects the format and calls its reader."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from kpfnlp.corpus.aihub import read_aihub, read_dacon
from kpfnlp.corpus.document import Document, ReadReport
from kpfnlp.corpus.encoding import data_suffix, open_binary
from kpfnlp.corpus.plaintext import read_lines, read_paragraphs
from kpfnlp.corpus.tabular import read_csv, read_json_records, read_jsonl, read_xlsx
from kpfnlp.corpus.wiki import read_wiki

logger = logging.getLogger(__name__)

Reader = Callable[..., Iterator[Document]]
# Formats whose reader takes text/title/id column options.
TABULAR: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "json": read_json_records,
    "csv": read_csv,
    "tsv": partial(read_csv, delimiter="\t"),
    "xlsx": read_xlsx,
}
FORMATS: dict[str, Reader] = {
    **TABULAR,
    "wiki": read_wiki,
    "aihub": read_aihub,
    "dacon": read_dacon,
    "text": read_paragraphs,
    "lines": read_lines,
}
ALIASES = {"bigkinds": "xlsx", "excel": "xlsx", "wikiextractor": "wiki", "txt": "text", "ndjson": "jsonl"}
_BY_SUFFIX = {".xlsx": "xlsx", ".csv": "csv", ".tsv": "tsv", ".ko": "lines", ".nk": "lines"}
_SNIFF_BYTES = 1 << 16


def _head(path: str | Path) -> str:
    """The first 64 KiB of the (decompressed) file as text, for sniffing; undecodable bytes are replaced."""
    with open_binary(path) as stream:
        return stream.read(_SNIFF_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")


def detect_format(path: str | Path) -> str:
    """Name the format of `path` from its extension (through .xz/.gz/.bz2) and, if ambiguous, its first bytes.

    `.jsonl` holding `article_original` is Dacon; `.json` is AI-Hub when it has a `documents` list, else
    a JSON array (or JSON lines); `.txt` is a wikiextractor shard when it starts with `<doc `, else
    blank-line-separated text.
    """
    suffix = data_suffix(path)
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in (".jsonl", ".ndjson", ".json"):
        head = _head(path)
        first_line = head.split("\n", 1)[0]
        if '"article_original"' in first_line:
            return "dacon"
        if suffix == ".json" and head.startswith("{") and '"documents"' in head:
            return "aihub"
        if suffix != ".json" or head.startswith("{"):
            return "jsonl"
        return "json"
    if suffix in (".txt", ""):
        return "wiki" if _head(path).startswith("<doc ") else "text"
    raise ValueError(
        f"{path}: cannot tell the corpus format from the extension {suffix!r}; pass format= one of {sorted(FORMATS)}"
    )


def read_documents(
    path: str | Path,
    format: str | None = None,
    *,
    text_column: str | None = None,
    title_column: str | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
    report: ReadReport | None = None,
) -> Iterator[Document]:
    """Stream the Documents of one file in any supported format (detected unless given).

    Bad rows go to `report`; without one they are logged as a warning when the stream ends. The file and
    options are checked at call time; a missing text column raises `MissingColumnError` on the first read.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such corpus file: {path}")
    name = ALIASES.get(format, format) if format else detect_format(path)
    if name not in FORMATS:
        raise ValueError(f"unknown corpus format {format!r}; known: {sorted(FORMATS)} (aliases {sorted(ALIASES)})")
    options: dict[str, str | None] = {}
    columns = {"text_column": text_column, "title_column": title_column, "id_column": id_column}
    if name in TABULAR:
        options.update(columns)
    elif any(columns.values()):
        raise ValueError(f"column options apply to {sorted(TABULAR)} files, not to format {name!r}")
    if name != "xlsx":
        options["encoding"] = encoding
    return _read(FORMATS[name], path, options, report)


def _read(reader: Reader, path: Path, options: dict[str, str | None], report: ReadReport | None) -> Iterator[Document]:
    """Run `reader`, logging its bad rows when the caller gave no report to collect them."""
    own = report is None
    report = ReadReport() if report is None else report
    yield from reader(path, report, **options)
    if own and report.bad_rows:
        logger.warning("%s: %s", path, report.format())
