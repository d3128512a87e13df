"""Fine-tune any BERT directory on an evaluation task with transformers.Trainer and write a result JSON.

Sequence classification / regression use AutoModelForSequenceClassification, extractive QA uses
AutoModelForQuestionAnswering (or, with `pooling="mean"`, `kpfnlp.eval.heads`' mean-pooling head on a BERT
backbone); `random_init` builds the same architecture from the config with fresh weights
(the "no pretraining" baseline). Batches are padded dynamically. Scores come from `kpfnlp.eval.metrics`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kpfnlp.backbone import tile_position_embeddings, trained_positions
from kpfnlp.eval import qa
from kpfnlp.eval.results import data_record, model_label, write_result
from kpfnlp.eval.tasks import TaskData, TaskSpec

logger = logging.getLogger(__name__)

CHECKPOINT_STEPS = 500  # with a checkpoint directory: a Trainer checkpoint every this many steps (the last one kept)
RUN_FILE = "finetune_run.json"  # what a checkpoint directory was started for; a different run refuses to resume it


@dataclass
class FinetuneConfig:
    """Run settings; None takes the task's recipe value."""

    epochs: float | None = None
    learning_rate: float | None = None
    batch_size: int | None = None
    max_length: int | None = None
    seed: int = 42
    random_init: bool = False
    max_train_samples: int | None = None
    max_eval_samples: int | None = None
    pooling: str = "cls"  # sequence tasks: "cls" (BERT's pooled [CLS]) or "mean" (masked mean of the last states)
    checkpoint_dir: str | None = None  # keep checkpoints here and resume from the last one (long CPU runs)

    def resolved(self, spec: TaskSpec) -> dict[str, Any]:
        """The effective hyperparameters: the task recipe overridden by the values set here.

        The QA window overlap is capped at a third of the max length (BERT's 128 of 384) for short max lengths.
        """
        settings = {k: v for k, v in asdict(self).items() if v is not None and k != "checkpoint_dir"}
        hp = {**asdict(spec.recipe), **settings}
        stride = hp.pop("doc_stride")
        if spec.kind == "qa":
            hp["doc_stride"] = min(stride, hp["max_length"] // 3)
        return hp


def load_model(spec: TaskSpec, model_dir: str | Path, random_init: bool = False, seed: int = 42, pooling: str = "cls"):
    """Tokenizer and task model from a BERT directory, and notes on freshly initialised weights."""
    from transformers import (
        AutoConfig,
        AutoModelForQuestionAnswering,
        AutoModelForSequenceClassification,
        AutoTokenizer,
        set_seed,
    )

    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise FileNotFoundError(f"{model_dir}: not a model directory (no config.json)")
    kwargs: dict[str, Any] = {}
    if spec.kind == "classification":
        kwargs = {"num_labels": len(spec.labels), "id2label": dict(enumerate(spec.labels))}
        kwargs["label2id"] = {label: i for i, label in enumerate(spec.labels)}
    elif spec.kind == "regression":
        kwargs = {"num_labels": 1, "problem_type": "regression"}
    config = AutoConfig.from_pretrained(model_dir, **kwargs)
    auto = AutoModelForQuestionAnswering if spec.kind == "qa" else AutoModelForSequenceClassification
    if pooling not in ("cls", "mean"):
        raise ValueError(f"pooling must be 'cls' or 'mean', got {pooling!r}")
    if pooling == "mean":
        if spec.kind == "qa":
            raise ValueError(f"{spec.name}: mean pooling is for sequence tasks, not extractive QA")
        if config.model_type != "bert":
            raise ValueError(f"{model_dir}: mean pooling needs a BERT directory, got model_type {config.model_type!r}")
        from kpfnlp.eval.heads import BertMeanPoolForSequenceClassification

        auto = BertMeanPoolForSequenceClassification
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    set_seed(seed)
    if random_init:
        model = auto(config) if pooling == "mean" else auto.from_config(config)
        return tokenizer, model, ["random initialisation: no pretrained weights loaded"]
    model, info = auto.from_pretrained(model_dir, config=config, output_loading_info=True)
    missing = sorted(info.get("missing_keys", []))
    notes = []
    if missing:
        notes.append(f"freshly initialised (not in the checkpoint): {', '.join(missing)}")
    if any(".pooler." in k or k.startswith("pooler.") for k in missing):
        notes.append("the checkpoint has no pooler (as kpfBERT's release): pooler trained from scratch")
    for note in notes:
        logger.warning("%s: %s", model_dir, note)
    return tokenizer, model, notes


def _trainer(
    model, tokenizer, hp: dict[str, Any], train_features: list, work_dir: str, checkpoints: bool, selection=None
):
    """A Trainer; with `selection` (validation features, compute_metrics, metric name) it scores the validation
    split after every epoch and ends on the best epoch's weights."""
    import torch
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    validation, compute_metrics, metric = selection or (None, None, None)
    per_epoch = validation is not None
    args = TrainingArguments(
        output_dir=work_dir,
        num_train_epochs=hp["epochs"],
        learning_rate=hp["learning_rate"],
        per_device_train_batch_size=hp["batch_size"],
        per_device_eval_batch_size=2 * hp["batch_size"],
        warmup_steps=hp["warmup_ratio"],  # a float below 1 is a share of the training steps
        weight_decay=hp["weight_decay"],
        lr_scheduler_type="linear",
        seed=hp["seed"],
        eval_strategy="epoch" if per_epoch else "no",
        save_strategy="epoch" if per_epoch else ("steps" if checkpoints else "no"),
        save_steps=CHECKPOINT_STEPS,
        save_total_limit=1,  # with load_best_model_at_end the best checkpoint is kept as well
        load_best_model_at_end=per_epoch,
        metric_for_best_model=metric,
        greater_is_better=True if per_epoch else None,
        logging_steps=50,
        report_to="none",
        disable_tqdm=True,
        dataloader_pin_memory=torch.cuda.is_available(),
    )
    return Trainer(
        model=model,
        args=args,
        train_dataset=train_features,
        eval_dataset=validation,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
    )


def _encode_pairs(tokenizer, examples: list, max_length: int) -> list[dict[str, Any]]:
    pairs = [ex.text_pair for ex in examples] if examples and examples[0].text_pair is not None else None
    enc = tokenizer([ex.text for ex in examples], pairs, truncation=True, max_length=max_length)
    return [{k: enc[k][i] for k in enc} for i in range(len(examples))]


def _label_id(spec: TaskSpec, label: str | float) -> int | float:
    return float(label) if spec.kind == "regression" else spec.labels.index(label)


def _last_checkpoint(work_dir: str) -> str | None:
    """The newest checkpoint in `work_dir` to resume from (None in a fresh or temporary directory)."""
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(work_dir)


def _predictions(spec: TaskSpec, logits) -> list:
    if spec.kind == "regression":
        return [float(x) for x in np.asarray(logits).reshape(-1)]
    return [spec.labels[i] for i in np.asarray(logits).argmax(-1)]


def _labelled_features(spec: TaskSpec, tokenizer, examples: list, max_length: int) -> list[dict[str, Any]]:
    features = _encode_pairs(tokenizer, examples, max_length)
    for feature, ex in zip(features, examples, strict=True):
        feature["labels"] = _label_id(spec, ex.label)
    return features


def _selection_record(state, metric: str, n: int) -> dict[str, Any]:
    """Validation scores per epoch and the epoch whose weights were kept, from the Trainer's log history."""
    key = f"eval_{metric}"
    per_epoch = [{"epoch": round(e["epoch"], 2), metric: round(e[key], 4)} for e in state.log_history if key in e]
    best = max(per_epoch, key=lambda e: e[metric])
    return {"examples": n, "metric": metric, "per_epoch": per_epoch, "best_epoch": best["epoch"], "best": best[metric]}


def _run_sequence(spec: TaskSpec, tokenizer, model, data: TaskData, hp: dict, work_dir: str, checkpoints: bool):
    train = _labelled_features(spec, tokenizer, data.train, hp["max_length"])
    selection = None
    if data.validation:
        gold = [ex.label for ex in data.validation]

        def compute_metrics(pred) -> dict[str, float]:
            return spec.score(_predictions(spec, pred.predictions), gold)

        validation = _labelled_features(spec, tokenizer, data.validation, hp["max_length"])
        selection = (validation, compute_metrics, spec.primary_metric)
    trainer = _trainer(model, tokenizer, hp, train, work_dir, checkpoints, selection)
    train_out = trainer.train(resume_from_checkpoint=_last_checkpoint(work_dir))
    logits = trainer.predict(_encode_pairs(tokenizer, data.eval, hp["max_length"])).predictions
    preds = _predictions(spec, logits)
    chosen = _selection_record(trainer.state, spec.primary_metric, len(data.validation)) if selection else None
    return spec.score(preds, [ex.label for ex in data.eval]), preds, train_out.training_loss, chosen


def _run_qa(spec: TaskSpec, tokenizer, model, data: TaskData, hp: dict, work_dir: str, checkpoints: bool):
    train = qa.train_features(tokenizer, data.train, hp["max_length"], hp["doc_stride"])
    trainer = _trainer(model, tokenizer, hp, train, work_dir, checkpoints)
    train_out = trainer.train(resume_from_checkpoint=_last_checkpoint(work_dir))
    features, meta = qa.eval_features(tokenizer, data.eval, hp["max_length"], hp["doc_stride"])
    start_logits, end_logits = trainer.predict(features).predictions[:2]
    answers = qa.decode_answers(data.eval, meta, start_logits, end_logits, null_answer=spec.unanswerable)
    return spec.score_qa(answers, data.eval), answers, train_out.training_loss, None


def _claim_checkpoint_dir(path: Path, spec: TaskSpec, model_dir: str | Path, data: TaskData, hp: dict) -> None:
    """Record what `path` checkpoints; refuse a directory that holds checkpoints of another run."""
    run = {"task": spec.name, "model": str(Path(model_dir).resolve()), "config": hp,
           "data": data_record(data.files, len(data.train), len(data.eval), data.split_note)}  # fmt: skip
    run = json.loads(json.dumps(run))  # tuples as lists, as they read back
    record = path / RUN_FILE
    if record.is_file() and json.loads(record.read_text(encoding="utf-8")) != run:
        raise ValueError(f"{path} holds checkpoints of another fine-tune ({record}); use a new --checkpoint-dir")
    path.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run_finetune(
    spec: TaskSpec,
    data: TaskData,
    model_dir: str | Path,
    output_dir: str | Path,
    cfg: FinetuneConfig,
    name: str | None = None,
) -> tuple[dict[str, Any], Path]:
    """Fine-tune `model_dir` on `data`, score the eval split, and write the result JSON (and predictions)."""
    if not data.train or not data.eval:
        raise ValueError(f"{spec.name}: empty split (train {len(data.train)}, eval {len(data.eval)})")
    if data.validation and spec.kind == "qa":
        raise ValueError(f"{spec.name}: a validation split is for sequence tasks, not extractive QA")
    start = time.perf_counter()
    hp = cfg.resolved(spec)
    tokenizer, model, notes = load_model(spec, model_dir, cfg.random_init, cfg.seed, cfg.pooling)
    trained = None if cfg.random_init else trained_positions(model_dir)
    if trained and hp["max_length"] > trained:
        tiled = tile_position_embeddings(model.base_model, trained)
        notes.append(f"{tiled} position embeddings past the {trained} pretrained ones initialised by tiling them")
    checkpoints = cfg.checkpoint_dir is not None
    if checkpoints:
        _claim_checkpoint_dir(Path(cfg.checkpoint_dir), spec, model_dir, data, hp)
    work = contextlib.nullcontext(cfg.checkpoint_dir) if checkpoints else tempfile.TemporaryDirectory(prefix="kpfnlp-")
    with work as work_dir:
        run = _run_qa if spec.kind == "qa" else _run_sequence
        scores, preds, loss, selection = run(spec, tokenizer, model, data, hp, work_dir, checkpoints)
    if spec.unanswerable:
        notes.append(
            f"{scores['unanswerable']} of {len(data.eval)} eval questions are unanswerable and kept: their gold answer "
            'is "" (klue-baseline), so each scores EM = ROUGE-W = 1 only when the model answers "" ([CLS] null score '
            "above its best span)"
        )
    label = name or model_label(model_dir) + (" (random init)" if cfg.random_init else "")
    result = {
        "task": spec.name,
        "task_title": spec.title,
        "method": "finetune",
        "model": {
            "name": label,
            "path": str(Path(model_dir).resolve()),
            "random_init": cfg.random_init,
            "model_type": model.config.model_type,
            "parameters": sum(p.numel() for p in model.parameters()),
        },
        "metrics": scores,
        "primary_metric": spec.primary_metric,
        "config": hp,
        "data": data_record(data.files, len(data.train), len(data.eval), data.split_note),
        "seed": cfg.seed,
        "train_loss": loss,
        **({"validation": selection} if selection else {}),
        "wall_time_s": round(time.perf_counter() - start, 1),
        "notes": notes,
    }
    return result, write_result(result, output_dir, preds)
