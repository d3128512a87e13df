"""`kpfnlp corpus-stats` on a file, on a corpus mix, and on bad input."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import kpfnlp.cli.corpus_cmds  # noqa: F401  (registers the command)
from kpfnlp.cli.app import app
from kpfnlp.paths import REPO_ROOT

runner = CliRunner()


def test_stats_of_a_file_with_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "가나다"}\n{oops\n{"text": "라마"}\n', encoding="utf-8")
    result = runner.invoke(app, ["corpus-stats", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "feed.jsonl" in result.output
    row = next(line for line in result.output.splitlines() if "feed.jsonl" in line and "│" in line)
    assert [cell.strip() for cell in row.split("│")[2:5]] == [
        "2",
        "5",
        "1",
    ]  # documents, characters, bad rows
    assert "feed.jsonl:line 2: malformed JSON" in result.output


def test_stats_of_the_samples_mix() -> None:
    result = runner.invoke(app, ["corpus-stats", str(REPO_ROOT / "training/corpora/samples.yaml")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "sample-articles" in result.output and "total" in result.output
    assert "bad rows: 0" in result.output


def test_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["corpus-stats", str(path), "--text-column", "본문"])
    assert result.exit_code == 1
    assert "no column '본문'" in result.output and "['a', 'b']" in result.output
