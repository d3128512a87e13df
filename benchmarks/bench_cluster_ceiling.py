"""How far can cluster purity against the newstrust sections go? Two ceilings the labels and embeddings set,
independent of HDBSCAN's settings:

- duplicate groups (the tightest possible event clusters: exact, then exact + lexical MinHash tiers): their purity
  against the sections, and how often two copies of one headline carry the same section;
- k-nearest-neighbour section agreement of each embedder: the share of a headline's k nearest neighbours (cosine)
  filed under its section. A density clustering built on these neighbourhoods inherits their label mix.

    python benchmarks/bench_cluster_ceiling.py [--encoder DIR]
Without --encoder only the TF-IDF+SVD embedder is measured.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from kpfnlp.cluster import TfidfSvdEmbedder
from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.cluster.metrics import purity
from kpfnlp.cluster.stages import unit_rows
from kpfnlp.dedup import DedupConfig, Deduplicator
from kpfnlp.paths import shared_data_dir


def duplicate_ceiling(texts: list[str], sections: list[str], tiers: tuple[str, ...]) -> dict[str, float]:
    """Purity of the duplicate groups (size >= 2) and the same-section rate over pairs inside them."""
    groups: dict[int, list[int]] = defaultdict(list)
    for record in Deduplicator(DedupConfig(tiers=tiers)).run(texts):
        groups[record.group].append(record.index)
    multi = [m for m in groups.values() if len(m) > 1]
    labels = [g for g, members in enumerate(multi) for _ in members]
    refs = [sections[i] for members in multi for i in members]
    pairs = [(a, b) for members in multi for a, b in itertools.combinations(members, 2)]
    return {
        "groups": len(multi),
        "headlines": len(refs),
        "group_purity": round(purity(labels, refs), 3),
        "pair_same_section": round(float(np.mean([sections[a] == sections[b] for a, b in pairs])), 3),
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", type=Path, default=None)
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    texts, sections = load_dataset("newstrust", data)
    for tiers in (("exact",), ("exact", "lexical")):
        print(json.dumps({"duplicates": "+".join(tiers), **duplicate_ceiling(texts, sections, tiers)}))
    embedders = [("TF-IDF+SVD", TfidfSvdEmbedder())]
    if args.encoder:
        from kpfnlp.encoder import SentenceEncoder

        embedders.append((str(args.encoder), SentenceEncoder.load(args.encoder)))
    for name, embedder in embedders:
        start = time.perf_counter()
        vectors = embedder.encode(texts)
        seconds = round(time.perf_counter() - start, 1)
        print(json.dumps({"embedder": name, "embed_s": seconds, **knn_agreement(vectors, sections)}))
    command = "python benchmarks/bench_cluster_ceiling.py"
    print("command:", command + (f" --encoder {args.encoder}" if args.encoder else ""))


if __name__ == "__main__":
    main()
