"""Take a pretraining run to a lent GPU machine and back, within the device tool's transfer limits.

The device tool sends the working tree (tracked and untracked-not-ignored files plus carried paths, at most
64 MiB, bundled models included) and returns at most 8 files of at most 16 MiB from `$OUT`. So the token shards
travel as one xz tar (`pack_shards`, about 1 byte per token), the trained model comes back as an fp16 release
without its tokenizer files (`collect_release`), and is completed here from the tokenizer it was trained with
(`import_release`). `training/recipes/gpu-lease.sh` is the command that runs on the device.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from kpfnlp.backbone import TOKENIZER_FILES, copy_tokenizer_files, export_backbone

TREE_LIMIT = 64 * 2**20  # bytes of working tree that travel to the device, carried paths included
FILE_LIMIT = 16 * 2**20  # bytes per file that come back from $OUT
MAX_FILES = 8  # files that come back from $OUT
LOG_FILES = ("log_history.jsonl", "summary.json")  # brought back beside the weights


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def travel_size(repo: str | Path, carry: list[str | Path] | tuple[str | Path, ...] = ()) -> dict[str, Any]:
    """Bytes the device tool would send: the files git tracks or does not ignore (as they are in the working tree)
    plus the carried paths, with the largest top-level folders so an oversized tree says what to move aside."""
    repo = Path(repo)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    by_folder: dict[str, int] = {}
    tree = 0
    for name in filter(None, listed.split("\0")):
        path = repo / name
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            tree += size
            folder = "/".join(Path(name).parts[:3]) if name.startswith("kpfnlp/models/") else Path(name).parts[0]
            by_folder[folder] = by_folder.get(folder, 0) + size
    carried = {str(c): _size(repo / c) for c in carry}
    total = tree + sum(carried.values())
    largest = sorted(by_folder.items(), key=lambda kv: -kv[1])[:6]
    return {"tree": tree, "carry": carried, "total": total, "limit": TREE_LIMIT, "largest": dict(largest)}


def pack_shards(shards: str | Path, archive: str | Path, budget: int | None = None) -> dict[str, Any]:
    """Write the shard folder `shards` (its `train/` and `eval/` splits) as one `.tar.xz`; refuse it (and delete
    it) when it is larger than `budget` bytes."""
    shards, archive = Path(shards), Path(archive)
    if not (shards / "train").is_dir():
        raise FileNotFoundError(f"{shards}: no train/ split (run kpfnlp prepare-pretraining first)")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:xz", preset=6) as tar:
        tar.add(shards, arcname="shards")
    size = archive.stat().st_size
    meta = json.loads((shards / "train" / "meta.json").read_text(encoding="utf-8"))
    if budget is not None and size > budget:
        archive.unlink()
        raise ValueError(
            f"{archive.name}: {size / 2**20:.1f} MiB packed, over the {budget / 2**20:.1f} MiB left for it; "
            "prepare fewer documents (data.max_docs) or move bundled models out of the tree for the call"
        )
    return {"archive": str(archive), "bytes": size, "tokens": meta["num_tokens"], "instances": meta["num_instances"]}


def collect_release(run_dir: str | Path, out: str | Path, facts: dict[str, Any] | None = None) -> list[Path]:
    """On the device: write `run_dir/final` into `out` as an fp16 release (shards under 16 MB), drop the tokenizer
    files (they are the ones the run started from) and add the run's log, checking the return limits."""
    run_dir, out = Path(run_dir), Path(out)
    export_backbone(run_dir / "final", out, facts, dropout=0.1)
    for name in TOKENIZER_FILES:
        (out / name).unlink(missing_ok=True)
    for name in LOG_FILES:
        if (run_dir / name).is_file():
            shutil.copy2(run_dir / name, out / name)
    files = sorted(f for f in out.iterdir() if f.is_file())
    too_big = [f.name for f in files if f.stat().st_size > FILE_LIMIT]
    if too_big or len(files) > MAX_FILES - 1:  # one slot stays free for the command's own log
        raise ValueError(f"{out}: {len(files)} files (at most {MAX_FILES - 1}), over 16 MiB: {too_big or 'none'}")
    return files


def import_release(files: str | Path, tokenizer: str | Path, target: str | Path) -> Path:
    """Here: a complete release directory from the files that came back and the tokenizer the run used."""
    from transformers import AutoTokenizer

    files, tokenizer, target = Path(files), Path(tokenizer), Path(target)
    config = json.loads((files / "config.json").read_text(encoding="utf-8"))
    vocab = len(AutoTokenizer.from_pretrained(tokenizer))
    if config["vocab_size"] != vocab:
        raise ValueError(f"{files}: model vocabulary {config['vocab_size']} != tokenizer {tokenizer} ({vocab})")
    target.mkdir(parents=True, exist_ok=True)
    for item in files.iterdir():
        if item.is_file():
            shutil.copy2(item, target / item.name)
    copy_tokenizer_files(tokenizer, target)
    return target
