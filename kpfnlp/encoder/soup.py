"""Weight averaging of encoders fine-tuned from one backbone ("model soups", Wortsman et al., ICML 2022).

Encoders trained with one recipe and different seeds start from the same pretrained weights and usually end in
one basin, so the average of their weights is itself a good model, often better than each, at the cost of one
model at inference. `average_encoders` makes the uniform soup; `greedy_soup` adds ingredients in order of their
own held-out score and keeps each only if the soup's held-out score does not fall (the paper's greedy soup).
Tensors equal in every ingredient (frozen word embeddings) are copied bit for bit, so a soup of encoders that
share the backbone's embeddings still shares them (`kpfnlp export-encoder --share-embeddings-with`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from kpfnlp.encoder.model import SentenceEncoder


def _modules(path: Path) -> list[dict]:
    """The module list of a sentence-transformers directory (its layout must match across ingredients)."""
    return json.loads((path / "modules.json").read_text(encoding="utf-8"))


def average_encoders(paths: Sequence[str | Path], weights: Sequence[float] | None = None) -> SentenceEncoder:
    """The weighted average (uniform by default) of the encoders at `paths`, which must share one architecture.

    Raises ValueError for fewer than one path, mismatched module layouts, tensor names or shapes, or bad weights.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("a soup needs at least one encoder")
    weights = [1.0] * len(paths) if weights is None else [float(w) for w in weights]
    if len(weights) != len(paths) or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError(f"need one non-negative weight per encoder with a positive sum, got {weights}")
    layout = _modules(paths[0])
    for path in paths[1:]:
        if _modules(path) != layout:
            raise ValueError(f"{path}: module layout differs from {paths[0]}'s")
    soup = SentenceEncoder.load(paths[0])
    states = [soup.model.state_dict()] + [SentenceEncoder.load(p).model.state_dict() for p in paths[1:]]
    total = sum(weights)
    averaged: dict[str, torch.Tensor] = {}
    for name, first in states[0].items():
        tensors = []
        for path, state in zip(paths, states, strict=True):
            if name not in state or state[name].shape != first.shape:
                raise ValueError(f"{path}: tensor {name!r} missing or of another shape than in {paths[0]}")
            tensors.append(state[name])
        if not first.is_floating_point() or all(torch.equal(first, t) for t in tensors[1:]):
            averaged[name] = first.clone()  # frozen (shared) weights and integer buffers stay bit-identical
        else:
            stacked = torch.stack([t.float() * (w / total) for t, w in zip(tensors, weights, strict=True)])
            averaged[name] = stacked.sum(dim=0).to(first.dtype)
    extra = set().union(*(s.keys() for s in states[1:])) - states[0].keys()
    if extra:
        raise ValueError(f"tensors {sorted(extra)[:3]} are not in {paths[0]}")
    soup.model.load_state_dict(averaged)
    return soup


@dataclass
class GreedySoup:
    """A greedy soup and how it was made: ingredients in the order tried, their own scores, the soup's score."""

    encoder: SentenceEncoder
    members: list[Path]
    score: float
    ingredient_scores: dict[str, float] = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)


def greedy_soup(paths: Sequence[str | Path], score: Callable[[SentenceEncoder], float]) -> GreedySoup:
    """Wortsman et al.'s greedy soup: rank the encoders by `score` (held-out, higher is better), start from the
    best, add each next one if the uniform soup of the members so far scores at least as well without it."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("a soup needs at least one encoder")
    own = {str(p): score(SentenceEncoder.load(p)) for p in paths}
    ranked = sorted(paths, key=lambda p: own[str(p)], reverse=True)
    members, best = [ranked[0]], own[str(ranked[0])]
    encoder = SentenceEncoder.load(ranked[0])
    steps = [{"added": str(ranked[0]), "score": best, "kept": True}]
    for candidate in ranked[1:]:
        trial = average_encoders([*members, candidate])
        trial_score = score(trial)
        kept = trial_score >= best
        steps.append({"added": str(candidate), "score": trial_score, "kept": kept})
        if kept:
            members, best, encoder = [*members, candidate], trial_score, trial
    return GreedySoup(encoder, members, best, own, steps)
