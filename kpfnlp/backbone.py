"""The BERT backbone every application starts from: the bundled default model, or any HF BERT directory.

The bundled model lives in `kpfnlp/models/<name>/` as fp16 safetensors (half the bytes in git) with a
`config.json` that says float32, so `from_pretrained` (transformers 5 loads with `dtype="auto"`) and every
library built on it — sentence-transformers, the Trainer — upcast it to fp32, the fast dtype on CPU.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch

from kpfnlp.paths import PACKAGE_DIR

MODELS_DIR = PACKAGE_DIR / "models"
DEFAULT_BACKBONE_NAME = "kpfnlp-mini"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def copy_tokenizer_files(source: str | Path, target: str | Path) -> None:
    """Copy the tokenizer files `source` has (only those: it may be a whole model directory) into `target`."""
    for name in TOKENIZER_FILES:
        if (Path(source) / name).is_file():
            shutil.copy2(Path(source) / name, Path(target) / name)


def backbone_path(path: str | Path | None = None) -> Path:
    """The directory of `path`, or of the bundled default backbone; a clear error if it is not a BERT directory."""
    directory = Path(path) if path is not None else MODELS_DIR / DEFAULT_BACKBONE_NAME
    if not (directory / "config.json").is_file():
        hint = (
            "the bundled default backbone is not installed in this checkout"
            if path is None
            else "expected a Hugging Face BERT directory (config.json, model.safetensors, tokenizer files)"
        )
        raise FileNotFoundError(f"{directory}: {hint}")
    return directory


def load_backbone(path: str | Path | None = None, *, heads: bool = False) -> tuple[torch.nn.Module, Any]:
    """(model, tokenizer) in fp32 eval mode: `BertModel` with its pooler, or `BertForPreTraining` with `heads=True`.

    With no argument, the bundled default model; otherwise any BERT directory (ours, kpfBERT, KLUE-BERT).
    """
    from transformers import AutoTokenizer, BertForPreTraining, BertModel

    directory = backbone_path(path)
    model_class = BertForPreTraining if heads else BertModel
    model = model_class.from_pretrained(directory, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(directory)


def trained_positions(path: str | Path) -> int | None:
    """How many position embeddings a release was pretrained on (`kpfnlp.json`), or None when it does not say."""
    facts = Path(path) / "kpfnlp.json"
    value = json.loads(facts.read_text(encoding="utf-8")).get("trained_positions") if facts.is_file() else None
    return int(value) if value else None


@torch.no_grad()
def tile_position_embeddings(model: Any, trained: int) -> int:
    """Copy a `BertModel`'s first `trained` position embeddings over the later ones (Longformer's initialisation);
    returns the number of rows set.

    A backbone pretrained on short sequences (kpfnlp-mini: 128 tokens) has untrained rows past that; tiling the
    trained ones gives a fine-tune on longer inputs (the summarizer's 512-token windows) a sensible start.
    """
    embeddings = model.embeddings.position_embeddings.weight
    total = embeddings.size(0)
    if not 0 < trained <= total:
        raise ValueError(f"trained positions must be in 1..{total}, got {trained}")
    for start in range(trained, total, trained):
        rows = min(trained, total - start)
        embeddings[start : start + rows] = embeddings[:rows]
    return total - trained


def update_config(directory: str | Path, **fields: Any) -> None:
    """Set `fields` in a model directory's `config.json` (e.g. `dtype="float32"` over fp16 weights, so loaders
    upcast them)."""
    config_path = Path(directory) / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.update(fields)
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def export_backbone(
    source: str | Path, target: str | Path, extra: dict[str, Any] | None = None, dropout: float | None = 0.1
) -> Path:
    """Write `source` (a trained BERT directory) as a release: fp16 weights (both heads, pooler) in shards under
    16 MB, a float32 config, the tokenizer files, and `kpfnlp.json` with `extra` facts (data, steps, metrics).

    `dropout` is written into the release config (hidden and attention): the value fine-tunes start from, since
    pretraining may have run without dropout; None keeps the source's values."""
    from transformers import BertForPreTraining

    source, target = Path(source), Path(target)
    model = BertForPreTraining.from_pretrained(source, dtype=torch.float32)
    target.mkdir(parents=True, exist_ok=True)
    # shards under 16 MB: they travel to and from a GPU machine (16 MiB per file) and stay friendly to git
    model.half().save_pretrained(target, max_shard_size="15MB")
    fields: dict[str, Any] = {"dtype": "float32", "architectures": ["BertForPreTraining"]}
    if dropout is not None:
        fields["hidden_dropout_prob"] = fields["attention_probs_dropout_prob"] = dropout
    update_config(target, **fields)
    copy_tokenizer_files(source, target)
    (target / "kpfnlp.json").write_text(json.dumps(extra or {}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
