"""Readers for plain text: documents separated by blank lines, or one document (sentence) per line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kpfnlp.corpus.document import Document, ReadReport
from kpfnlp.corpus.encoding import has_undecodable, open_text


def read_paragraphs(path: str | Path, report: ReadReport, *, encoding: str | None = None) -> Iterator[Document]:
    """Stream a text file whose documents are separated by blank lines; a document keeps its line breaks."""
    name = Path(path).name
    lines: list[str] = []
    start = 0
    with open_text(path, encoding) as stream:
        for lineno, raw in enumerate(stream, 1):
            line = raw.strip()
            if line:
                start = start if lines else lineno
                lines.append(line)
            elif lines:
                yield from _document(path, name, start, lines, report)
                lines = []
    if lines:
        yield from _document(path, name, start, lines, report)


def read_lines(path: str | Path, report: ReadReport, *, encoding: str | None = None) -> Iterator[Document]:
    """Stream a one-sentence-per-line file (`.ko`/`.nk` news sentences): each non-blank line is a Document."""
    name = Path(path).name
    with open_text(path, encoding) as stream:
        for lineno, raw in enumerate(stream, 1):
            line = raw.strip()
            if line:
                yield from _document(path, name, lineno, [line], report)


def _document(path: str | Path, name: str, start: int, lines: list[str], report: ReadReport) -> Iterator[Document]:
    """One Document from the lines starting at line `start`, or a bad row if they hold undecodable bytes."""
    text = "\n".join(lines)
    if has_undecodable(text):
        report.add(f"{path}:line {start}", "undecodable bytes")
        return
    yield Document(id=f"{name}:{start}", text=text, source=str(path))
