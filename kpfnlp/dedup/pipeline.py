"""`Deduplicator`: exact -> lexical -> semantic tiers, union-find grouping, one canonical item per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kpfnlp.dedup.normalize import dedup_key, jaccard, shingles
from kpfnlp.dedup.tiers import exact_pairs, lexical_pairs, semantic_pairs
from kpfnlp.dedup.unionfind import UnionFind

TIERS = ("exact", "lexical", "semantic")


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors (the sentence encoder, a test double)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class DedupConfig:
    """Which tiers run and their thresholds (see `kpfnlp/dedup/calibration.json` for how they were chosen)."""

    tiers: tuple[str, ...] = TIERS
    shingle_size: int = 2
    lexical_threshold: float = 0.7  # character-bigram Jaccard; see calibration.json (lexical curve)
    num_perm: int = 64
    semantic_threshold: float = 0.9  # cosine; the CLI and dashboard use the encoder's own calibration instead
    neighbours: int = 10
    canonical: str = "first"  # first: earliest item in the feed; longest: most characters

    def __post_init__(self) -> None:
        unknown = set(self.tiers) - set(TIERS)
        if unknown or not self.tiers:
            raise ValueError(f"unknown dedup tiers {sorted(unknown)}; choose from {TIERS}")
        if self.canonical not in ("first", "longest"):
            raise ValueError(f"canonical must be 'first' or 'longest', not {self.canonical!r}")


@dataclass(frozen=True)
class DedupRecord:
    """One input item: its group, whether it is the group's canonical item, and how it matches the canonical.

    `tier` is '' for canonical items (and singletons); `similarity` is to the canonical item (1.0 for itself).
    """

    index: int
    id: str
    group: int
    canonical: bool
    similarity: float
    tier: str


class Deduplicator:
    """Groups duplicates in a feed; semantic tier only with an `embedder` (or embeddings passed to `run`)."""

    def __init__(self, config: DedupConfig | None = None, embedder: Embedder | None = None) -> None:
        self.config = config or DedupConfig()
        self.embedder = embedder

    def run(
        self, texts: Sequence[str], ids: Sequence[str] | None = None, embeddings: np.ndarray | None = None
    ) -> list[DedupRecord]:
        """One record per text, in input order. Empty texts are never grouped with anything."""
        if isinstance(texts, str):  # a string would be read as one text per character
            raise TypeError("Deduplicator.run takes a list of texts, not one string")
        cfg = self.config
        ids = [str(i) for i in range(len(texts))] if ids is None else [str(i) for i in ids]
        if len(ids) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
        keys = [dedup_key(t) for t in texts]
        uf = UnionFind(len(texts))
        best: dict[int, tuple[int, float]] = {}  # item -> (tier rank, similarity) of its strongest link

        def link(pairs, rank: int) -> None:
            for i, j, sim in pairs:
                uf.union(i, j)
                for k in (i, j):
                    if best.get(k, (99, 0.0)) > (rank, -sim):
                        best[k] = (rank, -sim)

        origin = list(range(len(texts)))  # an exact duplicate's first copy; it inherits that copy's links
        if "exact" in cfg.tiers:
            for i, j, _ in exact_pairs(keys):
                uf.union(i, j)
                origin[j] = i
        exact_dup = [origin[i] != i for i in range(len(texts))]
        shingle_sets = [shingles(k, cfg.shingle_size) for k in keys]
        if "lexical" in cfg.tiers:
            link(lexical_pairs(shingle_sets, cfg.lexical_threshold, cfg.num_perm, skip=exact_dup), 1)
        if "semantic" in cfg.tiers and (embeddings is not None or self.embedder is not None):
            if embeddings is None:
                embeddings = self.embedder.encode(list(texts))  # type: ignore[union-attr]
            skip = [d or not k for d, k in zip(exact_dup, keys, strict=True)]
            link(semantic_pairs(embeddings, cfg.semantic_threshold, cfg.neighbours, skip=skip), 2)
        records: list[DedupRecord | None] = [None] * len(texts)
        for group_id, members in enumerate(uf.groups()):
            head = members[0] if cfg.canonical == "first" else max(members, key=lambda m: (len(texts[m]), -m))
            for m in members:
                tier, sim = self._relation(m, head, keys, shingle_sets, embeddings, best.get(origin[m], (0, -1.0)))
                records[m] = DedupRecord(m, ids[m], group_id, m == head, sim, tier)
        return records  # type: ignore[return-value]

    def _relation(self, m, head, keys, shingle_sets, embeddings, link) -> tuple[str, float]:
        """Tier and similarity of item `m` to its canonical item `head`; else those of `m`'s strongest link."""
        cfg = self.config
        if m == head:
            return "", 1.0
        if keys[m] and keys[m] == keys[head]:
            return "exact", 1.0
        lex = jaccard(shingle_sets[m], shingle_sets[head])
        if "lexical" in cfg.tiers and lex >= cfg.lexical_threshold:
            return "lexical", round(lex, 4)
        if embeddings is not None:
            cos = float(np.dot(embeddings[m], embeddings[head]))
            if cos >= cfg.semantic_threshold:
                return "semantic", round(cos, 4)
        rank, neg_sim = link
        return TIERS[rank], round(-neg_sim, 4)
