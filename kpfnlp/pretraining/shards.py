"""Token shards on disk: flat memory-mapped numpy arrays, so a corpus of hundreds of MB streams without loading.

A split (e.g. `shards/train`) holds `shard-NNNNN/` folders, each with
`input_ids.npy` (all instances' token ids, concatenated), `offsets.npy` (start of each instance, plus the end),
`len_a.npy` (tokens of `[CLS] A [SEP]`), `nsp.npy` (1 = random next) and `word_start.npy` (bool per token),
and a `meta.json` with the instance and token counts. Shards are small files that travel to a GPU machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kpfnlp.pretraining.examples import Instance

_FILES = ("input_ids", "offsets", "len_a", "nsp", "word_start")


class ShardWriter:
    """Append instances; every `shard_size` instances a shard folder is written. Use as a context manager."""

    def __init__(self, directory: str | Path, vocab_size: int, shard_size: int = 200_000) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        if any(self.directory.glob("shard-*")):
            raise FileExistsError(f"{self.directory} already holds shards; remove it or choose another directory")
        self.id_dtype = np.uint16 if vocab_size <= np.iinfo(np.uint16).max + 1 else np.int32
        self.shard_size = shard_size
        self.num_shards = 0
        self.num_instances = 0
        self.num_tokens = 0
        self.num_random_next = 0
        self._pending: list[Instance] = []
        self.meta: dict | None = None

    def add(self, instances: Iterable[Instance]) -> None:
        """Queue instances, flushing full shards to disk."""
        for instance in instances:
            self._pending.append(instance)
            if len(self._pending) >= self.shard_size:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        folder = self.directory / f"shard-{self.num_shards:05d}"
        folder.mkdir()
        lengths = np.array([len(inst.input_ids) for inst in self._pending], dtype=np.int64)
        arrays = {
            "input_ids": np.concatenate([inst.input_ids for inst in self._pending]).astype(self.id_dtype),
            "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            "len_a": np.array([inst.len_a for inst in self._pending], dtype=np.int32),
            "nsp": np.array([inst.is_random_next for inst in self._pending], dtype=np.int8),
            "word_start": np.concatenate([inst.word_start for inst in self._pending]).astype(bool),
        }
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array)
        self.num_shards += 1
        self.num_instances += len(self._pending)
        self.num_tokens += int(lengths.sum())
        self.num_random_next += int(arrays["nsp"].sum())
        self._pending = []

    def close(self, extra_meta: dict | None = None) -> dict:
        """Flush the last shard and write `meta.json` (once); returns the metadata."""
        if self.meta is not None:
            return self.meta
        self._flush()
        meta = {
            "num_shards": self.num_shards,
            "num_instances": self.num_instances,
            "num_tokens": self.num_tokens,
            "random_next_fraction": self.num_random_next / max(1, self.num_instances),
            **(extra_meta or {}),
        }
        (self.directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        self.meta = meta
        return meta

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()


@dataclass
class StoredInstance:
    """One instance as read back from a shard (views into memory-mapped arrays)."""

    input_ids: np.ndarray
    len_a: int
    is_random_next: bool
    word_start: np.ndarray


class ShardReader:
    """Random access over all shards of a split, memory-mapped: opening costs nothing, reading is per instance."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        folders = sorted(self.directory.glob("shard-*"))
        if not folders:
            raise FileNotFoundError(f"no shards in {self.directory}: run `kpfnlp prepare-pretraining` first")
        self._shards = [{name: np.load(f / f"{name}.npy", mmap_mode="r") for name in _FILES} for f in folders]
        counts = np.array([len(s["len_a"]) for s in self._shards], dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(counts)])
        meta_path = self.directory / "meta.json"
        self.meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}

    def __len__(self) -> int:
        return int(self._starts[-1])

    def __getitem__(self, index: int) -> StoredInstance:
        if not 0 <= index < len(self):
            raise IndexError(index)
        shard_no = int(np.searchsorted(self._starts, index, side="right") - 1)
        shard = self._shards[shard_no]
        local = index - int(self._starts[shard_no])
        start, end = int(shard["offsets"][local]), int(shard["offsets"][local + 1])
        return StoredInstance(
            input_ids=np.asarray(shard["input_ids"][start:end], dtype=np.int64),
            len_a=int(shard["len_a"][local]),
            is_random_next=bool(shard["nsp"][local]),
            word_start=np.asarray(shard["word_start"][start:end]),
        )

    def lengths(self) -> np.ndarray:
        """Token count of every instance (for length statistics and length-grouped batching)."""
        return np.concatenate([np.diff(s["offsets"]) for s in self._shards])
