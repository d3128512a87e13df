"""Encoder training recipe: dataclasses loaded from YAML (`training/configs/encoder-*.yaml`), `key=value` overrides."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpfnlp.encoder.data import STS_TRAIN_FILES
from kpfnlp.recipe import Recipe


@dataclass
class StageConfig:
    """One training stage (weak pairs, unsupervised, NLI or STS): optimisation settings, optional cap on examples."""

    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    max_samples: int | None = None  # seeded subset (quick runs, tests)
    max_steps: int = -1  # -1: run `epochs`
    loss: str = "mnrl"  # pairs, unsup, nli: mnrl (in-batch / hard negatives); sts: cosent | cosine | angle


@dataclass
class EncoderConfig(Recipe):
    """The whole recipe: backbone, data files (relative to `data_dir`), stages, output."""

    backbone: str = "runs/mini/pretrain/final"
    output_dir: str = "runs/encoder-mini"
    data_dir: str | None = None  # None: $KPFNLP_SHARED_DATA or ../shared/data
    recipe: str = "sequential"  # sequential: NLI then STS; multitask: both losses interleaved (round robin)
    max_seq_length: int = 64
    seed: int = 42
    nli_file: str = "klue/klue-nli-v1.1_train.json"
    extra_nli_files: list[str] = field(default_factory=list)  # more triplets, e.g. KorNLI's XNLI TSVs
    sts_files: list[str] = field(default_factory=lambda: list(STS_TRAIN_FILES))
    dev_file: str = "kornlu/KorSTS/sts-dev.tsv"  # model selection / logging only; never a test split
    # AugSBERT silver pairs for the STS stage (`kpfnlp augment-sts`): KorSTS-layout TSVs, paths as given (not under
    # data_dir), added to the gold pairs before `sts.max_samples` applies
    silver_files: list[str] = field(default_factory=list)
    # optional first stage, weakly supervised contrastive pre-finetuning (as E5 / GTE do at scale): (title, lead)
    # and adjacent-sentence pairs of a corpus mix YAML (`kpfnlp.encoder.data.corpus_pairs`), MultipleNegativesRanking
    # over the batch; None: no such stage
    pairs_corpus: str | None = None
    pairs_kinds: list[str] = field(default_factory=lambda: ["title_lead", "adjacent"])
    pairs_max: int = 100_000  # seeded sample of the distinct pairs
    pairs: StageConfig = field(default_factory=lambda: StageConfig(epochs=1, batch_size=64, learning_rate=5e-5))
    # optional stage after it, unsupervised SimCSE (Gao et al. 2021): sentences of a corpus mix YAML, each paired with
    # itself under two dropout masks, MultipleNegativesRanking over the batch; None: no such stage
    unsup_corpus: str | None = None
    unsup_sentences: int = 100_000  # seeded sample of the corpus's distinct sentences (10-200 characters)
    unsup: StageConfig = field(default_factory=lambda: StageConfig(epochs=1, batch_size=64, learning_rate=3e-5))
    nli: StageConfig = field(default_factory=lambda: StageConfig(epochs=1, batch_size=64, learning_rate=5e-5))
    sts: StageConfig = field(default_factory=lambda: StageConfig(epochs=4, batch_size=32, loss="cosent"))
    # keep the backbone's word embeddings as they are, so the bundled copy can share them (kpfnlp.encoder.bundle)
    freeze_word_embeddings: bool = False
    fp16_copy: bool = True  # also write OUTPUT_DIR/fp16 (the bundling format)
