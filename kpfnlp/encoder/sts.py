"""STS evaluation: cosine Spearman / Pearson (and KLUE's F1 at 3.0) for any embedder, plus the two baselines.

An embedder is anything with `encode(texts) -> (n, d) array`; `TfidfCharEmbedder` is the lexical baseline and
`SentenceEncoder.from_backbone(dir)` (no fine-tuning) the mean-pooling baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from kpfnlp.encoder.data import STSPair
from kpfnlp.eval.metrics import STS_THRESHOLD, pearson, spearman, sts_f1

PRIMARY_METRIC = "spearman"


class Embedder(Protocol):
    """Anything that turns texts into vectors, one row per text."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class TfidfCharEmbedder:
    """TF-IDF over character 1..n-grams (within word boundaries), L2-normalised; fitted on the texts it encodes
    unless `fit` was called first. Uses no labels, so fitting on evaluation sentences is fair."""

    def __init__(self, max_ngram: int = 3) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, max_ngram), sublinear_tf=True)
        self.fitted = False

    def fit(self, texts: Sequence[str]) -> TfidfCharEmbedder:
        """Learn the vocabulary and IDF from `texts`."""
        self.vectorizer.fit(list(texts))
        self.fitted = True
        return self

    def encode(self, texts: Sequence[str]):
        """Sparse L2-normalised rows (dot product = cosine)."""
        if not self.fitted:
            self.fit(texts)
        return self.vectorizer.transform(list(texts))


def pair_cosines(embedder: Embedder, pairs: Sequence[STSPair]) -> np.ndarray:
    """Cosine similarity of each pair's two sentences (texts encoded once, as one batch)."""
    texts = list(dict.fromkeys([p.sentence1 for p in pairs] + [p.sentence2 for p in pairs]))
    vectors = embedder.encode(texts)
    dense = np.asarray(vectors.todense() if hasattr(vectors, "todense") else vectors, dtype=np.float64)
    dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)
    row = {t: i for i, t in enumerate(texts)}
    a = dense[[row[p.sentence1] for p in pairs]]
    b = dense[[row[p.sentence2] for p in pairs]]
    return (a * b).sum(axis=1)


def sts_metrics(cosines: Sequence[float], gold: Sequence[float]) -> dict[str, float]:
    """Spearman and Pearson of cosine vs gold (percent); F1 with the prediction 5 * cosine and gold cut at 3.0."""
    predicted = 5.0 * np.clip(np.asarray(cosines, dtype=float), 0.0, 1.0)
    return {
        "spearman": spearman(list(cosines), list(gold)),
        "pearson": pearson(list(cosines), list(gold)),
        "f1": sts_f1(predicted.tolist(), list(gold), STS_THRESHOLD),
    }


def evaluate_sts(embedder: Embedder, pairs: Sequence[STSPair]) -> dict[str, float]:
    """STS metrics of `embedder` on `pairs`; `primary` repeats the primary metric (cosine Spearman)."""
    scores = sts_metrics(pair_cosines(embedder, pairs), [p.score for p in pairs])
    return {**scores, "primary": scores[PRIMARY_METRIC], "pairs": float(len(pairs))}
