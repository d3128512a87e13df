"""The README's main job (summarize the sample feed with the bundled models) and `kpfnlp smoke` (tokenizer ->
shards -> tiny pretraining on the bundled samples)."""

from __future__ import annotations

import json
from pathlib import Path

from transformers import AutoTokenizer, BertModel
from typer.testing import CliRunner

from kpfnlp.cli import app


def test_every_command_has_help() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = [
        "smoke",
        "pretrain",
        "prepare-pretraining",
        "train-tokenizer",
        "split-sentences",
        "clean-text",
        "corpus-stats",
        "eval",
    ]
    for command in commands:
        assert command in result.output
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0, command
        assert "Usage" in sub.output


def test_smoke_pipeline_end_to_end(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["smoke", "--out", str(tmp_path), "--steps", "12"])
    assert result.exit_code == 0, result.output
    assert "smoke pipeline OK" in result.output
    final = tmp_path / "pretrain" / "final"
    encoder = BertModel.from_pretrained(final)
    tokenizer = AutoTokenizer.from_pretrained(final)
    batch = tokenizer(["정부는 내년 예산안을 발표했다."], return_tensors="pt")
    assert encoder(**batch).last_hidden_state.shape[-1] == encoder.config.hidden_size
    shards = json.loads((tmp_path / "shards" / "train" / "meta.json").read_text())
    assert shards["documents"] > 50 and shards["num_instances"] > shards["documents"]
    history = [json.loads(line) for line in (tmp_path / "pretrain" / "log_history.jsonl").read_text().splitlines()]
    assert any("eval_mlm_accuracy" in row for row in history)


def test_pretrain_reports_a_bad_override() -> None:
    result = CliRunner().invoke(app, ["pretrain", "--config", "training/configs/tiny.yaml", "train.nope=1"])
    assert result.exit_code != 0
    assert "nope" in result.output


def test_readme_main_job_summarizes_the_sample_feed_with_the_bundled_model(tmp_path: Path) -> None:
    from kpfnlp.paths import REPO_ROOT

    feed = REPO_ROOT / "data/samples/articles.jsonl"
    out = tmp_path / "summaries.jsonl"
    result = CliRunner().invoke(app, ["summarize", str(feed), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [json.loads(line)["id"] for line in feed.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ids and all(r["error"] is None for r in rows)
    for row in rows:
        assert len(row["sentences"]) == 3 and row["indices"] == sorted(row["indices"])
        assert row["summary"] == " ".join(row["sentences"]) and "기자 =" not in row["summary"]
        assert all(0.0 <= s <= 1.0 for s in row["scores"])
