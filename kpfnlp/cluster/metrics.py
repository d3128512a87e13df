"""Clustering quality against reference labels (sections, topics): noise, clusters, purity, ARI, NMI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


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
