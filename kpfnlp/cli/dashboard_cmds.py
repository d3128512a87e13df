"""`kpfnlp dashboard`: start the Streamlit newsroom dashboard (apps/dashboard.py) on the chosen models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from kpfnlp.cli.app import app
from kpfnlp.paths import REPO_ROOT

DASHBOARD = REPO_ROOT / "apps" / "dashboard.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """The `streamlit run` command line; usage statistics off, no browser opened, no e-mail prompt."""
    return [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


@app.command("dashboard")
def dashboard_cmd(
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8501,
    address: Annotated[
        str, typer.Option("--address", help="Interface to listen on (0.0.0.0 shares it on the network).")
    ] = "localhost",
    summarizer: Annotated[
        Path | None, typer.Option("--summarizer", help="Summarizer directory (default: the bundled model).")
    ] = None,
    encoder: Annotated[
        Path | None, typer.Option("--encoder", help="Sentence-encoder directory (default: the bundled encoder).")
    ] = None,
) -> None:
    """Run the Korean newsroom dashboard (summaries, clusters, duplicates, similar articles) until Ctrl+C."""
    if not DASHBOARD.is_file():
        typer.echo(f"error: {DASHBOARD} not found; the dashboard runs from a source checkout of kpfnlp", err=True)
        raise typer.Exit(1)
    env = dict(os.environ)
    for name, path in (("KPFNLP_SUMMARIZER", summarizer), ("KPFNLP_ENCODER", encoder)):
        if path is not None:
            if not path.is_dir():
                typer.echo(f"error: {path}: no such directory", err=True)
                raise typer.Exit(1)
            env[name] = str(path.resolve())
    typer.echo(f"kpfnlp dashboard: http://{address}:{port}")
    try:
        code = subprocess.call(streamlit_command(port, address), env=env, cwd=REPO_ROOT)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
