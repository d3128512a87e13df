"""Are the encoder and character n-grams complementary? STS on alpha * cos(encoder) + (1 - alpha) * cos(TF-IDF).

The bundled encoder and the TF-IDF char 1-2-gram baseline score about the same on KorSTS test (66.31 / 67.33). If
they make different mistakes, a weighted sum of their cosines scores higher than either. alpha is chosen on KorSTS
*dev* (never on the test sets); the table prints every alpha for all three sets, then the dev-chosen alpha's test
figures, by KorSTS genre, and the dedup calibration (precision >= 0.9 on KorSTS dev news pairs) of the fused score.
`--clustering` also clusters the newstrust day (default pipeline: UMAP 5-d, HDBSCAN leaf 5/2, no dedup) on the
fused embedding [sqrt(alpha) x encoder, sqrt(1 - alpha) x TF-IDF+SVD], whose cosine is the same weighted sum.

    python benchmarks/bench_sts_fusion.py [--encoder DIR] [--max-ngram 2] [--clustering]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from kpfnlp.cluster.evaluate import load_dataset
from kpfnlp.cluster.metrics import clustering_metrics
from kpfnlp.cluster.stages import HDBSCANClusterer, TfidfSvdEmbedder, UMAPReducer, unit_rows
from kpfnlp.dedup.calibrate import calibrate_threshold
from kpfnlp.encoder import SentenceEncoder
from kpfnlp.encoder.data import read_sts
from kpfnlp.encoder.sts import TfidfCharEmbedder, pair_cosines, sts_metrics
from kpfnlp.paths import shared_data_dir

SETS = {
    "KorSTS dev": "kornlu/KorSTS/sts-dev.tsv",
    "KorSTS test": "kornlu/KorSTS/sts-test.tsv",
    "KLUE-STS dev": "klue/klue-sts-v1.1_dev.json",
}
ALPHAS = np.round(np.arange(0.0, 1.01, 0.1), 1)


def fused_clustering(encoder: SentenceEncoder, data: Path, alphas: list[float]) -> None:
    """Noise, clusters and purity against the sections on the newstrust day for each alpha."""
    texts, sections = load_dataset("newstrust", data)
    enc, lex = unit_rows(encoder.encode(texts, batch_size=128)), TfidfSvdEmbedder().encode(texts)
    print("\nnewstrust clustering on the fused embedding (alpha 1 = encoder alone, 0 = TF-IDF+SVD alone):")
    for alpha in alphas:
        x = unit_rows(np.hstack([np.sqrt(alpha) * enc, np.sqrt(1 - alpha) * lex]))
        m = clustering_metrics(HDBSCANClusterer().fit_predict(UMAPReducer().fit_transform(x)), sections)
        print(f"  alpha {alpha:.1f}: noise {m['noise_fraction']:.1%}, {m['clusters']:.0f} clusters, "
              f"purity {m['purity']:.3f}, NMI {m['nmi']:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", type=Path, default=None, help="Encoder directory (default: the bundled one).")
    parser.add_argument("--max-ngram", type=int, default=2, help="TF-IDF character n-gram order (baseline: 2).")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--clustering", action="store_true", help="Also cluster the newstrust day fused.")
    args = parser.parse_args()
    data = args.data_dir or shared_data_dir()
    if data is None:
        raise SystemExit("no data directory: give --data-dir or set KPFNLP_SHARED_DATA")
    start = time.perf_counter()
    encoder = SentenceEncoder.load(args.encoder)
    pairs = {name: read_sts(data / path) for name, path in SETS.items()}
    tfidf = {name: pair_cosines(TfidfCharEmbedder(args.max_ngram), ps) for name, ps in pairs.items()}
    cosines = {name: (pair_cosines(encoder, ps), tfidf[name]) for name, ps in pairs.items()}
    gold = {name: [p.score for p in ps] for name, ps in pairs.items()}

    def spearman(name: str, alpha: float, keep: np.ndarray | None = None) -> float:
        enc, tfidf = cosines[name]
        fused = alpha * enc + (1 - alpha) * tfidf
        g = np.asarray(gold[name])
        if keep is not None:
            fused, g = fused[keep], g[keep]
        return sts_metrics(fused, g)["spearman"]

    print("alpha | " + " | ".join(SETS) + "   (cosine Spearman; alpha 1 = encoder alone, 0 = TF-IDF alone)")
    for alpha in ALPHAS:
        print(f"{alpha:.1f} | " + " | ".join(f"{spearman(name, alpha):.2f}" for name in SETS))
    best = max(ALPHAS, key=lambda a: spearman("KorSTS dev", a))
    print(f"\nalpha chosen on KorSTS dev: {best:.1f}")
    for name in SETS:
        print(f"  {name}: fused {spearman(name, best):.2f}, encoder {spearman(name, 1.0):.2f}, "
              f"TF-IDF {spearman(name, 0.0):.2f}")  # fmt: skip
    genres = np.array([p.genre for p in pairs["KorSTS test"]])
    for genre in sorted(set(genres)):
        keep = genres == genre
        fused, enc, lex = (spearman("KorSTS test", alpha, keep) for alpha in (best, 1.0, 0.0))
        print(f"  KorSTS test {genre} ({keep.sum()} pairs): fused {fused:.2f}, encoder {enc:.2f}, TF-IDF {lex:.2f}")
    news = np.array([p.genre == "main-news" for p in pairs["KorSTS dev"]])
    print("\ndedup calibration on KorSTS dev main-news (duplicate = gold >= 4, precision >= 0.9):")
    enc, lex = cosines["KorSTS dev"]
    for label, alpha in (("TF-IDF", 0.0), ("fused", best), ("encoder", 1.0)):
        r = calibrate_threshold((alpha * enc + (1 - alpha) * lex)[news], np.asarray(gold["KorSTS dev"])[news])
        print(f"  {label}: threshold {r['threshold']}, precision {r['precision']}, recall {r['recall']}; "
              f"best F1 {r['max_f1']} at {r['max_f1_threshold']}")  # fmt: skip
    if args.clustering:
        fused_clustering(encoder, data, sorted({1.0, float(best), 0.5, 0.0}, reverse=True))
    print(f"\n{time.perf_counter() - start:.1f} s; command: python benchmarks/bench_sts_fusion.py"
          + (f" --encoder {args.encoder}" if args.encoder else "") + f" --max-ngram {args.max_ngram}"
          + (" --clustering" if args.clustering else ""))  # fmt: skip


if __name__ == "__main__":
    main()
