"""중복: duplicate groups of the uploaded feed, each with its canonical item and every member's similarity."""

import pandas as pd
import streamlit as st
from newsroom.embeddings import feed_embeddings
from newsroom.models import encoder_slot, load_encoder
from newsroom.render import TIER_NAMES, csv_bytes
from newsroom.state import KEEP, kept, section_feed_input

from kpfnlp.dedup import TIERS, DedupConfig, Deduplicator
from kpfnlp.dedup.calibrate import encoder_semantic_threshold

st.title("중복 기사")
st.caption(
    "같은 기사를 여러 번 실었거나 표현만 조금 바꾼 기사를 묶고, 묶음의 대표 기사와 각 기사의 유사도를 보여 줍니다."
)
with st.sidebar:
    st.subheader("중복 설정")
    tiers = st.multiselect("단계", list(TIERS), format_func=TIER_NAMES.get, key=kept("dd_tiers", list(TIERS)))
    lexical = st.slider(
        "표현 유사 기준 (글자 2-그램 Jaccard)", 0.3, 1.0, step=0.05,
        key=kept("dd_lexical", DedupConfig.lexical_threshold),
    )  # fmt: skip
    calibrated = encoder_semantic_threshold(encoder_slot().path)  # the encoder's own, if it was calibrated
    semantic = st.slider(
        "의미 유사 기준 (코사인)", 0.5, 1.0, step=0.01,
        key=kept("dd_semantic", calibrated if calibrated is not None else DedupConfig.semantic_threshold),
    )  # fmt: skip
    canonical = st.radio(
        "대표 기사", ["first", "longest"], format_func={"first": "먼저 나온 기사", "longest": "가장 긴 기사"}.get,
        key=f"{KEEP}dd_canonical",
    )  # fmt: skip

feed = section_feed_input("dedup")
params = (tuple(tiers), lexical, semantic, canonical)
if feed is not None and st.button("중복 찾기", type="primary", key="dd_run", disabled=not tiers):
    encoder = load_encoder("의미 유사 단계는 건너뜁니다.") if "semantic" in tiers else None
    vectors = feed_embeddings(feed, encoder) if encoder is not None else None
    config = DedupConfig(tiers=tuple(tiers), lexical_threshold=lexical, semantic_threshold=semantic,
                         canonical=canonical)  # fmt: skip
    with st.spinner("중복을 찾는 중…"):
        records = Deduplicator(config).run(feed.texts, feed.ids, embeddings=vectors)
    st.session_state["dedup_result"] = (feed.source, params, records)

stored = st.session_state.get("dedup_result")
if feed is not None and stored is not None and stored[0] == feed.source:
    _, used, records = stored
    if used != params:
        st.info("설정이 바뀌었습니다. '중복 찾기'를 다시 누르면 새 설정으로 묶습니다.")
    items = pd.DataFrame(
        {
            "그룹": [r.group for r in records], "id": feed.ids, "기사": feed.texts, "섹션": feed.extras,
            "대표": [r.canonical for r in records], "유사도": [r.similarity for r in records],
            "단계": [TIER_NAMES[r.tier] for r in records],
        }
    )  # fmt: skip
    sizes = items["그룹"].value_counts()
    groups = sizes[sizes > 1].index.tolist()
    a, b, c = st.columns(3)
    a.metric("기사", f"{len(items):,}")
    b.metric("중복 그룹", f"{len(groups):,}")
    c.metric("접을 수 있는 중복 기사", f"{int((sizes[sizes > 1] - 1).sum()):,}")
    if not groups:
        st.success("중복 기사가 없습니다.")
    summary = pd.DataFrame(
        [
            {
                "그룹": g, "기사 수": int(sizes[g]),
                "대표 기사": items[(items["그룹"] == g) & items["대표"]]["기사"].iloc[0],
                "최저 유사도": float(items[(items["그룹"] == g) & ~items["대표"]]["유사도"].min()),
            }
            for g in groups
        ],
        columns=["그룹", "기사 수", "대표 기사", "최저 유사도"],
    )  # fmt: skip
    if groups:
        st.dataframe(summary, hide_index=True, width="stretch")
    st.download_button("기사별 결과 내려받기 (CSV)", csv_bytes(items), file_name="dedup.csv", mime="text/csv")
    for g in groups[:50]:
        members = items[items["그룹"] == g].sort_values("대표", ascending=False)
        with st.expander(f"그룹 {g} · {len(members)}건 · {members.iloc[0]['기사']}"):
            st.dataframe(members[["id", "기사", "대표", "유사도", "단계"]], hide_index=True, width="stretch")
