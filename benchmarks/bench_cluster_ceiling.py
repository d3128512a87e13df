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
from kpfnlp.cluster.metrics import knn_agreement, purity
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
