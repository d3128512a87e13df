"""Pretraining commands: `prepare-pretraining`, `pretrain` (also under torchrun) and the `smoke` pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kpfnlp.cli.app import app

CONFIG_HELP = "Recipe YAML in training/configs/ (sections model, data, train)."
OVERRIDES_HELP = "Overrides as section.key=value, e.g. train.max_steps=100 data.max_docs=500."
RecipePath = Annotated[Path, typer.Option("--config", "-c", exists=True, dir_okay=False, help=CONFIG_HELP)]
Overrides = Annotated[list[str] | None, typer.Argument(help=OVERRIDES_HELP)]


def _load(config: Path, overrides: list[str] | None):
    from kpfnlp.pretraining.config import PretrainConfig

    try:
        return PretrainConfig.load(config, overrides)
    except (ValueError, FileNotFoundError) as err:
        raise typer.BadParameter(str(err)) from err


@app.command("prepare-pretraining")
def prepare_pretraining_cmd(
    config: RecipePath,
    overrides: Overrides = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Delete existing shards in data.shards first.")
    ] = False,
) -> None:
    """Read the corpus mix, split sentences, tokenize and write MLM+NSP instance shards (train, held-out eval)."""
    from kpfnlp.pretraining.prepare import prepare_pretraining

    result = prepare_pretraining(_load(config, overrides), overwrite=overwrite)
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False))


@app.command("pretrain")
def pretrain_cmd(
    config: RecipePath,
    overrides: Overrides = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Continue from the newest checkpoint.")] = True,
) -> None:
    """MLM+NSP pretraining with transformers.Trainer; run under `torchrun -m kpfnlp pretrain ...` for DDP."""
    from kpfnlp.pretraining.trainer import run_pretraining

    summary = run_pretraining(_load(config, overrides), resume=resume)
    typer.echo(json.dumps(summary, indent=2, default=str))


@app.command("smoke")
def smoke_cmd(
    out: Path = typer.Option(Path("runs/smoke"), "--out", help="Working directory for all outputs."),
    corpus: Path = typer.Option(None, "--corpus", help="Corpus-mix YAML (default: the bundled samples)."),
    steps: int = typer.Option(40, "--steps", help="Training steps."),
) -> None:
    """Run the whole pipeline on a tiny model in about a minute: tokenizer, shards, pretraining, reload check."""
    from transformers import BertForPreTraining, BertModel

    from kpfnlp.paths import REPO_ROOT
    from kpfnlp.pretraining.config import PretrainConfig
    from kpfnlp.pretraining.pipeline import run_end_to_end

    corpus = corpus or REPO_ROOT / "training" / "corpora" / "samples.yaml"
    config = PretrainConfig.load(
        REPO_ROOT / "training" / "configs" / "tiny.yaml",
        [
            f"data.corpus={corpus}",
            f"data.heldout_corpus={corpus}",
            f"data.tokenizer={out / 'tokenizer'}",
            f"data.shards={out / 'shards'}",
            "data.max_seq_len=64",
            "data.dupe_factor=3",
            f"train.output_dir={out / 'pretrain'}",
            f"train.max_steps={steps}",
            "train.per_device_batch_size=16",
            "train.logging_steps=10",
            f"train.save_steps={steps}",
            "train.eval_steps=null",
        ],
    )
    summary = run_end_to_end(config, vocab_size=2000, min_frequency=1)
    final = out / "pretrain" / "final"
    BertForPreTraining.from_pretrained(final)
    BertModel.from_pretrained(final)
    typer.echo(
        json.dumps(
            {
                "model": str(final),
                "steps": summary["steps"],
                "eval": summary.get("eval"),
                "train_instances": summary["shards"]["train"]["num_instances"],
            },
            indent=2,
        )
    )
    typer.echo(
        f"smoke pipeline OK: {final} loads with BertForPreTraining and BertModel "
        "(eval here is on the training samples: a plumbing check, not a quality figure)"
    )


@app.command("pretrain-report")
def pretrain_report_cmd(
    run_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="train.output_dir of a run."),
    png: Path = typer.Option(Path("docs/learning-curve.png"), "--png", help="Where to write the plot."),
    title: str = typer.Option("", "--title", help="Plot title."),
) -> None:
    """Plot a run's learning curve (loss, MLM/NSP accuracy, held-out metrics) and print its latest figures."""
    from kpfnlp.pretraining.report import plot_learning_curve, read_log_history

    try:
        history = read_log_history(run_dir)
    except FileNotFoundError as err:
        raise typer.BadParameter(str(err)) from err
    plot_learning_curve(history, png, title)
    last_train = next((r for r in reversed(history) if "loss" in r), {})
    last_eval = next((r for r in reversed(history) if "eval_mlm_accuracy" in r), {})
    typer.echo(json.dumps({"png": str(png), "last_train": last_train, "last_eval": last_eval}, indent=2))


@app.command("export-backbone")
def export_backbone_cmd(
    source: Path = typer.Argument(..., exists=True, file_okay=False, help="A trained BERT directory (e.g. .../final)."),
    target: Path = typer.Argument(..., help="Release directory (the bundled one: kpfnlp/models/kpfnlp-mini)."),
    facts: Path = typer.Option(None, "--facts", exists=True, dir_okay=False, help="JSON of facts for kpfnlp.json."),
    dropout: float = typer.Option(0.1, "--dropout", help="Hidden/attention dropout written for fine-tuning."),
) -> None:
    """Write a trained backbone as a release: fp16 weights (both heads, pooler), float32 config, tokenizer."""
    from kpfnlp.backbone import export_backbone

    extra = json.loads(facts.read_text(encoding="utf-8")) if facts else None
    out = export_backbone(source, target, extra, dropout)
    size = sum(f.stat().st_size for f in out.iterdir()) / 2**20
    typer.echo(f"{out}: {size:.1f} MiB")


@app.command("grow-backbone")
def grow_backbone_cmd(
    source: Path = typer.Argument(..., exists=True, file_okay=False, help="A BERT directory with both heads."),
    target: Path = typer.Argument(..., help="Where to write the deeper copy (fp32, an init_from for pretraining)."),
    layers: str = typer.Option(..., "--layers", help="Source layer of each new layer, 0-based: 0,1,2,3,2,3."),
) -> None:
    """Copy a backbone's layers into a deeper one (depth up-scaling) to start a pretraining run from."""
    from kpfnlp.pretraining.grow import grow_backbone, parse_layer_map

    try:
        layer_map = parse_layer_map(layers)
        out = grow_backbone(source, target, layer_map)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    typer.echo(f"{out}: {len(layer_map)} layers")


@app.command("pretrain-eval")
def pretrain_eval_cmd(
    model: Path = typer.Argument(..., exists=True, file_okay=False, help="A BERT directory with both heads."),
    corpus: Path = typer.Option(
        Path("training/corpora/heldout-news.yaml"), "--corpus", exists=True, help="Held-out corpus-mix YAML."
    ),
    max_examples: int = typer.Option(2000, "--max-examples", help="Instances scored (fixed masks)."),
) -> None:
    """Held-out MLM accuracy/perplexity and NSP accuracy of a checkpoint (compare CPU and GPU runs on one text)."""
    from kpfnlp.pretraining.trainer import evaluate_checkpoint

    typer.echo(json.dumps(evaluate_checkpoint(model, corpus, max_examples), indent=2))
