"""Swappable pipeline stages (BERTopic-style): embedders, reducers and clusterers, each with a small interface.

embedder: `encode(texts) -> (n, d)`; reducer: `fit_transform(x) -> (n, k)`; clusterer: `fit_predict(x) -> labels`
with -1 for noise.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class TfidfSvdEmbedder:
    """Character n-gram TF-IDF reduced with truncated SVD (LSA): a fast, model-free stand-in for the encoder."""

    def __init__(self, n_components: int = 128, max_ngram: int = 3, random_state: int = 0) -> None:
        self.n_components, self.max_ngram, self.random_state = n_components, max_ngram, random_state

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length LSA vectors, fitted on `texts` themselves.

        N-grams must occur in two texts; when none does (a tiny or odd feed) every n-gram is kept, and when there
        are too few texts or n-grams to reduce, the TF-IDF rows themselves are returned (zeros for no n-gram).
        """
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = list(texts)
        matrix = None
        for min_df in (2, 1):
            tfidf = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, self.max_ngram), sublinear_tf=True, min_df=min_df
            )
            try:
                matrix = tfidf.fit_transform(texts)
                break
            except ValueError:  # empty vocabulary (or min_df above the number of texts)
                continue
        if matrix is None:
            return np.zeros((len(texts), 1), dtype=np.float32)
        k = min(self.n_components, matrix.shape[1] - 1, len(texts) - 1)
        if k < 1:
            return unit_rows(matrix.toarray())
        return unit_rows(TruncatedSVD(k, random_state=self.random_state).fit_transform(matrix))


UMAP_ALL_PAIRS_BELOW = 4096  # umap-learn's own switch from all-pairs distances to NN-descent


@dataclass
class UMAPReducer:
    """UMAP with cosine metric. Seeded by default: the same feed gives the same clusters. A seed makes UMAP
    single-threaded, which cost 1.4x on this stage on 2 cores (docs/benchmarks.md); None runs it in parallel.

    From 4,096 rows UMAP finds neighbours by NN-descent, whose numba kernels cannot be cached and were compiled
    anew in every process (~20 s of each CLI run); up to `exact_knn_max` rows it gets exact cosine neighbours from
    faiss instead (below 4,096 it computes all pairs itself, as before).
    """

    n_components: int = 5
    n_neighbors: int = 15
    min_dist: float = 0.0
    random_state: int | None = 0
    exact_knn_max: int = 100_000

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        if len(x) < 3:  # UMAP's graph needs three points (it fails on two); nothing to reduce anyway
            return np.asarray(x)
        import umap  # after the check: a tiny feed should not pay numba's start-up

        from kpfnlp.cluster.neighbours import exact_cosine_knn

        _cache_umap_kernels()
        n_neighbors = max(2, min(self.n_neighbors, len(x) - 1))
        knn = (None, None, None)
        if UMAP_ALL_PAIRS_BELOW <= len(x) <= self.exact_knn_max:
            knn = exact_cosine_knn(x, n_neighbors)
        reducer = umap.UMAP(
            n_components=min(self.n_components, max(1, len(x) - 2)), n_neighbors=n_neighbors,
            min_dist=self.min_dist, metric="cosine", random_state=self.random_state,
            n_jobs=1 if self.random_state is not None else -1, precomputed_knn=knn,
        )  # fmt: skip
        with warnings.catch_warnings():  # no NNDescent index is kept: we never call `transform` on new rows
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
            return reducer.fit_transform(x)


@functools.cache
def _cache_umap_kernels() -> int:
    """Let numba keep UMAP's compiled kernels on disk (umap-learn leaves `cache=True` off), so a new process loads
    them instead of compiling them again (~7 s); returns how many kernels were switched. Where numba finds no
    writable cache location a kernel stays as it was."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    switched = 0
    for name, module in list(sys.modules.items()):
        if name != "umap" and not name.startswith("umap."):
            continue
        for obj in list(vars(module).values()):
            if isinstance(obj, Dispatcher) and isinstance(obj._cache, NullCache) and not obj.signatures:
                try:
                    obj.enable_caching()
                except RuntimeError:  # "cannot cache function ...: no locator available"
                    continue
                switched += 1
    return switched


@dataclass
class PCAReducer:
    """PCA: deterministic and fast; weaker than UMAP at separating dense clusters."""

    n_components: int = 10

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        from sklearn.decomposition import PCA

        return PCA(min(self.n_components, *x.shape), random_state=0).fit_transform(x)


class NoReducer:
    """Cluster the embeddings as they are (slow for HDBSCAN on hundreds of dimensions)."""

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x)


@dataclass
class HDBSCANClusterer:
    """HDBSCAN with the original's knobs; `min_samples` is honoured (kpfSBERT_Clustering hard-coded 10)."""

    min_cluster_size: int = 5
    min_samples: int | None = 2
    method: str = "leaf"  # leaf: many small, tight clusters (stories); eom: fewer, larger ones
    metric: str = "euclidean"
    allow_single_cluster: bool = False

    def fit_predict(self, x: np.ndarray) -> np.ndarray:
        import hdbscan

        if len(x) < max(2, self.min_cluster_size):
            return np.full(len(x), -1, dtype=int)
        model = hdbscan.HDBSCAN(
            min_cluster_size=self.min_cluster_size, min_samples=self.min_samples, metric=self.metric,
            cluster_selection_method=self.method, allow_single_cluster=self.allow_single_cluster,
        )  # fmt: skip
        return model.fit_predict(np.asarray(x, dtype=np.float64)).astype(int)
