"""Labelled summarization examples from Dacon JSONL and AI-Hub 문서요약 JSON (via `kpfnlp.corpus`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kpfnlp.corpus import ReadReport, read_documents


@dataclass
class SummaryExample:
    """An article as its sentences, the gold extractive indices (ascending) and the abstractive summary."""

    id: str
    sentences: list[str]
    extractive: list[int] = field(default_factory=list)
    abstractive: str | None = None
    source: str = ""

    def labels(self) -> list[float]:
        """One 0/1 target per sentence: 1 for the extractive picks (the BCE targets of BertSumExt)."""
        picked = set(self.extractive)
        return [1.0 if i in picked else 0.0 for i in range(len(self.sentences))]


def _indices(value: object, n: int) -> list[int] | str:
    """Valid extractive indices, or the reason they are not."""
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        return f"extractive labels are not a list of integers: {value!r}"
    if any(not 0 <= i < n for i in value):
        return f"extractive index out of range for {n} sentences: {value!r}"
    return sorted(set(value))


def read_examples(
    path: str | Path, *, require_labels: bool = True, report: ReadReport | None = None
) -> Iterator[SummaryExample]:
    """Stream examples from a Dacon JSONL or AI-Hub JSON file; bad labels are reported, never silently used."""
    report = report if report is not None else ReadReport()
    for doc in read_documents(path, report=report):
        sentences = doc.meta.get("sentences")
        if sentences is None:
            raise ValueError(f"{path}: not a summarization file (Dacon JSONL or AI-Hub 문서요약 JSON)")
        abstractive = doc.meta.get("abstractive")
        if isinstance(abstractive, list):  # AI-Hub stores it as a one-item list
            abstractive = " ".join(map(str, abstractive))
        extractive: list[int] | str = []
        if "extractive" in doc.meta:
            extractive = _indices(doc.meta["extractive"], len(sentences))
        elif require_labels:
            extractive = "no extractive labels"
        if isinstance(extractive, str):
            report.add(f"{path}:{doc.id}", extractive)
            continue
        yield SummaryExample(doc.id, sentences, extractive, abstractive or None, str(path))


def load_examples(paths: Iterable[str | Path], exclude_ids: Iterable[str] = ()) -> list[SummaryExample]:
    """Examples of several files, dropping ids in `exclude_ids` (keeps the development set out of training)."""
    excluded = set(exclude_ids)
    return [ex for path in paths for ex in read_examples(path) if ex.id not in excluded]
