"""Bundling an encoder beside the backbone without storing the word embeddings twice.

The word-embedding matrix is 12.3 MB of each fp16 `mini` model, and the bundled models share a 60 MB budget. An
encoder trained with frozen word embeddings (`freeze_word_embeddings` in its recipe) has exactly the backbone's
matrix, so its bundled copy leaves that tensor out and names where it lives in `shared_weights.json`. Loading
such a copy writes the complete, standard sentence-transformers directory once into a cache
(`$KPFNLP_CACHE_DIR`, else `~/.cache/kpfnlp`) and loads that, so `SentenceTransformer(materialized_path)` works too.

An encoder that trained its word embeddings can still share them: `delta_rank` stores the change from the
backbone's matrix as a truncated SVD (two small factors in `embedding_delta.safetensors`; fine-tuning moves the
rows of the tokens it saw, mostly along a few directions), and loading adds it back. The relative error of that
approximation is written down in `shared_weights.json`.
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
DELTA_FILE = "embedding_delta.safetensors"  # low-rank factors of (own - shared) word embeddings
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


def low_rank_delta(own: torch.Tensor, shared: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Factors (left: rows x rank, right: rank x columns) of the best rank-`rank` approximation of `own - shared`
    (truncated SVD, fp32), and its relative Frobenius error (0 when the delta is exactly zero)."""
    delta = own.float() - shared.float()
    u, s, vh = torch.linalg.svd(delta, full_matrices=False)
    rank = min(rank, len(s))
    left, right = u[:, :rank] * s[:rank], vh[:rank]
    norm = float(torch.linalg.norm(delta))
    error = float(torch.linalg.norm(delta - left @ right)) / norm if norm > 0 else 0.0
    return left, right, error


def export_encoder(
    source: str | Path, target: str | Path, share_with: str | Path | None = None, delta_rank: int | None = None
) -> Path:
    """Write the trained encoder at `source` to `target` in fp16; with `share_with` (a backbone directory whose
    word embeddings the encoder started from), leave the word embeddings out and reference the backbone's.

    Word embeddings that training changed need `delta_rank` (the change is stored as rank-`delta_rank` factors);
    without it, only fp16 embeddings bit-identical to the backbone's are shared, and others are refused."""
    from safetensors.torch import load_file, save_file

    from kpfnlp.encoder.model import SentenceEncoder

    if delta_rank is not None and (share_with is None or delta_rank < 1):
        raise ValueError("delta_rank needs share_with and a rank of at least 1")
    target = Path(target)
    SentenceEncoder.load(source).save(target, fp16=True)
    if share_with is None:
        return target
    share_with = Path(share_with)
    weights_path = target / "model.safetensors"
    tensors = load_file(str(weights_path))
    shared = _source_tensor(share_with, WORD_EMBEDDINGS)
    own = tensors.pop(WORD_EMBEDDINGS)
    record: dict = {
        "tensor": WORD_EMBEDDINGS,
        "source": os.path.relpath(share_with.resolve(), target.resolve()),
        "sha256": _digest(shared),
    }
    if own.shape != shared.shape:
        raise ValueError(f"{source}: word embeddings of shape {tuple(own.shape)}, {share_with}'s {tuple(shared.shape)}")
    if delta_rank is not None:
        left, right, error = low_rank_delta(own, shared, delta_rank)
        save_file({"left": left.half().contiguous(), "right": right.half().contiguous()}, str(target / DELTA_FILE))
        record["delta"] = {"file": DELTA_FILE, "rank": int(left.shape[1]), "relative_error": round(error, 6)}
    elif not torch.equal(own, shared.to(own.dtype)):
        raise ValueError(
            f"{source}: word embeddings differ from {share_with}'s; train with freeze_word_embeddings=true "
            "on that backbone to share them, or store the change with a delta rank"
        )
    save_file(tensors, str(weights_path), metadata={"format": "pt"})
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
        not_copied = shutil.ignore_patterns(SHARED_WEIGHTS_FILE, DELTA_FILE)  # folded into model.safetensors below
        shutil.copytree(path, staging, dirs_exist_ok=True, ignore=not_copied)
        tensors = load_file(str(staging / "model.safetensors"))
        if "delta" in record:  # trained word embeddings: the backbone's plus the stored low-rank change
            factors = load_file(str(path / record["delta"]["file"]))
            change = factors["left"].float() @ factors["right"].float()
            shared = (shared.float() + change).to(shared.dtype)
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
