"""Sequence heads the evaluation suite can put on a BERT backbone besides the standard pooled-[CLS] one.

`BertMeanPoolForSequenceClassification` classifies (or regresses) from the mask-aware mean of the last hidden
states. An NSP-pretrained [CLS] state can be nearly constant across inputs (kpfnlp-mini's is on movie reviews),
while the mean of the token states still carries the content; the head is otherwise BERT's own (dropout, linear).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import BertModel, BertPreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput


class BertMeanPoolForSequenceClassification(BertPreTrainedModel):
    """BERT + masked mean pooling + dropout + linear; cross-entropy, or MSE when `num_labels == 1`."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False)
        dropout = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **_: Any,
    ) -> SequenceClassifierOutput:
        """Logits (batch, num_labels) from the mean of the non-padding token states; loss when `labels` given."""
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = (attention_mask if attention_mask is not None else torch.ones_like(input_ids)).unsqueeze(-1)
        mask = mask.to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        logits = self.classifier(self.dropout(pooled))
        loss = None
        if labels is not None:
            if self.num_labels == 1:
                loss = nn.functional.mse_loss(logits.squeeze(-1), labels.to(logits.dtype))
            else:
                loss = nn.functional.cross_entropy(logits, labels.long())
        return SequenceClassifierOutput(loss=loss, logits=logits)
