"""Learning curves of a pretraining run: training loss, MLM/NSP accuracy and held-out metrics against tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_log_history(run_dir: str | Path) -> list[dict[str, Any]]:
    """The Trainer log of a run: `log_history.jsonl` when the run finished, else the newest checkpoint's state."""
    run = Path(run_dir)
    if (run / "log_history.jsonl").is_file():
        lines = (run / "log_history.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    states = sorted(run.glob("checkpoint-*/trainer_state.json"), key=lambda p: int(p.parent.name.rsplit("-", 1)[1]))
    if not states:
        raise FileNotFoundError(f"{run}: no log_history.jsonl and no checkpoint-*/trainer_state.json")
    return json.loads(states[-1].read_text(encoding="utf-8"))["log_history"]


def plot_learning_curve(history: list[dict[str, Any]], out_png: str | Path, title: str = "") -> Path:
    """Write a two-panel PNG: losses (train, held-out) and accuracies (MLM, NSP; train and held-out) vs tokens."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in history if "loss" in r and "num_input_tokens_seen" in r]
    held = [r for r in history if "eval_mlm_accuracy" in r and "num_input_tokens_seen" in r]

    def series(rows: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
        rows = [r for r in rows if key in r]
        return [r["num_input_tokens_seen"] / 1e6 for r in rows], [r[key] for r in rows]

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    ax_loss.plot(*series(train, "loss"), label="train loss (MLM + NSP)", lw=1)
    ax_loss.plot(*series(held, "eval_loss"), "o-", label="held-out loss", ms=3)
    ax_loss.set_xlabel("tokens seen (M)")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    for key, label, style in (
        ("mlm_accuracy", "train MLM accuracy", "-"),
        ("nsp_accuracy", "train NSP accuracy", "-"),
    ):
        ax_acc.plot(*series(train, key), style, label=label, lw=1, alpha=0.7)
    for key, label in (("eval_mlm_accuracy", "held-out MLM accuracy"), ("eval_nsp_accuracy", "held-out NSP accuracy")):
        ax_acc.plot(*series(held, key), "o-", label=label, ms=3)
    ax_acc.set_xlabel("tokens seen (M)")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1)
    ax_acc.legend(loc="lower right", fontsize="small")  # the curves end high on the right
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
