"""Pretraining configuration: model presets and the recipe dataclasses (YAML + `section.key=value`, see recipe)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpfnlp.recipe import Recipe

# Architecture presets. `mini` is the CPU default; `small` and `base` are for GPUs (`base` is kpfBERT's shape).
MODEL_PRESETS: dict[str, dict[str, int]] = {
    "tiny": {
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 256,
        "max_position_embeddings": 128,
    },
    "mini": {
        "hidden_size": 256,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "intermediate_size": 1024,
        "max_position_embeddings": 512,
    },
    "small": {
        "hidden_size": 512,
        "num_hidden_layers": 8,
        "num_attention_heads": 8,
        "intermediate_size": 2048,
        "max_position_embeddings": 512,
    },
    "base": {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
    },
}


@dataclass
class ModelConfig:
    """BERT shape: a preset name, with any field overridable (None = take the preset's value)."""

    preset: str = "mini"
    hidden_size: int | None = None
    num_hidden_layers: int | None = None
    num_attention_heads: int | None = None
    intermediate_size: int | None = None
    max_position_embeddings: int | None = None
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    init_from: str | None = None  # an HF BERT directory to continue pretraining from

    def resolved(self) -> dict[str, Any]:
        """The preset's values with this config's explicit overrides applied."""
        if self.preset not in MODEL_PRESETS:
            raise ValueError(f"unknown model preset {self.preset!r}; choose one of {sorted(MODEL_PRESETS)}")
        values = dict(MODEL_PRESETS[self.preset])
        for key in values:
            if getattr(self, key) is not None:
                values[key] = getattr(self, key)
        values["hidden_dropout_prob"] = self.hidden_dropout_prob
        values["attention_probs_dropout_prob"] = self.attention_probs_dropout_prob
        return values


@dataclass
class DataConfig:
    """Where the text comes from and how examples are built (BERT `create_pretraining_data` semantics)."""

    corpus: str = "training/corpora/samples.yaml"  # corpus-mix YAML (see kpfnlp.corpus)
    heldout_corpus: str | None = None  # corpus-mix YAML for the held-out evaluation shard
    tokenizer: str = "runs/tokenizer"  # HF tokenizer directory
    shards: str = "runs/shards"  # output/input directory of the token shards
    max_seq_len: int = 128
    short_seq_prob: float = 0.1
    dupe_factor: int = 1  # how many different NSP pairings / packings to build per document
    sentence_backend: str = "regex"  # kpfnlp.text sentence splitter backend used while preparing
    clean_news: bool = True  # strip bylines, e-mails, captions... before splitting
    buffer_docs: int = 10_000  # documents held in memory at once (random-next partners come from the buffer)
    shard_size: int = 200_000  # instances per shard file
    max_docs: int | None = None  # cap on documents read (quick runs)
    seed: int = 12345


@dataclass
class TrainConfig:
    """Optimisation and bookkeeping; fields map onto `transformers.TrainingArguments`."""

    output_dir: str = "runs/pretrain"
    per_device_batch_size: int = 32
    gradient_accumulation_steps: int = 1
    learning_rate: float = 5e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_steps: int = 1000
    # train for this many seconds instead, the learning rate decaying to 0 there (fixed-length GPU leases, CPU
    # sessions); max_steps is then only an upper bound. Checkpoints keep the time used: a resumed run goes on from it
    max_wall_seconds: float | None = None
    lr_scheduler_type: str = "linear"
    max_grad_norm: float = 1.0
    mlm_probability: float = 0.15
    # batches of similar-length instances (LengthGroupedEpochSampler): ~1.9x real tokens per step on corpora that
    # mix short texts (reviews, headlines) with long ones; each instance then weighs the same within a step
    group_by_length: bool = False
    whole_word_masking: bool = False
    logging_steps: int = 50
    save_steps: int = 500
    save_total_limit: int = 3
    eval_steps: int | None = None  # None: evaluate only at the end
    max_eval_examples: int = 2000
    seed: int = 42
    precision: str = "auto"  # auto: bf16 autocast on a bf16 GPU or an AMX CPU (~1.5x on CPU), else fp32
    dataloader_num_workers: int = 0
    ddp_backend: str | None = None  # None: nccl on GPU, gloo on CPU
    report_to: str = "none"


@dataclass
class PretrainConfig(Recipe):
    """The whole pretraining recipe: model shape, data, training."""

    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
