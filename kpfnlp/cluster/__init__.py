"""Headline clustering: swappable stages, c-TF-IDF keywords over Kiwi nouns, per-group runs, maps, metrics."""

from kpfnlp.cluster.keywords import ClassTfidfKeywords, KiwiNounTokenizer, class_tfidf
from kpfnlp.cluster.metrics import clustering_metrics, purity
from kpfnlp.cluster.pipeline import ClusterPipeline, ClusterResult, cluster_by_group
from kpfnlp.cluster.postprocess import reassign_outliers, representatives
from kpfnlp.cluster.stages import HDBSCANClusterer, NoReducer, PCAReducer, TfidfSvdEmbedder, UMAPReducer


def default_embedder(path: str | None = None):
    """The bundled sentence encoder (or the one at `path`)."""
    from kpfnlp.encoder import SentenceEncoder

    return SentenceEncoder.load(path)


__all__ = [
    "ClassTfidfKeywords",
    "ClusterPipeline",
    "ClusterResult",
    "HDBSCANClusterer",
    "KiwiNounTokenizer",
    "NoReducer",
    "PCAReducer",
    "TfidfSvdEmbedder",
    "UMAPReducer",
    "class_tfidf",
    "cluster_by_group",
    "clustering_metrics",
    "default_embedder",
    "purity",
    "reassign_outliers",
    "representatives",
]
