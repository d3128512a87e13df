"""Reader for wikiextractor output (`<doc id=".." url=".." title="..">` ... `</doc>`), plain or compressed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from kpfnlp.corpus.document import Document, ReadReport
from kpfnlp.corpus.encoding import has_undecodable, open_text

_ATTR = re.compile(r'(\w+)="([^"]*)"')


def read_wiki(path: str | Path, report: ReadReport, *, encoding: str | None = None) -> Iterator[Document]:
    """Stream the articles of a wikiextractor shard: paragraphs kept as lines, repeated title line dropped.

    Articles with no text besides the title, with undecodable bytes, or cut off before `</doc>` are reported.
    """
    attrs: dict[str, str] | None = None
    lines: list[str] = []
    start = 0
    with open_text(path, encoding) as stream:
        for lineno, raw in enumerate(stream, 1):
            line = raw.strip()
            if line.startswith("<doc ") and line.endswith(">"):
                if attrs is not None:
                    report.add(f"{path}:line {start}", "unterminated document: no </doc> before the next <doc>")
                attrs = {key: html.unescape(value) for key, value in _ATTR.findall(line)}
                lines, start = [], lineno
            elif line == "</doc>" and attrs is not None:
                yield from _finish(path, start, attrs, lines, report)
                attrs = None
            elif attrs is not None and line:
                lines.append(line)
    if attrs is not None:
        report.add(f"{path}:line {start}", "unterminated document: file ends before </doc>")


def _finish(
    path: str | Path, start: int, attrs: dict[str, str], lines: list[str], report: ReadReport
) -> Iterator[Document]:
    """Build one article's Document (or report why it is unusable)."""
    title = attrs.get("title") or None
    if lines and lines[0] == title:
        lines = lines[1:]
    where = f"{path}:line {start}"
    if not lines:
        report.add(where, "empty text: article has no paragraphs (redirect or stub)")
        return
    text = "\n".join(lines)
    if has_undecodable(text):
        report.add(where, "undecodable bytes")
        return
    doc_id = attrs.get("id") or f"{Path(path).name}:{start}"
    meta = {"url": attrs["url"]} if attrs.get("url") else {}
    yield Document(id=doc_id, text=text, title=title, source=str(path), meta=meta)
