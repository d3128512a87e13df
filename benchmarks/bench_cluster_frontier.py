"""Noise against purity for clustering all newstrust headlines together: a sweep over the pipeline's own knobs
(UMAP dimensions and neighbours, HDBSCAN min_cluster_size / min_samples / leaf-eom, duplicate folding, outlier
reassignment), the Pareto frontier, and whether any setting meets issue 5's bar (< 30% noise at purity >= 0.85).

The headlines are embedded once; each reduction is fitted once and shared by every HDBSCAN setting on it.

    python benchmarks/bench_cluster_frontier.py [--encoder DIR] [--data newstrust|ynat] [--out FILE.jsonl]
Without --encoder the bundled encoder is used.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np

from kpfnlp.cluster import HDBSCANClusterer, UMAPReducer, clustering_metrics
from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.cluster.postprocess import reassign_outliers
from kpfnlp.cluster.stages import unit_rows
from kpfnlp.dedup import DedupConfig, Deduplicator
from kpfnlp.paths import shared_data_dir

REDUCTIONS = [(5, 15), (10, 15), (5, 30), (5, 8)]  # (n_components, n_neighbors); (5, 15) is the default
MIN_CLUSTER_SIZES = (2, 3, 5, 8, 12)
MIN_SAMPLES = (1, 2, 3, 5)
METHODS = ("leaf", "eom")
OUTLIER_THRESHOLDS = (None, 0.95, 0.9, 0.85)
BAR_NOISE, BAR_PURITY = 0.30, 0.85


def pareto(rows: list[dict]) -> list[dict]:
    """Rows no other row beats on both noise (lower) and purity (higher), by increasing noise."""
    front, best = [], -1.0
    for r in sorted(rows, key=lambda r: (r["noise_fraction"], -r["purity"])):
        if r["purity"] > best:
            front.append(r)
            best = r["purity"]
    return front


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument("--data", default="newstrust", choices=("newstrust", "ynat"))
    parser.add_argument("--out", type=Path, default=None, help="also write every row here (JSON lines)")
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    from kpfnlp.encoder import SentenceEncoder

    texts, reference = load_dataset(args.data, data)
    encoder = SentenceEncoder.load(args.encoder)
    start = time.perf_counter()
    x = unit_rows(encoder.encode(texts))
    print(json.dumps({"embed_s": round(time.perf_counter() - start, 1), "items": len(texts)}))
    records = Deduplicator(DedupConfig(tiers=("exact", "lexical"))).run(texts)
    groups = np.array([r.group for r in records])
    canonical = np.array([r.index for r in records if r.canonical])
    rows: list[dict] = []
    for fold, (dims, neighbours) in itertools.product((False, True), REDUCTIONS):
        if fold and (dims, neighbours) != REDUCTIONS[0]:
            continue  # folding duplicates is measured on the default reduction only
        heads = canonical if fold else np.arange(len(texts))
        start = time.perf_counter()
        reduced = UMAPReducer(n_components=dims, n_neighbors=neighbours).fit_transform(x[heads])
        umap_s = round(time.perf_counter() - start, 1)
        for size, samples, method in itertools.product(MIN_CLUSTER_SIZES, MIN_SAMPLES, METHODS):
            head_labels = HDBSCANClusterer(size, samples, method).fit_predict(reduced)
            for threshold in OUTLIER_THRESHOLDS:
                labels_h = head_labels if threshold is None else reassign_outliers(x[heads], head_labels, threshold)
                if fold:
                    by_group = dict(zip(groups[heads].tolist(), labels_h.tolist(), strict=True))
                    labels = np.array([by_group[g] for g in groups.tolist()])
                else:
                    labels = labels_h
                metrics = clustering_metrics(labels, reference)
                rows.append({
                    "umap": f"{dims}-d, {neighbours} nn", "fold_duplicates": fold, "min_cluster_size": size,
                    "min_samples": samples, "method": method, "reassign": threshold, "umap_s": umap_s,
                    **{k: round(v, 4) for k, v in metrics.items() if k != "items"},
                })  # fmt: skip
        print(json.dumps({"reduction done": f"{dims}-d, {neighbours} nn", "fold": fold, "umap_s": umap_s}))
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    met = [r for r in rows if r["noise_fraction"] < BAR_NOISE and r["purity"] >= BAR_PURITY]
    under_bar_noise = [r for r in rows if r["noise_fraction"] < BAR_NOISE]
    print("| UMAP | fold dups | min size | min samples | method | reassign | noise | clusters | purity | NMI |")
    print("|---|---|---:|---:|---|---|---:|---:|---:|---:|")
    for r in pareto(rows):
        print(
            f"| {r['umap']} | {'yes' if r['fold_duplicates'] else 'no'} | {r['min_cluster_size']} | "
            f"{r['min_samples']} | {r['method']} | {r['reassign'] or '-'} | {r['noise_fraction']:.1%} | "
            f"{int(r['clusters'])} | {r['purity']:.3f} | {r['nmi']:.3f} |"
        )
    best = max(under_bar_noise, key=lambda r: r["purity"], default=None)
    print(json.dumps({"settings": len(rows), "meeting_the_bar": len(met), "best_purity_under_30pct_noise": best}))
    command = "python benchmarks/bench_cluster_frontier.py"
    print("command:", command + (f" --encoder {args.encoder}" if args.encoder else "") + f" --data {args.data}")


if __name__ == "__main__":
    main()
