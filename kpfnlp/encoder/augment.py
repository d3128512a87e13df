"""AugSBERT silver data (Thakur et al., NAACL 2021): the sentences of the STS training files paired with their
nearest neighbours under a bi-encoder (pairs worth scoring: mostly similar, unlike random pairs) plus some random
pairs (the low end of the scale), scored by the cross-encoder and written as a KorSTS-layout TSV that the encoder
recipe's `silver_files` adds to its STS stage."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kpfnlp.encoder.data import KORSTS_COLUMNS, STSPair

SILVER_GENRE = "silver"


def mine_pairs(
    embeddings: np.ndarray,
    neighbours: int,
    random_pairs: int,
    seed: int,
    exclude: set[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """Index pairs (i < j): each item with its `neighbours` nearest others (inner product of unit vectors, exact
    faiss search), then `random_pairs` seeded random ones; pairs in `exclude` (the gold pairs) are left out."""
    import faiss

    exclude = exclude or set()
    vectors = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(vectors)
    pairs: set[tuple[int, int]] = set()
    if n >= 2 and neighbours > 0:
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        _, idx = index.search(vectors, min(neighbours + 1, n))
        for i, row in enumerate(idx):
            for j in row:
                pair = (min(i, int(j)), max(i, int(j)))
                if j >= 0 and j != i and pair not in exclude:
                    pairs.add(pair)
    possible = n * (n - 1) // 2 - len(pairs) - len(exclude)
    rng, wanted = random.Random(seed), min(random_pairs, max(possible, 0))
    while wanted > 0:
        i, j = rng.randrange(n), rng.randrange(n)
        pair = (min(i, j), max(i, j))
        if i != j and pair not in pairs and pair not in exclude:
            pairs.add(pair)
            wanted -= 1
    return sorted(pairs)


def silver_pairs(
    gold: Sequence[STSPair],
    embedder,
    cross_encoder,
    neighbours: int = 3,
    random_pairs: int = 5_000,
    max_pairs: int | None = None,
    seed: int = 42,
) -> list[STSPair]:
    """Silver STS pairs over the distinct sentences of `gold`, none of them a gold pair, scored 0-5 by
    `cross_encoder` (`kpfnlp.encoder.cross`); `max_pairs` keeps a seeded sample."""
    from kpfnlp.encoder.cross import score_pairs

    sentences = list(dict.fromkeys([p.sentence1 for p in gold] + [p.sentence2 for p in gold]))
    row = {s: i for i, s in enumerate(sentences)}
    exclude = {(min(row[p.sentence1], row[p.sentence2]), max(row[p.sentence1], row[p.sentence2])) for p in gold}
    pairs = mine_pairs(embedder.encode(sentences), neighbours, random_pairs, seed, exclude)
    if max_pairs is not None and len(pairs) > max_pairs:
        pairs = sorted(random.Random(seed).sample(pairs, max_pairs))
    texts = [(sentences[i], sentences[j]) for i, j in pairs]
    scores = score_pairs(cross_encoder, texts)
    return [STSPair(a, b, round(float(s), 3), SILVER_GENRE) for (a, b), s in zip(texts, scores, strict=True)]


def write_sts_tsv(pairs: Sequence[STSPair], path: str | Path) -> Path:
    """Pairs in the KorSTS TSV layout (`kpfnlp.encoder.data.read_korsts` reads it back); tabs and newlines inside
    a sentence become spaces."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("\t".join(KORSTS_COLUMNS) + "\n")
        for n, p in enumerate(pairs):
            s1, s2 = (" ".join(s.split()) for s in (p.sentence1, p.sentence2))
            f.write("\t".join([p.genre or SILVER_GENRE, "augsbert", "", str(n), f"{p.score:g}", s1, s2]) + "\n")
    return path
