"""Summarizer training recipe: dataclasses loaded from YAML (`training/configs/summarizer-*.yaml`),
overridable with `section.key=value` (values parsed as YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpfnlp.recipe import Recipe


@dataclass
class SumModelConfig:
    """Backbone (a BERT directory; null = a random BERT of `preset` on `tokenizer`, for tests) and the head."""

    backbone: str | None = None
    init_from: str | None = None  # a trained summarizer directory to continue from (a second, in-domain stage)
    tokenizer: str | None = None  # only for a random backbone; a backbone directory brings its own
    preset: str = "tiny"
    inter_layers: int = 2
    inter_heads: int = 4
    max_sentence_tokens: int = 128
    window_overlap: int = 2
    # Sequence length the backbone was pretrained at; position embeddings past it are initialised by tiling
    # the trained ones (`kpfnlp.backbone.tile_position_embeddings`). None: use the backbone's positions as they are.
    trained_positions: int | None = None


@dataclass
class SumDataConfig:
    """Training files (Dacon JSONL / AI-Hub JSON), silver sources built first, ids kept out (the dev set)."""

    train_files: list[str] = field(default_factory=list)
    silver_sources: list[str] = field(default_factory=list)  # KIND:PATH, see kpfnlp.summarize.silver
    silver_max_per_source: int | None = None
    silver_exact_k: bool = False  # oracle labels of exactly 3 sentences (no early stop), see kpfnlp.summarize.silver
    exclude_files: list[str] = field(default_factory=list)  # their ids never enter training
    eval_files: list[str] = field(default_factory=list)
    max_train_examples: int | None = None


@dataclass
class SumTrainConfig:
    """Optimisation and bookkeeping (mapped onto `transformers.TrainingArguments`)."""

    output_dir: str = "runs/summarizer"
    per_device_batch_size: int = 8
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    num_train_epochs: float = 2.0
    max_steps: int = -1
    logging_steps: int = 50
    save_steps: int = 500
    save_total_limit: int = 2
    seed: int = 42
    export_fp16: bool = True  # OUTPUT_DIR/final is saved in fp16 (the bundle format)


@dataclass
class SummarizerConfig(Recipe):
    """The whole recipe: model, data, train."""

    model: SumModelConfig = field(default_factory=SumModelConfig)
    data: SumDataConfig = field(default_factory=SumDataConfig)
    train: SumTrainConfig = field(default_factory=SumTrainConfig)
