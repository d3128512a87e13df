"""`ClusterPipeline`: embed -> (optional dedup) -> reduce -> HDBSCAN -> (optional outlier reassignment) ->
keywords -> representative, every stage swappable; `cluster_by_group` runs it per category."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kpfnlp.cluster.keywords import ClassTfidfKeywords
from kpfnlp.cluster.postprocess import reassign_outliers, representatives
from kpfnlp.cluster.stages import HDBSCANClusterer, UMAPReducer, unit_rows


@dataclass
class ClusterResult:
    """Per-item cluster (-1 = noise), representative flag and duplicate group; keywords per cluster; timings."""

    labels: np.ndarray
    representative: np.ndarray
    duplicate_group: np.ndarray
    keywords: dict[int, list[str]]
    embeddings: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)

    def item_keywords(self, i: int) -> list[str]:
        """Keywords of item `i`'s cluster ([] for noise)."""
        return self.keywords.get(int(self.labels[i]), [])


class ClusterPipeline:
    """Headline clustering with BERTopic-style swappable stages and defaults for news headlines.

    `embedder` is required (the bundled encoder via `kpfnlp.cluster.default_embedder()`, or any `encode`);
    `deduplicator` (a `kpfnlp.dedup.Deduplicator`) folds duplicates before clustering, so a story copied by
    twenty outlets counts once for the density estimate and every copy inherits its canonical item's cluster.
    """

    def __init__(
        self,
        embedder: Any,
        reducer: Any | None = None,
        clusterer: Any | None = None,
        keyword_extractor: Any | None = None,
        deduplicator: Any | None = None,
        outlier_threshold: float | None = None,
    ) -> None:
        self.embedder = embedder
        self.reducer = reducer if reducer is not None else UMAPReducer()
        self.clusterer = clusterer if clusterer is not None else HDBSCANClusterer()
        self.keyword_extractor = keyword_extractor if keyword_extractor is not None else ClassTfidfKeywords()
        self.deduplicator = deduplicator
        self.outlier_threshold = outlier_threshold

    def fit(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> ClusterResult:
        """Cluster `texts` (embeddings are computed unless given)."""
        if isinstance(texts, str):  # a string would be read as one headline per character
            raise TypeError("ClusterPipeline.fit takes a list of texts, not one string")
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = round(now - clock, 3)
            clock = now

        texts = list(texts)
        x = unit_rows(self.embedder.encode(texts) if embeddings is None else embeddings)
        lap("embed")
        if self.deduplicator is not None:
            records = self.deduplicator.run(texts, embeddings=x)
            groups = np.array([r.group for r in records])
            heads = np.array([r.index for r in records if r.canonical])
        else:
            groups, heads = np.arange(len(texts)), np.arange(len(texts))
        lap("dedup")
        labels_heads = self.clusterer.fit_predict(self.reducer.fit_transform(x[heads])) if len(heads) else heads
        lap("reduce+cluster")
        if self.outlier_threshold is not None:
            labels_heads = reassign_outliers(x[heads], labels_heads, self.outlier_threshold)
        head_label = dict(zip(groups[heads].tolist(), labels_heads.tolist(), strict=True))
        labels = np.array([head_label[g] for g in groups.tolist()], dtype=int)
        rep = np.zeros(len(texts), dtype=bool)
        rep[heads[representatives(x[heads], labels_heads)]] = True
        lap("postprocess")
        keywords = self.keyword_extractor.extract(texts, labels) if len(texts) else {}
        lap("keywords")
        return ClusterResult(labels, rep, groups, keywords, x, timings)


def cluster_by_group(
    pipeline: ClusterPipeline, texts: Sequence[str], groups: Sequence[str], embeddings: np.ndarray | None = None
) -> ClusterResult:
    """Run `pipeline` separately on each group (e.g. section); cluster and duplicate ids are made global.

    The texts are embedded once, together, so every group lives in one space (one IDF for the TF-IDF stand-in,
    one map for the plot); only reduction, clustering and keywords run per group."""
    n = len(texts)
    x = unit_rows(pipeline.embedder.encode(list(texts)) if embeddings is None else embeddings)
    labels, dup = np.full(n, -1, dtype=int), np.zeros(n, dtype=int)
    rep = np.zeros(n, dtype=bool)
    keywords: dict[int, list[str]] = {}
    timings: dict[str, float] = {}
    next_cluster = next_group = 0
    for name in dict.fromkeys(groups):
        idx = np.array([i for i, g in enumerate(groups) if g == name])
        result = pipeline.fit([texts[i] for i in idx], embeddings=x[idx])
        shifted = np.where(result.labels >= 0, result.labels + next_cluster, -1)
        labels[idx], rep[idx], dup[idx] = shifted, result.representative, result.duplicate_group + next_group
        keywords.update({c + next_cluster: kw for c, kw in result.keywords.items()})
        next_cluster += int(result.labels.max(initial=-1)) + 1
        next_group += int(result.duplicate_group.max(initial=-1)) + 1
        for k, v in result.timings.items():
            timings[k] = round(timings.get(k, 0.0) + v, 3)
    return ClusterResult(labels, rep, dup, keywords, x, timings)
