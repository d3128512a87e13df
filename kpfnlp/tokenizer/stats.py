"""Tokenizer figures on text: tokens per word, characters per token, [UNK] rate, morpheme alignment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from transformers import PreTrainedTokenizerBase

from kpfnlp.tokenizer.morpheme import morpheme_boundaries

_BATCH = 512


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    it = iter(texts)
    while batch := list(islice(it, _BATCH)):
        yield batch


def tokenizer_stats(tokenizer: PreTrainedTokenizerBase, texts: Iterable[str]) -> dict[str, float]:
    """Tokens per word (whitespace eojeol), non-space characters per token, [UNK] share; no [CLS]/[SEP]."""
    n_texts = n_words = n_chars = n_tokens = n_unk = 0
    for batch in _batches(texts):
        for text, ids in zip(batch, tokenizer(batch, add_special_tokens=False)["input_ids"], strict=True):
            words = text.split()
            n_texts += 1
            n_words += len(words)
            n_chars += sum(map(len, words))
            n_tokens += len(ids)
            n_unk += sum(i == tokenizer.unk_token_id for i in ids)
    return {
        "texts": n_texts,
        "words": n_words,
        "chars": n_chars,
        "tokens": n_tokens,
        "unk": n_unk,
        "tokens_per_word": n_tokens / n_words if n_words else 0.0,
        "chars_per_token": n_chars / n_tokens if n_tokens else 0.0,
        "unk_rate": n_unk / n_tokens if n_tokens else 0.0,
    }


def morpheme_alignment(tokenizer: PreTrainedTokenizerBase, texts: Iterable[str]) -> dict[str, float]:
    """How token boundaries inside words agree with mecab-ko morpheme boundaries.

    precision: share of in-word token boundaries that are morpheme boundaries; recall: share of in-word
    morpheme boundaries that are token boundaries.
    """
    n_token_cuts = n_morph_cuts = n_both = 0
    for batch in _batches(texts):
        encoded = tokenizer(batch, add_special_tokens=False, return_offsets_mapping=True)
        for text, tokens, offsets in zip(batch, encoded["input_ids"], encoded["offset_mapping"], strict=True):
            pieces = tokenizer.convert_ids_to_tokens(tokens)
            token_cuts = {start for piece, (start, _) in zip(pieces, offsets, strict=True) if piece.startswith("##")}
            morph_cuts = set(morpheme_boundaries(text))
            n_token_cuts += len(token_cuts)
            n_morph_cuts += len(morph_cuts)
            n_both += len(token_cuts & morph_cuts)
    precision = n_both / n_token_cuts if n_token_cuts else 0.0
    recall = n_both / n_morph_cuts if n_morph_cuts else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
