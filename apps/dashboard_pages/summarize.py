"""요약: paste an article or upload a file of articles; the k chosen sentences highlighted, with scores."""

import json

import pandas as pd
import streamlit as st
from newsroom.models import load_summarizer
from newsroom.render import article_error_ko, csv_bytes, highlight_html, score_text
from newsroom.state import KEEP, feed_input, kept

from kpfnlp.summarize import ArticleError, Summary

BATCH = 8  # articles scored together per progress step

st.title("기사 요약")
k = st.slider("고를 문장 수 (k)", 1, 10, key=kept("sum_k", 3))
mode = st.radio("입력", ["직접 붙여넣기", "파일 업로드"], horizontal=True, key=f"{KEEP}sum_mode")
summarizer = load_summarizer()
if summarizer is not None and summarizer.calibration is not None:
    meaning = (
        "점수는 편집자가 고른 3문장 요약에 그 문장이 들어 있을 확률입니다 "
        f"(정답이 있는 기사 {summarizer.calibration.articles:,}건으로 보정)."
    )
else:
    meaning = "점수는 모델의 원점수로, 문장 사이의 순위만 뜻하고 확률은 아닙니다."
st.caption(f"모델이 고른 핵심 문장을 기사 전문 안에 노란색으로 표시하고, 문장마다 점수(0~1)를 보여 줍니다. {meaning}")


def show(summary: Summary) -> None:
    """The chosen sentences with scores, then the whole article with them highlighted."""
    for rank, (sentence, score) in enumerate(zip(summary.sentences, summary.scores, strict=True), 1):
        st.markdown(f"**{rank}.** {sentence} `{score_text(score)}`")
    marked = highlight_html(summary.article, summary.indices, summary.scores, summary.sentences)
    st.markdown(marked, unsafe_allow_html=True)


if mode == "직접 붙여넣기":
    text = st.text_area("기사 본문", height=260, key=f"{KEEP}sum_text", placeholder="기사 본문을 붙여넣으세요.")
    if st.button("요약하기", type="primary", disabled=summarizer is None, key="sum_run"):
        try:
            st.session_state["sum_result"] = (text, k, summarizer.summarize(text, k=k))
        except ArticleError as err:
            st.session_state["sum_result"] = (text, k, err)
    result = st.session_state.get("sum_result")
    if result is not None:
        _, used_k, summary = result
        if isinstance(summary, ArticleError):
            st.error(article_error_ko(str(summary)))
        else:
            st.subheader(f"요약 ({used_k}문장)")
            show(summary)
            payload = {"summary": summary.sentences, "indices": summary.indices, "scores": summary.scores,
                       "calibrated": summary.calibrated}  # fmt: skip
            st.download_button(
                "요약 내려받기 (JSON)", json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"),
                file_name="summary.json", mime="application/json",
            )  # fmt: skip
else:
    feed = feed_input("articles", "summarize", headlines=False, extra_label="제목 열", extra_names=("title", "제목"))
    if feed is not None and st.button("모두 요약하기", type="primary", disabled=summarizer is None, key="sum_batch"):
        bar = st.progress(0.0, text="요약하는 중…")
        results: list[Summary | ArticleError] = []
        for start in range(0, len(feed.texts), BATCH):
            results += summarizer.summarize_batch(feed.texts[start : start + BATCH], k=k)
            done = min(start + BATCH, len(feed.texts))
            bar.progress(done / len(feed.texts), text=f"요약하는 중… {done:,}/{len(feed.texts):,}")
        bar.empty()
        st.session_state["sum_batch_result"] = (feed.source, results)
    stored = st.session_state.get("sum_batch_result")
    if feed is not None and stored is not None and stored[0] == feed.source:
        results = stored[1]
        table = pd.DataFrame(
            {
                "id": feed.ids,
                "제목": feed.extras,
                "요약": [r.text if isinstance(r, Summary) else "" for r in results],
                "문장 번호": [", ".join(map(str, r.indices)) if isinstance(r, Summary) else "" for r in results],
                "점수": [", ".join(map(score_text, r.scores)) if isinstance(r, Summary) else "" for r in results],
                "오류": [article_error_ko(str(r)) if isinstance(r, ArticleError) else "" for r in results],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button("요약 표 내려받기 (CSV)", csv_bytes(table), file_name="summaries.csv", mime="text/csv")
        for i, r in enumerate(results[:50]):
            if isinstance(r, Summary):
                with st.expander(f"{feed.ids[i]} · {feed.extras[i] or feed.texts[i][:40]}"):
                    show(r)
