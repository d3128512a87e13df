"""Sentence-score calibration: a shown score is the chance that an editor's summary includes the sentence, fitted on
articles with gold extractive labels.

The model learns from silver labels (Wikipedia leads, Wikinews headline oracles) that mark fewer sentences than
the three an editor picks, so its raw sigmoid says little as a number: on the dev articles the second and third
picks average 0.08 and 0.06 while 62% and 42% of them are gold. What predicts a gold sentence is mostly where the
model ranks it within its article and how many candidates the article has; the raw logit adds a little. So the
calibration is a logistic regression on the logit, the pick rank (steps at 1st, 2nd, 3rd) and log(candidates),
with non-negative weights on the logit and the rank steps: within an article it never reorders sentences, so
the picks stay those of the raw scores. Measured with article-grouped cross-validation; the fit and its figures
are written to `calibration.json` in the summarizer's directory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from kpfnlp.summarize.summarizer import Summarizer

FILE = "calibration.json"
FEATURES = ("logit", "rank_1", "rank_2_or_better", "rank_3_or_better", "log_candidates", "bias")
_MONOTONE = 4  # the first four weights are >= 0: a higher raw score never lowers the calibrated one
_EPS = 1e-6


def logit(probs: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped away from 0 and 1."""
    p = np.clip(np.asarray(probs, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def features(probs: np.ndarray) -> np.ndarray:
    """One row of `FEATURES` per candidate sentence of one article, from the model's probabilities."""
    p = np.asarray(probs, dtype=float)
    rank = np.empty(len(p), dtype=int)
    rank[np.argsort(-p, kind="stable")] = np.arange(len(p))  # the order `select` picks in
    steps = [(rank < r).astype(float) for r in (1, 2, 3)]
    return np.column_stack([logit(p), *steps, np.full(len(p), np.log(len(p))), np.ones(len(p))])


def calibration_metrics(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Log loss, Brier score and expected calibration error (equal-width bins) of probabilities against 0/1 labels."""
    p, y = np.clip(np.asarray(probs, dtype=float), _EPS, 1 - _EPS), np.asarray(labels, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).sum() for b in np.unique(which))
    return {
        "log_loss": round(float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()), 4),
        "brier": round(float(((p - y) ** 2).mean()), 4),
        "ece": round(float(ece / len(p)), 4),
    }


def fit_weights(probs: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> np.ndarray:
    """Maximum-likelihood logistic weights over `FEATURES` (L-BFGS-B, the monotone ones bounded below by 0)."""
    from scipy.optimize import minimize

    x = np.vstack([features(p) for p in probs])
    y = np.concatenate(labels).astype(float)
    if y.min() == y.max():
        raise ValueError("calibration needs both gold and non-gold sentences")

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w
        return float((np.logaddexp(0, s) - y * s).mean()), x.T @ (1 / (1 + np.exp(-s)) - y) / len(y)

    bounds = [(0.0, None)] * _MONOTONE + [(None, None)] * (len(FEATURES) - _MONOTONE)
    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B", bounds=bounds).x


@dataclass
class ScoreCalibration:
    """Logistic weights over `FEATURES`, with where they were fitted and how well they do out of fold."""

    weights: dict[str, float]
    articles: int = 0
    sentences: int = 0
    fitted_on: list[str] = field(default_factory=list)
    cross_validated: dict[str, Any] = field(default_factory=dict)

    def __call__(self, probs: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of all the candidate sentences of one article (the model's, in pool order)."""
        w = np.array([self.weights[name] for name in FEATURES])
        return 1 / (1 + np.exp(-(features(probs) @ w)))

    def save(self, directory: str | Path) -> Path:
        """Write `calibration.json` into a summarizer directory."""
        path = Path(directory) / FILE
        path.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, directory: str | Path) -> ScoreCalibration | None:
        """The calibration stored in a summarizer directory, or None when it has none."""
        path = Path(directory) / FILE
        if not path.is_file():
            return None
        calibration = cls(**json.loads(path.read_text("utf-8")))
        if set(calibration.weights) != set(FEATURES):
            raise ValueError(f"{path}: weights must be {', '.join(FEATURES)}")
        return calibration


def _by_rank(
    probs: Sequence[np.ndarray], calibrated: Sequence[np.ndarray], labels: Sequence[np.ndarray], picks: list
) -> dict:
    """Per pick rank 1-3 (`picks`: each article's top three by raw score): mean raw score, mean calibrated score
    and the share of gold sentences."""
    table = {}
    for r in range(3):
        rows = [(i, top[r]) for i, top in enumerate(picks) if len(top) > r]
        table[str(r + 1)] = {
            "raw_mean": round(float(np.mean([probs[i][j] for i, j in rows])), 4),
            "calibrated_mean": round(float(np.mean([calibrated[i][j] for i, j in rows])), 4),
            "gold_share": round(float(np.mean([labels[i][j] for i, j in rows])), 4),
        }
    return table


def fit_calibration(
    probs: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    folds: int = 5,
    seed: int = 0,
    sources: Sequence[str] = (),
) -> ScoreCalibration:
    """Fit the calibration on every article's candidate-sentence probabilities and gold labels, after measuring it
    by `folds`-fold cross-validation over articles: raw and calibrated log loss, Brier and ECE over all candidates
    and over the three picks (the scores users see), and per pick rank the mean score against the share of gold."""
    if len(probs) != len(labels) or len(probs) < folds:
        raise ValueError(f"calibration needs at least {folds} labelled articles, got {len(probs)}")
    order = np.random.default_rng(seed).permutation(len(probs))
    out_of_fold: list[np.ndarray] = [np.empty(0)] * len(probs)
    for held in np.array_split(order, folds):
        rest = np.setdiff1d(order, held)
        weights = fit_weights([probs[i] for i in rest], [labels[i] for i in rest])
        fold = ScoreCalibration(dict(zip(FEATURES, weights, strict=True)))
        for i in held:
            out_of_fold[i] = fold(probs[i])
    picks = [np.argsort(-p, kind="stable")[:3] for p in probs]

    def both(scores: Sequence[np.ndarray]) -> dict[str, dict[str, float]]:
        return {
            "all": calibration_metrics(np.concatenate(scores), np.concatenate(labels)),
            "picks": calibration_metrics(
                np.concatenate([s[t] for s, t in zip(scores, picks, strict=True)]),
                np.concatenate([y[t] for y, t in zip(labels, picks, strict=True)]),
            ),
        }

    weights = fit_weights(probs, labels)
    return ScoreCalibration(
        weights={name: round(float(w), 6) for name, w in zip(FEATURES, weights, strict=True)},
        articles=len(probs),
        sentences=int(sum(len(p) for p in probs)),
        fitted_on=list(sources),
        cross_validated={
            "folds": folds,
            "seed": seed,
            "raw": both(probs),
            "calibrated": both(out_of_fold),
            "by_rank": _by_rank(probs, out_of_fold, labels, picks),
        },
    )


def calibrate_summarizer(
    summarizer: Summarizer, files: Sequence[str | Path], folds: int = 5, seed: int = 0
) -> ScoreCalibration:
    """Score the candidate sentences of the labelled articles in `files` (as `summarize` reads them) and fit the
    calibration on their gold labels; the summarizer is left unchanged."""
    from kpfnlp.paths import data_path_label
    from kpfnlp.summarize.baselines import candidates
    from kpfnlp.summarize.data import read_examples

    examples = [ex for path in files for ex in read_examples(path) if ex.extractive]
    kept = [(ex, pool) for ex in examples if (pool := candidates(ex.sentences))]
    probs = summarizer.score([[ex.sentences[i] for i in pool] for ex, pool in kept])
    labels = [np.array([float(i in ex.extractive) for i in pool]) for ex, pool in kept]
    return fit_calibration(probs, labels, folds, seed, [data_path_label(f) for f in files])
