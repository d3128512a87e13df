"""`kpfnlp eval`: fine-tune and score any BERT directory on NSMC / KLUE / KorQuAD, baselines, the table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from kpfnlp.cli.app import app

eval_app = typer.Typer(
    help="Evaluate a BERT checkpoint on NSMC, KLUE-NLI, KLUE-STS, YNAT, KorQuAD (and KLUE-MRC files); "
    "TF-IDF baselines; the comparison table.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data catalogue (default: $KPFNLP_SHARED_DATA or ../shared/data).")
]
Output = Annotated[Path, typer.Option("--output", help="Results directory (one JSON per run).")]
TrainFile = Annotated[Path | None, typer.Option("--train-file", help="Training file instead of the default.")]
EvalFile = Annotated[Path | None, typer.Option("--eval-file", help="Evaluation file instead of the default.")]
MaxTrain = Annotated[int | None, typer.Option("--max-train-samples", help="Seeded random subset of the train split.")]
MaxEval = Annotated[int | None, typer.Option("--max-eval-samples", help="Seeded random subset of the eval split.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed for weights init, data order and subsets.")]


def _fail(err: Exception) -> typer.Exit:
    typer.echo(f"error: {err}", err=True)
    return typer.Exit(1)


def _load(task: str, data_dir, train_file, eval_file, max_train, max_eval, seed, validation=None):
    from kpfnlp.eval import get_task, load_task_data
    from kpfnlp.paths import shared_data_dir

    spec = get_task(task)
    data = load_task_data(
        spec, data_dir or shared_data_dir(), train_file, eval_file, max_train, max_eval, seed, validation
    )
    return spec, data


def _report(result: dict, path: Path) -> None:
    scores = ", ".join(f"{k} {v:.2f}" for k, v in result["metrics"].items() if isinstance(v, float))
    chosen = result.get("validation")
    picked = ""
    if chosen:
        picked = f" | best validation {chosen['metric']} {chosen['best']:.2f} at epoch {chosen['best_epoch']}"
    typer.echo(f"{result['task']} | {result['model']['name']} | {scores}{picked} | {result['wall_time_s']} s -> {path}")


def _finetune_command(task: str) -> Callable[..., None]:
    def command(
        model: Annotated[Path, typer.Option("--model", help="A BERT directory (config.json, weights, tokenizer).")],
        data_dir: DataDir = None,
        output: Output = Path("runs/eval"),
        train_file: TrainFile = None,
        eval_file: EvalFile = None,
        epochs: Annotated[float | None, typer.Option("--epochs", help="Training epochs.")] = None,
        max_train_samples: MaxTrain = None,
        max_eval_samples: MaxEval = None,
        seed: Seed = 42,
        batch_size: Annotated[int | None, typer.Option("--batch-size", help="Training batch size.")] = None,
        learning_rate: Annotated[float | None, typer.Option("--learning-rate", help="Peak learning rate.")] = None,
        max_length: Annotated[int | None, typer.Option("--max-length", help="Max tokens per input.")] = None,
        random_init: Annotated[
            bool, typer.Option("--random-init", help="Same architecture, fresh weights (no-pretraining baseline).")
        ] = False,
        name: Annotated[
            str | None, typer.Option("--name", help="Row name in the table (default: from --model).")
        ] = None,
        pooling: Annotated[
            str,
            typer.Option(
                "--pooling", help="Sequence tasks: cls (BERT's pooled [CLS]) or mean (masked mean of the last states)."
            ),
        ] = "cls",
        checkpoint_dir: Annotated[
            Path | None,
            typer.Option(
                "--checkpoint-dir",
                help="Keep a checkpoint here every 500 steps (every epoch with --validation-samples); rerunning "
                "the same command resumes from the last one.",
            ),
        ] = None,
        validation_samples: Annotated[
            int | None,
            typer.Option(
                "--validation-samples",
                help="Hold this many seeded training examples out, score them after every epoch and keep the best "
                "epoch's weights for the test (sequence tasks).",
            ),
        ] = None,
    ) -> None:
        from kpfnlp.eval.data import DataError
        from kpfnlp.eval.finetune import FinetuneConfig, run_finetune

        cfg = FinetuneConfig(
            epochs,
            learning_rate,
            batch_size,
            max_length,
            seed,
            random_init,
            max_train_samples,
            max_eval_samples,
            pooling,
            str(checkpoint_dir) if checkpoint_dir else None,
        )
        try:
            spec, data = _load(
                task, data_dir, train_file, eval_file, max_train_samples, max_eval_samples, seed, validation_samples
            )
            result, path = run_finetune(spec, data, model, output, cfg, name)
        except (DataError, FileNotFoundError, OSError, ValueError) as err:
            raise _fail(err) from err
        _report(result, path)

    return command


def _recipe_help(task: str) -> str:
    from kpfnlp.eval.tasks import TASKS

    spec, r = TASKS[task], TASKS[task].recipe
    return (
        f"Fine-tune --model on {spec.title} and score it. Defaults ({r.source}): lr {r.learning_rate:g}, "
        f"{r.epochs:g} epochs, max length {r.max_length}, batch {r.batch_size}, warmup {r.warmup_ratio:g}."
    )


for _task in ("nsmc", "klue-nli", "klue-sts", "ynat", "korquad", "klue-mrc"):
    eval_app.command(_task, help=_recipe_help(_task))(_finetune_command(_task))


@eval_app.command("baseline")
def baseline_cmd(
    task: Annotated[str, typer.Argument(help="A classification task: nsmc, klue-nli or ynat.")],
    classifier: Annotated[str, typer.Option("--classifier", help="svm (LinearSVC) or logreg.")] = "svm",
    max_ngram: Annotated[int, typer.Option("--max-ngram", help="Character n-grams 1..N.")] = 4,
    data_dir: DataDir = None,
    output: Output = Path("runs/eval"),
    train_file: TrainFile = None,
    eval_file: EvalFile = None,
    max_train_samples: MaxTrain = None,
    max_eval_samples: MaxEval = None,
    seed: Seed = 42,
) -> None:
    """TF-IDF character n-gram + linear classifier baseline on a classification task (needs scikit-learn)."""
    from kpfnlp.eval.baselines import run_baseline
    from kpfnlp.eval.data import DataError

    try:
        spec, data = _load(task, data_dir, train_file, eval_file, max_train_samples, max_eval_samples, seed)
        result, path = run_baseline(spec, data, output, classifier, max_ngram, seed)  # type: ignore[arg-type]
    except (DataError, FileNotFoundError, OSError, ValueError, ImportError) as err:
        raise _fail(err) from err
    _report(result, path)


@eval_app.command("table")
def table_cmd(
    results: Annotated[Path, typer.Option("--results", help="Directory of result JSONs.")] = Path("runs/eval"),
    out: Annotated[Path, typer.Option("--out", help="Markdown file to write.")] = Path("docs/eval-table.md"),
) -> None:
    """Write the comparison table: models evaluated here plus the published kpfBERT/KLUE-BERT/KoBERT/mBERT rows."""
    from kpfnlp.eval.table import collect_results, write_table

    if not results.is_dir():
        raise _fail(FileNotFoundError(f"{results}: no such results directory"))
    path = write_table(results, out)
    typer.echo(f"{len(collect_results(results))} results -> {path}")


@eval_app.command("compare")
def compare_cmd(
    result_a: Annotated[Path, typer.Argument(help="Result JSON of model A (its predictions file beside it).")],
    result_b: Annotated[Path, typer.Argument(help="Result JSON of model B, scored on the same examples.")],
    eval_file: EvalFile = None,
    resamples: Annotated[int, typer.Option("--resamples", help="Paired-bootstrap resamples.", min=100)] = 10_000,
    confidence: Annotated[float, typer.Option("--confidence", help="Interval coverage.", min=0.5, max=0.999)] = 0.95,
) -> None:
    """Is A better than B? Accuracy difference with a paired-bootstrap interval and McNemar's exact test."""
    from kpfnlp.eval.compare import compare_results
    from kpfnlp.eval.data import DataError

    try:
        comparison = compare_results(result_a, result_b, eval_file, resamples, confidence)
    except (DataError, FileNotFoundError, OSError, ValueError, KeyError) as err:
        raise _fail(err) from err
    typer.echo(comparison.summary())
