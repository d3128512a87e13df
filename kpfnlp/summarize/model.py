"""BertSumExt (Liu & Lapata 2019): a BERT backbone reads `[CLS] s1 [SEP] [CLS] s2 [SEP] ...` with alternating
segment ids; each sentence's `[CLS]` vector, plus a sinusoidal sentence-position encoding, goes through a small
inter-sentence transformer and a linear scorer (sigmoid, BCE on 0/1 sentence labels).

Saved as one Hugging Face directory (`config.json` with the backbone's BERT config inside, `model.safetensors`;
the `Summarizer` adds the tokenizer files). Articles longer than the backbone's positions are cut into windows
of whole sentences by `kpfnlp.summarize.encoding`; the sentence positions stay global across windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import BertConfig, BertModel, PretrainedConfig, PreTrainedModel
from transformers.utils import ModelOutput


class BertSumExtConfig(PretrainedConfig):
    """Backbone BERT config (a dict) plus the inter-sentence transformer's shape."""

    model_type = "bertsumext"

    def __init__(
        self,
        backbone: dict[str, Any] | None = None,
        inter_layers: int = 2,
        inter_heads: int = 4,
        inter_dropout: float = 0.1,
        max_sentence_tokens: int = 128,
        window_overlap: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.backbone = backbone or BertConfig().to_dict()
        self.inter_layers = inter_layers
        self.inter_heads = inter_heads
        self.inter_dropout = inter_dropout
        self.max_sentence_tokens = max_sentence_tokens  # one sentence is cut to this many tokens
        self.window_overlap = window_overlap  # sentences repeated between consecutive windows of a long article

    @property
    def bert_config(self) -> BertConfig:
        return BertConfig(**self.backbone)


@dataclass
class BertSumExtOutput(ModelOutput):
    """Loss (when labels are given) and one logit per sentence slot (-1e4 at padding slots)."""

    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None


def sinusoidal(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """Transformer sinusoidal encodings of integer `positions` (any shape) -> (..., dim)."""
    half = dim // 2
    freq = torch.exp(-math.log(10000.0) * torch.arange(half, device=positions.device, dtype=torch.float32) / half)
    angles = positions.float().unsqueeze(-1) * freq
    enc = torch.cat([angles.sin(), angles.cos()], dim=-1)
    return nn.functional.pad(enc, (0, dim - 2 * half))


class BertSumExt(PreTrainedModel):
    """Sentence scorer for extractive summarization; `forward` returns one logit per sentence."""

    config_class = BertSumExtConfig
    base_model_prefix = "bertsumext"

    def __init__(self, config: BertSumExtConfig) -> None:
        super().__init__(config)
        bert_config = config.bert_config
        hidden = bert_config.hidden_size
        self.bert = BertModel(bert_config, add_pooling_layer=False)
        layer = nn.TransformerEncoderLayer(
            hidden, config.inter_heads, 4 * hidden, config.inter_dropout, batch_first=True, norm_first=True
        )
        self.inter = nn.TransformerEncoder(layer, config.inter_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(hidden)
        self.scorer = nn.Linear(hidden, 1)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        """Initialise only the head; the backbone keeps its pretrained (or BERT-initialised) weights."""
        if isinstance(module, nn.Linear) and not any(module is m for m in self.bert.modules()):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    @classmethod
    def from_backbone(cls, backbone: str | Path | BertConfig, **head: Any) -> BertSumExt:
        """A new summarizer on a BERT directory (weights loaded) or, given a `BertConfig`, a random backbone."""
        if isinstance(backbone, BertConfig):
            return cls(BertSumExtConfig(backbone=backbone.to_dict(), **head))
        bert = BertModel.from_pretrained(backbone, add_pooling_layer=False)
        model = cls(BertSumExtConfig(backbone=bert.config.to_dict(), **head))
        model.bert.load_state_dict(bert.state_dict())
        return model

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
        cls_positions: torch.Tensor,
        sentence_mask: torch.Tensor,
        sentence_positions: torch.Tensor,
        labels: torch.Tensor | None = None,
        **_: Any,
    ) -> BertSumExtOutput:
        """Score the sentence slots (B, S) of token windows (B, T); BCE over real slots when `labels` are given."""
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        index = cls_positions.unsqueeze(-1).expand(-1, -1, hidden.size(-1))
        sents = hidden.gather(1, index) + sinusoidal(sentence_positions, hidden.size(-1)).to(hidden.dtype)
        mask = sentence_mask.bool()
        sents = self.inter(sents, src_key_padding_mask=~mask)
        logits = self.scorer(self.norm(sents)).squeeze(-1).masked_fill(~mask, -1e4)
        loss = None
        if labels is not None:
            per_slot = nn.functional.binary_cross_entropy_with_logits(logits, labels.float(), reduction="none")
            loss = (per_slot * mask).sum() / mask.sum().clamp(min=1)
        return BertSumExtOutput(loss=loss, logits=logits)
