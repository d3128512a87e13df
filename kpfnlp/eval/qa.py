"""Extractive QA features (SQuAD-style windows over long contexts) and span decoding back to answer text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kpfnlp.eval.data import QAExample


def _encode(tokenizer, examples: Sequence[QAExample], max_length: int, stride: int):
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("extractive QA needs a fast tokenizer (tokenizer.json) for character offsets")
    return tokenizer(
        [ex.question.strip() for ex in examples],
        [ex.context for ex in examples],
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )


def train_features(tokenizer, examples: Sequence[QAExample], max_length: int, stride: int) -> list[dict[str, Any]]:
    """One feature per window with start/end token positions of the first answer.

    The positions are [CLS] (0) in a window that does not contain the answer and in every window of an unanswerable
    (`is_impossible`) question, as in SQuAD 2.0 / klue-baseline. Answerable questions without answers are skipped.
    """
    enc = _encode(tokenizer, examples, max_length, stride)
    features = []
    for i, offsets in enumerate(enc["offset_mapping"]):
        ex = examples[enc["overflow_to_sample_mapping"][i]]
        start = end = 0
        if not ex.is_impossible:
            if not ex.answers:
                continue
            text, start_char = ex.answers[0]
            end_char = start_char + len(text)
            ctx = [j for j, s in enumerate(enc.sequence_ids(i)) if s == 1]
            if offsets[ctx[0]][0] <= start_char and offsets[ctx[-1]][1] >= end_char:
                start = next(j for j in ctx if offsets[j][1] > start_char)
                end = next(j for j in reversed(ctx) if offsets[j][0] < end_char)
        feature = {k: enc[k][i] for k in enc if k not in ("offset_mapping", "overflow_to_sample_mapping")}
        features.append({**feature, "start_positions": start, "end_positions": end})
    return features


def eval_features(
    tokenizer, examples: Sequence[QAExample], max_length: int, stride: int
) -> tuple[list[dict[str, Any]], list[tuple[int, list]]]:
    """Model inputs per window, and per window (example index, offsets with None outside the context)."""
    enc = _encode(tokenizer, examples, max_length, stride)
    features, meta = [], []
    for i, offsets in enumerate(enc["offset_mapping"]):
        seq = enc.sequence_ids(i)
        features.append({k: enc[k][i] for k in enc if k not in ("offset_mapping", "overflow_to_sample_mapping")})
        meta.append(
            (enc["overflow_to_sample_mapping"][i], [o if s == 1 else None for o, s in zip(offsets, seq, strict=True)])
        )
    return features, meta


def decode_answers(
    examples: Sequence[QAExample],
    meta: Sequence[tuple[int, list]],
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    n_best: int = 20,
    max_answer_tokens: int = 30,
    null_answer: bool = False,
) -> dict[str, str]:
    """Best-scoring context span per question (start + end logit, end >= start, at most `max_answer_tokens`).

    With `null_answer` (KLUE-MRC, SQuAD 2.0) a question is answered "" when its null score, the [CLS] start + end
    logit (the lowest over its windows), is above the best span's score: transformers' `compute_predictions_logits`
    with `version_2_with_negative` and `null_score_diff_threshold=0`, as klue-baseline decodes.
    """
    best: dict[int, tuple[float, str]] = {}
    null: dict[int, float] = {}
    for (ex_idx, offsets), starts, ends in zip(meta, start_logits, end_logits, strict=True):
        null[ex_idx] = min(null.get(ex_idx, np.inf), float(starts[0] + ends[0]))
        n = len(offsets)
        top_s = np.argsort(starts[:n])[::-1][:n_best]
        top_e = np.argsort(ends[:n])[::-1][:n_best]
        for s in top_s:
            for e in top_e:
                if offsets[s] is None or offsets[e] is None or e < s or e - s + 1 > max_answer_tokens:
                    continue
                score = float(starts[s] + ends[e])
                if ex_idx not in best or score > best[ex_idx][0]:
                    best[ex_idx] = (score, examples[ex_idx].context[offsets[s][0] : offsets[e][1]])
    return {
        ex.id: best[i][1] if i in best and not (null_answer and null[i] > best[i][0]) else ""
        for i, ex in enumerate(examples)
    }
