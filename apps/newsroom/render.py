"""Rendering helpers: the article with its chosen sentences highlighted, Korean error texts, downloads."""

from __future__ import annotations

import html

import pandas as pd

HIGHLIGHT_CSS = (
    "<style>.kpf-article{line-height:1.9;font-size:1.02rem}"
    ".kpf-pick{background:#ffe08a;padding:.1em .2em;border-radius:.25em}"
    ".kpf-score{font-size:.72em;color:#8a5a00;margin-left:.3em;font-weight:600}</style>"
)
TIER_NAMES = {"": "대표", "exact": "완전 일치", "lexical": "표현 유사", "semantic": "의미 유사"}


def score_text(score: float) -> str:
    """A sentence score as newsroom staff read it: two decimals, and "<0.01" rather than a misleading "0.00"."""
    return f"{score:.2f}" if score >= 0.005 else "<0.01"


def highlight_html(article: list[str], indices: list[int], scores: list[float], picked: list[str] | None = None) -> str:
    """The article's sentences in order, the chosen ones in `<mark class="kpf-pick">` with their score.

    `picked` are the chosen sentences as the summary gives them (bylines and other noise cut off): only that part
    of each raw sentence is marked, so a stripped "(서울=연합뉴스) ... 기자 =" prefix stays unhighlighted."""
    score_of = dict(zip(indices, scores, strict=True))
    text_of = dict(zip(indices, picked, strict=True)) if picked is not None else {}
    parts = []
    for i, sentence in enumerate(article):
        if i not in score_of:
            parts.append(html.escape(sentence))
            continue
        kept = text_of.get(i, sentence)
        at = sentence.find(kept) if kept else -1
        head, body, tail = (sentence[:at], kept, sentence[at + len(kept) :]) if at >= 0 else ("", sentence, "")
        score = f'<span class="kpf-score">{html.escape(score_text(score_of[i]))}</span>'
        mark = f'<mark class="kpf-pick">{html.escape(body)}{score}</mark>'
        parts.append(f"{html.escape(head)}{mark}{html.escape(tail)}")
    return f'{HIGHLIGHT_CSS}<div class="kpf-article">{" ".join(parts)}</div>'


def article_error_ko(reason: str) -> str:
    """The summarizer's reason for refusing an article (`ArticleError`), in Korean."""
    if reason.startswith("article too long"):
        return f"기사가 너무 깁니다 ({reason.split(':', 1)[1].strip()}). 기사를 나누어 넣어 주세요."
    known = {
        "empty": "빈 글입니다. 기사 본문을 넣어 주세요.",
        "not Korean": "한국어 기사가 아닙니다. 요약 모델은 한국어 뉴스를 읽습니다.",
        "nothing to summarise": "요약할 문장이 없습니다: 모든 문장이 바이라인·사진 설명·태그·부제입니다.",
    }
    return next((ko for prefix, ko in known.items() if reason.startswith(prefix)), f"요약할 수 없습니다: {reason}")


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV that Excel opens with Korean intact (UTF-8 with BOM)."""
    return table.to_csv(index=False).encode("utf-8-sig")
