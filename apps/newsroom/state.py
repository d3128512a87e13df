"""State that outlives a page switch: kept widget values and the uploaded files, with the upload widget."""

from __future__ import annotations

import streamlit as st

from kpfnlp.corpus.columns import ID_COLUMNS
from newsroom.uploads import (
    SECTION_COLUMNS,
    UPLOAD_TYPES,
    Feed,
    UploadError,
    guess_column,
    guess_text,
    inspect_upload,
    missing_text_message,
    read_upload,
)

KEEP = "keep_"  # widgets whose key starts with this keep their value when another page is shown
NONE = "(없음)"


def kept(name: str, default: object) -> str:
    """The session key of a kept widget, seeded with `default` once (the widget itself then takes no default)."""
    key = f"{KEEP}{name}"
    st.session_state.setdefault(key, default)
    return key


def keep_widget_values() -> None:
    """Re-store kept widget values so Streamlit does not drop them while their page is not shown."""
    for key in [k for k in st.session_state if str(k).startswith(KEEP)]:
        st.session_state[key] = st.session_state[key]


def feed_input(slot: str, page: str, headlines: bool, extra_label: str, extra_names: tuple[str, ...]) -> Feed | None:
    """Upload widget + column pickers; the file (slot "feed" is shared by pages) survives page switches.

    Returns the usable rows, or None after a Korean message when there is no usable file yet.
    """
    label = "기사 목록 파일 (CSV·TSV·XLSX·JSONL, UTF-8 또는 CP949)"
    uploaded = st.file_uploader(label, type=UPLOAD_TYPES, key=f"{page}_upload")
    if uploaded is not None:
        data = uploaded.getvalue()
        current = st.session_state.get(f"upload_{slot}")
        if current is None or current.data != data or current.name != uploaded.name:
            try:
                upload = inspect_upload(uploaded.name, data)
            except UploadError as err:
                st.error(str(err))
                return None
            st.session_state[f"upload_{slot}"] = upload
            for key in ("text", "extra", "id"):
                st.session_state.pop(f"{KEEP}{slot}_{key}", None)
    upload = st.session_state.get(f"upload_{slot}")
    if upload is None:
        st.info("파일을 올리면 여기에 결과가 나옵니다.")
        return None
    st.caption(f"파일: **{upload.name}** · 인코딩: {upload.encoding_name} · 열 {len(upload.columns)}개")
    text_guess = guess_text(upload.columns, headlines)
    if text_guess is None:
        st.warning(missing_text_message(upload))
    columns = upload.columns
    optional = [NONE, *columns]
    left, middle, right = st.columns(3)
    text = left.selectbox("글 열", columns, key=kept(f"{slot}_text", text_guess or columns[0]))
    extra_guess = guess_column(columns, extra_names) or NONE
    extra = middle.selectbox(extra_label, optional, key=kept(f"{slot}_extra", extra_guess))
    id_column = right.selectbox("ID 열", optional, key=kept(f"{slot}_id", guess_column(columns, ID_COLUMNS) or NONE))
    extra_column = None if extra == NONE else extra
    id_name = None if id_column == NONE else id_column
    feed = st.session_state.get(f"feed_{slot}")
    source = f"{upload.key}:{text}:{extra_column}:{id_name}"
    if feed is None or feed.source != source:
        try:
            feed = read_upload(upload, text, extra_column, id_name)
        except UploadError as err:
            st.error(str(err))
            return None
        st.session_state[f"feed_{slot}"] = feed
    if feed.errors:
        with st.expander(f"읽지 못한 행 {len(feed.errors):,}개 (나머지 {len(feed.texts):,}행으로 진행)"):
            st.code("\n".join(feed.errors[:50]))
    return feed


def section_feed_input(page: str) -> Feed | None:
    """The shared headline feed (clusters, duplicates, similar items) with an optional section column."""
    return feed_input("feed", page, headlines=True, extra_label="섹션 열", extra_names=SECTION_COLUMNS)
