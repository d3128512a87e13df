"""`kpfnlp train-summarizer`: build silver data, fine-tune BertSumExt with `transformers.Trainer` (resumable from
the newest complete checkpoint), save `OUTPUT_DIR/final` (config + safetensors + tokenizer) and score it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

from kpfnlp.backbone import tile_position_embeddings
from kpfnlp.pretraining.trainer import last_complete_checkpoint
from kpfnlp.summarize.baselines import candidates
from kpfnlp.summarize.config import SummarizerConfig
from kpfnlp.summarize.data import SummaryExample, load_examples, read_examples
from kpfnlp.summarize.encoding import Window, collate
from kpfnlp.summarize.model import BertSumExt
from kpfnlp.summarize.silver import build_silver
from kpfnlp.summarize.summarizer import Summarizer

logger = logging.getLogger(__name__)


class WindowDataset(Dataset):
    """Labelled encoder windows of the training articles (a long article gives several)."""

    def __init__(self, windows: list[Window]) -> None:
        self.windows = windows

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, i: int) -> Window:
        return self.windows[i]


def _build(config: SummarizerConfig) -> Summarizer:
    """A trained summarizer to continue (`init_from`), or a fresh one on the configured backbone (or on a random
    one of `preset`, for tests)."""
    from transformers import BertConfig, PreTrainedTokenizerFast

    from kpfnlp.pretraining.config import ModelConfig

    m = config.model
    if m.init_from:
        return Summarizer.from_pretrained(m.init_from)
    head = {
        "inter_layers": m.inter_layers,
        "inter_heads": m.inter_heads,
        "max_sentence_tokens": m.max_sentence_tokens,
        "window_overlap": m.window_overlap,
    }
    if m.backbone:
        tokenizer = PreTrainedTokenizerFast.from_pretrained(m.backbone)
        model = BertSumExt.from_backbone(m.backbone, **head)
        if m.trained_positions:
            tiled = tile_position_embeddings(model.bert, m.trained_positions)
            logger.info("%d position embeddings past %d initialised by tiling", tiled, m.trained_positions)
        return Summarizer(model, tokenizer)
    if not m.tokenizer:
        raise ValueError("model.backbone is not set: give a BERT directory, or model.tokenizer for a random backbone")
    tokenizer = PreTrainedTokenizerFast.from_pretrained(m.tokenizer)
    bert = BertConfig(vocab_size=len(tokenizer), **ModelConfig(preset=m.preset).resolved())
    return Summarizer(BertSumExt.from_backbone(bert, **head), tokenizer)


def training_examples(config: SummarizerConfig) -> list[SummaryExample]:
    """Gold/silver training examples; silver sources are built once into OUTPUT_DIR/silver.jsonl."""
    d = config.data
    excluded = {ex.id for path in d.exclude_files for ex in read_examples(path, require_labels=False)}
    files = list(d.train_files)
    if d.silver_sources:
        silver = Path(config.train.output_dir) / "silver.jsonl"
        if not silver.is_file():
            counts = build_silver(d.silver_sources, silver, excluded, d.silver_max_per_source, exact_k=d.silver_exact_k)
            logger.info("silver data: %s", counts)
        files.append(str(silver))
    examples = [ex for ex in load_examples(files, excluded) if ex.extractive]
    if not examples:
        raise ValueError("no labelled training examples: set data.train_files or data.silver_sources")
    return examples[: d.max_train_examples]


class _Trainer(Trainer):
    def create_optimizer(self, model: Any = None) -> Any:
        """AdamW with a higher learning rate for the new head than for the pretrained backbone (as BertSum)."""
        if self.optimizer is None:
            head_lr = self.args.head_learning_rate  # type: ignore[attr-defined]
            backbone = [p for n, p in self.model.named_parameters() if n.startswith("bert.")]
            head = [p for n, p in self.model.named_parameters() if not n.startswith("bert.")]
            groups = [{"params": backbone}, {"params": head, "lr": head_lr}]
            self.optimizer = torch.optim.AdamW(groups, lr=self.args.learning_rate, weight_decay=self.args.weight_decay)
        return self.optimizer


def run_training(config: SummarizerConfig, resume: bool = True) -> dict[str, Any]:
    """Train, save OUTPUT_DIR/final (fp16 with `export_fp16`), return a summary with the dev-set scores; the
    labelled dev articles also fit the sentence-score calibration (`calibration.json`)."""
    t = config.train
    set_seed(t.seed)
    summarizer = _build(config)
    examples = training_examples(config)
    windows = [w for ex in examples for w in _label_windows(summarizer, ex)]
    args = TrainingArguments(
        output_dir=t.output_dir,
        per_device_train_batch_size=t.per_device_batch_size,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio,  # transformers 5: a float below 1 is a ratio of the steps
        num_train_epochs=t.num_train_epochs,
        max_steps=t.max_steps,
        logging_steps=t.logging_steps,
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        seed=t.seed,
        report_to="none",
        remove_unused_columns=False,
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        disable_tqdm=True,
    )
    args.head_learning_rate = t.head_learning_rate
    trainer = _Trainer(
        model=summarizer.model,
        args=args,
        train_dataset=WindowDataset(windows),
        data_collator=lambda batch: collate(batch, summarizer.pad_id),
    )
    last = last_complete_checkpoint(t.output_dir) if resume else None
    result = trainer.train(resume_from_checkpoint=last)
    final = Path(t.output_dir) / "final"
    summarizer.model.eval()
    summarizer.calibration = None  # one fitted to the model this run started from no longer holds
    summarizer.save_pretrained(final, fp16=t.export_fp16)
    (final / "training_config.json").write_text(json.dumps(config.to_dict(), indent=2), encoding="utf-8")
    summary: dict[str, Any] = {
        "final": str(final),
        "steps": trainer.state.global_step,
        "train_examples": len(examples),
        "train_windows": len(windows),
        "resumed_from": last,
        "train_loss": result.metrics.get("train_loss"),
    }
    if config.data.eval_files:
        from kpfnlp.summarize.calibration import calibrate_summarizer
        from kpfnlp.summarize.evaluate import evaluate_files

        trained = Summarizer.from_pretrained(final)
        results = evaluate_files(config.data.eval_files, trained)
        summary["eval"] = {r.name: r.metrics for r in results}
        try:
            calibration = calibrate_summarizer(trained, config.data.eval_files)
        except ValueError as err:  # too few labelled articles: scores stay raw, and the summary says why
            summary["calibration"] = {"skipped": str(err)}
        else:
            calibration.save(final)
            summary["calibration"] = calibration.cross_validated
    return summary


def _label_windows(summarizer: Summarizer, example: SummaryExample) -> list[Window]:
    """Encoder windows of a training article's candidate sentences (what the model reads at inference) with
    their 0/1 labels."""
    pool = candidates(example.sentences)
    labels = example.labels()
    windows = summarizer.windows([example.sentences[i] for i in pool])
    for w in windows:
        w.labels = [labels[pool[i]] for i in w.sentence_ids]
    return windows
