"""BERT for MLM+NSP that computes vocabulary logits only at masked positions.

The weights and their names are exactly `transformers.BertForPreTraining`'s (so a checkpoint is a standard HF
directory with both heads and the pooler); only `forward` differs: the MLM head runs on the ~15% masked
positions instead of every position, measured about 3x faster on CPU, and the losses are sums normalised by
the global number of predictions and sequences (Trainer's `num_items_in_batch`), so gradient accumulation and
multi-process training give the same gradients as one big batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from transformers import BertConfig, BertForPreTraining
from transformers.utils import ModelOutput

from kpfnlp.pretraining.masking import IGNORE_INDEX


@dataclass
class PretrainingOutput(ModelOutput):
    """Losses plus the counts needed for MLM/NSP accuracy (logits are kept only for the masked positions)."""

    loss: torch.Tensor | None = None
    mlm_loss: torch.Tensor | None = None
    nsp_loss: torch.Tensor | None = None
    mlm_logits: torch.Tensor | None = None
    nsp_logits: torch.Tensor | None = None
    mlm_correct: torch.Tensor | None = None
    mlm_count: torch.Tensor | None = None
    nsp_correct: torch.Tensor | None = None
    nsp_count: torch.Tensor | None = None


class BertForPreTrainingMasked(BertForPreTraining):
    """`BertForPreTraining` with MLM logits computed only where `labels != -100`; saves as `BertForPreTraining`."""

    def forward(  # type: ignore[override]
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        next_sentence_label: torch.Tensor | None = None,
        num_items_in_batch: torch.Tensor | int | None = None,
        num_sequences_in_batch: torch.Tensor | int | None = None,
        **kwargs: Any,
    ) -> PretrainingOutput:
        """Encode, score masked positions and the NSP pair; loss = MLM + NSP (sums over global counts)."""
        outputs = self.bert(input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids, **kwargs)
        sequence_output, pooled_output = outputs[0], outputs[1]
        nsp_logits = self.cls.seq_relationship(pooled_output)
        if labels is None:
            return PretrainingOutput(nsp_logits=nsp_logits)

        selected = labels != IGNORE_INDEX
        mlm_logits = self.cls.predictions(sequence_output[selected])
        targets = labels[selected]
        mlm_sum = F.cross_entropy(mlm_logits.float(), targets, reduction="sum")
        mlm_count = selected.sum()
        mlm_loss = mlm_sum / (num_items_in_batch if num_items_in_batch is not None else mlm_count.clamp(min=1))
        loss = mlm_loss
        nsp_loss = nsp_correct = nsp_count = None
        if next_sentence_label is not None:
            nsp_sum = F.cross_entropy(nsp_logits.float(), next_sentence_label, reduction="sum")
            nsp_count = torch.tensor(next_sentence_label.numel(), device=nsp_logits.device)
            nsp_loss = nsp_sum / (num_sequences_in_batch if num_sequences_in_batch is not None else nsp_count)
            loss = loss + nsp_loss
            nsp_correct = (nsp_logits.argmax(-1) == next_sentence_label).sum()
        return PretrainingOutput(
            loss=loss,
            mlm_loss=mlm_loss,
            nsp_loss=nsp_loss,
            mlm_logits=mlm_logits,
            nsp_logits=nsp_logits,
            mlm_correct=(mlm_logits.argmax(-1) == targets).sum(),
            mlm_count=mlm_count,
            nsp_correct=nsp_correct,
            nsp_count=nsp_count,
        )

    def save_pretrained(self, save_directory: str | Path, *args: Any, **kwargs: Any) -> None:
        """Save as a plain `BertForPreTraining` directory (the architecture name every BERT tool knows)."""
        super().save_pretrained(save_directory, *args, **kwargs)
        config = BertConfig.from_pretrained(save_directory)
        config.architectures = ["BertForPreTraining"]
        config.save_pretrained(save_directory)


_DROPOUT_KEYS = ("hidden_dropout_prob", "attention_probs_dropout_prob")


def build_model(
    model_values: dict[str, Any],
    vocab_size: int,
    pad_id: int,
    init_from: str | None = None,
    attn_implementation: str = "sdpa",
) -> BertForPreTrainingMasked:
    """A fresh BERT of the given shape, or the weights of `init_from` (any HF BERT directory) to continue from;
    a continued model keeps its shape but takes the dropout of `model_values` (releases ship dropout 0.1 for
    fine-tuning, while later pretraining stages run without it)."""
    if init_from:
        dropout = {k: model_values[k] for k in _DROPOUT_KEYS if k in model_values}
        return BertForPreTrainingMasked.from_pretrained(
            init_from, attn_implementation=attn_implementation, dtype=torch.float32, **dropout
        )
    config = BertConfig(vocab_size=vocab_size, pad_token_id=pad_id, type_vocab_size=2, **model_values)
    config._attn_implementation = attn_implementation
    return BertForPreTrainingMasked(config)
