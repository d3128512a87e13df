"""Does adding lexical evidence to the encoder's vectors make purer clusters of the newstrust day?

Headlines about one story share names and numbers, which character n-grams see directly. The hybrid vector is
[sqrt(w) * encoder, sqrt(1 - w) * LSA] (both unit length, so its cosine is w * encoder cosine + (1 - w) * LSA
cosine), with LSA = `TfidfSvdEmbedder(n_components)` fitted on the day itself. Printed: k-NN section agreement
(as `bench_cluster_ceiling.py`) for the encoder, LSA and hybrids, then noise / clusters / purity of the default
pipeline's UMAP + an HDBSCAN grid on the encoder and the best hybrid, and the purest setting under 30% noise.

    python benchmarks/bench_cluster_hybrid.py [--encoder DIR] [--dims 128 384 768] [--weights 0.7 0.5]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np

from kpfnlp.cluster import HDBSCANClusterer, TfidfSvdEmbedder, UMAPReducer, clustering_metrics
from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.cluster.metrics import knn_agreement
from kpfnlp.encoder import SentenceEncoder
from kpfnlp.paths import shared_data_dir

GRID = list(itertools.product((3, 5, 8), (1, 2, 3, 5, 8), ("leaf", "eom")))  # min size, min samples, method


def hybrid(encoded: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """Concatenate two unit-length embeddings so that the cosine is their `weight`-ed mix."""
    return np.hstack([np.sqrt(weight) * encoded, np.sqrt(1.0 - weight) * lexical]).astype(np.float32)


def sweep(name: str, vectors: np.ndarray, sections: list[str]) -> list[dict]:
    """The default UMAP reduction once, then every HDBSCAN setting of GRID on it."""
    reduced = UMAPReducer().fit_transform(vectors)
    rows = []
    for size, samples, method in GRID:
        metrics = clustering_metrics(HDBSCANClusterer(size, samples, method).fit_predict(reduced), sections)
        rows.append({"embedding": name, "min_size": size, "min_samples": samples, "method": method,
                     "noise": round(metrics["noise_fraction"], 3), "clusters": int(metrics["clusters"]),
                     "purity": round(metrics["purity"], 3)})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", type=Path, default=None, help="default: the bundled encoder")
    parser.add_argument("--dims", type=int, nargs="+", default=[128, 384, 768])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.7, 0.5])
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    texts, sections = load_dataset("newstrust", data)
    encoded = SentenceEncoder.load(args.encoder).encode(texts, batch_size=128)
    print(json.dumps({"embedding": "encoder", **knn_agreement(encoded, sections)}))
    best: tuple[float, str, np.ndarray] | None = None
    for dims in args.dims:
        start = time.perf_counter()
        lexical = TfidfSvdEmbedder(n_components=dims).encode(texts)
        seconds = round(time.perf_counter() - start, 1)
        print(json.dumps({"embedding": f"LSA {dims}", "seconds": seconds, **knn_agreement(lexical, sections)}))
        for weight in args.weights:
            name = f"hybrid w={weight} LSA {dims}"
            vectors = hybrid(encoded, lexical, weight)
            agreement = knn_agreement(vectors, sections)
            print(json.dumps({"embedding": name, **agreement}))
            if best is None or agreement["1-NN same section"] > best[0]:
                best = (agreement["1-NN same section"], name, vectors)
    rows = sweep("encoder", encoded, sections) + sweep(best[1], best[2], sections)
    for name in ("encoder", best[1]):
        own = [r for r in rows if r["embedding"] == name]
        default = next(r for r in own if (r["min_size"], r["min_samples"], r["method"]) == (5, 2, "leaf"))
        under = [r for r in own if r["noise"] < 0.30]
        purest = max(under, key=lambda r: r["purity"]) if under else None
        print(json.dumps({"embedding": name, "default (leaf 5/2)": default, "purest under 30% noise": purest}))
    print("command: python benchmarks/bench_cluster_hybrid.py " + " ".join(
        [f"--encoder {args.encoder}"] * bool(args.encoder)
        + ["--dims", *map(str, args.dims), "--weights", *map(str, args.weights)]))  # fmt: skip


if __name__ == "__main__":
    main()
