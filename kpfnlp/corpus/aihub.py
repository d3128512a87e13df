"""Readers for the news summarization sets: AI-Hub 문서요약 JSON and its Dacon JSONL rendering.

The article sentences are joined with a space into `text` and kept as a list in `meta["sentences"]`, so
extractive labels (sentence indices) stay meaningful; labels go to `meta["extractive"]`/`meta["abstractive"]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kpfnlp.corpus.document import Document, ReadReport
from kpfnlp.corpus.encoding import open_text
from kpfnlp.corpus.tabular import iter_json_lines

_LABELS = ("extractive", "abstractive")
_AIHUB_META = {
    "category": "category",
    "media_name": "media",
    "publish_date": "date",
    "media_type": "media_type",
}


def _sentences_document(
    doc_id: str, sentences: list[str], title: str | None, path: str | Path, meta: dict[str, Any]
) -> Document:
    """A Document whose text is the non-empty `sentences` joined with a space; the full list goes to meta.

    Empty sentences stay in the list so that extractive labels (positions in it) still point at the right one.
    """
    meta["sentences"] = sentences
    return Document(id=doc_id, text=" ".join(s for s in sentences if s), title=title, source=str(path), meta=meta)


def read_dacon(path: str | Path, report: ReadReport, *, encoding: str | None = None) -> Iterator[Document]:
    """Stream Dacon JSONL (`{media, id, article_original: [sentences], abstractive, extractive}`)."""
    name = Path(path).name
    for where, lineno, record in iter_json_lines(path, report, encoding):
        sentences = record.get("article_original")
        if not isinstance(sentences, list):
            report.add(where, "missing column: 'article_original' (a list of sentences)")
            continue
        sentences = [str(s).strip() for s in sentences]
        if not any(sentences):
            report.add(where, "empty text: 'article_original' has no sentences")
            continue
        meta = {key: record[key] for key in ("media", *_LABELS) if key in record}
        doc_id = str(record.get("id") or f"{name}:{lineno}")
        yield _sentences_document(doc_id, sentences, None, path, meta)


def aihub_sentences(document: dict[str, Any]) -> list[str]:
    """The sentences of one AI-Hub document in `index` order (`text` is paragraphs of `{index, sentence}`);
    raises KeyError / TypeError when `text` is not shaped so."""
    items = sorted((s for paragraph in document["text"] for s in paragraph), key=lambda s: s["index"])
    return [str(item["sentence"]).strip() for item in items]


def read_aihub(path: str | Path, report: ReadReport, *, encoding: str | None = None) -> Iterator[Document]:
    """Read an AI-Hub 문서요약 JSON file (`{documents: [{id, title, text: [[{index, sentence}]], ...}]}`).

    The file is one JSON object, so it is parsed whole (the official files are split by category, at most
    a few hundred MB); documents are then yielded one at a time.
    """
    with open_text(path, encoding) as stream:
        data = json.load(stream)
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise ValueError(f"{path}: not AI-Hub 문서요약 JSON: expected an object with a 'documents' list")
    for position, record in enumerate(documents):
        where = f"{path}:documents[{position}]"
        try:
            sentences = aihub_sentences(record)
        except (KeyError, TypeError) as exc:
            report.add(where, f"missing column: {exc} in 'text' (paragraphs of {{index, sentence}})")
            continue
        if not any(sentences):
            report.add(where, "empty text: document has no sentences")
            continue
        meta = {new: record[old] for old, new in _AIHUB_META.items() if record.get(old)}
        meta.update({key: record[key] for key in _LABELS if key in record})
        doc_id = str(record.get("id") or f"{Path(path).name}:{position}")
        yield _sentences_document(doc_id, sentences, record.get("title") or None, path, meta)
