"""End-to-end clustering of the 12,006 newstrust headlines: per-stage timings (UMAP cold = first fit in the
process, including numba compilation; warm = a second fit), quality against the sections.

    python benchmarks/bench_cluster.py [--encoder DIR] [--random-state -1] [--warm]
Without --encoder the TF-IDF+SVD stand-in embedder is used.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from kpfnlp.cluster import ClusterPipeline, TfidfSvdEmbedder, UMAPReducer, clustering_metrics
from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.dedup import DedupConfig, Deduplicator
from kpfnlp.paths import shared_data_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument("--random-state", type=int, default=0, help="UMAP seed (the default); -1: unseeded")
    parser.add_argument("--warm", action="store_true", help="Run the pipeline twice; report both runs.")
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    start = time.perf_counter()
    import umap  # noqa: F401  (import cost reported separately)

    import_seconds = time.perf_counter() - start
    texts, sections = load_dataset("newstrust", data)
    if args.encoder:
        from kpfnlp.encoder import SentenceEncoder

        embedder, name = SentenceEncoder.load(args.encoder), str(args.encoder)
    else:
        embedder, name = TfidfSvdEmbedder(), "TF-IDF+SVD stand-in"
    pipeline = ClusterPipeline(
        embedder, UMAPReducer(random_state=None if args.random_state < 0 else args.random_state),
        deduplicator=Deduplicator(DedupConfig(tiers=("exact", "lexical"))),
    )  # fmt: skip
    for run in ("cold", "warm") if args.warm else ("cold",):
        start = time.perf_counter()
        result = pipeline.fit(texts)
        total = time.perf_counter() - start
        metrics = {k: round(v, 3) for k, v in clustering_metrics(result.labels, sections).items()}
        print(json.dumps({
            "run": run, "embedder": name, "random_state": args.random_state, "umap_import_s": round(import_seconds, 1),
            "total_s": round(total, 1), "timings": result.timings, **metrics,
            "example": {int(c): kw for c, kw in list(result.keywords.items())[:3]},
        }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
