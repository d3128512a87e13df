"""Cross-encoder verification for the semantic tier (retrieve, then re-rank).

The bi-encoder's cosines crowd near the top, so on its own the semantic tier must sit near cosine 1.0 to stay
precise and finds little beyond exact copies. With a verifier the encoder only proposes candidates (its
nearest neighbours above a loose, recall-calibrated cosine) and an STS cross-encoder, which reads both texts
together, decides which candidates are duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from kpfnlp.dedup.calibrate import DUPLICATE_SCORE, ENCODER_CALIBRATION, load_calibration
from kpfnlp.encoder.cross import SCALE

Pair = tuple[int, int, float]
DEFAULT_VERIFY_THRESHOLD = DUPLICATE_SCORE / SCALE  # the predicted score of a "mostly equivalent" pair


class PairVerifier(Protocol):
    """Scores text pairs on 0-1 (higher: more alike); pairs at or above `threshold` are duplicates."""

    threshold: float

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray: ...


@dataclass
class CrossEncoderVerifier:
    """An STS cross-encoder (`kpfnlp train-cross-encoder`) as the verifier; scores are its 0-5 prediction / 5."""

    model: Any
    threshold: float = DEFAULT_VERIFY_THRESHOLD
    batch_size: int = 128

    @classmethod
    def load(cls, path: str | Path, threshold: float | None = None, batch_size: int = 128) -> CrossEncoderVerifier:
        """Load the cross-encoder at `path`; the threshold defaults to its calibration (`verifier_threshold`)."""
        from kpfnlp.encoder.cross import load_cross_encoder

        if threshold is None:
            threshold = verifier_threshold(path)
        model = load_cross_encoder(path)
        return cls(model, DEFAULT_VERIFY_THRESHOLD if threshold is None else threshold, batch_size)

    def score(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Similarity of each pair on 0-1, the same in both orders."""
        from kpfnlp.encoder.cross import score_pairs

        return score_pairs(self.model, pairs, self.batch_size) / SCALE


def verified_pairs(candidates: Iterable[Pair], texts: Sequence[str], verifier: PairVerifier) -> list[Pair]:
    """The candidate pairs (i, j, cosine) whose verifier score reaches its threshold, each once, cosine kept.

    Candidates arrive from both ends of a neighbour list; each distinct pair is scored once.
    """
    unique: dict[tuple[int, int], float] = {}
    for i, j, sim in candidates:
        unique[(min(i, j), max(i, j))] = sim
    if not unique:
        return []
    keys = list(unique)
    scores = verifier.score([(texts[i], texts[j]) for i, j in keys])
    return [(i, j, unique[(i, j)]) for (i, j), s in zip(keys, scores, strict=True) if s >= verifier.threshold]


def verifier_threshold(path: str | Path) -> float | None:
    """The verifier threshold calibrated for the cross-encoder at `path` (`kpfnlp calibrate-dedup
    --cross-encoder`), or None when it was never calibrated."""
    record = load_calibration(Path(path) / ENCODER_CALIBRATION).get("verifier")
    return float(record["threshold"]) if record else None


def candidate_threshold(encoder_dir: str | Path) -> float | None:
    """The encoder's candidate cosine for verified dedup (recall-calibrated), or None when not calibrated."""
    record = load_calibration(Path(encoder_dir) / ENCODER_CALIBRATION).get("candidate")
    return float(record["threshold"]) if record else None
