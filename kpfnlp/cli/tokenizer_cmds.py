"""`kpfnlp train-tokenizer`: learn our cased WordPiece vocabulary from corpus files or a corpus mix."""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer

from kpfnlp.cli.app import app


@app.command("train-tokenizer")
def train_tokenizer(
    out: Annotated[Path, typer.Option("--out", help="Directory for the HF tokenizer files.")],
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", help="A corpus file or glob, any supported format (repeatable)."),
    ] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="A corpus-mix YAML file.")] = None,
    vocab_size: Annotated[int, typer.Option(help="Vocabulary size, special tokens included.")] = 24_000,
    min_frequency: Annotated[int, typer.Option(help="Least count of a merged pair.")] = 2,
    limit_alphabet: Annotated[int, typer.Option(help="Most distinct characters kept.")] = 8_000,
    morpheme_aware: Annotated[
        bool, typer.Option(help="Learn the vocabulary on mecab-ko morphemes (5-14x slower).")
    ] = False,
    max_docs: Annotated[int | None, typer.Option(help="Stop after this many documents.")] = None,
    format: Annotated[str | None, typer.Option("--format", "-f", help="Format of --input files.")] = None,
    text_column: Annotated[str | None, typer.Option(help="Body column of --input JSONL/CSV/XLSX.")] = None,
    title_column: Annotated[str | None, typer.Option(help="Title column of --input JSONL/CSV/XLSX.")] = None,
) -> None:
    """Train the tokenizer on document titles and bodies and save it (loadable with AutoTokenizer)."""
    from kpfnlp.corpus import CorpusSource, ReadReport, iter_corpus, load_corpus_mix
    from kpfnlp.tokenizer import train_wordpiece

    if not inputs and corpus is None:
        raise typer.BadParameter("give --input files and/or a --corpus mix", param_hint="--input/--corpus")
    report = ReadReport()
    counts = [0, 0]

    def texts() -> Iterator[str]:
        docs = iter_corpus(sources, report)
        for doc in islice(docs, max_docs):
            text = f"{doc.title}\n{doc.text}" if doc.title else doc.text
            counts[0] += 1
            counts[1] += len(text)
            yield text

    start = time.perf_counter()
    try:
        sources = [
            CorpusSource(path, format, text_column=text_column, title_column=title_column) for path in inputs or []
        ]
        sources += load_corpus_mix(corpus) if corpus is not None else []
        tokenizer = train_wordpiece(
            texts(),
            out,
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            limit_alphabet=limit_alphabet,
            morpheme_aware=morpheme_aware,
        )
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"{len(tokenizer):,} tokens from {counts[0]:,} documents ({counts[1]:,} characters, "
        f"{report.bad_rows:,} bad rows skipped) in {time.perf_counter() - start:.0f} s -> {out}"
    )
    if report.bad_rows:
        typer.echo(report.format(), err=True)
