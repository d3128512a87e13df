"""Which models the dashboard uses (environment variables, else the bundled ones) and loading them once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

SUMMARIZER_ENV = "KPFNLP_SUMMARIZER"
ENCODER_ENV = "KPFNLP_ENCODER"
SPLITTER_ENV = "KPFNLP_SPLITTER"  # sentence splitter backend of the summarizer (kiwi, kss, regex)


@dataclass(frozen=True)
class ModelSlot:
    """One configured model: its Korean name (and with its subject particle), directory, the file that proves it is
    there, and how to get one."""

    name: str
    subject: str
    path: Path
    marker: str
    hint: str

    @property
    def present(self) -> bool:
        """Whether the directory holds a saved model."""
        return (self.path / self.marker).is_file()

    def missing_message(self) -> str:
        """The Korean notice shown when the model is not there."""
        return f"{self.subject} 없습니다 (`{self.path}`). {self.hint}"


def summarizer_slot() -> ModelSlot:
    """The summarizer directory: $KPFNLP_SUMMARIZER, else the bundled model."""
    from kpfnlp.summarize import DEFAULT_MODEL_DIR

    path = Path(os.environ.get(SUMMARIZER_ENV) or DEFAULT_MODEL_DIR)
    hint = (
        "`kpfnlp train-summarizer`로 학습하거나 `kpfnlp dashboard --summarizer DIR`(또는 KPFNLP_SUMMARIZER)로 "
        "지정하세요."
    )
    return ModelSlot("요약 모델", "요약 모델이", path, "config.json", hint)


def encoder_slot() -> ModelSlot:
    """The sentence-encoder directory: $KPFNLP_ENCODER, else the bundled encoder."""
    from kpfnlp.encoder import BUNDLED_ENCODER

    path = Path(os.environ.get(ENCODER_ENV) or BUNDLED_ENCODER)
    hint = "`kpfnlp train-encoder`로 학습하거나 `kpfnlp dashboard --encoder DIR`(또는 KPFNLP_ENCODER)로 지정하세요."
    return ModelSlot("문장 인코더", "문장 인코더가", path, "modules.json", hint)


@st.cache_resource(show_spinner="요약 모델을 불러오는 중…")
def _load_summarizer(path: str, backend: str):
    from kpfnlp.summarize import Summarizer

    return Summarizer.from_pretrained(path, backend=backend)


@st.cache_resource(show_spinner="문장 인코더를 불러오는 중…")
def _load_encoder(path: str):
    from kpfnlp.encoder import SentenceEncoder

    return SentenceEncoder.load(path)


def load_summarizer():
    """The configured summarizer, loaded once per process; None (after a Korean error) when it is missing."""
    slot = summarizer_slot()
    if not slot.present:
        st.error(slot.missing_message())
        return None
    return _load_summarizer(str(slot.path), os.environ.get(SPLITTER_ENV, "kiwi"))


def load_encoder(fallback: str):
    """The configured encoder, loaded once per process; None (after a Korean notice naming `fallback`) if missing."""
    slot = encoder_slot()
    if not slot.present:
        st.warning(f"{slot.missing_message()} 지금은 {fallback}")
        return None
    return _load_encoder(str(slot.path))
