"""The three duplicate tiers as pair generators: exact (same dedup key), lexical (MinHash LSH over character
shingles, verified by exact Jaccard) and semantic (embedding cosine, faiss nearest neighbours)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from kpfnlp.dedup.normalize import jaccard

Pair = tuple[int, int, float]  # (i, j, similarity) with i < j


def exact_pairs(keys: Sequence[str]) -> Iterator[Pair]:
    """Each item with an equal, non-empty key links to the first item holding that key."""
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if not key:
            continue
        j = first.setdefault(key, i)
        if j != i:
            yield j, i, 1.0


def lexical_pairs(
    shingle_sets: Sequence[set[str]], threshold: float, num_perm: int = 64, skip: Sequence[bool] | None = None
) -> Iterator[Pair]:
    """Pairs with shingle Jaccard >= `threshold`: MinHash LSH candidates, each checked with the exact Jaccard.

    Items flagged in `skip` (already exact duplicates) are neither indexed nor queried.
    """
    from datasketch import MinHash, MinHashLSH

    active = [i for i, s in enumerate(shingle_sets) if s and not (skip and skip[i])]
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = MinHash.bulk(([s.encode("utf-8") for s in shingle_sets[i]] for i in active), num_perm=num_perm)
    with lsh.insertion_session() as session:
        for i, mh in zip(active, hashes, strict=True):
            session.insert(i, mh, check_duplication=False)
    for i, mh in zip(active, hashes, strict=True):
        for j in lsh.query(mh):
            if j > i:
                sim = jaccard(shingle_sets[i], shingle_sets[j])
                if sim >= threshold:
                    yield i, j, sim


def semantic_pairs(
    embeddings: np.ndarray,
    threshold: float,
    neighbours: int = 10,
    exact_limit: int = 20_000,
    batch_size: int = 4096,
    skip: Sequence[bool] | None = None,
) -> Iterator[Pair]:
    """Pairs with cosine >= `threshold` among each item's `neighbours` nearest (unit vectors expected).

    Exact inner-product search up to `exact_limit` items, HNSW (approximate) beyond; queries go in batches so
    memory stays bounded by `batch_size x neighbours`.
    """
    import faiss

    vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
    active = np.array([i for i in range(len(vectors)) if not (skip and skip[i])], dtype=np.int64)
    if len(active) < 2:
        return
    data = vectors[active]
    if len(active) <= exact_limit:
        index = faiss.IndexFlatIP(data.shape[1])
    else:
        index = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = max(64, 2 * neighbours)
    index.add(data)
    k = min(neighbours + 1, len(active))
    for start in range(0, len(active), batch_size):
        sims, idx = index.search(data[start : start + batch_size], k)
        for row, (row_sims, row_idx) in enumerate(zip(sims, idx, strict=True)):
            a = int(active[start + row])
            for sim, j in zip(row_sims, row_idx, strict=True):
                if j < 0 or sim < threshold:
                    continue
                b = int(active[j])
                if a != b:  # a pair found from both ends is yielded twice; union-find does not mind
                    yield min(a, b), max(a, b), float(sim)
