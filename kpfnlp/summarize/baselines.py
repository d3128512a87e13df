"""Unsupervised extractive baselines: Lead-k, Lead-k after noise removal, TextRank, and the greedy oracle.

Every method maps an article's sentences to the chosen indices (ascending). `candidates` decides which
sentences may be picked: bylines, e-mails, captions, tags (`is_noise_sentence`) and, optionally, leading
subtitles (a short line before the body with no sentence-final punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from kpfnlp.summarize.oracle import greedy_oracle
from kpfnlp.text import is_noise_sentence

_FINAL = re.compile(r"[.!?。…\"'”’)\]]\s*$")
_CAPTION = re.compile(r"(?:모습|전경|장면|사진|모습이다)\.?\s*$|^\s*\[?사진")


def is_subtitle(sentence: str) -> bool:
    """A subtitle/deck line (`- 노, 계약 실패… 해외 진출 모색`): no sentence-final punctuation, under 60 chars."""
    text = sentence.strip()
    return (len(text) < 60 and not _FINAL.search(text)) or text.startswith(("- ", "-", "◇", "■", "□"))


def is_caption(sentence: str) -> bool:
    """A photo caption written as a sentence (`옥천군 다람쥐택시 이용 모습.`)."""
    return len(sentence) < 80 and bool(_CAPTION.search(sentence))


def candidates(sentences: Sequence[str], *, subtitles: bool = True) -> list[int]:
    """Indices that may be picked: not noise, not empty, and (with `subtitles`) not a subtitle or caption."""
    out = []
    for i, s in enumerate(sentences):
        if not s.strip() or is_noise_sentence(s):
            continue
        if subtitles and (is_subtitle(s) or is_caption(s)):
            continue
        out.append(i)
    return out


def lead(sentences: Sequence[str], k: int = 3) -> list[int]:
    """The first `k` sentences, as they are (bylines and subtitles included)."""
    return list(range(min(k, len(sentences))))


def lead_clean(sentences: Sequence[str], k: int = 3, *, subtitles: bool = False) -> list[int]:
    """The first `k` candidate sentences (noise removed; subtitles and captions too with `subtitles`)."""
    return candidates(sentences, subtitles=subtitles)[:k]


def pagerank(similarity: np.ndarray, damping: float = 0.85, tol: float = 1e-8, max_iter: int = 200) -> np.ndarray:
    """PageRank scores of a weighted undirected graph by power iteration (rows normalised; dangling -> uniform)."""
    n = similarity.shape[0]
    weights = similarity.copy()
    np.fill_diagonal(weights, 0.0)
    row_sums = weights.sum(axis=1, keepdims=True)
    transition = np.where(row_sums > 0, weights / np.where(row_sums > 0, row_sums, 1), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        updated = (1 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < tol:
            return updated
        scores = updated
    return scores


def textrank_scores(sentences: Sequence[str]) -> np.ndarray:
    """TextRank over TF-IDF character 2-4-gram cosine similarity between sentences."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(sentences) < 2:
        return np.ones(len(sentences))
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit_transform(sentences)
    return pagerank((vectors @ vectors.T).toarray())


def textrank(sentences: Sequence[str], k: int = 3) -> list[int]:
    """The `k` candidate sentences with the highest TextRank score."""
    pool = candidates(sentences)
    if not pool:
        return []
    scores = textrank_scores([sentences[i] for i in pool])
    top = np.argsort(-scores, kind="stable")[:k]
    return sorted(pool[i] for i in top)


def oracle(sentences: Sequence[str], reference: str, k: int = 3, tokenizer: str = "mecab") -> list[int]:
    """The upper bound: exactly `k` sentences chosen greedily by ROUGE against the abstractive `reference`."""
    return greedy_oracle(sentences, reference, k, tokenizer, stop_early=False)
