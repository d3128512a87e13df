"""The task registry: files, reader, label set, metrics and fine-tuning recipe of each evaluation task."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kpfnlp.eval import data, metrics

KORQUAD_TRAIN_TITLES = 70  # offline KorQuAD: the dev set's first 70 of 140 articles train, the other 70 test


@dataclass(frozen=True)
class Recipe:
    """Fine-tuning defaults (AdamW, linear decay)."""

    learning_rate: float
    epochs: float
    max_length: int
    batch_size: int
    warmup_ratio: float = 0.1
    weight_decay: float = 0.0
    doc_stride: int = 128  # QA only: overlap of the windows over a long context
    source: str = "KLUE-baseline run_all.sh, klue/bert-base"


@dataclass(frozen=True)
class TaskSpec:
    """One evaluation task; paths are relative to the data directory (None: no default file offline)."""

    name: str
    kind: Literal["classification", "regression", "qa"]
    title: str
    train_file: str | None
    eval_file: str | None
    reader: Callable[[Path], list]
    primary_metric: str
    recipe: Recipe
    labels: tuple[str, ...] = ()
    unanswerable: bool = False  # QA with unanswerable questions (KLUE-MRC): [CLS] training, "" answers, KLUE scores

    def score(self, preds: Sequence, labels: Sequence) -> dict[str, float]:
        """All metrics of a classification / regression task (QA is scored by `score_qa`)."""
        if self.kind == "regression":
            return {
                "pearson": metrics.pearson(preds, labels),
                "spearman": metrics.spearman(preds, labels),
                "f1": metrics.sts_f1(preds, labels),
            }
        return {"accuracy": metrics.accuracy(preds, labels), "macro_f1": metrics.macro_f1(preds, labels)}

    def score_qa(self, answers: Mapping[str, str], examples: Sequence[data.QAExample]) -> dict[str, float | int]:
        """QA metrics: KLUE-MRC EM / ROUGE-W with the unanswerable count, or KorQuAD EM / char-F1."""
        references = {ex.id: [a for a, _ in ex.answers] for ex in examples}
        if self.unanswerable:
            return metrics.klue_mrc_scores(answers, references, {ex.id for ex in examples if ex.is_impossible})
        return metrics.squad_scores(answers, {qid: golds or [""] for qid, golds in references.items()})


# Recipes: KLUE-baseline `run_all.sh` for klue/bert-base (github.com/KLUE-benchmark/KLUE-baseline; epochs default
# to 4 there when not given, batch 32, warmup 0.1, weight decay 0). NSMC is not a KLUE task: it takes the KLUE
# single-sentence recipe with 3 epochs (150k examples). KorQuAD takes Google BERT's `run_squad.py` SQuAD v1 recipe,
# which the KorQuAD baselines used; KLUE-MRC takes KLUE-baseline's klue/bert-base recipe and its checkpoint metric
# (`--metric_key rouge_w`).
TASKS: dict[str, TaskSpec] = {
    t.name: t
    for t in (
        TaskSpec(
            "nsmc", "classification", "NSMC (accuracy, test)", "nsmc/ratings_train.txt", "nsmc/ratings_test.txt",
            data.read_nsmc, "accuracy", Recipe(5e-5, 3, 128, 32, source="KLUE YNAT recipe, 3 epochs"),
            data.NSMC_LABELS,
        ),
        TaskSpec(
            "klue-nli", "classification", "KLUE-NLI (accuracy, dev)", "klue/klue-nli-v1.1_train.json",
            "klue/klue-nli-v1.1_dev.json", data.read_klue_nli, "accuracy", Recipe(5e-5, 5, 128, 32), data.NLI_LABELS,
        ),
        TaskSpec(
            "klue-sts", "regression", "KLUE-STS (Pearson / F1, dev)", "klue/klue-sts-v1.1_train.csv",
            "klue/klue-sts-v1.1_dev.json", data.read_klue_sts, "pearson", Recipe(5e-5, 4, 128, 32),
        ),
        TaskSpec(
            "ynat", "classification", "YNAT (macro-F1, dev)", "klue/ynat-v1.1_train.tsv", "klue/ynat-v1.1_dev.tsv",
            data.read_ynat, "macro_f1", Recipe(5e-5, 4, 128, 32), data.YNAT_LABELS,
        ),
        TaskSpec(
            "korquad", "qa", "KorQuAD 1.0 (EM / F1, dev)", None, "korquad/KorQuAD_v1.0_dev.json", data.read_squad,
            "f1", Recipe(3e-5, 2, 384, 12, warmup_ratio=0.0, source="Google BERT run_squad.py (SQuAD v1)"),
        ),
        TaskSpec(
            "klue-mrc", "qa", "KLUE-MRC (EM / ROUGE-W, dev)", None, None, data.read_klue_mrc, "rouge_w",
            Recipe(3e-5, 5, 512, 16, warmup_ratio=0.0), unanswerable=True,
        ),
    )
}  # fmt: skip


def get_task(name: str) -> TaskSpec:
    """The spec of task `name`, or a ValueError listing the known tasks."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}")
    return TASKS[name]


@dataclass
class TaskData:
    """Loaded splits of a task, the files they came from and how the split was made."""

    train: list
    eval: list
    files: list[Path]
    split_note: str
    validation: list = field(default_factory=list)  # held out from the train file: picks the epoch, never trains


def load_task_data(
    spec: TaskSpec,
    data_dir: Path | None,
    train_file: Path | None = None,
    eval_file: Path | None = None,
    max_train_samples: int | None = None,
    max_eval_samples: int | None = None,
    seed: int = 42,
    validation_samples: int | None = None,
) -> TaskData:
    """Read the train and eval splits (explicit files win over the data directory's defaults).

    `max_*_samples` keep a seeded random subset in file order (files may be sorted by label).
    `validation_samples` holds a seeded subset of the training examples out as a validation split (model
    selection without the test set); `max_train_samples` then draws from the rest.
    """

    def resolve(explicit: Path | None, default: str | None, role: str) -> Path | None:
        if explicit is not None:
            return Path(explicit)
        if default is None:
            return None
        if data_dir is None:
            raise data.DataError(f"no data directory: give --data-dir or --{role}-file")
        return Path(data_dir) / default

    eval_path = resolve(eval_file, spec.eval_file, "eval")
    if eval_path is None:
        raise data.DataError(f"{spec.name} has no offline files: give --train-file and --eval-file")
    train_path = resolve(train_file, spec.train_file, "train")
    eval_examples = spec.reader(eval_path)
    if train_path is not None:
        train_examples = spec.reader(train_path)
        files, note = [train_path, eval_path], f"train {train_path.name}, evaluate on {eval_path.name}"
    elif spec.kind == "qa" and spec.eval_file is not None:  # KorQuAD: only the dev set is available offline
        train_examples, eval_examples = data.split_by_title(eval_examples, KORQUAD_TRAIN_TITLES)
        files = [eval_path]
        note = (
            f"title split of {eval_path.name}: first {KORQUAD_TRAIN_TITLES} titles train, the rest test "
            "(not comparable to published dev figures)"
        )
    else:
        raise data.DataError(f"{spec.name} needs a training file: give --train-file")
    validation: list = []
    if validation_samples:
        if validation_samples >= len(train_examples):
            raise data.DataError(
                f"{spec.name}: --validation-samples {validation_samples} leaves no training examples "
                f"(the train split has {len(train_examples)})"
            )
        held = set(random.Random(seed + 1).sample(range(len(train_examples)), validation_samples))
        validation = [ex for i, ex in enumerate(train_examples) if i in held]
        train_examples = [ex for i, ex in enumerate(train_examples) if i not in held]
        note += f"; {validation_samples} training examples held out for validation (seed {seed + 1})"
    train_examples = seeded_subset(train_examples, max_train_samples, seed)
    return TaskData(train_examples, seeded_subset(eval_examples, max_eval_samples, seed), files, note, validation)


def seeded_subset(examples: list, n: int | None, seed: int) -> list:
    """`n` examples drawn with `seed`, in file order (all of them when `n` is None or not smaller)."""
    if n is None or n >= len(examples):
        return examples
    keep = sorted(random.Random(seed).sample(range(len(examples)), n))
    return [examples[i] for i in keep]
