"""유사 기사: the items of the uploaded feed most similar to a picked or typed headline, with cosine scores."""

import numpy as np
import pandas as pd
import streamlit as st
from newsroom.embeddings import feed_embeddings
from newsroom.models import load_encoder
from newsroom.render import csv_bytes
from newsroom.state import KEEP, kept, section_feed_input

from kpfnlp.encoder import TfidfCharEmbedder

st.title("유사 기사 찾기")
st.caption("올린 기사 목록에서 고른 제목(또는 직접 쓴 문장)과 가장 비슷한 기사를 코사인 유사도 순으로 보여 줍니다.")
feed = section_feed_input("similar")
if feed is not None:
    encoder = load_encoder("모델 없이 글자 n-그램 TF-IDF 코사인으로 대신합니다.")
    mode = st.radio("기준 문장", ["목록에서 고르기", "직접 입력"], horizontal=True, key=f"{KEEP}sim_mode")
    picked: int | None = None
    if mode == "목록에서 고르기":
        picked = st.selectbox(
            "기사",
            range(len(feed.texts)),
            format_func=lambda i: f"{feed.ids[i]} · {feed.texts[i]}",  # ids: twins
            key=f"{KEEP}sim_pick",
        )
        query = feed.texts[picked] if picked is not None else ""
    else:
        query = st.text_input("제목 또는 문장", key=f"{KEEP}sim_query").strip()
    top = st.slider("보여 줄 기사 수", 1, 50, key=kept("sim_top", 10))
    if query:
        if encoder is not None:
            vectors = feed_embeddings(feed, encoder)
            query_vector = vectors[picked] if picked is not None else encoder.encode([query])[0]
            scores = vectors @ query_vector
        else:  # character 1-2-gram TF-IDF fitted on the feed and the query: sparse cosine
            tfidf = TfidfCharEmbedder(2).fit([*feed.texts, query])
            scores = (tfidf.encode(feed.texts) @ tfidf.encode([query]).T).toarray().ravel()
        order = [i for i in np.argsort(-scores, kind="stable") if i != picked][:top]
        table = pd.DataFrame(
            {
                "순위": range(1, len(order) + 1), "기사": [feed.texts[i] for i in order],
                "섹션": [feed.extras[i] for i in order], "id": [feed.ids[i] for i in order],
                "코사인 유사도": [round(float(scores[i]), 4) for i in order],
            }
        )  # fmt: skip
        st.subheader(f"'{query}'와(과) 비슷한 기사")
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button("결과 내려받기 (CSV)", csv_bytes(table), file_name="similar.csv", mime="text/csv")
    else:
        st.info("기준이 될 제목을 고르거나 문장을 입력하세요.")
