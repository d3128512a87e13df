"""`kpfnlp` console script. Each module below adds its subcommands to the one typer app.

Command modules import heavy libraries (torch, transformers) inside the command functions so that
`kpfnlp --help` stays fast.
"""

from kpfnlp.cli import (  # noqa: F401  (registration)
    corpus_cmds,
    dashboard_cmds,
    encoder_cmds,
    eval_cmds,
    gpu_cmds,
    pretrain_cmds,
    summarize_cmds,
    text_cmds,
    tokenizer_cmds,
)
from kpfnlp.cli.app import app


def main() -> None:
    """Entry point of the `kpfnlp` console script."""
    app()
