"""`kpfnlp split-sentences` and `kpfnlp clean-text`: the text pipeline on a file or stdin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kpfnlp.cli.app import app

_INPUT_HELP = "UTF-8 text file; stdin when omitted or '-'."


def _read(path: Path | None) -> str:
    """Read UTF-8 text from `path`, or from stdin when no path (or '-') is given."""
    if path is None or str(path) == "-":
        return sys.stdin.read()
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {path}", param_hint="INPUT")
    return path.read_text(encoding="utf-8")


@app.command("split-sentences")
def split_sentences_cmd(
    input_path: Annotated[Path | None, typer.Argument(help=_INPUT_HELP, metavar="INPUT")] = None,
    backend: Annotated[str, typer.Option("--backend", "-b", help="Sentence splitter: kiwi, kss or regex.")] = "kiwi",
    clean: Annotated[
        bool, typer.Option("--clean/--no-clean", help="Remove news noise (bylines, captions) first.")
    ] = True,
) -> None:
    """Print the sentences of a text, one per line."""
    from kpfnlp.text.sentences import BACKENDS, split_sentences

    if backend not in BACKENDS:
        raise typer.BadParameter(f"choose one of {', '.join(sorted(BACKENDS))}", param_hint="--backend")
    for sentence in split_sentences(_read(input_path), backend, clean=clean):
        typer.echo(sentence)


@app.command("clean-text")
def clean_text_cmd(
    input_path: Annotated[Path | None, typer.Argument(help=_INPUT_HELP, metavar="INPUT")] = None,
    noise: Annotated[
        bool, typer.Option("--noise/--no-noise", help="Also remove news noise, not only normalise.")
    ] = True,
) -> None:
    """Print a normalised text (NFC, whitespace, HTML remnants), with news noise removed by default."""
    from kpfnlp.text import clean_news, normalize_text

    typer.echo((clean_news if noise else normalize_text)(_read(input_path)))
