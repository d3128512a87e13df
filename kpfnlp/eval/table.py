"""The comparison table: every model evaluated here (newest result per model and task) plus published rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kpfnlp.eval.results import PREDICTIONS_SUFFIX

KPFBERT_README = "https://github.com/KPFBERT/kpfbert (README, 10/22/2021)"
KLUE_PAPER = "KLUE (Park et al., 2021, arXiv:2105.09680) / klue/bert-base model card"

# (column, metric keys shown in the cell); each column is one task.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("nsmc", "NSMC acc", ("accuracy",)),
    ("klue-nli", "KLUE-NLI acc", ("accuracy",)),
    ("klue-sts", "KLUE-STS Pearson / F1", ("pearson", "f1")),
    ("ynat", "YNAT macro-F1", ("macro_f1",)),
    ("korquad", "KorQuAD v1 EM / F1", ("exact_match", "f1")),
    ("klue-mrc", "KLUE-MRC EM / ROUGE-W", ("exact_match", "rouge_w")),
)

# Published dev-set figures, not re-run here. Empty where no figure is published in the cited source.
PUBLISHED: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("kpfBERT", KPFBERT_README, {
        "nsmc": "91.29", "klue-nli": "87.67", "klue-sts": "92.95 / –", "korquad": "86.42 / 94.95",
        "klue-mrc": "69.51 / 75.84",
    }),
    ("KLUE-BERT-base", f"{KPFBERT_README}; YNAT: {KLUE_PAPER}", {
        "nsmc": "90.62", "klue-nli": "81.33", "klue-sts": "91.14 / –", "ynat": "85.73", "korquad": "83.84 / 93.23",
        "klue-mrc": "61.91 / 68.38",
    }),
    ("KoBERT", KPFBERT_README, {
        "nsmc": "89.92", "klue-nli": "79.53", "klue-sts": "86.17 / –", "korquad": "16.85 / 71.36",
        "klue-mrc": "28.56 / 42.06",
    }),
    ("mBERT (bert-base-multilingual-cased)", KPFBERT_README, {
        "nsmc": "87.33", "klue-nli": "73.30", "klue-sts": "85.66 / –", "korquad": "68.10 / 90.02",
        "klue-mrc": "44.58 / 55.92",
    }),
)  # fmt: skip

SUBSET_MARK = "‡"  # trained or evaluated on a subset (--max-train-samples / --max-eval-samples)
SPLIT_MARK = "†"  # evaluated on our own split (KorQuAD dev title split)


def collect_results(results_dir: str | Path) -> list[dict[str, Any]]:
    """All result JSONs under `results_dir` (recursively), oldest first; other JSON files are skipped."""
    records = []
    for path in sorted(Path(results_dir).rglob("*.json")):
        if path.name.endswith(PREDICTIONS_SUFFIX):
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(record, dict) and {"task", "model", "metrics"} <= record.keys():
            records.append(record)
    return sorted(records, key=lambda r: r.get("created", ""))


def _cell(record: dict[str, Any], keys: Iterable[str]) -> str:
    values = [f"{record['metrics'][k]:.2f}" if k in record["metrics"] else "–" for k in keys]
    marks = ""
    cfg = record.get("config", {})
    if cfg.get("max_train_samples") is not None or cfg.get("max_eval_samples") is not None:
        marks += SUBSET_MARK
    if "title split" in record.get("data", {}).get("split", ""):
        marks += SPLIT_MARK
    return " / ".join(values) + marks


def _training(record: dict[str, Any]) -> str:
    """How a measured cell was obtained: the fine-tuning settings and data sizes, or the baseline's method."""
    cfg, data = record.get("config", {}), record.get("data", {})
    counts = [data.get("train_examples"), data.get("eval_examples")]
    sizes = " / ".join(f"{n:,}" if isinstance(n, int) else "?" for n in counts) + " train / eval examples"
    if record.get("method") != "finetune":
        return f"{record.get('method', 'baseline')}; {sizes}"
    parts = [f"{cfg['epochs']:g} epoch(s)"] if "epochs" in cfg else []
    if "learning_rate" in cfg:
        parts.append("lr " + f"{cfg['learning_rate']:.0e}".replace("e-0", "e-"))
    sized = (("max len", "max_length"), ("batch", "batch_size"))
    parts += [f"{label} {cfg[key]}" for label, key in sized if key in cfg]
    parts += [f"seed {record.get('seed', cfg.get('seed'))}", sizes, f"{record.get('wall_time_s', 0):,.0f} s"]
    return ", ".join(parts)


def render_table(records: list[dict[str, Any]]) -> str:
    """Markdown: measured rows (the newest record per model and task wins), then the published rows, then how each
    measured cell was trained."""
    rows: dict[str, dict[str, str]] = {}
    used: dict[tuple[str, str], dict[str, Any]] = {}
    keys_of = {task: keys for task, _, keys in COLUMNS}
    for record in records:  # results of tasks without a column (e.g. `kpfnlp eval sts`) make no row
        if record["task"] in keys_of:
            name, task = record["model"]["name"], record["task"]
            rows.setdefault(name, {})[task] = _cell(record, keys_of[task])
            used[name, task] = record
    header = ["model", "source", *(title for _, title, _ in COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, cells in rows.items():
        lines.append("| " + " | ".join([name, "measured here", *(cells.get(t, "") for t, _, _ in COLUMNS)]) + " |")
    for name, source, cells in PUBLISHED:
        row = [f"{name} *(published)*", source, *(cells.get(t, "") for t, _, _ in COLUMNS)]
        lines.append("| " + " | ".join(row) + " |")
    notes = [
        "",
        "- Scores in percent on the dev sets (NSMC: the official test set). Rows marked *(published)* are quoted from "
        "the cited source and were not re-run here; an empty cell means no published figure.",
        "- Measured rows come from `kpfnlp eval ...` result JSONs (config, model path, data sha256, wall time inside).",
        f"- {SUBSET_MARK} trained or evaluated on a subset (`--max-train-samples` / `--max-eval-samples`): a smoke "
        "figure, not comparable to full runs.",
        f"- {SPLIT_MARK} KorQuAD's train set is not available offline: trained on the dev set's first 70 articles, "
        "tested on the other 70; not comparable to published dev figures.",
        "- KLUE-MRC EM and ROUGE-W are scored as klue-baseline does (its answer normalisation; its ROUGE-W is the "
        "character-level F1 of the longest common consecutive substring). Unanswerable questions stay in the eval set "
        'with "" as their gold answer: they score only when the model predicts no answer ([CLS] beats every span).',
    ]
    titles = {task: title for task, title, _ in COLUMNS}
    recipes = ["", "## How each measured cell was obtained", "", "| model | task | training |", "|---|---|---|"]
    recipes += [f"| {name} | {titles[task]} | {_training(record)} |" for (name, task), record in used.items()]
    return "# Evaluation table\n\n" + "\n".join(lines + notes + recipes) + "\n"


def write_table(results_dir: str | Path, out: str | Path) -> Path:
    """Collect results under `results_dir` and write the Markdown table to `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_table(collect_results(results_dir)), encoding="utf-8")
    return out
