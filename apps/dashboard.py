"""kpfnlp newsroom dashboard: `streamlit run apps/dashboard.py` (or `kpfnlp dashboard`)."""

import sys
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR) not in sys.path:  # `streamlit run` adds it; AppTest and other runners may not
    sys.path.insert(0, str(APP_DIR))

from newsroom.models import encoder_slot, summarizer_slot  # noqa: E402
from newsroom.state import keep_widget_values  # noqa: E402

PAGES = APP_DIR / "dashboard_pages"

st.set_page_config(page_title="kpfnlp 뉴스룸", page_icon=":material/newspaper:", layout="wide")
keep_widget_values()
navigation = st.navigation(
    [
        st.Page(PAGES / "summarize.py", title="요약", icon=":material/summarize:", url_path="summarize", default=True),
        st.Page(PAGES / "cluster.py", title="클러스터", icon=":material/hub:", url_path="cluster"),
        st.Page(PAGES / "dedup.py", title="중복", icon=":material/content_copy:", url_path="dedup"),
        st.Page(PAGES / "similar.py", title="유사 기사", icon=":material/manage_search:", url_path="similar"),
        st.Page(PAGES / "model.py", title="모델", icon=":material/info:", url_path="model"),
    ]
)
with st.sidebar:
    st.caption("kpfnlp 뉴스룸 · 모든 처리는 이 컴퓨터 안에서만 이루어집니다.")
    for slot in (summarizer_slot(), encoder_slot()):
        mark = ":material/check_circle:" if slot.present else ":material/warning: 없음 ·"
        st.caption(f"{mark} {slot.name}: `{slot.path.name}`")
navigation.run()
