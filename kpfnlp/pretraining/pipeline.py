"""All three pretraining stages from one recipe: tokenizer -> shards -> MLM+NSP training (`kpfnlp smoke`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kpfnlp.corpus import ReadReport, iter_corpus, load_corpus_mix
from kpfnlp.pretraining.config import PretrainConfig


def corpus_texts(
    corpus_yaml: str | Path, report: ReadReport | None = None, max_docs: int | None = None
) -> Iterator[str]:
    """Title and body text of every document of a corpus mix (the tokenizer's training text)."""
    for i, doc in enumerate(iter_corpus(load_corpus_mix(corpus_yaml), report)):
        if max_docs is not None and i >= max_docs:
            return
        yield f"{doc.title}\n{doc.text}" if doc.title else doc.text


def run_end_to_end(config: PretrainConfig, vocab_size: int, min_frequency: int = 2) -> dict[str, Any]:
    """Train the tokenizer (unless `config.data.tokenizer` already holds one), prepare shards, pretrain."""
    from kpfnlp.pretraining.prepare import prepare_pretraining
    from kpfnlp.pretraining.trainer import run_pretraining
    from kpfnlp.tokenizer import train_wordpiece

    tokenizer_dir = Path(config.data.tokenizer)
    if not (tokenizer_dir / "tokenizer.json").is_file():
        train_wordpiece(
            corpus_texts(config.data.corpus, max_docs=config.data.max_docs),
            tokenizer_dir,
            vocab_size=vocab_size,
            min_frequency=min_frequency,
        )
    shards = prepare_pretraining(config, overwrite=True)
    summary = run_pretraining(config, resume=False)
    return {"shards": shards, **summary}
