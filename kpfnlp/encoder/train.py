"""Encoder training with `SentenceTransformerTrainer`: optionally weak (title, lead) / adjacent-sentence pairs and
unsupervised SimCSE on corpus sentences, then NLI
(MultipleNegativesRanking with contradiction hard negatives) then STS (CoSENT or CosineSimilarity), or NLI and STS
at once (multitask, round robin)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kpfnlp.encoder.config import EncoderConfig, StageConfig
from kpfnlp.encoder.data import (
    EVALUATION_FILES,
    STSPair,
    Triplet,
    corpus_pairs,
    corpus_sentences,
    nli_triplets,
    read_sts,
    refuse_evaluation_files,
)
from kpfnlp.encoder.model import SentenceEncoder
from kpfnlp.encoder.sts import evaluate_sts

# the weak-pair and unsupervised stages' corpora must not read the STS evaluation sets, nor the clustering evaluation
# headlines (YNAT dev, whose headlines are the titles of yonhap_title_lead.jsonl, and the newstrust day)
FORBIDDEN_CORPUS_FILES = (
    *EVALUATION_FILES,
    "ynat-v1.1_dev.tsv",
    "yonhap_title_lead.jsonl",
    "newstrust_20210601_titles.json",
)


def _subset(items: list, n: int | None, seed: int) -> list:
    return items if n is None or n >= len(items) else random.Random(seed).sample(items, n)


def _nli_dataset(triplets: Sequence[Triplet]):
    from datasets import Dataset

    return Dataset.from_dict(
        {"anchor": [t.anchor for t in triplets], "positive": [t.positive for t in triplets],
         "negative": [t.negative for t in triplets]}
    )  # fmt: skip


def _pairs_dataset(pairs: Sequence[tuple[str, str]]):
    from datasets import Dataset

    return Dataset.from_dict({"anchor": [a for a, _ in pairs], "positive": [b for _, b in pairs]})


def _unsup_dataset(sentences: Sequence[str]):
    from datasets import Dataset

    return Dataset.from_dict({"anchor": list(sentences), "positive": list(sentences)})


def _sts_dataset(pairs: Sequence[STSPair]):
    from datasets import Dataset

    return Dataset.from_dict(
        {"sentence1": [p.sentence1 for p in pairs], "sentence2": [p.sentence2 for p in pairs],
         "score": [p.score / 5.0 for p in pairs]}
    )  # fmt: skip


RANKING_LOSSES = ("mnrl",)  # pairs, unsup and nli stages: (anchor, positive[, hard negative]) rows
SCORED_LOSSES = ("cosent", "cosine", "angle")  # sts stage: sentence pairs with a gold score


def _check_recipe(config: EncoderConfig) -> None:
    """Refuse an unknown recipe or a stage loss that does not fit the stage's rows before anything trains."""
    if config.recipe not in ("sequential", "multitask"):
        raise ValueError(f"unknown recipe {config.recipe!r}; choose sequential or multitask")
    for name in ("pairs", "unsup", "nli", "sts"):
        allowed = SCORED_LOSSES if name == "sts" else RANKING_LOSSES
        loss = getattr(config, name).loss
        if loss not in allowed:
            raise ValueError(f"unknown loss {loss!r} for the {name} stage; choose one of {list(allowed)}")


def _loss(model, stage: StageConfig):
    from sentence_transformers.sentence_transformer import losses

    builders = {
        "mnrl": losses.MultipleNegativesRankingLoss,
        "cosent": losses.CoSENTLoss,
        "cosine": losses.CosineSimilarityLoss,
        "angle": losses.AnglELoss,  # CoSENT on the angle difference in complex space (Li & Li, ACL 2024)
    }
    return builders[stage.loss](model)


def _args(output_dir: Path, stage: StageConfig, seed: int, no_duplicates: bool, round_robin: bool = False):
    from sentence_transformers import SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers, MultiDatasetBatchSamplers

    return SentenceTransformerTrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=stage.epochs,
        max_steps=stage.max_steps,
        per_device_train_batch_size=stage.batch_size,
        learning_rate=stage.learning_rate,
        warmup_steps=stage.warmup_ratio,  # transformers 5: a float below 1 is a ratio
        seed=seed,
        batch_sampler=BatchSamplers.NO_DUPLICATES if no_duplicates else BatchSamplers.BATCH_SAMPLER,
        multi_dataset_batch_sampler=MultiDatasetBatchSamplers.ROUND_ROBIN
        if round_robin
        else MultiDatasetBatchSamplers.PROPORTIONAL,
        save_strategy="no",
        logging_steps=50,
        report_to="none",
        use_cpu=not _cuda(),
        disable_tqdm=True,
    )


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _fit(encoder: SentenceEncoder, dataset, loss, args) -> list[dict[str, Any]]:
    from sentence_transformers import SentenceTransformerTrainer

    trainer = SentenceTransformerTrainer(model=encoder.model, args=args, train_dataset=dataset, loss=loss)
    trainer.train()
    return list(trainer.state.log_history)


def load_training_data(config: EncoderConfig, data_dir: Path) -> tuple[list[Triplet], list[STSPair], list[STSPair]]:
    """NLI triplets, STS training pairs and dev pairs named by `config`; refuses the evaluation files."""
    nli_files = [config.nli_file, *config.extra_nli_files]
    refuse_evaluation_files([*config.sts_files, *config.silver_files, *nli_files, config.dev_file])
    all_triplets = [t for name in nli_files for t in nli_triplets(data_dir / name)]
    triplets = _subset(all_triplets, config.nli.max_samples, config.seed)
    sts = [p for name in config.sts_files for p in read_sts(data_dir / name)]
    sts += [p for name in config.silver_files for p in read_sts(name)]
    dev = read_sts(data_dir / config.dev_file)
    return triplets, _subset(sts, config.sts.max_samples, config.seed), dev


def train_encoder(config: EncoderConfig, data_dir: Path) -> dict[str, Any]:
    """Run the recipe; save OUTPUT_DIR/final (and OUTPUT_DIR/fp16) and `train_report.json`; return the report."""
    import transformers

    _check_recipe(config)
    transformers.set_seed(config.seed)
    out = Path(config.output_dir)
    triplets, sts, dev = load_training_data(config, data_dir)
    encoder = SentenceEncoder.from_backbone(config.backbone, config.max_seq_length)
    if config.freeze_word_embeddings:
        encoder.model[0].auto_model.get_input_embeddings().weight.requires_grad_(False)
    report: dict[str, Any] = {"config": config.to_dict(), "train_examples": {"nli": len(triplets), "sts": len(sts)}}
    report["dev_before"] = evaluate_sts(encoder, dev)
    start = time.perf_counter()
    model = encoder.model
    if config.pairs_corpus:
        pairs = corpus_pairs(
            config.pairs_corpus, config.pairs_max, config.seed, config.pairs_kinds, forbidden=FORBIDDEN_CORPUS_FILES
        )
        report["train_examples"]["pairs"] = len(pairs)
        pairs_args = _args(out / "pairs", config.pairs, config.seed, no_duplicates=True)
        report["log_pairs"] = _fit(encoder, _pairs_dataset(pairs), _loss(model, config.pairs), pairs_args)
        report["dev_after_pairs"] = evaluate_sts(encoder, dev)
    if config.unsup_corpus:
        sentences = corpus_sentences(
            config.unsup_corpus, config.unsup_sentences, config.seed, forbidden=FORBIDDEN_CORPUS_FILES
        )
        report["train_examples"]["unsup"] = len(sentences)
        unsup_args = _args(out / "unsup", config.unsup, config.seed, no_duplicates=True)
        report["log_unsup"] = _fit(encoder, _unsup_dataset(sentences), _loss(model, config.unsup), unsup_args)
        report["dev_after_unsup"] = evaluate_sts(encoder, dev)
    if config.recipe == "sequential":
        nli_args = _args(out / "nli", config.nli, config.seed, no_duplicates=True)
        report["log_nli"] = _fit(encoder, _nli_dataset(triplets), _loss(model, config.nli), nli_args)
        report["dev_after_nli"] = evaluate_sts(encoder, dev)
        sts_args = _args(out / "sts", config.sts, config.seed, no_duplicates=False)
        report["log_sts"] = _fit(encoder, _sts_dataset(sts), _loss(model, config.sts), sts_args)
    else:  # multitask
        datasets = {"nli": _nli_dataset(triplets), "sts": _sts_dataset(sts)}
        loss = {"nli": _loss(model, config.nli), "sts": _loss(model, config.sts)}
        args = _args(out / "multitask", config.sts, config.seed, no_duplicates=True, round_robin=True)
        report["log_multitask"] = _fit(encoder, datasets, loss, args)
    report["train_seconds"] = round(time.perf_counter() - start, 1)
    report["dev_after"] = evaluate_sts(encoder, dev)
    encoder.save(out / "final")
    if config.fp16_copy:
        encoder.save(out / "fp16", fp16=True)
    (out / "train_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return report
