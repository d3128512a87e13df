"""The comparison table on fake result JSONs, and the TF-IDF baseline on a tiny data set."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import kpfnlp.cli.eval_cmds  # noqa: F401  (registers `kpfnlp eval`)
from kpfnlp.cli.app import app
from kpfnlp.eval import TaskData, get_task
from kpfnlp.eval.data import TextExample
from kpfnlp.eval.table import collect_results, render_table


def _result(task: str, name: str, metrics: dict, created: str, **extra) -> dict:
    return {"task": task, "model": {"name": name}, "metrics": metrics, "created": created, "config": {}, **extra}


@pytest.fixture
def results_dir(tmp_path):
    records = [
        _result("nsmc", "ours/final", {"accuracy": 80.0}, "2026-01-01T00:00:00"),
        _result("nsmc", "ours/final", {"accuracy": 85.125}, "2026-01-02T00:00:00"),  # newer wins
        _result("klue-sts", "ours/final", {"pearson": 70.0, "f1": 60.0}, "2026-01-01T00:00:00"),
        _result("korquad", "ours/final", {"exact_match": 10.0, "f1": 20.0}, "2026-01-01T00:00:00",
                data={"split": "title split of KorQuAD_v1.0_dev.json"}),
        _result("ynat", "tiny", {"macro_f1": 50.0}, "2026-01-01T00:00:00", config={"max_train_samples": 100}),
        _result("sts-korsts-test", "encoder", {"spearman": 68.0}, "2026-01-01T00:00:00"),  # no column: no row
    ]  # fmt: skip
    for i, record in enumerate(records):
        (tmp_path / f"r{i}.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "r0.predictions.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"not": "a result"}', encoding="utf-8")
    return tmp_path


def test_table_rows_marks_and_published_rows(results_dir):
    assert len(collect_results(results_dir)) == 6
    table = render_table(collect_results(results_dir))
    ours = next(line for line in table.splitlines() if line.startswith("| ours/final"))
    assert "| 85.12 |" in ours and "80.00" not in ours
    assert "70.00 / 60.00" in ours and "10.00 / 20.00†" in ours
    assert "50.00‡" in next(line for line in table.splitlines() if line.startswith("| tiny"))
    kpf = next(line for line in table.splitlines() if line.startswith("| kpfBERT *(published)*"))
    assert "91.29" in kpf and "87.67" in kpf and "86.42 / 94.95" in kpf and "github.com/KPFBERT/kpfbert" in kpf
    published = [line for line in table.splitlines() if line.startswith("|") and "*(published)*" in line]
    training = table.split("## How each measured cell was obtained")[1]
    newest_nsmc = "| ours/final | NSMC acc | baseline; ? / ? train / eval examples |"
    assert newest_nsmc in training
    assert training.count("| ours/final |") == 3 and training.count("| tiny |") == 1
    assert not any(line.startswith("| encoder") for line in table.splitlines())
    assert len(published) == 4 and any(line.startswith("| KLUE-BERT-base") and "85.73" in line for line in published)


def test_table_cli_writes_markdown(results_dir, tmp_path):
    out = tmp_path / "docs" / "eval-table.md"
    result = CliRunner().invoke(app, ["eval", "table", "--results", str(results_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Evaluation table")
    result = CliRunner().invoke(app, ["eval", "table", "--results", str(tmp_path / "absent")])
    assert result.exit_code == 1 and "no such results directory" in result.output


def test_tfidf_baseline_learns_a_separable_task(tmp_path):
    pytest.importorskip("sklearn")
    from kpfnlp.eval.baselines import run_baseline

    good = [TextExample(f"좋아요 최고 {i}", "positive") for i in range(20)]
    bad = [TextExample(f"별로 최악 {i}", "negative") for i in range(20)]
    data = TaskData(good + bad, [TextExample("최고 좋아요", "positive"), TextExample("최악 별로", "negative")], [], "")
    record, path = run_baseline(get_task("nsmc"), data, tmp_path, "logreg")
    assert record["metrics"]["accuracy"] == 100.0 and record["method"] == "baseline" and path.is_file()
    with pytest.raises(ValueError, match="classification"):
        run_baseline(get_task("klue-sts"), data, tmp_path)
