"""Evaluation metrics, in percent as KLUE and the SQuAD/KorQuAD scripts report them.

KorQuAD scores follow the official KorQuAD 1.0 script: its answer normalisation (quotes and brackets such as
《》〈〉 to spaces, ASCII punctuation removed, lower-cased, whitespace collapsed) and a character-level F1.
KLUE-MRC scores follow klue-baseline (`klue_baseline/metrics/utils.py`): its own normalisation, exact match and
"ROUGE-W", which there is the character-level F1 of the longest common consecutive substring (LCCS), not
Lin's weighted-LCS ROUGE-W; unanswerable questions have the empty string as their only gold answer.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

STS_THRESHOLD = 3.0  # KLUE-STS: a pair is "similar" when its score is >= 3.0
_KORQUAD_SYMBOLS = re.compile("['\"《》<>〈〉()‘’]")
_PUNCT = set(string.punctuation)
# klue-baseline's NORMALIZE_CHAR_PATTERN verbatim: a character class followed by the literal text "()‘’", so it
# only fires on that odd sequence and 《》〈〉‘’ otherwise stay in the answer (unlike KorQuAD's normalisation).
_KLUE_MRC_SYMBOLS = re.compile(r"[\'\"《》<>〈〉]\(\)\‘\’")


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


def normalize_answer_klue_mrc(text: str) -> str:
    """klue-baseline's KLUE-MRC answer normalisation: lower-cased, ASCII punctuation removed, whitespace collapsed."""
    text = _KLUE_MRC_SYMBOLS.sub(" ", text.lower())
    return " ".join("".join(ch for ch in text if ch not in _PUNCT).split())


def rouge_w(prediction: str, truth: str) -> float:
    """KLUE-MRC ROUGE-W: F1 of the longest common consecutive character substring of the normalised answers.

    As klue-baseline's `rouge_w_score_for_klue_mrc` (beta 1, spaces count as characters, difflib's longest match):
    precision = LCCS / len(prediction), recall = LCCS / len(truth); an empty truth scores 1 only for an empty
    prediction.
    """
    pred, gold = normalize_answer_klue_mrc(prediction), normalize_answer_klue_mrc(truth)
    if not gold:
        return float(pred == gold)
    if not pred:
        return 0.0
    lccs = SequenceMatcher(None, pred, gold).find_longest_match(0, len(pred), 0, len(gold)).size
    precision, recall = lccs / len(pred), lccs / len(gold)
    return 2 * precision * recall / (precision + recall) if lccs else 0.0


def klue_mrc_scores(
    predictions: Mapping[str, str], references: Mapping[str, Sequence[str]], unanswerable: Collection[str]
) -> dict[str, float | int]:
    """KLUE-MRC EM and ROUGE-W (percent) over all questions, each the best over its gold answers (klue-baseline).

    A question with no gold answers (an unanswerable one) has "" as its only gold answer: it scores EM = ROUGE-W = 1
    exactly when the prediction normalises to "". `unanswerable` (ids of the questions marked `is_impossible`) is
    counted, and their EM reported as `unanswerable_exact_match` when there are any; `no_answer_predictions` counts
    the predictions that normalise to "". Every reference question needs a prediction.
    """
    if not references:
        raise ValueError("no reference questions")
    missing = [qid for qid in references if qid not in predictions]
    if missing:
        raise ValueError(f"{len(missing)} questions have no prediction (first: {missing[0]!r})")
    em: dict[str, float] = {}
    rouge = 0.0
    for qid, truths in references.items():
        pred = predictions[qid]
        golds = list(truths) or [""]
        em[qid] = max(float(normalize_answer_klue_mrc(pred) == normalize_answer_klue_mrc(t)) for t in golds)
        rouge += max(rouge_w(pred, t) for t in golds)
    impossible = [qid for qid in references if qid in unanswerable]
    scores: dict[str, float | int] = {
        "exact_match": 100.0 * sum(em.values()) / len(references),
        "rouge_w": 100.0 * rouge / len(references),
        "unanswerable": len(impossible),
        "no_answer_predictions": sum(normalize_answer_klue_mrc(predictions[qid]) == "" for qid in references),
    }
    if impossible:
        scores["unanswerable_exact_match"] = 100.0 * sum(em[qid] for qid in impossible) / len(impossible)
    return scores
