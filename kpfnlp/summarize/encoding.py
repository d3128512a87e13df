"""Turn an article's sentences into BertSumExt windows: `[CLS] s [SEP]` blocks with alternating segment ids,
whole sentences only, each window within the backbone's positions, consecutive windows overlapping by a few
sentences so that no sentence of a long article is lost and each keeps some context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass
class Window:
    """One encoder input: token ids, segment ids, where each sentence's [CLS] is, which sentences it holds."""

    input_ids: list[int]
    token_type_ids: list[int]
    cls_positions: list[int]
    sentence_ids: list[int]  # positions of the window's sentences in the article
    labels: list[float] | None = None


def plan_windows(lengths: Sequence[int], budget: int, overlap: int) -> list[range]:
    """Consecutive sentence ranges whose `[CLS] .. [SEP]` blocks fit in `budget` tokens, sharing `overlap`
    sentences with the previous range; every sentence is in at least one range."""
    windows: list[range] = []
    start, n = 0, len(lengths)
    while start < n:
        end, used = start, 0
        while end < n and used + lengths[end] + 2 <= budget:
            used += lengths[end] + 2
            end += 1
        end = max(end, start + 1)
        windows.append(range(start, end))
        if end >= n:
            break
        start = max(end - overlap, start + 1)
    return windows


def encode_article(
    token_ids: Sequence[Sequence[int]],
    cls_id: int,
    sep_id: int,
    budget: int,
    max_sentence_tokens: int,
    overlap: int,
    labels: Sequence[float] | None = None,
) -> list[Window]:
    """Windows for one article given each sentence's token ids (without special tokens)."""
    cap = max(1, min(max_sentence_tokens, budget - 2))
    pieces = [list(ids[:cap]) for ids in token_ids]
    windows = []
    for span in plan_windows([len(p) for p in pieces], budget, overlap):
        ids, types, cls = [], [], []
        for j, i in enumerate(span):
            cls.append(len(ids))
            block = [cls_id, *pieces[i], sep_id]
            ids += block
            types += [j % 2] * len(block)
        window_labels = [labels[i] for i in span] if labels is not None else None
        windows.append(Window(ids, types, cls, list(span), window_labels))
    return windows


def collate(windows: Sequence[Window], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest window and its most sentences (dynamic shapes, never to 512)."""
    tokens = max(len(w.input_ids) for w in windows)
    slots = max(len(w.cls_positions) for w in windows)
    batch = len(windows)
    out = {
        "input_ids": torch.full((batch, tokens), pad_id, dtype=torch.long),
        "attention_mask": torch.zeros((batch, tokens), dtype=torch.long),
        "token_type_ids": torch.zeros((batch, tokens), dtype=torch.long),
        "cls_positions": torch.zeros((batch, slots), dtype=torch.long),
        "sentence_mask": torch.zeros((batch, slots), dtype=torch.bool),
        "sentence_positions": torch.zeros((batch, slots), dtype=torch.long),
    }
    has_labels = all(w.labels is not None for w in windows)
    if has_labels:
        out["labels"] = torch.zeros((batch, slots), dtype=torch.float)
    for b, w in enumerate(windows):
        n, s = len(w.input_ids), len(w.cls_positions)
        out["input_ids"][b, :n] = torch.tensor(w.input_ids)
        out["attention_mask"][b, :n] = 1
        out["token_type_ids"][b, :n] = torch.tensor(w.token_type_ids)
        out["cls_positions"][b, :s] = torch.tensor(w.cls_positions)
        out["sentence_mask"][b, :s] = True
        out["sentence_positions"][b, :s] = torch.tensor(w.sentence_ids)
        if has_labels:
            out["labels"][b, :s] = torch.tensor(w.labels)
    return out
