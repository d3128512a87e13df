"""Feed deduplication in three tiers (exact, lexical MinHash LSH, semantic faiss) with union-find groups."""

from kpfnlp.dedup.calibrate import calibrate_threshold, load_calibration
from kpfnlp.dedup.normalize import dedup_key, jaccard, shingles
from kpfnlp.dedup.pipeline import TIERS, DedupConfig, Deduplicator, DedupRecord
from kpfnlp.dedup.unionfind import UnionFind

__all__ = [
    "TIERS",
    "DedupConfig",
    "DedupRecord",
    "Deduplicator",
    "UnionFind",
    "calibrate_threshold",
    "dedup_key",
    "jaccard",
    "load_calibration",
    "shingles",
]
