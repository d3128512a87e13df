"""Encoder training recipe: dataclasses loaded from YAML (`training/configs/encoder-*.yaml`), `key=value` overrides."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class StageConfig:
    """One training stage (NLI or STS): optimisation settings and an optional cap on examples."""

    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    max_samples: int | None = None  # seeded subset (quick runs, tests)
    max_steps: int = -1  # -1: run `epochs`
    loss: str = "mnrl"  # nli: mnrl (hard negatives); sts: cosent | cosine

    def __post_init__(self) -> None:
        # YAML 1.1 reads `5e-5` as a string
        self.epochs, self.learning_rate, self.warmup_ratio = map(
            float, (self.epochs, self.learning_rate, self.warmup_ratio)
        )


@dataclass
class EncoderConfig:
    """The whole recipe: backbone, data files (relative to `data_dir`), stages, output."""

    backbone: str = "runs/mini/pretrain/final"
    output_dir: str = "runs/encoder-mini"
    data_dir: str | None = None  # None: $KPFNLP_SHARED_DATA or ../shared/data
    recipe: str = "sequential"  # sequential: NLI then STS; multitask: both losses interleaved (round robin)
    max_seq_length: int = 64
    seed: int = 42
    nli_file: str = "klue/klue-nli-v1.1_train.json"
    sts_files: list[str] = field(
        default_factory=lambda: ["kornlu/KorSTS/sts-train.tsv", "klue/klue-sts-v1.1_train.csv"]
    )
    dev_file: str = "kornlu/KorSTS/sts-dev.tsv"  # model selection / logging only; never a test split
    nli: StageConfig = field(default_factory=lambda: StageConfig(epochs=1, batch_size=64, learning_rate=5e-5))
    sts: StageConfig = field(default_factory=lambda: StageConfig(epochs=4, batch_size=32, loss="cosent"))
    fp16_copy: bool = True  # also write OUTPUT_DIR/fp16 (the bundling format)

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: list[str] | None = None) -> EncoderConfig:
        """Read a YAML recipe and apply `key=value` / `nli.key=value` overrides (values parsed as YAML)."""
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {} if path else {}
        stages = {name: _stage(raw.pop(name, {}), name) for name in ("nli", "sts")}
        _check_keys(cls, raw, "encoder config")
        config = cls(**raw)
        for name, stage in stages.items():
            if stage is not None:
                setattr(config, name, stage)
        for item in overrides or []:
            config.set(item)
        return config

    def set(self, assignment: str) -> None:
        """Apply one `key=value` or `stage.key=value` override."""
        if "=" not in assignment:
            raise ValueError(f"override {assignment!r} must look like key=value or nli.key=value")
        dotted, value = assignment.split("=", 1)
        if "." not in dotted:
            _check_keys(type(self), {dotted: None}, f"override {assignment!r}")
            setattr(self, dotted, yaml.safe_load(value))
            return
        stage, key = dotted.split(".", 1)
        if stage not in ("nli", "sts"):
            raise ValueError(f"override {assignment!r}: unknown section {stage!r} (nli, sts)")
        _check_keys(StageConfig, {key: None}, f"override {assignment!r}")
        setattr(self, stage, dataclasses.replace(getattr(self, stage), **{key: yaml.safe_load(value)}))

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, written next to the trained model."""
        return dataclasses.asdict(self)


def _check_keys(cls: type, values: dict[str, Any], where: str) -> None:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(names)}")


def _stage(values: dict[str, Any] | None, name: str) -> StageConfig | None:
    if not values:
        return None
    _check_keys(StageConfig, values, f"section {name!r}")
    defaults = dataclasses.asdict(EncoderConfig().nli if name == "nli" else EncoderConfig().sts)
    return StageConfig(**{**defaults, **values})
