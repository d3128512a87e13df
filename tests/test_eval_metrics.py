"""Evaluation metrics against hand-computed values (KLUE definitions, KorQuAD 1.0 normalisation and char F1)."""

from __future__ import annotations

import numpy as np
import pytest

from kpfnlp.eval import metrics
from kpfnlp.eval.data import QAExample
from kpfnlp.eval.qa import decode_answers


def test_accuracy_and_macro_f1():
    assert metrics.accuracy(["a", "b", "a", "a"], ["a", "b", "b", "a"]) == pytest.approx(75.0)
    # class 0: P 1/2 R 1 -> 2/3; class 1: P 1 R 2/3 -> 0.8; class 2: 1.0
    assert metrics.macro_f1([0, 0, 1, 1, 2], [0, 1, 1, 1, 2]) == pytest.approx(100 * (2 / 3 + 0.8 + 1) / 3)
    # a class only predicted, never gold, counts with F1 0 (sklearn's macro over the union of labels)
    assert metrics.macro_f1(["x", "y"], ["x", "x"]) == pytest.approx(100 * (2 / 3 + 0) / 2)
    with pytest.raises(ValueError):
        metrics.accuracy([1], [1, 2])


def test_correlations():
    assert metrics.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(100.0)
    assert metrics.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-100.0)
    # dx = (-1, 0, 1), dy = (-7/6, -1/6, 4/3): r = 2.5 / sqrt(2 * 19/6)
    assert metrics.pearson([1, 2, 3], [1, 2, 3.5]) == pytest.approx(100 * 2.5 / np.sqrt(2 * 19 / 6))
    assert metrics.pearson([1, 1, 1], [1, 2, 3]) == 0.0
    # ranks with ties (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): r = 4.5 / sqrt(4.5 * 5)
    assert metrics.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(100 * 4.5 / np.sqrt(22.5))


def test_sts_f1_binarises_at_three_inclusive():
    # preds >= 3: T F T F; gold >= 3: T T F F -> tp 1, fp 1, fn 1 -> F1 0.5
    assert metrics.sts_f1([3.0, 2.9, 4.0, 1.0], [3.5, 3.0, 2.0, 0.0]) == pytest.approx(50.0)
    assert metrics.sts_f1([1.0, 2.0], [0.0, 1.0]) == 0.0


def test_korquad_normalisation():
    assert metrics.normalize_answer("《토지》") == "토지"
    assert metrics.normalize_answer("'1989년' 2월  (15일).") == "1989년 2월 15일"
    assert metrics.normalize_answer("〈The ABC〉 Corp.") == "the abc corp"  # English articles are kept (KorQuAD)
    assert metrics.exact_match("‘박경리’", "박경리")


def test_char_f1_and_squad_scores():
    # pred chars 1 9 8 9 년 2 월 (7), gold adds 1 5 일 (10): 7 common -> P 1, R 0.7
    assert metrics.char_f1("1989년 2월", "1989년 2월 15일") == pytest.approx(2 * 0.7 / 1.7)
    assert metrics.char_f1("서울", "부산") == 0.0
    scores = metrics.squad_scores(
        {"q1": "《토지》", "q2": "1989년 2월"}, {"q1": ["박경리", "토지"], "q2": ["1989년 2월 15일"], "q3": ["x"]}
    )
    assert scores["exact_match"] == pytest.approx(100 / 3)
    assert scores["f1"] == pytest.approx(100 * (1 + 2 * 0.7 / 1.7) / 3)
    assert scores["unanswered"] == 1


def test_decode_answers_picks_best_valid_span():
    ex = QAExample("q", "t", "서울은 한국의 수도이다", "수도는?", (("서울", 0),))
    offsets = [None, None, (0, 2), (2, 3), (4, 7), None]  # [CLS] question-token [서울][은][한국의] [SEP]
    start = np.array([9.0, 0.0, 5.0, 1.0, 6.0, 0.0])  # best start is [CLS] / [한국의]
    end = np.array([9.0, 0.0, 4.0, 0.0, -9.0, 0.0])  # [한국의] as an end is poor; end before start is invalid
    assert decode_answers([ex], [(0, offsets)], start[None], end[None]) == {"q": "서울"}
