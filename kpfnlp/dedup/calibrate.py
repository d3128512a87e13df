"""Threshold calibration for the lexical and semantic tiers on scored news pairs.

Pairs: KorSTS dev `main-news` rows (never trained on); a pair is a duplicate when its gold score is >= 4.0
("mostly equivalent"). The threshold is the lowest one whose precision reaches `min_precision` (duplicates
are folded away, so precision matters more than recall); KorSTS test main-news and KLUE-STS dev report how it
holds up on unseen pairs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kpfnlp.dedup.normalize import dedup_key, jaccard, shingles
from kpfnlp.encoder.data import STSPair, read_sts

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")  # the model-free lexical tier
ENCODER_CALIBRATION = "dedup_calibration.json"  # the semantic tier: one per encoder, inside its directory
DUPLICATE_SCORE = 4.0
CALIBRATION_SET = ("kornlu/KorSTS/sts-dev.tsv", "main-news")
_CURVE = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)  # the top end: encoder cosines crowd there
CHECK_SETS = (("kornlu/KorSTS/sts-test.tsv", "main-news"), ("klue/klue-sts-v1.1_dev.json", ""))


def precision_recall(scores: np.ndarray, positive: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of `scores >= threshold` against the boolean `positive`."""
    pred = scores >= threshold
    tp = int((pred & positive).sum())
    precision = tp / max(int(pred.sum()), 1)
    recall = tp / max(int(positive.sum()), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def calibrate_threshold(scores: Sequence[float], gold: Sequence[float], min_precision: float = 0.9) -> dict[str, Any]:
    """The lowest threshold (among the observed scores) with precision >= `min_precision`, and the max-F1 one."""
    s, positive = np.asarray(scores, dtype=float), np.asarray(gold, dtype=float) >= DUPLICATE_SCORE
    if not positive.any():
        raise ValueError("no duplicate pairs (gold >= 4.0) to calibrate on")
    candidates = np.unique(s)
    table = [(float(t), *precision_recall(s, positive, t)) for t in candidates]
    precise = [row for row in table if row[1] >= min_precision]
    chosen = min(precise, key=lambda r: r[0]) if precise else max(table, key=lambda r: r[1])
    threshold = math.floor(chosen[0] * 1e4) / 1e4  # stored to 4 decimals, rounded down: the chosen pair stays in
    precision, recall, f1 = precision_recall(s, positive, threshold)  # as a feed sees the stored threshold
    best_f1 = max(table, key=lambda r: r[3])
    return {
        "threshold": threshold, "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(f1, 4), "min_precision": min_precision, "reached_min_precision": bool(precise),
        "max_f1_threshold": round(best_f1[0], 4), "max_f1": round(best_f1[3], 4),
        "pairs": len(s), "duplicates": int(positive.sum()),
        "curve": {f"{t:g}": [round(v, 3) for v in precision_recall(s, positive, t)] for t in _CURVE},
    }  # fmt: skip


def _pairs(data_dir: Path, name: str, genre: str) -> list[STSPair]:
    return [p for p in read_sts(data_dir / name) if not genre or p.genre == genre]


def lexical_scorer(shingle_size: int = 2) -> Callable[[Sequence[STSPair]], np.ndarray]:
    """Pair scores of the lexical tier: Jaccard of the dedup keys' character shingles."""

    def score(pairs: Sequence[STSPair]) -> np.ndarray:
        keys = [
            (shingles(dedup_key(p.sentence1), shingle_size), shingles(dedup_key(p.sentence2), shingle_size))
            for p in pairs
        ]
        return np.array([jaccard(a, b) for a, b in keys])

    return score


def semantic_scorer(embedder) -> Callable[[Sequence[STSPair]], np.ndarray]:
    """Pair scores of the semantic tier: cosine of the embeddings."""
    from kpfnlp.encoder.sts import pair_cosines

    return lambda pairs: pair_cosines(embedder, pairs)


def run_calibration(
    data_dir: Path, scorers: dict[str, Callable[[Sequence[STSPair]], np.ndarray]], min_precision: float = 0.9
) -> dict[str, Any]:
    """Calibrate each tier on the calibration set and check the threshold on the check sets."""
    calib = _pairs(data_dir, *CALIBRATION_SET)
    result: dict[str, Any] = {"calibration_set": "/".join(CALIBRATION_SET), "duplicate_score": DUPLICATE_SCORE}
    for tier, scorer in scorers.items():
        record = calibrate_threshold(scorer(calib), [p.score for p in calib], min_precision)
        for name, genre in CHECK_SETS:
            pairs = _pairs(data_dir, name, genre)
            positive = np.array([p.score for p in pairs]) >= DUPLICATE_SCORE
            p, r, f = precision_recall(scorer(pairs), positive, record["threshold"])
            record[f"check:{name}{':' + genre if genre else ''}"] = {
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
            }
        result[tier] = record
    return result


def write_calibration(result: dict[str, Any], path: Path = CALIBRATION_FILE) -> Path:
    """Write the calibration record (merged into an existing file, tier by tier)."""
    current = load_calibration(path)
    current.update(result)
    path.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_calibration(path: Path = CALIBRATION_FILE) -> dict[str, Any]:
    """The calibration record ({} when none was written)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def calibrate_encoder(data_dir: Path, encoder_dir: Path, min_precision: float = 0.9) -> dict[str, Any]:
    """Calibrate the semantic tier for the encoder at `encoder_dir` and store it there (cosines are per model)."""
    from kpfnlp.encoder import SentenceEncoder

    scorer = semantic_scorer(SentenceEncoder.load(encoder_dir))
    result = run_calibration(data_dir, {"semantic": scorer}, min_precision)
    write_calibration(result, Path(encoder_dir) / ENCODER_CALIBRATION)
    return result


def encoder_semantic_threshold(encoder_dir: Path) -> float | None:
    """The semantic threshold calibrated for this encoder, or None when it was never calibrated."""
    record = load_calibration(Path(encoder_dir) / ENCODER_CALIBRATION).get("semantic")
    return float(record["threshold"]) if record else None
