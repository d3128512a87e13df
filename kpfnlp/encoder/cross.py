"""STS cross-encoder: both sentences through the backbone together, a regression head on [CLS]. Slower than the
bi-encoder (one forward pass per pair) but it reads the pair jointly; here it is the AugSBERT teacher that scores
silver pairs for the bi-encoder (`kpfnlp.encoder.augment`; Thakur et al., NAACL 2021)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kpfnlp.encoder.config import StageConfig
from kpfnlp.encoder.data import STS_TRAIN_FILES, STSPair, read_sts, refuse_evaluation_files
from kpfnlp.recipe import Recipe

SCALE = 5.0  # STS gold scores are 0-5; the model predicts score / SCALE through a sigmoid


@dataclass
class CrossEncoderConfig(Recipe):
    """Backbone, STS training files (relative to `data_dir`), optimisation, output."""

    backbone: str = "kpfnlp/models/kpfnlp-mini"
    output_dir: str = "runs/cross-encoder-mini"
    data_dir: str | None = None  # None: $KPFNLP_SHARED_DATA or ../shared/data
    sts_files: list[str] = field(default_factory=lambda: list(STS_TRAIN_FILES))
    dev_file: str = "kornlu/KorSTS/sts-dev.tsv"  # reported only; never a test split
    max_length: int = 128
    seed: int = 42
    both_orders: bool = True  # train on (a, b) and (b, a): STS is symmetric, the encoder input is not
    train: StageConfig = field(default_factory=lambda: StageConfig(epochs=3, batch_size=32, learning_rate=5e-5))


def load_cross_encoder(path: str | Path, max_length: int | None = None):
    """A saved cross-encoder directory (or, with a fresh head, any BERT directory) on the CPU, in fp32."""
    from sentence_transformers.cross_encoder import CrossEncoder

    if not (Path(path) / "config.json").is_file():
        raise FileNotFoundError(f"{path}: not a model directory (no config.json)")
    model = CrossEncoder(str(path), num_labels=1, max_length=max_length, device="cpu")
    return model.float()


def score_pairs(model, pairs: Sequence[tuple[str, str]], batch_size: int = 128) -> np.ndarray:
    """Similarity of each pair on the 0-5 scale: the mean of both orders, so score(a, b) == score(b, a)."""
    if not pairs:
        return np.zeros(0, dtype=np.float32)
    forward = model.predict([(a, b) for a, b in pairs], batch_size=batch_size, show_progress_bar=False)
    backward = model.predict([(b, a) for a, b in pairs], batch_size=batch_size, show_progress_bar=False)
    return (SCALE * (np.asarray(forward) + np.asarray(backward)) / 2).astype(np.float32)


def evaluate_cross_encoder(model, pairs: Sequence[STSPair]) -> dict[str, float]:
    """The bi-encoder's STS metrics (`kpfnlp.encoder.sts.sts_metrics`) on the predicted scores: Spearman, Pearson
    and KLUE's F1 at 3.0; `primary` is Spearman."""
    from kpfnlp.encoder.sts import PRIMARY_METRIC, sts_metrics

    scores = score_pairs(model, [(p.sentence1, p.sentence2) for p in pairs]) / SCALE  # on the cosine's 0-1 scale
    metrics = sts_metrics(scores.tolist(), [p.score for p in pairs])
    return {**metrics, "primary": metrics[PRIMARY_METRIC], "pairs": float(len(pairs))}


def _dataset(pairs: Sequence[STSPair], both_orders: bool):
    from datasets import Dataset

    first = [p.sentence1 for p in pairs] + ([p.sentence2 for p in pairs] if both_orders else [])
    second = [p.sentence2 for p in pairs] + ([p.sentence1 for p in pairs] if both_orders else [])
    labels = [p.score / SCALE for p in pairs] * (2 if both_orders else 1)
    return Dataset.from_dict({"sentence1": first, "sentence2": second, "label": labels})


def train_cross_encoder(config: CrossEncoderConfig, data_dir: Path) -> dict[str, Any]:
    """Fit on the STS training files (binary cross-entropy on score / 5); save OUTPUT_DIR/final and
    `train_report.json`; return the report."""
    import transformers
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    from kpfnlp.encoder.train import _cuda, _subset

    refuse_evaluation_files([*config.sts_files, config.dev_file])
    transformers.set_seed(config.seed)
    out = Path(config.output_dir)
    pairs = [p for name in config.sts_files for p in read_sts(data_dir / name)]
    train = _subset(pairs, config.train.max_samples, config.seed)
    dev = read_sts(data_dir / config.dev_file)
    model = load_cross_encoder(config.backbone, config.max_length)
    stage = config.train
    args = CrossEncoderTrainingArguments(
        output_dir=str(out / "train"),
        num_train_epochs=stage.epochs,
        max_steps=stage.max_steps,
        per_device_train_batch_size=stage.batch_size,
        learning_rate=stage.learning_rate,
        warmup_steps=stage.warmup_ratio,  # transformers 5: a float below 1 is a ratio
        seed=config.seed,
        save_strategy="no",
        logging_steps=200,
        report_to="none",
        use_cpu=not _cuda(),
        disable_tqdm=True,
    )
    trainer = CrossEncoderTrainer(
        model=model, args=args, train_dataset=_dataset(train, config.both_orders), loss=BinaryCrossEntropyLoss(model)
    )
    start = time.perf_counter()
    trainer.train()
    report: dict[str, Any] = {
        "config": config.to_dict(),
        "train_examples": len(train),
        "train_seconds": round(time.perf_counter() - start, 1),
        "log": list(trainer.state.log_history),
        "dev_after": evaluate_cross_encoder(model, dev),
    }
    model.save(str(out / "final"))
    (out / "train_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return report
