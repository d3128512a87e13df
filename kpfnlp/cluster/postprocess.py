"""After clustering: a representative item per cluster (closest to the centroid) and outlier reassignment."""

from __future__ import annotations

import numpy as np

from kpfnlp.cluster.stages import unit_rows


def centroids(embeddings: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ids (noise excluded) and their unit-length mean embeddings."""
    ids = np.array(sorted(set(labels.tolist()) - {-1}), dtype=int)
    if not len(ids):
        return ids, np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    return ids, unit_rows(np.stack([embeddings[labels == c].mean(axis=0) for c in ids]))


def representatives(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Boolean mask: for each cluster, the one item with the highest cosine to the cluster centroid."""
    x = unit_rows(embeddings)
    mask = np.zeros(len(labels), dtype=bool)
    ids, cents = centroids(x, labels)
    for c, centre in zip(ids, cents, strict=True):
        members = np.flatnonzero(labels == c)
        mask[members[np.argmax(x[members] @ centre)]] = True
    return mask


def reassign_outliers(embeddings: np.ndarray, labels: np.ndarray, threshold: float) -> np.ndarray:
    """Noise items join the cluster whose centroid is most similar, when that cosine is >= `threshold`."""
    x = unit_rows(embeddings)
    labels = labels.copy()
    ids, cents = centroids(x, labels)
    noise = np.flatnonzero(labels == -1)
    if not len(ids) or not len(noise):
        return labels
    sims = x[noise] @ cents.T
    best = sims.argmax(axis=1)
    keep = sims[np.arange(len(noise)), best] >= threshold
    labels[noise[keep]] = ids[best[keep]]
    return labels
