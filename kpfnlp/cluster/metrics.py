"""Clustering quality against reference labels (sections, topics): noise, clusters, purity, ARI, NMI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from kpfnlp.cluster.stages import unit_rows


def purity(labels: Sequence[int], reference: Sequence[str]) -> float:
    """Share of clustered (non-noise) items whose reference label is their cluster's majority label."""
    by_cluster: dict[int, Counter] = {}
    for c, r in zip(labels, reference, strict=True):
        if c != -1:
            by_cluster.setdefault(int(c), Counter())[r] += 1
    clustered = sum(sum(cnt.values()) for cnt in by_cluster.values())
    return sum(cnt.most_common(1)[0][1] for cnt in by_cluster.values()) / clustered if clustered else 0.0


def clustering_metrics(labels: Sequence[int], reference: Sequence[str]) -> dict[str, float]:
    """noise fraction, number of clusters, purity; ARI and NMI over the clustered items (noise left out)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    y, ref = np.asarray(labels), np.asarray(reference)
    kept = y != -1
    return {
        "items": float(len(y)),
        "noise_fraction": float(1 - kept.mean()) if len(y) else 0.0,
        "clusters": float(len(set(y[kept].tolist()))),
        "purity": purity(y.tolist(), ref.tolist()),
        "ari": float(adjusted_rand_score(ref[kept], y[kept])) if kept.any() else 0.0,
        "nmi": float(normalized_mutual_info_score(ref[kept], y[kept])) if kept.any() else 0.0,
    }


def knn_agreement(vectors: np.ndarray, sections: list[str], ks: tuple[int, ...] = (1, 5, 10)) -> dict[str, float]:
    """Share of each headline's k nearest neighbours (cosine, itself excluded) that share its section."""
    v = unit_rows(vectors)
    ref = np.asarray(sections)
    hits = {k: 0 for k in ks}
    for start in range(0, len(v), 2048):  # blocks keep the similarity matrix small
        sims = v[start : start + 2048] @ v.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf
        nearest = np.argpartition(-sims, max(ks), axis=1)[:, : max(ks)]
        order = np.take_along_axis(sims, nearest, axis=1).argsort(axis=1)[:, ::-1]
        nearest = np.take_along_axis(nearest, order, axis=1)
        same = ref[nearest] == ref[start : start + 2048, None]
        for k in ks:
            hits[k] += int(same[:, :k].sum())
    return {f"{k}-NN same section": round(hits[k] / (len(v) * k), 3) for k in ks}
