"""Is one classifier really better than another on the same test set? Paired bootstrap and McNemar's test.

Both result JSONs must score the same examples (same eval file by sha256, same subset; results of different
seeds compare when neither drew a subset). Gold labels are read again from the recorded eval file, so the
predictions sidecars are all that needs keeping. The paired bootstrap of the accuracy difference resamples the
per-example outcomes (A right and B wrong, both alike, A wrong and B right), which is a multinomial draw over those
three counts: exact for accuracy and instant for 50,000 reviews.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kpfnlp.eval.results import sha256_file
from kpfnlp.eval.tasks import get_task, seeded_subset


@dataclass
class Comparison:
    """Accuracy of A and B in percent, their difference with a bootstrap interval, and McNemar's exact p."""

    task: str
    a: str
    b: str
    examples: int
    accuracy_a: float
    accuracy_b: float
    difference: float  # A minus B, in points
    interval: tuple[float, float]
    confidence: float
    only_a_right: int
    only_b_right: int
    mcnemar_p: float

    def summary(self) -> str:
        """One paragraph a reader can paste under a table."""
        lo, hi = self.interval
        return (
            f"{self.task}, {self.examples:,} examples: {self.a} {self.accuracy_a:.2f} vs {self.b} "
            f"{self.accuracy_b:.2f}; difference {self.difference:+.2f} points, {self.confidence:.0%} paired-bootstrap "
            f"interval [{lo:+.2f}, {hi:+.2f}]; only A right {self.only_a_right:,}, only B right "
            f"{self.only_b_right:,}, McNemar exact p = {self.mcnemar_p:.2g}"
        )


def _load(path: Path) -> tuple[dict[str, Any], list]:
    result = json.loads(Path(path).read_text(encoding="utf-8"))
    if "predictions_file" not in result:
        raise ValueError(f"{path}: the result has no predictions file to compare")
    predictions = json.loads((Path(path).parent / result["predictions_file"]).read_text(encoding="utf-8"))
    return result, predictions


def _eval_file_examples(result: dict[str, Any], eval_file: Path | None) -> list:
    """Every example of the recorded (or given) eval file, checked against its sha256."""
    spec = get_task(result["task"])
    recorded = list(result["data"]["files"].items())[-1]
    path = Path(eval_file) if eval_file else Path(recorded[0])
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the eval file is not here; give it with --eval-file")
    if sha256_file(path) != recorded[1]:
        raise ValueError(f"{path}: not the eval file the results were scored on (sha256 differs)")
    return spec.reader(path)


def compare_results(
    path_a: str | Path, path_b: str | Path, eval_file: Path | None = None, resamples: int = 10_000,
    confidence: float = 0.95, seed: int = 0,
) -> Comparison:  # fmt: skip
    """Compare two classification results on the same examples (a clear error when they are not the same)."""
    from scipy.stats import binomtest

    (a, pred_a), (b, pred_b) = _load(Path(path_a)), _load(Path(path_b))
    if a["task"] != b["task"]:
        raise ValueError(f"different tasks: {a['task']} and {b['task']}")
    if get_task(a["task"]).kind != "classification":
        raise ValueError(f"{a['task']}: comparison is for classification tasks (accuracy)")
    eval_a, eval_b = list(a["data"]["files"].values())[-1], list(b["data"]["files"].values())[-1]
    not_same = ValueError("the two results were not scored on the same examples (eval file, count or seed differ)")
    if eval_a != eval_b or a["data"]["eval_examples"] != b["data"]["eval_examples"]:
        raise not_same
    every, count = _eval_file_examples(a, eval_file), a["data"]["eval_examples"]
    examples = seeded_subset(every, count, a["seed"])
    # Two fine-tuning seeds score the same examples when the whole eval set was used; a seeded subset must match.
    if a["seed"] != b["seed"] and seeded_subset(every, count, b["seed"]) != examples:
        raise not_same
    gold = [ex.label for ex in examples]
    if not len(gold) == len(pred_a) == len(pred_b):
        raise ValueError(f"{len(gold)} gold labels but {len(pred_a)} and {len(pred_b)} predictions")
    right_a = np.asarray(pred_a, dtype=object) == np.asarray(gold, dtype=object)
    right_b = np.asarray(pred_b, dtype=object) == np.asarray(gold, dtype=object)
    n, only_a, only_b = len(gold), int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    draws = np.random.default_rng(seed).multinomial(n, [only_a / n, only_b / n, (n - only_a - only_b) / n], resamples)
    differences = 100.0 * (draws[:, 0] - draws[:, 1]) / n
    tail = (1 - confidence) / 2
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    interval = (float(np.quantile(differences, tail)), float(np.quantile(differences, 1 - tail)))
    return Comparison(
        a["task"], a["model"]["name"], b["model"]["name"], n, 100.0 * right_a.mean(), 100.0 * right_b.mean(),
        100.0 * (only_a - only_b) / n, interval, confidence, only_a, only_b, float(p),
    )  # fmt: skip
