"""`kpfnlp corpus-stats`: count the documents, characters and bad rows of a corpus file or corpus mix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpfnlp.cli.app import app


@app.command("corpus-stats")
def corpus_stats(
    path: Annotated[str, typer.Argument(help="A corpus file, a glob, or a corpus-mix YAML (training/corpora/*.yaml).")],
    format: Annotated[str | None, typer.Option("--format", "-f", help="Force a format (default: detect).")] = None,
    text_column: Annotated[str | None, typer.Option(help="Body column of JSONL/CSV/XLSX files.")] = None,
    title_column: Annotated[str | None, typer.Option(help="Title column of JSONL/CSV/XLSX files.")] = None,
    id_column: Annotated[str | None, typer.Option(help="Id column of JSONL/CSV/XLSX files.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: detect utf-8/cp949).")] = None,
    examples: Annotated[int, typer.Option(help="How many bad rows to show with their locations.")] = 20,
) -> None:
    """Print documents, characters and bad rows (with locations) per source; a mix counts each source once."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Column, Table

    from kpfnlp.corpus import CorpusSource, ReadReport, iter_source, load_corpus_mix

    console = Console()
    try:
        if Path(path).suffix in (".yaml", ".yml"):
            sources = load_corpus_mix(path)
        else:
            columns = {"text_column": text_column, "title_column": title_column, "id_column": id_column}
            sources = [CorpusSource(path, format, encoding=encoding, **columns)]
        table = Table(Column("source", no_wrap=True), "documents", "characters", "bad rows", "repeat", "docs x repeat")
        report = ReadReport(max_examples=examples)
        totals = [0, 0, 0]
        for source in sources:
            bad_before = report.bad_rows
            docs = chars = 0
            for doc in iter_source(source, report):
                docs += 1
                chars += len(doc.text)
            bad = report.bad_rows - bad_before
            table.add_row(
                source.name,
                f"{docs:,}",
                f"{chars:,}",
                f"{bad:,}",
                str(source.repeat),
                f"{docs * source.repeat:,}",
            )
            totals = [totals[0] + docs, totals[1] + chars, totals[2] + docs * source.repeat]
    except (OSError, ValueError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    if len(sources) > 1:
        table.add_row("total", f"{totals[0]:,}", f"{totals[1]:,}", f"{report.bad_rows:,}", "", f"{totals[2]:,}")
    console.print(table)
    console.print(report.format(), markup=False, highlight=False, soft_wrap=True)
