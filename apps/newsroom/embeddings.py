"""Embeddings of an uploaded feed, computed once per feed and model (with a progress bar) and kept in state."""

from __future__ import annotations

import numpy as np
import streamlit as st

from newsroom.uploads import Feed

BATCH = 64
FALLBACK = "모델 없이 글자 n-그램 TF-IDF(LSA)로 대신합니다."


def feed_embeddings(feed: Feed, encoder) -> np.ndarray:
    """Unit-length vectors of the feed's texts: the encoder's, or TF-IDF+SVD when `encoder` is None."""
    from kpfnlp.cluster import TfidfSvdEmbedder

    key = (feed.source, encoder is None)
    stored = st.session_state.get("embeddings")
    if stored is not None and stored[0] == key:
        return stored[1]
    if encoder is None:
        vectors = TfidfSvdEmbedder().encode(feed.texts)
    else:
        bar = st.progress(0.0, text="문장 벡터를 만드는 중…")
        parts = []
        for start in range(0, len(feed.texts), BATCH):
            parts.append(encoder.encode(feed.texts[start : start + BATCH]))
            done = min(start + BATCH, len(feed.texts))
            bar.progress(done / len(feed.texts), text=f"문장 벡터를 만드는 중… {done:,}/{len(feed.texts):,}")
        bar.empty()
        vectors = np.concatenate(parts)
    st.session_state["embeddings"] = (key, vectors)
    return vectors


class Precomputed:
    """An embedder that returns vectors already computed for these texts (so per-section runs embed once)."""

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self.lookup = dict(zip(texts, vectors, strict=True))

    def encode(self, texts) -> np.ndarray:
        """The stored vectors of `texts`."""
        return np.stack([self.lookup[t] for t in texts])
