"""The project's own sample data: shape, size, and the hard cases it promises to contain."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kpfnlp.corpus import ReadReport, read_documents


def test_articles_sample(samples: Path) -> None:
    report = ReadReport()
    docs = list(read_documents(samples / "articles.jsonl", report=report))
    assert report.bad_rows == 0 and len(docs) == 8
    assert all({"media", "date", "category"} <= set(d.meta) for d in docs)
    assert all(d.title and d.id.startswith("sample-") for d in docs)
    body = "\n".join(d.text for d in docs)
    for marker in ("(서울=가상뉴스) 김민준 기자 =", "[속보]", "@", "▲", "3.5%", "U.S.", "무단 전재", '"'):
        assert marker in body, marker


def test_headlines_sample(samples: Path) -> None:
    docs = list(read_documents(samples / "headlines.csv"))
    assert len(docs) == 60
    assert len(Counter(d.meta["category"] for d in docs)) == 5
    titles = Counter(d.text for d in docs)
    assert sum(count - 1 for count in titles.values()) == 2  # two exact duplicates
    squeezed = Counter("".join(d.text.split()) for d in docs)
    assert sum(count - 1 for count in squeezed.values()) == 3  # plus one that differs only in spacing


def test_samples_are_small(samples: Path) -> None:
    assert sum(p.stat().st_size for p in samples.iterdir()) < 100_000
