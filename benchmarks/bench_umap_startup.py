"""What UMAP costs a fresh process, and what exact neighbours change in the clusters.

A CLI run (`kpfnlp cluster`, `kpfnlp eval clustering`) is a fresh process. umap-learn compiles its numba kernels
without on-disk caching, and its NN-descent neighbour search (pynndescent, used from 4,096 rows) compiles kernels
that cannot be cached, so every run paid the compilation again. Three ways of running the reducer, each in two
fresh processes sharing one empty numba cache directory (run 1 = first run on a machine, run 2 = every later run):

- `before`: NN-descent neighbours, UMAP's kernels compiled in every process (the pipeline up to session 24);
- `kernel-cache`: NN-descent neighbours, UMAP's kernels kept on disk;
- `exact`: exact cosine neighbours from faiss and UMAP's kernels kept on disk (the default since session 24).

Each process fits the default reducer and clusterer on the same embeddings (bundled encoder unless --encoder) and
reports seconds and noise / clusters / purity / NMI against the labels. With --seeds, the two neighbour searches are
also compared over several UMAP seeds in this process (warm), so a difference can be told from seed noise.

    python benchmarks/bench_umap_startup.py [--data newstrust|ynat] [--encoder DIR] [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MODES = ("before", "kernel-cache", "exact")


def child(mode: str, vectors: Path, labels: Path) -> None:
    """One fresh process: fit the default reducer and clusterer, print a JSON row."""
    start = time.perf_counter()
    from kpfnlp.cluster import HDBSCANClusterer, UMAPReducer, clustering_metrics, stages

    if mode == "before":
        stages._cache_umap_kernels = lambda: 0
    x = np.load(vectors)
    reference = json.loads(labels.read_text())
    imported = time.perf_counter()
    reduced = UMAPReducer(exact_knn_max=0 if mode != "exact" else 100_000).fit_transform(x)
    reduced_at = time.perf_counter()
    metrics = clustering_metrics(HDBSCANClusterer().fit_predict(reduced), reference)
    print(json.dumps({
        "mode": mode, "import_s": round(imported - start, 1), "umap_s": round(reduced_at - imported, 1),
        "total_s": round(time.perf_counter() - start, 1),
        **{k: metrics[k] for k in ("noise_fraction", "clusters", "purity", "nmi")},
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="newstrust", choices=("newstrust", "ynat"))
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument("--seeds", type=int, nargs="*", default=[], help="UMAP seeds for the warm comparison")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "VECTORS", "LABELS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    from kpfnlp.cluster.evaluate import load_dataset
    from kpfnlp.cluster.stages import unit_rows
    from kpfnlp.encoder import SentenceEncoder
    from kpfnlp.paths import shared_data_dir

    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    texts, reference = load_dataset(args.data, data)
    x = unit_rows(SentenceEncoder.load(args.encoder).encode(texts))
    print(f"{args.data}: {len(texts)} headlines embedded")
    with tempfile.TemporaryDirectory() as tmp:
        vectors, labels = Path(tmp, "x.npy"), Path(tmp, "labels.json")
        np.save(vectors, x)
        labels.write_text(json.dumps(list(reference)))
        for mode in MODES:
            env = dict(os.environ, NUMBA_CACHE_DIR=str(Path(tmp, f"numba-{mode}")))
            for run in (1, 2):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", mode, str(vectors), str(labels)],
                    env=env, capture_output=True, text=True, check=True,
                )  # fmt: skip
                row = json.loads(out.stdout.strip().splitlines()[-1])
                print(json.dumps({"run": run, **row}))
    from kpfnlp.cluster import HDBSCANClusterer, UMAPReducer, clustering_metrics

    for seed in args.seeds:
        for mode, exact_max in (("nn-descent", 0), ("exact", 100_000)):
            reduced = UMAPReducer(random_state=seed, exact_knn_max=exact_max).fit_transform(x)
            m = clustering_metrics(HDBSCANClusterer().fit_predict(reduced), reference)
            print(
                json.dumps(
                    {
                        "seed": seed,
                        "neighbours": mode,
                        **{k: m[k] for k in ("noise_fraction", "clusters", "purity", "nmi")},
                    }
                )
            )
    print(
        "command: python benchmarks/bench_umap_startup.py --data",
        args.data,
        *(["--seeds", *map(str, args.seeds)] if args.seeds else []),
    )


if __name__ == "__main__":
    main()
