"""Could an STS cross-encoder verify semantic duplicates better than the encoder's cosine? Precision at the top of
each score's ranking of scored news pairs, where a dedup threshold lives.

Pairs: KorSTS dev `main-news` (the dedup calibration set; a duplicate is gold >= 4.0), KorSTS test `main-news`,
KLUE-STS dev. For each scorer: Spearman with the gold scores, precision at recall 0.1 / 0.2 / 0.3 / 0.5, precision
of the 10 / 25 / 50 top-scored pairs, and `kpfnlp calibrate-dedup`'s rule (lowest threshold with precision >= 0.9
on the calibration set) with its recall there.

    python benchmarks/bench_dedup_cross_encoder.py --cross-encoder DIR [--encoder DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from kpfnlp.dedup.calibrate import CALIBRATION_SET, CHECK_SETS, DUPLICATE_SCORE, _pairs, calibrate_threshold
from kpfnlp.encoder import BUNDLED_ENCODER, SentenceEncoder, pair_cosines
from kpfnlp.encoder.cross import SCALE, load_cross_encoder, score_pairs
from kpfnlp.paths import shared_data_dir


def top_precision(scores: np.ndarray, positive: np.ndarray) -> dict[str, float]:
    """Precision at the first rank reaching each recall, and of the top 10 / 25 / 50 pairs."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(positive[order])
    precision, recall = hits / np.arange(1, len(scores) + 1), hits / positive.sum()
    row = {f"P@R{r:g}": float(precision[np.searchsorted(recall, r)]) for r in (0.1, 0.2, 0.3, 0.5)}
    return {**row, **{f"P@top{n}": float(precision[n - 1]) for n in (10, 25, 50)}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cross-encoder", type=Path, required=True)
    parser.add_argument("--encoder", type=Path, default=BUNDLED_ENCODER)
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    encoder, cross = SentenceEncoder.load(args.encoder), load_cross_encoder(args.cross_encoder)
    scorers = {
        "encoder cosine": lambda pairs: pair_cosines(encoder, pairs),
        "cross-encoder": lambda pairs: score_pairs(cross, [(p.sentence1, p.sentence2) for p in pairs]) / SCALE,
    }
    table: dict[str, dict] = {}
    for name, genre in (CALIBRATION_SET, *CHECK_SETS):
        pairs = _pairs(data, name, genre)
        gold = np.array([p.score for p in pairs])
        label = f"{name}{':' + genre if genre else ''} ({len(pairs)} pairs, {(gold >= DUPLICATE_SCORE).sum()} dups)"
        table[label] = {}
        for scorer, score in scorers.items():
            s = score(pairs)
            row = {"spearman": round(100 * spearmanr(s, gold).correlation, 2)}
            row.update({k: round(v, 2) for k, v in top_precision(s, gold >= DUPLICATE_SCORE).items()})
            if (name, genre) == CALIBRATION_SET:
                rule = calibrate_threshold(s, gold)
                row["rule: threshold / precision / recall"] = [rule["threshold"], rule["precision"], rule["recall"]]
            table[label][scorer] = row
    print(json.dumps(table, indent=2, ensure_ascii=False))
    print(f"command: python benchmarks/bench_dedup_cross_encoder.py --cross-encoder {args.cross_encoder}")


if __name__ == "__main__":
    main()
