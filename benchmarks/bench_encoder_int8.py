"""The sentence encoder in fp32 against int8 dynamic quantization (`SentenceEncoder.load(..., int8=True)`, the
`--int8` flag of `embed`, `dedup`, `cluster` and `eval`): embedding speed, STS, dedup calibration, clustering.

Speed is measured as a ratio in one run, the two models alternating over the newstrust headlines.

    python benchmarks/bench_encoder_int8.py [--encoder DIR] [--repeats 2]
Without --encoder the bundled encoder is used.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from kpfnlp.cluster import HDBSCANClusterer, UMAPReducer, clustering_metrics
from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.dedup.calibrate import (
    CALIBRATION_SET,
    DUPLICATE_SCORE,
    _pairs,
    calibrate_threshold,
    encoder_semantic_threshold,
    precision_recall,
)
from kpfnlp.encoder import BUNDLED_ENCODER, SentenceEncoder
from kpfnlp.encoder.data import read_sts
from kpfnlp.encoder.sts import evaluate_sts, pair_cosines
from kpfnlp.paths import shared_data_dir

STS_SETS = {
    "KorSTS dev": "kornlu/KorSTS/sts-dev.tsv",
    "KorSTS test": "kornlu/KorSTS/sts-test.tsv",
    "KLUE-STS dev": "klue/klue-sts-v1.1_dev.json",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    models = {"fp32": SentenceEncoder.load(args.encoder), "int8": SentenceEncoder.load(args.encoder, int8=True)}
    texts, sections = load_dataset("newstrust", data)
    kept = [i for i, t in enumerate(texts) if t.strip()]
    texts, sections = [texts[i] for i in kept], [sections[i] for i in kept]

    seconds: dict[str, list[float]] = {name: [] for name in models}
    vectors = {}
    for _ in range(args.repeats):
        for name, model in models.items():
            start = time.perf_counter()
            vectors[name] = model.encode(texts)
            seconds[name].append(time.perf_counter() - start)
    agreement = (vectors["fp32"] * vectors["int8"]).sum(axis=1)
    print(f"embedding {len(texts)} newstrust headlines, seconds per pass: " + json.dumps(seconds))
    print(f"speed-up (best pass against best pass): {min(seconds['fp32']) / min(seconds['int8']):.2f}x")
    print(f"cosine(fp32, int8) of a headline's two vectors: mean {agreement.mean():.5f}, min {agreement.min():.5f}")

    for set_name, path in STS_SETS.items():
        pairs = read_sts(data / path)
        scores = {name: evaluate_sts(model, pairs)["spearman"] for name, model in models.items()}
        print(f"{set_name} Spearman: fp32 {scores['fp32']:.2f}, int8 {scores['int8']:.2f}")

    calib = _pairs(data, *CALIBRATION_SET)
    gold = [p.score for p in calib]
    positive = np.array(gold) >= DUPLICATE_SCORE
    threshold = encoder_semantic_threshold(args.encoder or BUNDLED_ENCODER)
    for name, model in models.items():
        cos = pair_cosines(model, calib)
        own = calibrate_threshold(cos, gold)["threshold"]
        line = f"dedup calibration pairs ({len(calib)}), {name}: threshold it would calibrate to {own}"
        if threshold is not None:
            p, r, _ = precision_recall(cos, positive, threshold)
            line += f"; at the encoder's stored {threshold}: precision {p:.3f}, recall {r:.3f}"
        print(line)

    for name, x in vectors.items():
        m = clustering_metrics(HDBSCANClusterer().fit_predict(UMAPReducer().fit_transform(x)), sections)
        print(f"newstrust clustered (default UMAP + HDBSCAN), {name}: noise {m['noise_fraction']:.1%}, "
              f"{m['clusters']:.0f} clusters, purity {m['purity']:.3f}, NMI {m['nmi']:.3f}")  # fmt: skip
    print("command: python benchmarks/bench_encoder_int8.py" + (f" --encoder {args.encoder}" if args.encoder else ""))


if __name__ == "__main__":
    main()
