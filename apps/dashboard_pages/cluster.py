"""클러스터: a day's headlines grouped into stories, with keywords, representative headline, members and a map."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st
from newsroom.embeddings import FALLBACK, Precomputed, feed_embeddings
from newsroom.models import load_encoder
from newsroom.render import csv_bytes
from newsroom.state import KEEP, kept, section_feed_input

from kpfnlp.cluster import ClusterPipeline, HDBSCANClusterer, PCAReducer, UMAPReducer, cluster_by_group
from kpfnlp.cluster.plot import map_coordinates, write_html_map
from kpfnlp.dedup import DedupConfig, Deduplicator

NOISE = "미분류"


def section_label(sections: pd.Series) -> str:
    """The members' section, or how many sections they span."""
    names = set(sections) - {""}
    return next(iter(names)) if len(names) == 1 else (f"여러 섹션 ({len(names)})" if names else "")


st.title("헤드라인 클러스터")
st.caption("하루치 제목을 올리면 같은 사건을 다룬 기사끼리 묶고, 묶음마다 키워드와 대표 제목을 보여 줍니다.")
with st.sidebar:
    st.subheader("클러스터 설정")
    # UMAP first: with PCA the per-section default left the 60-headline sample all noise (docs/benchmarks.md)
    reducer_name = st.radio("차원 축소", ["UMAP (정교함, 첫 실행은 30초 안팎)", "PCA (빠름)"], key=f"{KEEP}cl_reducer")
    n_components = st.slider("축소 차원 수", 2, 20, key=kept("cl_dims", 5))
    min_cluster_size = st.slider("최소 군집 크기", 2, 50, key=kept("cl_min_size", 3))
    min_samples = st.slider("min_samples (클수록 잡음이 늘어남)", 1, 10, key=kept("cl_min_samples", 2))
    method = st.radio("군집 선택", ["leaf", "eom"], horizontal=True, key=f"{KEEP}cl_method")
    dedup = st.checkbox("중복 기사를 먼저 묶기", key=kept("cl_dedup", True))
    per_section = st.checkbox("섹션별로 따로 묶기", key=kept("cl_per_section", True))
    reassign = st.checkbox("미분류 기사를 가까운 군집에 붙이기", key=f"{KEEP}cl_reassign")
    threshold = st.slider("붙이기 기준 (코사인)", 0.3, 0.95, key=kept("cl_threshold", 0.6), disabled=not reassign)

feed = section_feed_input("cluster")
encoder = load_encoder(FALLBACK) if feed is not None else None
params = (reducer_name, n_components, min_cluster_size, min_samples, method, dedup, per_section, reassign, threshold)
if feed is not None and st.button("클러스터 만들기", type="primary", key="cl_run"):
    with st.status("클러스터를 만드는 중…", expanded=True) as status:
        st.write("1/3 문장 벡터")
        vectors = feed_embeddings(feed, encoder)
        st.write("2/3 차원 축소 → HDBSCAN → 키워드")
        reducer = UMAPReducer(n_components) if reducer_name.startswith("UMAP") else PCAReducer(n_components)
        pipeline = ClusterPipeline(
            Precomputed(feed.texts, vectors), reducer, HDBSCANClusterer(min_cluster_size, min_samples, method),
            deduplicator=Deduplicator(DedupConfig(tiers=("exact", "lexical"))) if dedup else None,
            outlier_threshold=threshold if reassign else None,
        )  # fmt: skip
        sections = feed.extras if any(feed.extras) else [""] * len(feed.texts)
        result = cluster_by_group(pipeline, feed.texts, sections) if per_section else pipeline.fit(feed.texts)
        st.write("3/3 지도 좌표")
        xy = map_coordinates(vectors) if len(feed.texts) > 2 else np.zeros((len(feed.texts), 2))
        with tempfile.TemporaryDirectory() as tmp:
            page = write_html_map(Path(tmp) / "map.html", xy, feed.texts, result.labels, result.keywords).read_bytes()
        status.update(label="클러스터 완료", state="complete", expanded=False)
    st.session_state["cluster_result"] = (feed.source, params, result, xy, page)

stored = st.session_state.get("cluster_result")
if feed is not None and stored is not None and stored[0] == feed.source:
    _, used, result, xy, page = stored
    if used != params:
        st.info("설정이 바뀌었습니다. '클러스터 만들기'를 다시 누르면 새 설정으로 묶습니다.")
    labels = result.labels
    items = pd.DataFrame(
        {
            "id": feed.ids, "제목": feed.texts, "섹션": feed.extras, "군집": labels,
            "대표": result.representative, "중복 그룹": result.duplicate_group,
            "키워드": [", ".join(result.item_keywords(i)) for i in range(len(labels))],
        }
    )  # fmt: skip
    clusters = len(set(labels.tolist()) - {-1})
    a, b, c = st.columns(3)
    a.metric("기사", f"{len(labels):,}")
    b.metric("군집", f"{clusters:,}")
    c.metric("미분류", f"{(labels == -1).mean():.0%}")
    all_sections = sorted(set(feed.extras) - {""})
    if all_sections:
        key = f"{KEEP}cl_sections"  # sections of an earlier file are dropped; none left means all
        st.session_state[key] = [s for s in st.session_state.get(key, []) if s in all_sections] or all_sections
        chosen = st.multiselect("섹션 필터", all_sections, key=key)
        items = items[items["섹션"].isin(chosen)]
    rows = []
    for label, members in items.groupby("군집", sort=False):
        rep = members[members["대표"]]
        rows.append(
            {
                "군집": NOISE if label == -1 else str(label),  # one type: Arrow needs it
                "섹션": section_label(members["섹션"]),
                "기사 수": len(members),
                "키워드": "" if label == -1 else ", ".join(result.keywords.get(int(label), [])),
                "대표 제목": "" if label == -1 else (rep if len(rep) else members).iloc[0]["제목"],
            }
        )
    table = pd.DataFrame(rows, columns=["군집", "섹션", "기사 수", "키워드", "대표 제목"])
    table = table.assign(_noise=table["군집"] == NOISE).sort_values(["_noise", "기사 수"], ascending=[True, False])
    table = table.drop(columns="_noise").reset_index(drop=True)
    st.dataframe(table, hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button("군집 표 내려받기 (CSV)", csv_bytes(table), file_name="clusters.csv", mime="text/csv")
    right.download_button("기사별 결과 내려받기 (CSV)", csv_bytes(items), file_name="items.csv", mime="text/csv")
    for _, row in table.head(40).iterrows():
        members = items[items["군집"] == (-1 if row["군집"] == NOISE else int(row["군집"]))]
        about = f" · {row['키워드']}" if row["키워드"] else ""
        with st.expander(f"군집 {row['군집']} · {row['기사 수']}건{about}"):
            st.dataframe(members[["id", "제목", "섹션", "대표", "중복 그룹"]], hide_index=True, width="stretch")
    shown = items.index.to_numpy()
    names = [NOISE if c == -1 else f"{c}: {' '.join(result.keywords.get(c, [])[:3])}" for c in labels[shown]]
    figure = px.scatter(
        x=xy[shown, 0], y=xy[shown, 1], color=names, hover_name=items["제목"],
        labels={"x": "", "y": "", "color": "군집"}, color_discrete_map={NOISE: "lightgrey"},
        title="2차원 지도 (점 하나가 기사 하나, 같은 색이 같은 군집)",
    )  # fmt: skip
    st.plotly_chart(figure, width="stretch")
    st.download_button("지도 내려받기 (HTML, 오프라인)", page, file_name="cluster-map.html", mime="text/html")
