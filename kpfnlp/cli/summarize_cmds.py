"""Summarization commands: `summarize` (batch feed), `train-summarizer`, and `eval summarization`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kpfnlp.cli.app import app
from kpfnlp.cli.eval_cmds import eval_app

OUTPUT_FIELDS = ["summary", "sentences", "indices", "scores"]
DEV_FILES = ("summarization/dacon_sample_train.jsonl", "summarization/dacon_sample_extra.jsonl")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _dev_files() -> list[Path]:
    """The 111 labelled development articles in ../shared/data."""
    from kpfnlp.paths import shared_data_dir

    data = shared_data_dir()
    if data is None:
        raise _fail("no --file given and ../shared/data is absent")
    return [data / name for name in DEV_FILES]


@app.command("summarize")
def summarize_cmd(
    input: Path = typer.Argument(..., help="Feed: .jsonl, .json, .csv, .tsv or .xlsx (UTF-8 or CP949)."),
    output: Path = typer.Option(None, "--output", "-o", help="Output .jsonl or .csv (default: INPUT.summary.jsonl)."),
    text_column: str = typer.Option(None, "--text-column", help="Article body column (default: text/body/본문...)."),
    id_column: str = typer.Option(None, "--id-column", help="Id column (default: id/doc_id...; else file:line)."),
    k: int = typer.Option(3, "-k", min=1, help="Sentences per summary."),
    model: Path = typer.Option(None, "--model", help="Summarizer directory (default: the bundled model)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Articles scored together (sorted by length)."),
    resume: bool = typer.Option(True, "--resume/--no-resume", help="Continue an interrupted output file."),
    backend: str = typer.Option("kiwi", "--backend", help="Sentence splitter: kiwi, kss or regex."),
    int8: bool = typer.Option(False, "--int8", help="Int8 BERT layers on the CPU: ~2x faster, ROUGE-2 ~0.7 lower."),
) -> None:
    """Summarise every article of a feed: one output row per input row (id, summary, sentences, indices,
    scores, error), streaming, resumable, with a progress bar. Scores are calibrated probabilities (the chance an
    editor's summary includes the sentence) when the model directory has calibration.json, as the bundled one does."""
    from kpfnlp.batch import Columns, ResumeMismatchError, run_batch
    from kpfnlp.corpus import MissingColumnError
    from kpfnlp.summarize.summarizer import Summarizer, Summary

    output = output or input.with_name(input.name.split(".")[0] + ".summary.jsonl")
    try:
        summarizer = Summarizer.from_pretrained(model, backend=backend, int8=int8)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        raise _fail(str(err)) from err

    def process(rows):
        results = summarizer.summarize_batch([row.text for row in rows], k)
        out = []
        for result in results:
            if isinstance(result, Summary):
                out.append(
                    {
                        "summary": result.text,
                        "sentences": result.sentences,
                        "indices": result.indices,
                        "scores": result.scores,
                    }
                )
            else:
                out.append({"error": str(result)})
        return out

    try:
        stats = run_batch(
            input,
            output,
            process,
            OUTPUT_FIELDS,
            columns=Columns(text=text_column, id=id_column),
            batch_size=batch_size,
            resume=resume,
            unit="articles",
        )
    except (FileNotFoundError, MissingColumnError, ResumeMismatchError, ValueError) as err:
        raise _fail(str(err)) from err
    typer.echo(
        f"{stats.written:,} rows written ({stats.errors:,} error rows), {stats.resumed:,} kept from an earlier run, "
        f"{stats.rows_per_second:.1f} articles/s -> {output}"
    )


@app.command("train-summarizer")
def train_summarizer_cmd(
    config: Path = typer.Option(
        ..., "--config", "-c", exists=True, dir_okay=False, help="training/configs/summarizer-*.yaml"
    ),
    overrides: list[str] = typer.Argument(None, help="section.key=value, e.g. train.max_steps=10"),
    backbone: Path = typer.Option(None, "--backbone", help="BERT directory (same as model.backbone=DIR)."),
    resume: bool = typer.Option(True, "--resume/--no-resume", help="Continue from the newest checkpoint."),
) -> None:
    """Fine-tune BertSumExt (Trainer; silver data built first), save OUTPUT_DIR/final, score it on the dev set."""
    from kpfnlp.summarize.config import SummarizerConfig
    from kpfnlp.summarize.train import run_training

    items = list(overrides or []) + ([f"model.backbone={backbone}"] if backbone else [])
    try:
        cfg = SummarizerConfig.load(config, items)
    except (ValueError, FileNotFoundError) as err:
        raise typer.BadParameter(str(err)) from err
    summary = run_training(cfg, resume=resume)
    typer.echo(json.dumps(summary, indent=2, ensure_ascii=False, default=str))


@eval_app.command("summarization")
def eval_summarization_cmd(
    model: Path = typer.Option(
        None, "--model", help="Summarizer directory (default: bundled; --baselines-only: none)."
    ),
    files: list[Path] = typer.Option(
        None, "--file", help="Labelled Dacon JSONL / AI-Hub JSON (default: the 111 dev articles)."
    ),
    baselines_only: bool = typer.Option(False, "--baselines-only", help="Only Lead-3, TextRank and the oracle."),
    k: int = typer.Option(3, "-k", min=1, help="Sentences per summary."),
    tokenizer: str = typer.Option("mecab", "--tokenizer", help="ROUGE tokens: mecab (morphemes) or whitespace."),
    out: Path = typer.Option(None, "--out", help="Also write the Markdown table here."),
    int8: bool = typer.Option(False, "--int8", help="The summarizer with int8 BERT layers (`summarize --int8`)."),
) -> None:
    """One table: the model and the baselines; ROUGE-1/2/L vs gold extractive and vs abstractive, sentence
    P/R/F1, ROUGE-2 gap to the oracle."""
    from kpfnlp.summarize.evaluate import evaluate_files, format_table
    from kpfnlp.summarize.summarizer import Summarizer

    if not files:
        files = _dev_files()
    try:
        summarizer = None if baselines_only else Summarizer.from_pretrained(model, int8=int8)
        name = (model.name if model else "BertSumExt (bundled)") + (", int8" if int8 else "")
        results = evaluate_files(files, summarizer, name, k, tokenizer)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        raise _fail(str(err)) from err
    table = format_table(results)
    typer.echo(f"ROUGE F1 on {tokenizer} tokens, k={k}, files: {', '.join(map(str, files))}\n{table}")
    if out:
        out.write_text(table + "\n", encoding="utf-8")


@app.command("calibrate-summarizer")
def calibrate_summarizer_cmd(
    model: Path = typer.Option(None, "--model", help="Summarizer directory (default: the bundled model)."),
    files: list[Path] = typer.Option(
        None, "--file", help="Labelled Dacon JSONL / AI-Hub JSON (default: the 111 dev articles)."
    ),
    folds: int = typer.Option(5, "--folds", min=2, help="Article-grouped cross-validation folds for the figures."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the figures, write nothing."),
) -> None:
    """Fit the sentence-score calibration (Platt scaling on gold extractive labels) and write calibration.json into
    the model directory, so shown scores read as the chance an editor's summary includes the sentence."""
    from kpfnlp.summarize.calibration import calibrate_summarizer
    from kpfnlp.summarize.summarizer import DEFAULT_MODEL_DIR, Summarizer

    model = model or DEFAULT_MODEL_DIR
    if not files:
        files = _dev_files()
    try:
        calibration = calibrate_summarizer(Summarizer.from_pretrained(model), files, folds)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        raise _fail(str(err)) from err
    cv, metrics = calibration.cross_validated, ("log_loss", "brier", "ece")
    lines = [
        f"{calibration.articles} articles, {calibration.sentences} candidate sentences, {folds}-fold cross-validation",
        "| scores | log loss (all / picks) | Brier (all / picks) | ECE (all / picks) |",
        "|---|---:|---:|---:|",
        *(f"| {name} | " + " | ".join(f"{cv[name]['all'][m]:.4f} / {cv[name]['picks'][m]:.4f}" for m in metrics)
          + " |" for name in ("raw", "calibrated")),
        "| pick rank | raw mean | calibrated mean | gold share |",
        "|---|---:|---:|---:|",
        *(f"| {r} | {v['raw_mean']:.3f} | {v['calibrated_mean']:.3f} | {v['gold_share']:.3f} |"
          for r, v in cv["by_rank"].items()),
        "weights: " + ", ".join(f"{name} {w:+.3f}" for name, w in calibration.weights.items()),
    ]  # fmt: skip
    typer.echo("\n".join(lines))
    if not dry_run:
        typer.echo(f"-> {calibration.save(model)}")
