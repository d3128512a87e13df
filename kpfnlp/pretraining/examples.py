"""Build MLM+NSP instances with the semantics of the original BERT `create_pretraining_data.py`.

A document is a list of tokenized sentences. Sentences are packed into a chunk up to a target length (the full
`max_seq_len - 3`, or with probability `short_seq_prob` a random shorter length); the chunk is cut at a random
sentence into segment A and B. With probability 0.5 (always, when the chunk has one sentence) B is replaced by
sentences from a random other document ("random next"), and the unused sentences go back to be packed again.
The pair is truncated to fit, removing tokens from the front or back of the longer segment at random.
Masking is not done here: it is dynamic, at training time (see `masking.py`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Sentence:
    """One tokenized sentence: token ids and, per token, whether it starts a whitespace-delimited word."""

    ids: np.ndarray  # int32 token ids
    word_start: np.ndarray  # bool, same length


@dataclass
class Instance:
    """One pretraining example: `[CLS] A [SEP] B [SEP]` with its NSP label and word-start flags."""

    input_ids: np.ndarray  # int32, includes [CLS] and both [SEP]s
    len_a: int  # tokens in `[CLS] A [SEP]`: token_type_ids are 0 for these, 1 after
    is_random_next: bool
    word_start: np.ndarray  # bool, same length as input_ids (special tokens count as word starts)


def build_instances(
    documents: Sequence[Sequence[Sentence]],
    *,
    max_seq_len: int,
    cls_id: int,
    sep_id: int,
    rng: random.Random,
    short_seq_prob: float = 0.1,
) -> Iterator[Instance]:
    """Yield instances for every document of `documents` (random-next partners are drawn from the same list)."""
    for doc_index in range(len(documents)):
        yield from _document_instances(documents, doc_index, max_seq_len, cls_id, sep_id, rng, short_seq_prob)


def _document_instances(
    documents: Sequence[Sequence[Sentence]],
    doc_index: int,
    max_seq_len: int,
    cls_id: int,
    sep_id: int,
    rng: random.Random,
    short_seq_prob: float,
) -> Iterator[Instance]:
    document = [s for s in documents[doc_index] if len(s.ids)]
    max_num_tokens = max_seq_len - 3
    target_seq_length = max_num_tokens
    if rng.random() < short_seq_prob:
        target_seq_length = rng.randint(2, max_num_tokens)

    chunk: list[Sentence] = []
    chunk_length = 0
    i = 0
    while i < len(document):
        chunk.append(document[i])
        chunk_length += len(document[i].ids)
        if i == len(document) - 1 or chunk_length >= target_seq_length:
            a_end = 1 if len(chunk) < 2 else rng.randint(1, len(chunk) - 1)
            tokens_a = chunk[:a_end]
            if len(chunk) == 1 or rng.random() < 0.5:
                is_random_next = True
                target_b_length = target_seq_length - sum(len(s.ids) for s in tokens_a)
                tokens_b = _random_segment(documents, doc_index, target_b_length, rng)
                i -= len(chunk) - a_end  # put the unused sentences back
            else:
                is_random_next = False
                tokens_b = chunk[a_end:]
            instance = _make_instance(tokens_a, tokens_b, is_random_next, max_num_tokens, cls_id, sep_id, rng)
            if instance is not None:
                yield instance
            chunk = []
            chunk_length = 0
        i += 1


def _random_segment(
    documents: Sequence[Sequence[Sentence]], doc_index: int, target_length: int, rng: random.Random
) -> list[Sentence]:
    """Sentences from a random other document, starting at a random sentence, up to `target_length` tokens."""
    random_doc: Sequence[Sentence] = documents[doc_index]
    if len(documents) > 1:
        for _ in range(10):
            candidate = rng.randint(0, len(documents) - 1)
            if candidate != doc_index and len(documents[candidate]):
                random_doc = documents[candidate]
                break
    if not len(random_doc):
        return []
    segment: list[Sentence] = []
    length = 0
    for sentence in random_doc[rng.randint(0, len(random_doc) - 1) :]:
        segment.append(sentence)
        length += len(sentence.ids)
        if length >= target_length:
            break
    return segment


def _make_instance(
    seg_a: list[Sentence],
    seg_b: list[Sentence],
    is_random_next: bool,
    max_num_tokens: int,
    cls_id: int,
    sep_id: int,
    rng: random.Random,
) -> Instance | None:
    a_ids, a_ws = _concat(seg_a)
    b_ids, b_ws = _concat(seg_b)
    a_ids, a_ws, b_ids, b_ws = _truncate_pair(a_ids, a_ws, b_ids, b_ws, max_num_tokens, rng)
    if len(a_ids) == 0 or len(b_ids) == 0:
        return None
    special = np.array([True])
    input_ids = np.concatenate([[cls_id], a_ids, [sep_id], b_ids, [sep_id]]).astype(np.int32)
    word_start = np.concatenate([special, a_ws, special, b_ws, special])
    return Instance(input_ids, len(a_ids) + 2, is_random_next, word_start)


def _concat(segment: list[Sentence]) -> tuple[np.ndarray, np.ndarray]:
    if not segment:
        return np.zeros(0, np.int32), np.zeros(0, bool)
    return np.concatenate([s.ids for s in segment]), np.concatenate([s.word_start for s in segment])


def _truncate_pair(
    a_ids: np.ndarray,
    a_ws: np.ndarray,
    b_ids: np.ndarray,
    b_ws: np.ndarray,
    max_num_tokens: int,
    rng: random.Random,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Trim the pair as BERT does (always from the longer segment, each token from the front or back at random).

    Done in closed form: the token counts removed from A and B follow from the lengths, and the front/back split
    of each is Binomial(n, 1/2), so a 10k-token sentence costs no Python loop.
    """
    len_a, len_b = len(a_ids), len(b_ids)
    excess = len_a + len_b - max_num_tokens
    if excess <= 0:
        return a_ids, a_ws, b_ids, b_ws
    gap = min(excess, abs(len_a - len_b))
    rest = excess - gap
    # after the lengths meet, removal alternates starting with B (the `else` branch when they are equal)
    cut_a = (gap if len_a > len_b else 0) + rest // 2
    cut_b = (gap if len_b > len_a else 0) + rest - rest // 2
    a_front, b_front = _coin_flips(cut_a, rng), _coin_flips(cut_b, rng)
    a_slice = slice(a_front, len_a - (cut_a - a_front))
    b_slice = slice(b_front, len_b - (cut_b - b_front))
    return a_ids[a_slice], a_ws[a_slice], b_ids[b_slice], b_ws[b_slice]


def _coin_flips(n: int, rng: random.Random) -> int:
    """Number of heads in n fair coin flips."""
    return bin(rng.getrandbits(n)).count("1") if n > 0 else 0
