"""Shared fixtures: the offline data catalogue (skip when absent), the project's own samples, tiny BERT builders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kpfnlp.paths import samples_dir, shared_data_dir

if TYPE_CHECKING:
    from transformers import BertConfig


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`, or skip the test cleanly on machines that do not have it."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not available on this machine")
    return path


@pytest.fixture(scope="session")
def samples() -> Path:
    """`data/samples/`: news-style articles and headlines written for this project."""
    return samples_dir()


def tiny_bert_config(vocab_size: int, num_hidden_layers: int = 2, max_position_embeddings: int = 128) -> BertConfig:
    """A 32-wide, 2-head BERT config (intermediate size 64) that builds and trains in seconds."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size, hidden_size=32, num_hidden_layers=num_hidden_layers, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=max_position_embeddings,
    )  # fmt: skip


def build_tiny_bert(
    out: Path,
    texts: list[str],
    vocab_size: int,
    *,
    pretraining: bool = False,
    num_hidden_layers: int = 2,
    max_position_embeddings: int = 128,
) -> BertConfig:
    """Train a WordPiece vocabulary on `texts` into `out` and save a seed-0 tiny BertModel (or BertForPreTraining)."""
    import torch
    from transformers import BertForPreTraining, BertModel

    from kpfnlp.tokenizer import train_wordpiece

    tokenizer = train_wordpiece(texts, out, vocab_size=vocab_size, min_frequency=1)
    torch.manual_seed(0)
    config = tiny_bert_config(len(tokenizer), num_hidden_layers, max_position_embeddings)
    (BertForPreTraining if pretraining else BertModel)(config).save_pretrained(out)
    return config
