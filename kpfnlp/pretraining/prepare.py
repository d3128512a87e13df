"""Corpus -> clean -> sentences -> token ids -> MLM+NSP instances -> shards (`kpfnlp prepare-pretraining`)."""

from __future__ import annotations

import logging
import random
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from kpfnlp.corpus import Document, ReadReport, iter_corpus, load_corpus_mix
from kpfnlp.pretraining.config import PretrainConfig
from kpfnlp.pretraining.examples import Sentence, build_instances
from kpfnlp.pretraining.shards import ShardWriter
from kpfnlp.text import SentenceSplitter, clean_news, normalize_text

logger = logging.getLogger(__name__)


def document_sentences(doc: Document, splitter: SentenceSplitter, clean: bool = True) -> list[str]:
    """The sentences of a document, title first: normalised, news noise removed, split."""
    text = normalize_text(doc.text)
    if clean:
        text = clean_news(text)
    sentences = [s for s in splitter(text) if s.strip()]
    if doc.title and doc.title.strip():
        sentences.insert(0, normalize_text(doc.title))
    return sentences


def tokenize_documents(documents: list[list[str]], tokenizer: Any) -> list[list[Sentence]]:
    """Token ids of every sentence, with a word-start flag where a token follows whitespace (an eojeol begins)."""
    flat = [s for doc in documents for s in doc]
    if not flat:
        return [[] for _ in documents]
    encoded = tokenizer(
        flat,
        add_special_tokens=False,
        return_offsets_mapping=True,
        return_attention_mask=False,
        return_token_type_ids=False,
    )
    sentences = []
    for ids, offsets in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True):
        arr = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
        word_start = np.ones(len(ids), dtype=bool)
        if len(ids) > 1:
            word_start[1:] = arr[1:, 0] != arr[:-1, 1]
        sentences.append(Sentence(np.asarray(ids, dtype=np.int32), word_start))
    out, pos = [], 0
    for doc in documents:
        out.append(sentences[pos : pos + len(doc)])
        pos += len(doc)
    return out


def write_split(
    documents: Iterable[Document],
    directory: Path,
    tokenizer: Any,
    config: PretrainConfig,
    dupe_factor: int,
    seed: int,
    report: ReadReport | None = None,
) -> dict[str, Any]:
    """Stream documents into buffers, build instances `dupe_factor` times per buffer, write shards."""
    data = config.data
    splitter = SentenceSplitter(data.sentence_backend)
    rng = random.Random(seed)
    stats = {"documents": 0, "sentences": 0, "empty_documents": 0}
    started = time.perf_counter()
    with ShardWriter(directory, vocab_size=len(tokenizer), shard_size=data.shard_size) as writer:
        for buffer in _buffers(documents, data.buffer_docs):
            texts = []
            for doc in buffer:
                sentences = document_sentences(doc, splitter, data.clean_news)
                stats["documents"] += 1
                stats["sentences"] += len(sentences)
                if sentences:
                    texts.append(sentences)
                else:
                    stats["empty_documents"] += 1
            tokenized = tokenize_documents(texts, tokenizer)
            for _ in range(dupe_factor):
                writer.add(
                    build_instances(
                        tokenized,
                        max_seq_len=data.max_seq_len,
                        cls_id=tokenizer.cls_token_id,
                        sep_id=tokenizer.sep_token_id,
                        rng=rng,
                        short_seq_prob=data.short_seq_prob,
                    )
                )
        stats["bad_rows"] = report.bad_rows if report is not None else 0
        meta = writer.close(
            {
                **stats,
                "max_seq_len": data.max_seq_len,
                "dupe_factor": dupe_factor,
                "sentence_backend": data.sentence_backend,
                "tokenizer": str(data.tokenizer),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    return meta


def _buffers(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    buffer: list[Document] = []
    for doc in documents:
        buffer.append(doc)
        if len(buffer) >= size:
            yield buffer
            buffer = []
    if buffer:
        yield buffer


def prepare_pretraining(config: PretrainConfig, overwrite: bool = False) -> dict[str, Any]:
    """Build `train` (and, with a held-out corpus, `eval`) shards under `config.data.shards`."""
    from transformers import AutoTokenizer

    data = config.data
    tokenizer = AutoTokenizer.from_pretrained(data.tokenizer)
    root = Path(data.shards)
    if root.exists() and overwrite:
        shutil.rmtree(root)
    result: dict[str, Any] = {}
    splits = [("train", data.corpus, data.dupe_factor, data.seed)]
    if data.heldout_corpus:
        splits.append(("eval", data.heldout_corpus, 1, data.seed + 1))
    for split, corpus, dupe_factor, seed in splits:
        report = ReadReport()
        docs: Iterable[Document] = iter_corpus(load_corpus_mix(corpus), report)
        if data.max_docs is not None:
            docs = _take(docs, data.max_docs)
        docs = tqdm(docs, desc=f"prepare {split}", unit=" docs", mininterval=5)
        meta = write_split(docs, root / split, tokenizer, config, dupe_factor, seed, report)
        result[split] = meta
        if report.bad_rows:
            logger.warning("%s: %s", split, report.format())
    return result


def _take(items: Iterable[Document], n: int) -> Iterator[Document]:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item
