"""Result records: one JSON file per evaluation run, with what is needed to reproduce and compare it."""

from __future__ import annotations

import hashlib
import json
import platform
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

PREDICTIONS_SUFFIX = ".predictions.json"


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_label(model_dir: str | Path) -> str:
    """A readable name for a checkpoint directory: `runs/mini/final` -> `mini/final`, `kpfbert` -> `kpfbert`."""
    parts = Path(model_dir).resolve().parts
    return (
        "/".join(parts[-2:])
        if parts[-1] in {"final", "model", "best"} or parts[-1].startswith("checkpoint")
        else parts[-1]
    )


def software_versions() -> dict[str, str]:
    """Versions of the libraries that change numbers."""
    import importlib.metadata as md

    versions = {"python": platform.python_version()}
    for name in ("kpfnlp", "torch", "transformers", "tokenizers", "scikit-learn"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return versions


def write_result(result: dict[str, Any], output_dir: str | Path, predictions: Any = None) -> Path:
    """Write `result` as `TASK__MODEL__TIME.json`, predictions to a sidecar file.

    Adds `created`, `software` and `predictions_file` to `result` in place, so the caller holds what was written.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    result.update(created=now.isoformat(timespec="seconds"), software=software_versions())
    slug = re.sub(r"[^\w.-]+", "-", result["model"]["name"]).strip("-")
    stem = f"{result['task']}__{slug}__{now.strftime('%Y%m%dT%H%M%S%f')}"
    if predictions is not None:
        pred_path = output_dir / f"{stem}{PREDICTIONS_SUFFIX}"
        pred_path.write_text(json.dumps(predictions, ensure_ascii=False) + "\n", encoding="utf-8")
        result["predictions_file"] = pred_path.name
    path = output_dir / f"{stem}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def data_record(files: list[Path], n_train: int, n_eval: int, split_note: str) -> dict[str, Any]:
    """The `data` section of a result: files with sha256, example counts, how the split was made."""
    return {
        "files": {str(p): sha256_file(p) for p in files},
        "train_examples": n_train,
        "eval_examples": n_eval,
        "split": split_note,
    }
