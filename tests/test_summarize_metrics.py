"""ROUGE on Korean tokens, the greedy oracle, the baselines and the evaluation table (no model needed)."""

from __future__ import annotations

import pytest

from kpfnlp.summarize import baselines
from kpfnlp.summarize.data import SummaryExample, read_examples
from kpfnlp.summarize.evaluate import baseline_methods, evaluate_methods, format_table, sentence_prf
from kpfnlp.summarize.oracle import greedy_oracle
from kpfnlp.summarize.rouge import lcs_length, mecab_tokens, rouge, rouge_l, rouge_n, whitespace_tokens


def test_rouge_by_hand_on_whitespace_tokens() -> None:
    cand, ref = ["가", "나", "다", "라"], ["가", "나", "마", "다", "라"]
    # unigrams: 4 shared, P 4/4, R 4/5 -> F 8/9; bigrams: (가 나), (다 라) shared, P 2/3, R 2/4 -> F 4/7
    assert rouge_n(cand, ref, 1) == pytest.approx(100 * 8 / 9)
    assert rouge_n(cand, ref, 2) == pytest.approx(100 * 4 / 7)
    assert lcs_length(cand, ref) == 4 and rouge_l(cand, ref) == pytest.approx(100 * 8 / 9)
    assert rouge_n(["가", "가"], ["가"], 1) == pytest.approx(100 * 2 / 3)  # clipped counts: P 1/2, R 1/1


def test_rouge_on_mecab_morphemes_keeps_hangul() -> None:
    assert mecab_tokens("기준금리를 동결했다.") == ["기준", "금리", "를", "동결", "했", "다"]
    scores = rouge("한국은행이 기준금리를 동결했다.", "한국은행은 기준금리를 올렸다.")
    # 8 vs 7 morphemes, 5 shared (한국은행 기준 금리 를 다): F = 10/15; bigrams 2 shared of 7 and 6: F = 4/13
    assert scores.rouge1 == pytest.approx(100 * 10 / 15)
    assert scores.rouge2 == pytest.approx(100 * 4 / 13)
    assert whitespace_tokens("“금리 동결”이다.") == ["금리", "동결”이다"]
    assert rouge("", "무엇").rouge1 == 0.0


def test_greedy_oracle_on_a_hand_made_article() -> None:
    sentences = ["오늘 날씨가 맑다.", "정부는 금리를 동결했다.", "시장은 금리 동결을 예상했다.", "야구 경기가 열렸다."]
    reference = "정부는 금리를 동결했고 시장은 동결을 예상했다."
    assert greedy_oracle(sentences, reference, 3) == [1, 2]  # the weather and baseball add nothing: it stops
    assert greedy_oracle(sentences, reference, 1) == [1]
    # forced to 3, it adds the least harmful filler: a tie (same length, no overlap) goes to the first
    assert greedy_oracle(sentences, reference, 3, stop_early=False) == [0, 1, 2]


def test_baselines_skip_bylines_and_subtitles() -> None:
    article = [
        "- 노, 계약 실패… 해외 진출 모색",
        "홍길동 기자 hong@yna.co.kr",
        "첫 본문 문장이다.",
        "둘째 문장이다.",
        "셋째다.",
        "넷째다.",
    ]
    assert baselines.lead(article) == [0, 1, 2]
    assert baselines.lead_clean(article) == [0, 2, 3]
    assert baselines.lead_clean(article, subtitles=True) == [2, 3, 4]
    assert baselines.textrank(article, 2) and set(baselines.textrank(article, 2)) <= {2, 3, 4, 5}


def test_pagerank_prefers_the_hub() -> None:
    import numpy as np

    sim = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]], dtype=float)
    scores = baselines.pagerank(sim)
    assert scores.sum() == pytest.approx(1.0) and scores.argmax() == 0 and scores[1] == pytest.approx(scores[3])


def test_table_and_sentence_prf() -> None:
    assert sentence_prf([0, 1, 2], [1, 2, 5]) == pytest.approx((200 / 3, 200 / 3, 200 / 3))
    ex = SummaryExample("a", ["가 나 다.", "라 마 바.", "사 아 자.", "차 카 타."], [1, 2], "라 마 바 사 아 자")
    results = evaluate_methods([ex], baseline_methods("whitespace"), k=2, tokenizer="whitespace")
    by_name = {r.name: r for r in results}
    assert by_name["Oracle (greedy ROUGE vs abstractive)"].metrics["f1"] == 100.0
    assert by_name["Lead-3"].metrics["f1"] == 50.0 and by_name["Lead-3"].oracle_gap_r2 > 0
    assert "| Lead-3 |" in format_table(results)


@pytest.mark.shared_data
def test_baselines_on_the_111_dev_articles(shared_data) -> None:
    files = ["dacon_sample_train.jsonl", "dacon_sample_extra.jsonl"]
    examples = [ex for f in files for ex in read_examples(shared_data / "summarization" / f)]
    assert len(examples) == 111
    results = {r.name: r.metrics for r in evaluate_methods(examples, baseline_methods("mecab"))}
    # measured 2026-11-21 (mecab morphemes): 33.61 / 51.96 / 58.05 / 43.56 / 60.01
    assert results["Lead-3"]["ext_r2"] == pytest.approx(33.61, abs=0.5)
    assert results["Lead-3 after noise removal"]["ext_r2"] == pytest.approx(51.96, abs=0.5)
    assert results["Lead-3 after noise + subtitle removal"]["ext_r2"] == pytest.approx(58.05, abs=0.5)
    assert results["TextRank (char 2-4-gram TF-IDF)"]["ext_r2"] == pytest.approx(43.56, abs=1.0)
    assert results["Oracle (greedy ROUGE vs abstractive)"]["abs_r2"] == pytest.approx(46.13, abs=0.5)


def test_silver_source_repeats_upweight_a_source(tmp_path) -> None:
    from kpfnlp.summarize.silver import build_silver, parse_source

    assert parse_source("titlebody:a/b.csv@3") == ("titlebody", "a/b.csv", 3)
    assert parse_source("wiki:a/b.xz") == ("wiki", "a/b.xz", 1)
    with pytest.raises(ValueError, match="positive integer"):
        parse_source("wiki:a/b.xz@x")
    feed = tmp_path / "feed.jsonl"
    body = " ".join(f"{i}번째 문장은 정부의 새 예산안에 관한 설명이다." for i in range(6))
    feed.write_text('{"id": "a1", "title": "정부 새 예산안 발표", "text": "' + body + '"}\n', encoding="utf-8")
    counts = build_silver([f"titlebody:{feed}@3"], tmp_path / "silver.jsonl")
    rows = list(read_examples(tmp_path / "silver.jsonl"))
    assert counts == {f"titlebody:{feed}@3": 3}
    assert [r.id for r in rows] == ["a1"] * 3 and rows[0].extractive
