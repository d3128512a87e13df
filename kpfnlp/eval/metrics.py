"""Evaluation metrics, in percent as KLUE and the SQuAD/KorQuAD scripts report them.

QA scores follow the official KorQuAD 1.0 script: its answer normalisation (quotes and brackets such as
《》〈〉 to spaces, ASCII punctuation removed, lower-cased, whitespace collapsed) and a character-level F1.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

STS_THRESHOLD = 3.0  # KLUE-STS: a pair is "similar" when its score is >= 3.0
_KORQUAD_SYMBOLS = re.compile("['\"《》<>〈〉()‘’]")
_PUNCT = set(string.punctuation)


def _check(preds: Sequence, labels: Sequence) -> None:
    if len(preds) != len(labels) or not len(labels):
        raise ValueError(f"need equally many predictions and labels (got {len(preds)} and {len(labels)})")


def accuracy(preds: Sequence, labels: Sequence) -> float:
    """Share of exact matches, in percent."""
    _check(preds, labels)
    return 100.0 * float(np.mean(np.asarray(preds) == np.asarray(labels)))


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(preds: Sequence, labels: Sequence) -> float:
    """Unweighted mean of per-class F1 over the classes present in labels or predictions (sklearn's macro)."""
    _check(preds, labels)
    p, y = np.asarray(preds), np.asarray(labels)
    scores = []
    for c in np.union1d(p, y):
        tp = int(((p == c) & (y == c)).sum())
        scores.append(_f1(tp, int((p == c).sum()) - tp, int((y == c).sum()) - tp))
    return 100.0 * float(np.mean(scores))


def pearson(preds: Sequence[float], labels: Sequence[float]) -> float:
    """Pearson correlation, in percent (0 when either side is constant)."""
    _check(preds, labels)
    p, y = np.asarray(preds, dtype=float), np.asarray(labels, dtype=float)
    if p.std() == 0 or y.std() == 0:
        return 0.0
    return 100.0 * float(np.corrcoef(p, y)[0, 1])


def spearman(preds: Sequence[float], labels: Sequence[float]) -> float:
    """Spearman rank correlation (ties get average ranks), in percent."""
    _check(preds, labels)
    return pearson(pd.Series(preds, dtype=float).rank().tolist(), pd.Series(labels, dtype=float).rank().tolist())


def sts_f1(preds: Sequence[float], labels: Sequence[float], threshold: float = STS_THRESHOLD) -> float:
    """KLUE-STS F1: both scores binarised at `threshold` (>=), F1 of the positive class, in percent."""
    _check(preds, labels)
    p = np.asarray(preds, dtype=float) >= threshold
    y = np.asarray(labels, dtype=float) >= threshold
    return 100.0 * _f1(int((p & y).sum()), int((p & ~y).sum()), int((~p & y).sum()))


def normalize_answer(text: str) -> str:
    """KorQuAD 1.0's answer normalisation."""
    text = _KORQUAD_SYMBOLS.sub(" ", text).lower()
    return " ".join("".join(ch for ch in text if ch not in _PUNCT).split())


def exact_match(prediction: str, truth: str) -> float:
    """1.0 when the normalised answers are equal."""
    return float(normalize_answer(prediction) == normalize_answer(truth))


def char_f1(prediction: str, truth: str) -> float:
    """KorQuAD's F1 over the characters (spaces excluded) of the normalised answers."""
    pred = list(normalize_answer(prediction).replace(" ", ""))
    gold = list(normalize_answer(truth).replace(" ", ""))
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def squad_scores(predictions: Mapping[str, str], references: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """EM and F1 (percent) over all reference questions, each the best over its gold answers.

    A question without a prediction scores 0, as in the official script; `unanswered` counts them.
    """
    if not references:
        raise ValueError("no reference questions")
    em = f1 = 0.0
    unanswered = 0
    for qid, truths in references.items():
        if qid not in predictions:
            unanswered += 1
            continue
        em += max(exact_match(predictions[qid], t) for t in truths)
        f1 += max(char_f1(predictions[qid], t) for t in truths)
    n = len(references)
    return {"exact_match": 100.0 * em / n, "f1": 100.0 * f1 / n, "unanswered": unanswered}
