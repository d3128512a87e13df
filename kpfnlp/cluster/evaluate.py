"""Clustering evaluation on the newstrust day (12,006 headlines, 11 sections) and YNAT dev (9,107, 7 topics):
our pipeline, the kpfSBERT_Clustering configuration and a TF-IDF pipeline, in one table."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kpfnlp.cluster.metrics import clustering_metrics
from kpfnlp.cluster.pipeline import ClusterPipeline, ClusterResult, cluster_by_group
from kpfnlp.cluster.stages import HDBSCANClusterer, NoReducer, TfidfSvdEmbedder, UMAPReducer

DATASETS = {"newstrust": "news/newstrust_20210601_titles.json", "ynat": "klue/ynat-v1.1_dev.tsv"}
_BRACKETS = re.compile(r"\[(.*?)\]")


def load_dataset(name: str, data_dir: Path) -> tuple[list[str], list[str]]:
    """Headlines and their reference labels (newstrust `category`, YNAT topic)."""
    if name not in DATASETS:
        raise ValueError(f"unknown clustering data set {name!r}; choose one of {sorted(DATASETS)}")
    path = data_dir / DATASETS[name]
    if name == "ynat":
        from kpfnlp.eval.data import read_ynat

        examples = read_ynat(path)
        return [e.text for e in examples], [str(e.label) for e in examples]
    records = json.loads(path.read_text(encoding="utf-8"))
    return [r["title"] for r in records], [r["category"] for r in records]


_PER_CATEGORY = "per category (purity vs category is 1 by construction)"


class _Precomputed:
    """An embedder that returns embeddings computed once for a fixed list of texts (shared across configs)."""

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self.row = {t: i for i, t in enumerate(texts)}
        self.vectors = vectors

    def encode(self, texts):
        return self.vectors[[self.row[t] for t in texts]]


def kpfsbert_clustering_config(embedder: Any) -> ClusterPipeline:
    """The original notebook's setting: raw embeddings (umap=False), HDBSCAN leaf, min_cluster_size 5,
    min_samples 10 (its min_samples=30 argument was ignored), allow_single_cluster, run per category."""
    return ClusterPipeline(embedder, NoReducer(), HDBSCANClusterer(5, 10, "leaf", allow_single_cluster=True))


def _row(name: str, result: ClusterResult, reference: list[str], seconds: float, note: str) -> dict[str, Any]:
    return {"config": name, **clustering_metrics(result.labels, reference), "seconds": round(seconds, 1), "note": note}


def evaluate_clustering(
    texts: list[str],
    reference: list[str],
    embed: Callable[[list[str]], np.ndarray],
    embedder_name: str,
    pipeline: ClusterPipeline | None = None,
    groups: list[str] | None = None,
    baselines: bool = True,
) -> list[dict[str, Any]]:
    """Rows for our pipeline (all headlines together, and per category when `groups` are given) and, with
    `baselines`, kpfSBERT_Clustering's config (per category when `groups` are given, bracketed tags removed as it
    did) and the TF-IDF pipeline."""
    start = time.perf_counter()
    vectors = embed(texts)
    embed_seconds = time.perf_counter() - start
    shared = _Precomputed(texts, vectors)
    ours = pipeline or ClusterPipeline(shared)
    ours.embedder = shared
    rows = []
    start = time.perf_counter()
    rows.append(
        _row(
            f"ours ({embedder_name})",
            ours.fit(texts),
            reference,
            embed_seconds + time.perf_counter() - start,
            "all headlines together",
        )
    )
    if groups:  # the original's own mode: each section alone; like for like with its row below
        start = time.perf_counter()
        by_group = cluster_by_group(ours, texts, groups, embeddings=vectors)
        rows.append(_row(f"ours ({embedder_name}), per category", by_group, reference,
                         time.perf_counter() - start, _PER_CATEGORY))  # fmt: skip
    if not baselines:
        return rows
    stripped = [_BRACKETS.sub("", t) for t in texts]
    original = kpfsbert_clustering_config(_Precomputed(stripped, embed(stripped)))
    start = time.perf_counter()
    result = cluster_by_group(original, stripped, groups) if groups else original.fit(stripped)
    where = _PER_CATEGORY if groups else "all headlines together"
    rows.append(
        _row(f"kpfSBERT_Clustering config ({embedder_name})", result, reference, time.perf_counter() - start, where)
    )
    start = time.perf_counter()
    tfidf = ClusterPipeline(TfidfSvdEmbedder(), UMAPReducer(), ours.clusterer, ours.keyword_extractor)
    rows.append(
        _row(
            "ours (TF-IDF+SVD embedder)",
            tfidf.fit(texts),
            reference,
            time.perf_counter() - start,
            "all headlines together",
        )
    )
    return rows


def render_rows(rows: list[dict[str, Any]], data_name: str) -> str:
    """Markdown table of evaluation rows."""
    lines = [
        f"| {data_name}: config | noise | clusters | purity | ARI | NMI | seconds | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {r['noise_fraction']:.1%} | {int(r['clusters'])} | {r['purity']:.3f} | "
            f"{r['ari']:.3f} | {r['nmi']:.3f} | {r['seconds']} | {r['note']} |"
        )
    return "\n".join(lines)
