"""GPU-lease commands: `gpu-pack` (here), `gpu-collect` (on the device), `gpu-import` (here again).

A lent GPU machine gets the working tree (at most 64 MiB) and returns at most 8 files of 16 MiB; these commands
fit a pretraining run into that (`kpfnlp.pretraining.transfer`; the whole procedure: `training/recipes/gpu-lease.sh`).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kpfnlp.cli.app import app


@app.command("gpu-pack")
def gpu_pack_cmd(
    shards: Path = typer.Argument(..., exists=True, file_okay=False, help="data.shards of the GPU recipe."),
    archive: Path = typer.Option(Path("runs/gpu-carry/shards.tar.xz"), "--archive", help="Packed shards (carried)."),
    repo: Path = typer.Option(Path("."), "--repo", help="Repository root (what the device tool sends)."),
) -> None:
    """Pack token shards into one .tar.xz that fits beside the working tree in the 64 MiB the device tool sends."""
    from kpfnlp.pretraining.transfer import TREE_LIMIT, pack_shards, travel_size

    archive.unlink(missing_ok=True)
    before = travel_size(repo)
    try:
        packed = pack_shards(shards, archive, budget=TREE_LIMIT - before["total"])
    except (ValueError, FileNotFoundError) as err:
        largest = ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in before["largest"].items())
        raise typer.BadParameter(f"{err}. Tree {before['total'] / 2**20:.1f} MiB; largest: {largest}") from err
    travel = before["total"] + packed["bytes"]
    typer.echo(json.dumps({**packed, "tree_bytes": before["total"], "travel_bytes": travel}, indent=2))


@app.command("gpu-collect")
def gpu_collect_cmd(
    run_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="train.output_dir (holds final/)."),
    out: Path = typer.Argument(..., help="The device's $OUT folder."),
) -> None:
    """On the device: the trained model as fp16 shards under 16 MiB plus its log, at most 7 files in OUT."""
    from kpfnlp.pretraining.transfer import collect_release

    summary_path = run_dir / "summary.json"
    facts = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else {}
    files = collect_release(run_dir, out, {"trained_by": "training/recipes/gpu-lease.sh", "run": facts})
    typer.echo(json.dumps({f.name: f.stat().st_size for f in files}, indent=2))


@app.command("gpu-import")
def gpu_import_cmd(
    files: Path = typer.Argument(..., exists=True, file_okay=False, help="Where the device's files landed here."),
    target: Path = typer.Argument(..., help="Release directory to write (e.g. runs/gpu/release)."),
    tokenizer: Path = typer.Option(
        Path("kpfnlp/models/kpfnlp-mini"), "--tokenizer", exists=True, file_okay=False, help="The run's tokenizer."
    ),
) -> None:
    """Here: complete the returned model with its tokenizer into a release directory `kpfnlp pretrain-eval` reads."""
    from kpfnlp.pretraining.transfer import import_release

    try:
        out = import_release(files, tokenizer, target)
    except (ValueError, FileNotFoundError) as err:
        raise typer.BadParameter(str(err)) from err
    typer.echo(str(out))
