"""Sentence-score calibration: fitted on synthetic articles with a known answer, stored beside the model, applied
by the Summarizer without changing its picks, and fitted by `calibrate-summarizer` and `train-summarizer`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import tiny_bert_config
from typer.testing import CliRunner

from kpfnlp.cli import summarize_cmds  # noqa: F401  (registers the commands)
from kpfnlp.cli.app import app
from kpfnlp.summarize import BertSumExt, Summarizer
from kpfnlp.summarize.calibration import FEATURES, ScoreCalibration, calibration_metrics, features, fit_calibration

GOLD_BY_RANK = (0.7, 0.6, 0.45)  # the chance that the model's 1st, 2nd, 3rd pick is gold; 0.1 below


def synthetic(n_articles: int, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Overconfident raw scores (the top near 1, the rest near 0, as the silver-trained model gives) whose gold
    labels depend on the rank alone."""
    rng = np.random.default_rng(seed)
    probs, labels = [], []
    for _ in range(n_articles):
        n = int(rng.integers(5, 16))
        p = np.sort(rng.uniform(0.005, 0.08, n))[::-1]
        p[0] = rng.uniform(0.9, 0.999)
        chance = np.array([*GOLD_BY_RANK, *[0.1] * (n - 3)])
        order = rng.permutation(n)  # candidates in article order, not score order
        probs.append(p[order])
        labels.append((rng.random(n) < chance)[order].astype(float))
    return probs, labels


def test_fit_recovers_the_gold_share_per_rank_and_never_reorders() -> None:
    probs, labels = synthetic(400, seed=0)
    calibration = fit_calibration(probs, labels, folds=5)
    cv = calibration.cross_validated
    for rank, gold in zip(("1", "2", "3"), GOLD_BY_RANK, strict=True):
        assert cv["by_rank"][rank]["calibrated_mean"] == pytest.approx(gold, abs=0.07)
    assert cv["by_rank"]["2"]["raw_mean"] < 0.1  # what users saw before: a 60% pick shown as a few percent
    assert cv["calibrated"]["picks"]["ece"] < 0.05 < 0.3 < cv["raw"]["picks"]["ece"]
    assert cv["calibrated"]["all"]["log_loss"] < cv["raw"]["all"]["log_loss"]
    assert set(calibration.weights) == set(FEATURES) and all(calibration.weights[f] >= 0 for f in FEATURES[:4])
    for p in synthetic(50, seed=1)[0]:  # unseen articles: a higher raw score never gets a lower calibrated one
        raw_order = np.argsort(-p, kind="stable")
        assert np.all(np.diff(calibration(p)[raw_order]) <= 1e-12)


def test_features_rank_in_the_order_select_picks() -> None:
    x = features(np.array([0.2, 0.9, 0.2, 0.5]))
    assert x[:, 1].tolist() == [0, 1, 0, 0] and x[:, 2].tolist() == [0, 1, 0, 1] and x[:, 3].tolist() == [1, 1, 0, 1]
    assert x[0, 4] == pytest.approx(np.log(4)) and x[0, 0] == pytest.approx(np.log(0.2 / 0.8))


def test_metrics_of_perfect_and_constant_scores() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.0])
    assert calibration_metrics(y, y)["brier"] == pytest.approx(0.0, abs=1e-9)
    half = calibration_metrics(np.full(4, 0.5), y)
    assert half["brier"] == pytest.approx(0.25) and half["ece"] == pytest.approx(0.0)
    assert half["log_loss"] == pytest.approx(np.log(2), abs=1e-4)


def test_save_load_and_bad_files(tmp_path: Path) -> None:
    assert ScoreCalibration.load(tmp_path) is None
    calibration = fit_calibration(*synthetic(40, seed=2), folds=4, sources=["x.jsonl"])
    calibration.save(tmp_path)
    loaded = ScoreCalibration.load(tmp_path)
    assert loaded == calibration and loaded.fitted_on == ["x.jsonl"] and loaded.articles == 40
    (tmp_path / "calibration.json").write_text(json.dumps({"weights": {"logit": 1.0}}), "utf-8")
    with pytest.raises(ValueError, match="weights must be"):
        ScoreCalibration.load(tmp_path)
    with pytest.raises(ValueError, match="at least 5 labelled articles"):
        fit_calibration(*synthetic(3, seed=3))


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, samples: Path) -> Path:
    """The sample articles as Dacon JSONL, the first three sentences marked as the editor's picks."""
    from kpfnlp.text import split_sentences

    out = tmp_path_factory.mktemp("dacon") / "labelled.jsonl"
    rows = []
    for line in (samples / "articles.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        sentences = split_sentences(record["body"], "regex")
        rows.append({"id": record["id"], "article_original": sentences, "extractive": [0, 1, 2]})
    out.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return out


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, samples: Path) -> Path:
    from transformers import PreTrainedTokenizerFast

    from kpfnlp.tokenizer import train_wordpiece

    texts = [json.loads(line)["body"] for line in (samples / "articles.jsonl").read_text("utf-8").splitlines()]
    tok = tmp_path_factory.mktemp("tok")
    train_wordpiece(texts * 3, tok, vocab_size=500, min_frequency=1)
    torch.manual_seed(0)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tok)
    bert = tiny_bert_config(len(tokenizer), num_hidden_layers=1, max_position_embeddings=64)
    out = tmp_path_factory.mktemp("summarizer")
    Summarizer(BertSumExt.from_backbone(bert, inter_heads=2, max_sentence_tokens=24), tokenizer).save_pretrained(out)
    return out


def test_cli_writes_the_calibration_and_the_summarizer_shows_calibrated_scores(
    tmp_path: Path, model_dir: Path, labelled: Path
) -> None:
    dry = CliRunner().invoke(app, ["calibrate-summarizer", "--model", str(model_dir), "--file", str(labelled),
                                   "--folds", "4", "--dry-run"])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert "| calibrated |" in dry.output and not (model_dir / "calibration.json").exists()
    result = CliRunner().invoke(app, ["calibrate-summarizer", "--model", str(model_dir), "--file", str(labelled),
                                      "--folds", "4"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (model_dir / "calibration.json").is_file() and "-> " in result.output
    article = json.loads(labelled.read_text("utf-8").splitlines()[0])["article_original"]
    raw = Summarizer.from_pretrained(model_dir)
    assert raw.calibration is not None and raw.calibration.articles == 8
    calibrated = raw.summarize(article)
    raw.calibration = None
    uncalibrated = raw.summarize(article)
    assert calibrated.calibrated and not uncalibrated.calibrated
    assert calibrated.indices == uncalibrated.indices and calibrated.scores != uncalibrated.scores
    saved = tmp_path / "copy"
    Summarizer.from_pretrained(model_dir).save_pretrained(saved)  # a saved copy keeps its calibration
    assert ScoreCalibration.load(saved) == ScoreCalibration.load(model_dir)


def test_calibrated_scores_are_the_calibration_of_the_pool(model_dir: Path, monkeypatch) -> None:
    summarizer = Summarizer.from_pretrained(model_dir)
    summarizer.calibration = ScoreCalibration(dict(zip(FEATURES, [0.0, 0.0, 0.0, 2.0, 0.0, -1.0], strict=True)))
    monkeypatch.setattr(summarizer, "score", lambda articles: [np.linspace(0.9, 0.1, len(a)) for a in articles])
    four = ["첫 문장이다.", "둘째 문장이다.", "셋째 문장이다.", "넷째 문장이다."]
    first, second = summarizer.summarize_batch([four, four[:3]], k=2)  # ranks 1-3 get +2, the 4th nothing
    assert first.indices == second.indices == [0, 1] and first.calibrated
    assert first.scores == [pytest.approx(1 / (1 + np.exp(-1)), abs=1e-4)] * 2 == second.scores


def test_training_with_dev_files_fits_the_calibration(tmp_path: Path, model_dir: Path, labelled: Path) -> None:
    from kpfnlp.paths import REPO_ROOT

    args = ["train-summarizer", "--config", str(REPO_ROOT / "training/configs/summarizer-tiny.yaml"),
            f"model.init_from={model_dir}", f"train.output_dir={tmp_path / 'run'}",
            f"data.silver_sources=[titlebody:{REPO_ROOT / 'data/samples/articles.jsonl'}]",
            f"data.eval_files=[{labelled}]", "train.max_steps=2"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index('{\n  "final"') :])
    assert summary["calibration"]["folds"] == 5 and "picks" in summary["calibration"]["calibrated"]
    stored = ScoreCalibration.load(tmp_path / "run" / "final")
    assert stored is not None and stored != ScoreCalibration.load(model_dir) and stored.articles == 8


def test_bundled_calibration_reproduces_on_the_dev_articles(shared_data: Path) -> None:
    """The stored calibration is what `calibrate-summarizer` fits on the 111 dev articles, and it is calibrated
    where the raw scores are not (the figures of docs/benchmarks.md, session 26)."""
    from kpfnlp.summarize.calibration import calibrate_summarizer

    summarizer = Summarizer.from_pretrained()
    stored = summarizer.calibration
    assert stored is not None and stored.articles == 111
    files = [shared_data / "summarization" / f"dacon_sample_{name}.jsonl" for name in ("train", "extra")]
    refit = calibrate_summarizer(summarizer, files)
    assert refit.weights == pytest.approx(stored.weights, abs=2e-3) and refit.sentences == stored.sentences == 1199
    cv = refit.cross_validated
    assert cv["raw"]["picks"]["ece"] == pytest.approx(0.3555, abs=0.005)
    assert cv["calibrated"]["picks"]["ece"] == pytest.approx(0.046, abs=0.005)
    assert [cv["by_rank"][r]["gold_share"] for r in "123"] == pytest.approx([0.640, 0.618, 0.418], abs=1e-3)
