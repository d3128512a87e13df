"""Torch dataset over token shards with dynamic masking, and the collator that pads each batch to its longest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from kpfnlp.pretraining.masking import IGNORE_INDEX, mask_tokens
from kpfnlp.pretraining.shards import ShardReader


@dataclass(frozen=True)
class SpecialIds:
    """The token ids the pretraining data needs from the tokenizer."""

    pad: int
    cls: int
    sep: int
    mask: int
    vocab_size: int
    first_regular: int = 5

    @classmethod
    def from_tokenizer(cls, tokenizer: Any) -> SpecialIds:
        """Read [PAD]/[CLS]/[SEP]/[MASK] ids from an HF tokenizer."""
        special = set(tokenizer.all_special_ids)
        return cls(
            pad=tokenizer.pad_token_id,
            cls=tokenizer.cls_token_id,
            sep=tokenizer.sep_token_id,
            mask=tokenizer.mask_token_id,
            vocab_size=len(tokenizer),
            first_regular=max(special) + 1,
        )


class PretrainingDataset(Dataset):
    """Instances from shards, masked anew each epoch; the mask depends only on (seed, epoch, index)."""

    def __init__(
        self,
        shards: str | Path | ShardReader,
        special: SpecialIds,
        *,
        mlm_probability: float = 0.15,
        whole_word: bool = False,
        seed: int = 0,
        limit: int | None = None,
    ) -> None:
        self.reader = shards if isinstance(shards, ShardReader) else ShardReader(shards)
        self.special = special
        self.mlm_probability = mlm_probability
        self.whole_word = whole_word
        self.seed = seed
        self.epoch = 0
        self.limit = min(limit, len(self.reader)) if limit is not None else len(self.reader)

    def set_epoch(self, epoch: int) -> None:
        """Select the masks of this epoch (called by the trainer at every epoch start)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.limit

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        inst = self.reader[index]
        ids = inst.input_ids
        special_mask = (ids == self.special.cls) | (ids == self.special.sep) | (ids == self.special.pad)
        rng = np.random.default_rng([self.seed, self.epoch, index])
        masked, labels = mask_tokens(
            ids,
            inst.word_start,
            special_mask,
            rng,
            mask_id=self.special.mask,
            vocab_size=self.special.vocab_size,
            first_regular_id=self.special.first_regular,
            mlm_probability=self.mlm_probability,
            whole_word=self.whole_word,
        )
        token_type = np.zeros(len(ids), dtype=np.int64)
        token_type[inst.len_a :] = 1
        return {
            "input_ids": torch.from_numpy(masked),
            "token_type_ids": torch.from_numpy(token_type),
            "labels": torch.from_numpy(labels),
            "next_sentence_label": torch.tensor(int(inst.is_random_next)),
        }


@dataclass
class PretrainingCollator:
    """Pad a batch to its longest instance (dynamic shapes; optionally to a multiple of 8 for GPU kernels)."""

    pad_id: int
    pad_to_multiple_of: int | None = None
    pad_to_length: int | None = None  # fixed length: only for the naive padded baseline in benchmarks

    def __call__(self, features: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        longest = max(len(f["input_ids"]) for f in features)
        if self.pad_to_length is not None:
            longest = max(longest, self.pad_to_length)
        elif self.pad_to_multiple_of:
            longest = -(-longest // self.pad_to_multiple_of) * self.pad_to_multiple_of
        batch = len(features)
        input_ids = torch.full((batch, longest), self.pad_id, dtype=torch.long)
        token_type_ids = torch.zeros((batch, longest), dtype=torch.long)
        attention_mask = torch.zeros((batch, longest), dtype=torch.long)
        labels = torch.full((batch, longest), IGNORE_INDEX, dtype=torch.long)
        for row, f in enumerate(features):
            n = len(f["input_ids"])
            input_ids[row, :n] = f["input_ids"]
            token_type_ids[row, :n] = f["token_type_ids"]
            attention_mask[row, :n] = 1
            labels[row, :n] = f["labels"]
        return {
            "input_ids": input_ids,
            "token_type_ids": token_type_ids,
            "attention_mask": attention_mask,
            "labels": labels,
            "next_sentence_label": torch.stack([f["next_sentence_label"] for f in features]),
        }
