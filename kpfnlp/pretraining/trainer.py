"""MLM+NSP training on `transformers.Trainer`: exact resume, DDP via torchrun, MLM/NSP accuracy and tokens/s logs."""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler
from transformers import Trainer, TrainerCallback, TrainingArguments, set_seed
from transformers.trainer_callback import ExportableState
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from kpfnlp.backbone import copy_tokenizer_files
from kpfnlp.pretraining.config import PretrainConfig
from kpfnlp.pretraining.dataset import PretrainingCollator, PretrainingDataset, SpecialIds

logger = logging.getLogger(__name__)

EVAL_MASK_SEED = 2024  # fixed masks for the held-out set, so evaluations are comparable across runs


class SetEpochCallback(TrainerCallback):
    """Tell the dataset which epoch starts, before its iterator is built, so masks change every epoch."""

    def __init__(self, dataset: PretrainingDataset) -> None:
        self.dataset = dataset

    def on_epoch_begin(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        self.dataset.set_epoch(int(state.epoch + 1e-6) if state.epoch else 0)


class EpochShuffleSampler(Sampler[int]):
    """A permutation of the dataset that depends only on (seed, epoch): identical on every process of a DDP run
    and in a single-process run, so data order is reproducible across layouts and resumes."""

    def __init__(self, length: int, seed: int) -> None:
        self.length = length
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the permutation of this epoch (called by the Trainer / accelerate at each epoch start)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[int]:
        return iter(np.random.default_rng([self.seed, self.epoch]).permutation(self.length).tolist())


class LengthGroupedEpochSampler(EpochShuffleSampler):
    """The (seed, epoch) permutation, reordered so that every run of `batch_size` indices has similar lengths.

    The permutation is cut into megabatches of `megabatch` batches, each sorted by length and cut into batches,
    and the full batches are shuffled (a last partial batch stays last, so batch boundaries stay where the
    DataLoader cuts). Where short instances (reviews, headlines) sit beside long ones (Wikipedia), padded batches
    are ~98% real tokens instead of ~52%. Each instance, not each token, then weighs the same within a step."""

    def __init__(self, lengths: np.ndarray, batch_size: int, seed: int, megabatch: int = 50) -> None:
        super().__init__(len(lengths), seed)
        if batch_size < 1 or megabatch < 1:
            raise ValueError(f"batch_size and megabatch must be >= 1, got {batch_size} and {megabatch}")
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.megabatch = megabatch

    def __iter__(self) -> Iterator[int]:
        rng = np.random.default_rng([self.seed, self.epoch])
        order = rng.permutation(self.length)
        size = self.batch_size * self.megabatch
        batches = []
        for start in range(0, self.length, size):
            group = order[start : start + size]
            group = group[np.argsort(-self.lengths[group], kind="stable")]
            batches.extend(group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size))
        full = [b for b in batches if len(b) == self.batch_size]
        rest = [b for b in batches if len(b) < self.batch_size]
        ordered = [full[i] for i in rng.permutation(len(full))] + rest
        return iter(np.concatenate(ordered).tolist() if ordered else [])


class WallClockBudget(TrainerCallback, ExportableState):
    """Train for a fixed wall-clock time, for leases of fixed length (a lent GPU) whose step rate is unknown ahead.

    The learning rate warms up over the first `warmup` share of the time and decays linearly to 0 at `seconds`,
    where training stops (`max_steps` stays an upper bound). Under DDP the time is process 0's, broadcast after
    every step, so all processes apply the same learning rate and stop at the same step. Checkpoints store the
    time used so far (`state()`, in `trainer_state.json`), and a resumed run starts its clock there
    (`elapsed_before`, see `spent_in_checkpoint`): the schedule goes on where it stopped, not from the start."""

    def __init__(self, seconds: float, warmup: float = 0.0, elapsed_before: float = 0.0) -> None:
        if seconds <= 0 or not 0 <= warmup < 1 or elapsed_before < 0:
            raise ValueError(
                f"wall-clock budget needs seconds > 0, 0 <= warmup < 1 and elapsed_before >= 0, "
                f"got {seconds}, {warmup}, {elapsed_before}"
            )
        self.seconds = seconds
        self.warmup = warmup
        self.elapsed_before = elapsed_before
        self.started: float | None = None
        self.fraction = min(elapsed_before / seconds, 1.0)  # share of the budget used, as of the last finished step
        self.stopped = False

    def elapsed(self) -> float:
        """Seconds of the budget used: those of earlier sessions plus this one's."""
        return self.elapsed_before + (time.monotonic() - self.started if self.started is not None else 0.0)

    def state(self) -> dict[str, Any]:
        """Saved into each checkpoint's `trainer_state.json` by the Trainer (the ExportableState protocol)."""
        return {
            "args": {"seconds": self.seconds, "warmup": self.warmup},
            "attributes": {"elapsed_before": self.elapsed()},
        }

    def lr_multiplier(self, _step: int) -> float:
        """Linear warmup over the first `warmup` of the time, then linear decay to 0 at the end."""
        if self.fraction < self.warmup:
            return self.fraction / self.warmup
        return (1.0 - self.fraction) / (1.0 - self.warmup)

    def on_train_begin(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> None:
        self.started = time.monotonic()

    def on_step_end(self, args: TrainingArguments, state: Any, control: Any, **kwargs: Any) -> Any:
        elapsed = torch.tensor([self.elapsed()], dtype=torch.float64)
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            elapsed = elapsed.to(args.device)
            torch.distributed.broadcast(elapsed, src=0)
        self.fraction = min(float(elapsed) / self.seconds, 1.0)
        if self.fraction >= 1.0:
            control.should_training_stop = True
            self.stopped = True
        return control


def spent_in_checkpoint(checkpoint: str | Path | None) -> float:
    """Wall-clock budget seconds a checkpoint had used (0 without a checkpoint or a budget in it)."""
    state_file = Path(checkpoint) / "trainer_state.json" if checkpoint else None
    if state_file is None or not state_file.is_file():
        return 0.0
    stored = json.loads(state_file.read_text(encoding="utf-8")).get("stateful_callbacks", {}).get("WallClockBudget")
    if isinstance(stored, list):
        stored = stored[0] if stored else None
    return float(stored["attributes"]["elapsed_before"]) if stored else 0.0


class PretrainingTrainer(Trainer):
    """Trainer that normalises NSP by the global sequence count and logs MLM/NSP accuracy and tokens/s; with a
    `wall_budget`, its learning-rate schedule follows the clock instead of the step count."""

    def __init__(
        self,
        *args: Any,
        wall_budget: WallClockBudget | None = None,
        group_by_length: bool = False,
        **kwargs: Any,
    ) -> None:
        self.wall_budget = wall_budget
        self.group_by_length = group_by_length
        super().__init__(*args, **kwargs)
        self._num_sequences: torch.Tensor | None = None
        self._counts = torch.zeros(5, dtype=torch.float64)  # mlm_correct, mlm_count, nsp_correct, nsp_count, tokens
        self._last_log_time = time.perf_counter()

    def _get_train_sampler(self, train_dataset: Any = None) -> Sampler[int]:
        """Shuffle with a (seed, epoch) permutation rather than the global RNG (see EpochShuffleSampler); with
        `group_by_length`, grouped by length in runs of one batch of all processes."""
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        seed = self.args.data_seed or self.args.seed
        if self.group_by_length:
            size = self.args.per_device_train_batch_size * self.args.world_size
            return LengthGroupedEpochSampler(dataset.reader.lengths()[: len(dataset)], size, seed)
        return EpochShuffleSampler(len(dataset), seed)

    def create_scheduler(self, num_training_steps: int, optimizer: Any = None) -> Any:
        """The usual step-based schedule, or the wall-clock one of `wall_budget`."""
        if self.wall_budget is None:
            return super().create_scheduler(num_training_steps, optimizer)
        if self.lr_scheduler is None:
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer or self.optimizer, self.wall_budget.lr_multiplier
            )
        return self.lr_scheduler

    def train(self, *args: Any, **kwargs: Any) -> Any:
        """Start the tokens/s clock when training starts, not when the trainer is built."""
        self._last_log_time = time.perf_counter()
        return super().train(*args, **kwargs)

    def get_batch_samples(self, epoch_iterator: Any, num_batches: int, device: torch.device) -> tuple[list, Any]:
        """Also count the sequences of this optimizer step over all micro-batches and processes."""
        batch_samples, num_items = super().get_batch_samples(epoch_iterator, num_batches, device)
        count = torch.tensor(sum(len(b["next_sentence_label"]) for b in batch_samples), device=device)
        if self.accelerator.num_processes > 1:
            count = self.accelerator.gather(count).sum()
        self._num_sequences = count
        return batch_samples, num_items

    def compute_loss(
        self,
        model: torch.nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> Any:
        """Pass the global sequence count to the model and accumulate accuracy counts for the next log."""
        if model.training and self._num_sequences is not None:
            inputs = {**inputs, "num_sequences_in_batch": self._num_sequences}
        loss, outputs = super().compute_loss(model, inputs, return_outputs=True, num_items_in_batch=num_items_in_batch)
        if model.training:  # stays on the device: no host sync per step (it would stall a GPU on a small model)
            stats = torch.stack(
                [
                    outputs.mlm_correct,
                    outputs.mlm_count,
                    outputs.nsp_correct,
                    outputs.nsp_count,
                    inputs["attention_mask"].sum(),
                ]
            ).to(torch.float64)
            self._counts = self._counts.to(stats.device) + stats
        return (loss, outputs) if return_outputs else loss

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        """Add MLM/NSP accuracy and tokens/s (all processes, since the previous log) to training logs."""
        if "loss" in logs and self._counts[1] > 0:
            counts = self._counts.to(self.args.device)
            if self.accelerator.num_processes > 1:
                counts = self.accelerator.reduce(counts, reduction="sum")
            now = time.perf_counter()
            logs["mlm_accuracy"] = round(float(counts[0] / counts[1]), 4)
            logs["nsp_accuracy"] = round(float(counts[2] / max(counts[3], 1)), 4)
            logs["tokens_per_second"] = round(float(counts[4]) / max(now - self._last_log_time, 1e-9), 1)
            self._counts.zero_()
            self._last_log_time = now
        super().log(logs, start_time)

    def evaluate(
        self, eval_dataset: Any = None, ignore_keys: list[str] | None = None, metric_key_prefix: str = "eval"
    ) -> dict[str, float]:
        """Held-out MLM loss/accuracy and NSP loss/accuracy with fixed masks (no logits are gathered)."""
        dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        if dataset is None:
            return {}
        metrics = evaluate_pretraining(
            self.model,
            dataset,
            self.data_collator,
            self.args.per_device_eval_batch_size,
            self.args.device,
            prefix=metric_key_prefix,
            autocast_bf16=self.args.bf16,
        )
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics=metrics)
        return metrics


@torch.no_grad()
def evaluate_pretraining(
    model: torch.nn.Module,
    dataset: PretrainingDataset,
    collator: PretrainingCollator,
    batch_size: int,
    device: torch.device | str = "cpu",
    prefix: str = "eval",
    autocast_bf16: bool = False,
) -> dict[str, float]:
    """MLM loss, MLM accuracy, NSP loss and NSP accuracy of `model` on `dataset` (token- and sequence-weighted)."""
    was_training = model.training
    model.eval()
    sums = torch.zeros(6, dtype=torch.float64)  # mlm_loss_sum, mlm_correct, mlm_count, nsp_loss_sum, nsp_correct, n
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, collate_fn=collator)
    device_type = torch.device(device).type
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=autocast_bf16):
            out = model(**batch, num_items_in_batch=1, num_sequences_in_batch=1)  # sums, not means
        sums += torch.tensor(
            [
                float(out.mlm_loss),
                float(out.mlm_correct),
                float(out.mlm_count),
                float(out.nsp_loss),
                float(out.nsp_correct),
                float(out.nsp_count),
            ],
            dtype=torch.float64,
        )
    model.train(was_training)
    mlm_loss = float(sums[0] / max(sums[2], 1))
    nsp_loss = float(sums[3] / max(sums[5], 1))
    return {
        f"{prefix}_loss": mlm_loss + nsp_loss,
        f"{prefix}_mlm_loss": mlm_loss,
        f"{prefix}_mlm_perplexity": math.exp(min(mlm_loss, 50.0)),
        f"{prefix}_mlm_accuracy": float(sums[1] / max(sums[2], 1)),
        f"{prefix}_nsp_loss": nsp_loss,
        f"{prefix}_nsp_accuracy": float(sums[4] / max(sums[5], 1)),
        f"{prefix}_examples": float(sums[5]),
    }


def cpu_has_amx_bf16() -> bool:
    """Whether this CPU multiplies bf16 matrices in hardware (Intel AMX, Linux `/proc/cpuinfo` flag).

    There bf16 autocast trains `mini` ~1.5x faster than fp32; on AVX2-only CPUs bf16 is emulated and ~28x slower.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return any(line.startswith("flags") and " amx_bf16" in line for line in f)
    except OSError:
        return False


def device_settings(
    precision: str, ddp_backend: str | None, on_gpu: bool, bf16_supported: bool, distributed: bool
) -> dict[str, Any]:
    """TrainingArguments that depend on the hardware: bf16, fused AdamW, pinned memory and NCCL on a GPU;
    plain AdamW and gloo on CPU, with bf16 autocast where the CPU has AMX (`bf16_supported`), else fp32."""
    if precision == "auto":
        bf16 = bf16_supported
    elif precision in ("bf16", "fp32"):
        bf16 = precision == "bf16"
    else:
        raise ValueError(f"train.precision must be auto, bf16 or fp32, not {precision!r}")
    return {
        "bf16": bf16,
        "optim": "adamw_torch_fused" if on_gpu else "adamw_torch",
        "dataloader_pin_memory": on_gpu,
        "ddp_backend": (ddp_backend or ("nccl" if on_gpu else "gloo")) if distributed else None,
        # without use_cpu, accelerate treats torchrun CPU processes as independent (DistributedType.NO): no DDP
        "use_cpu": not on_gpu,
    }


def training_arguments(config: PretrainConfig, has_eval: bool) -> TrainingArguments:
    """Map our TrainConfig onto TrainingArguments, with the hardware-dependent part from `device_settings`."""
    t = config.train
    on_gpu = torch.cuda.is_available()
    hardware = device_settings(
        t.precision,
        t.ddp_backend,
        on_gpu,
        torch.cuda.is_bf16_supported() if on_gpu else cpu_has_amx_bf16(),
        distributed=int(os.environ.get("WORLD_SIZE", "1")) > 1,
    )  # WORLD_SIZE: torchrun
    eval_every = bool(has_eval and t.eval_steps)
    return TrainingArguments(
        output_dir=t.output_dir,
        per_device_train_batch_size=t.per_device_batch_size,
        per_device_eval_batch_size=t.per_device_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio,
        max_steps=t.max_steps,
        lr_scheduler_type=t.lr_scheduler_type,
        max_grad_norm=t.max_grad_norm,
        logging_steps=t.logging_steps,
        logging_first_step=True,
        save_steps=t.save_steps,
        save_total_limit=t.save_total_limit,
        eval_strategy="steps" if eval_every else "no",
        eval_steps=t.eval_steps if eval_every else None,
        seed=t.seed,
        data_seed=t.seed,
        dataloader_num_workers=t.dataloader_num_workers,
        remove_unused_columns=False,
        report_to=t.report_to,
        include_num_input_tokens_seen="non_padding",
        disable_tqdm=True,
        **hardware,
    )


def last_complete_checkpoint(output_dir: str | Path) -> str | None:
    """The newest `checkpoint-N` whose `trainer_state.json` (written last by the Trainer) is complete.

    A process killed while saving leaves a partial newest checkpoint; `get_last_checkpoint` would pick it and the
    resume would crash, so partial ones are skipped.
    """
    folder = Path(output_dir)
    if not folder.is_dir():
        return None
    candidates = []
    for path in folder.glob(f"{PREFIX_CHECKPOINT_DIR}-*"):
        step = path.name.rsplit("-", 1)[-1]
        if path.is_dir() and step.isdigit():
            candidates.append((int(step), path))
    for _, path in sorted(candidates, reverse=True):
        try:
            json.loads((path / "trainer_state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("skipping incomplete checkpoint %s", path)
            continue
        return str(path)
    return None


def run_pretraining(
    config: PretrainConfig, resume: bool = True, callbacks: list[TrainerCallback] | None = None
) -> dict[str, Any]:
    """Train (resuming from the newest checkpoint in the output dir), save the final HF directory, evaluate."""
    from transformers import AutoTokenizer

    from kpfnlp.pretraining.model import build_model

    tokenizer = AutoTokenizer.from_pretrained(config.data.tokenizer)
    special = SpecialIds.from_tokenizer(tokenizer)
    shards = Path(config.data.shards)
    train_ds = PretrainingDataset(
        shards / "train",
        special,
        mlm_probability=config.train.mlm_probability,
        whole_word=config.train.whole_word_masking,
        seed=config.train.seed,
    )
    eval_ds = None
    if (shards / "eval").is_dir():
        eval_ds = PretrainingDataset(
            shards / "eval",
            special,
            mlm_probability=config.train.mlm_probability,
            whole_word=config.train.whole_word_masking,
            seed=EVAL_MASK_SEED,
            limit=config.train.max_eval_examples,
        )
    set_seed(config.train.seed)  # the initial weights depend only on the seed (same in every process layout)
    model = build_model(config.model.resolved(), special.vocab_size, special.pad, config.model.init_from)
    args = training_arguments(config, eval_ds is not None)
    collator = PretrainingCollator(special.pad, pad_to_multiple_of=8 if torch.cuda.is_available() else None)
    output_dir = Path(config.train.output_dir)
    last = last_complete_checkpoint(output_dir) if resume else None
    budget = None
    if config.train.max_wall_seconds is not None:
        budget = WallClockBudget(config.train.max_wall_seconds, config.train.warmup_ratio, spent_in_checkpoint(last))
    trainer = PretrainingTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        data_collator=collator,
        callbacks=[SetEpochCallback(train_ds), *([budget] if budget else []), *(callbacks or [])],
        wall_budget=budget,
        group_by_length=config.train.group_by_length,
    )
    if last:
        logger.info("resuming from %s", last)
    started = time.perf_counter()
    train_result = trainer.train(resume_from_checkpoint=last)
    wall = time.perf_counter() - started
    summary: dict[str, Any] = {
        "train": train_result.metrics,
        "wall_seconds_this_session": wall,
        "resumed_from": last,
        "tokens_seen": trainer.state.num_input_tokens_seen,
        "steps": trainer.state.global_step,
        "stopped_by_wall_clock": bool(budget and budget.stopped),
    }
    if eval_ds is not None:
        summary["eval"] = trainer.evaluate()
    if trainer.is_world_process_zero():
        final = output_dir / "final"
        trainer.save_model(str(final))
        # the tokenizer files as trained, vocab.txt included; only those: data.tokenizer may be a whole model
        # directory (a release continued from), whose weights and config must not replace the trained ones
        copy_tokenizer_files(config.data.tokenizer, final)
        (final / "pretraining_config.json").write_text(json.dumps(config.to_dict(), indent=2), encoding="utf-8")
        (output_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        with (output_dir / "log_history.jsonl").open("w", encoding="utf-8") as f:
            for row in trainer.state.log_history:
                f.write(json.dumps(row) + "\n")
    return summary


def evaluate_checkpoint(
    model_dir: str | Path, corpus: str | Path, max_examples: int = 2000, max_seq_len: int = 128, batch_size: int = 64
) -> dict[str, float]:
    """Held-out MLM/NSP metrics of any BERT checkpoint with both heads on a corpus mix, with fixed masks.

    The corpus is turned into instances with the checkpoint's own tokenizer (in a temporary directory), so
    checkpoints trained elsewhere (a GPU run, another vocabulary) are compared on the same text.
    """
    import tempfile

    from transformers import AutoTokenizer

    from kpfnlp.corpus import ReadReport, iter_corpus, load_corpus_mix
    from kpfnlp.pretraining.model import BertForPreTrainingMasked
    from kpfnlp.pretraining.prepare import write_split

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = BertForPreTrainingMasked.from_pretrained(model_dir, dtype=torch.float32)
    config = PretrainConfig.load(None, [f"data.max_seq_len={max_seq_len}"])
    special = SpecialIds.from_tokenizer(tokenizer)
    with tempfile.TemporaryDirectory() as tmp:
        docs = iter_corpus(load_corpus_mix(corpus), ReadReport())
        write_split(docs, Path(tmp) / "eval", tokenizer, config, dupe_factor=1, seed=config.data.seed + 1)
        dataset = PretrainingDataset(Path(tmp) / "eval", special, seed=EVAL_MASK_SEED, limit=max_examples)
        return evaluate_pretraining(model, dataset, PretrainingCollator(special.pad), batch_size)
