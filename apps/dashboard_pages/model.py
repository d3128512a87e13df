"""모델: the configured models, the model card and the latest evaluation table from docs/."""

import json
import os
from pathlib import Path

import streamlit as st
from newsroom.models import encoder_slot, summarizer_slot

from kpfnlp.paths import REPO_ROOT

DOCS = Path(os.environ.get("KPFNLP_DOCS_DIR") or REPO_ROOT / "docs")

st.title("모델 정보")
st.subheader("사용 중인 모델")
for slot in (summarizer_slot(), encoder_slot()):
    if slot.present:
        size = sum(p.stat().st_size for p in slot.path.rglob("*") if p.is_file())
        st.success(f"{slot.name}: `{slot.path}` ({size / 1e6:,.1f} MB)")
        facts = slot.path / "kpfnlp.json"
        if facts.is_file():
            st.json(json.loads(facts.read_text(encoding="utf-8")), expanded=False)
    else:
        st.warning(slot.missing_message())
for title, name in (("모델 카드", "model-card.md"), ("최신 평가표", "eval-table.md")):
    st.subheader(title)
    path = DOCS / name
    if path.is_file():
        st.markdown(path.read_text(encoding="utf-8"))
    else:
        st.info(f"{title}가 아직 없습니다 (`docs/{name}`). 모델 학습과 평가가 끝나면 이곳에 나타납니다.")
