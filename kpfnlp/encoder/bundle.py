"""Bundling an encoder beside the backbone without storing the word embeddings twice.

The word-embedding matrix is 12.3 MB of each fp16 `mini` model, and the bundled models share a 60 MB budget. An
encoder trained with frozen word embeddings (`freeze_word_embeddings` in its recipe) has exactly the backbone's
matrix, so its bundled copy leaves that tensor out and names where it lives in `shared_weights.json`. Loading
such a copy writes the complete, standard sentence-transformers directory once into a cache
(`$KPFNLP_CACHE_DIR`, else `~/.cache/kpfnlp`) and loads that, so `SentenceTransformer(materialized_path)` works too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import torch

SHARED_WEIGHTS_FILE = "shared_weights.json"
WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"  # the key in a sentence-transformers BertModel checkpoint


def _source_tensor(model_dir: Path, name: str) -> torch.Tensor:
    """Read one tensor from a (possibly sharded) safetensors model directory; `bert.` prefixes are tried too."""
    from safetensors import safe_open

    index = model_dir / "model.safetensors.index.json"
    if index.is_file():
        weight_map: dict[str, str] = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
    else:
        with safe_open(str(model_dir / "model.safetensors"), framework="pt") as handle:
            weight_map = dict.fromkeys(handle.keys(), "model.safetensors")
    for key in (name, f"bert.{name}"):
        if key in weight_map:
            with safe_open(str(model_dir / weight_map[key]), framework="pt") as handle:
                return handle.get_tensor(key)
    raise KeyError(f"{model_dir}: no tensor {name!r}")


def _digest(tensor: torch.Tensor) -> str:
    return hashlib.sha256(tensor.contiguous().view(torch.uint8).numpy().tobytes()).hexdigest()


def export_encoder(source: str | Path, target: str | Path, share_with: str | Path | None = None) -> Path:
    """Write the trained encoder at `source` to `target` in fp16; with `share_with` (a backbone directory whose
    word embeddings the encoder kept frozen), leave the word embeddings out and reference the backbone's.

    Refuses when the encoder's fp16 word embeddings are not bit-identical to the backbone's."""
    from safetensors.torch import load_file, save_file

    from kpfnlp.encoder.model import SentenceEncoder

    target = Path(target)
    SentenceEncoder.load(source).save(target, fp16=True)
    if share_with is None:
        return target
    share_with = Path(share_with)
    weights_path = target / "model.safetensors"
    tensors = load_file(str(weights_path))
    shared = _source_tensor(share_with, WORD_EMBEDDINGS)
    own = tensors.pop(WORD_EMBEDDINGS)
    if own.shape != shared.shape or not torch.equal(own, shared.to(own.dtype)):
        raise ValueError(
            f"{source}: word embeddings differ from {share_with}'s; train with freeze_word_embeddings=true "
            "on that backbone to share them"
        )
    save_file(tensors, str(weights_path), metadata={"format": "pt"})
    record = {
        "tensor": WORD_EMBEDDINGS,
        "source": os.path.relpath(share_with.resolve(), target.resolve()),
        "sha256": _digest(own),
    }
    (target / SHARED_WEIGHTS_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return target


def cache_dir() -> Path:
    """Where materialized encoders go: `$KPFNLP_CACHE_DIR`, else `$XDG_CACHE_HOME/kpfnlp`, else `~/.cache/kpfnlp`."""
    if os.environ.get("KPFNLP_CACHE_DIR"):
        return Path(os.environ["KPFNLP_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kpfnlp"


def materialize(path: str | Path) -> Path:
    """The complete sentence-transformers directory for `path`: `path` itself when nothing is shared, else a
    cached copy with the shared tensor put back (written once, atomically; checked against its sha256)."""
    from safetensors.torch import load_file, save_file

    path = Path(path)
    record_path = path / SHARED_WEIGHTS_FILE
    if not record_path.is_file():
        return path
    record = json.loads(record_path.read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for file in sorted(f for f in path.rglob("*") if f.is_file()):  # any change to the release is a new copy
        digest.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    key = digest.hexdigest()[:16]
    target = cache_dir() / f"{path.name}-{key}"
    if (target / "modules.json").is_file():
        return target
    source = (path / record["source"]).resolve()
    shared = _source_tensor(source, record["tensor"])
    if _digest(shared) != record["sha256"]:
        raise ValueError(f"{path}: {source} no longer holds the {record['tensor']} this encoder was trained with")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        shutil.copytree(path, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(SHARED_WEIGHTS_FILE))
        tensors = load_file(str(staging / "model.safetensors"))
        tensors[record["tensor"]] = shared
        save_file(tensors, str(staging / "model.safetensors"), metadata={"format": "pt"})
        try:
            staging.rename(target)
        except OSError:  # another process materialized it first
            if not (target / "modules.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
