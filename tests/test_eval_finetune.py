"""End-to-end fine-tuning on a tiny BERT built here: classification, regression and QA, the CLI, random init."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import build_tiny_bert, tiny_bert_config
from transformers import BertConfig, BertForPreTraining, BertModel
from typer.testing import CliRunner

import kpfnlp.cli.eval_cmds  # noqa: F401  (registers `kpfnlp eval`)
from kpfnlp.cli.app import app
from kpfnlp.eval import TaskData, get_task
from kpfnlp.eval.data import QAExample, TextExample
from kpfnlp.eval.finetune import FinetuneConfig, load_model, run_finetune

GOOD = ["정말 재미있는 영화였다", "배우 연기가 훌륭하다", "최고의 작품 강력 추천", "감동적인 이야기와 음악"]
BAD = ["너무 지루하고 별로다", "시간 낭비 최악의 영화", "연기가 어색하고 엉망", "다시는 안 본다 실망"]
CONTEXT = "한국언론진흥재단은 2021년 서울에서 뉴스 언어 모델을 공개했다. 이 모델은 뉴스 기사로 학습했다."
QUESTIONS = [("모델을 공개한 곳은?", "한국언론진흥재단"), ("공개한 해는?", "2021년"), ("어디에서 공개했나?", "서울")]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BertForPreTraining directory with its own WordPiece vocabulary (seconds)."""
    out = tmp_path_factory.mktemp("tiny-bert")
    build_tiny_bert(out, GOOD + BAD + [CONTEXT] + [q for q, _ in QUESTIONS], 300, pretraining=True)
    return out


def _nsmc_file(path: Path, n: int) -> Path:
    rows = [f"{i}\t{(GOOD if i % 2 else BAD)[i % 4]}\t{i % 2}" for i in range(n)] + [f"{n}\t\t0"]
    path.write_text("id\tdocument\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_cli_nsmc_end_to_end(tiny_bert, tmp_path):
    train, test, out = _nsmc_file(tmp_path / "train.txt", 32), _nsmc_file(tmp_path / "test.txt", 8), tmp_path / "res"
    args = ["eval", "nsmc", "--model", str(tiny_bert), "--train-file", str(train), "--eval-file", str(test)]
    result = CliRunner().invoke(app, [*args, "--output", str(out), "--epochs", "1", "--batch-size", "8"])
    assert result.exit_code == 0, result.output
    [path] = [p for p in out.glob("*.json") if not p.name.endswith(".predictions.json")]
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["task"] == "nsmc" and record["method"] == "finetune"
    assert set(record["metrics"]) == {"accuracy", "macro_f1"} and 0 <= record["metrics"]["accuracy"] <= 100
    assert record["config"]["learning_rate"] == 5e-5 and record["config"]["epochs"] == 1.0
    assert record["config"]["batch_size"] == 8 and record["seed"] == 42
    assert record["model"]["path"] == str(tiny_bert.resolve()) and record["wall_time_s"] > 0
    assert record["data"]["eval_examples"] == 9 and record["data"]["train_examples"] == 33
    assert all(len(h) == 64 for h in record["data"]["files"].values())
    predictions = json.loads((out / record["predictions_file"]).read_text(encoding="utf-8"))
    assert len(predictions) == 9 and set(predictions) <= {"negative", "positive"}


def test_cli_reports_missing_data_clearly(tiny_bert, tmp_path):
    args = ["eval", "ynat", "--model", str(tiny_bert), "--data-dir", str(tmp_path), "--output", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "file not found" in result.output
    result = CliRunner().invoke(
        app, ["eval", "nsmc", "--model", str(tmp_path), "--train-file", "x", "--eval-file", "y"]
    )
    assert result.exit_code == 1 and "error:" in result.output


def test_regression_predicts_scores(tiny_bert, tmp_path):
    pairs = [TextExample(GOOD[i % 4], float(i % 6), BAD[i % 4]) for i in range(12)]
    data = TaskData(pairs, pairs[:6], [], "synthetic")
    record, _ = run_finetune(get_task("klue-sts"), data, tiny_bert, tmp_path, FinetuneConfig(epochs=1, batch_size=4))
    assert {"pearson", "spearman", "f1"} == set(record["metrics"])
    predictions = json.loads((tmp_path / record["predictions_file"]).read_text(encoding="utf-8"))
    assert len(predictions) == 6 and all(isinstance(p, float) for p in predictions)


def test_qa_end_to_end_on_long_contexts(tiny_bert, tmp_path):
    long_context = CONTEXT + " " + " ".join(GOOD + BAD) * 2  # longer than one 48-token window
    examples = [
        QAExample(f"q{i}", "t", long_context, q, ((a, long_context.index(a)),)) for i, (q, a) in enumerate(QUESTIONS)
    ]
    data = TaskData(examples * 4, examples, [], "synthetic")
    cfg = FinetuneConfig(epochs=1, batch_size=4, max_length=48)
    record, _ = run_finetune(get_task("korquad"), data, tiny_bert, tmp_path, cfg)
    assert record["config"]["doc_stride"] == 16  # capped at a third of max_length
    assert {"exact_match", "f1", "unanswered"} <= set(record["metrics"]) and record["metrics"]["unanswered"] == 0
    answers = json.loads((tmp_path / record["predictions_file"]).read_text(encoding="utf-8"))
    assert set(answers) == {"q0", "q1", "q2"} and all(a in long_context for a in answers.values())


def test_random_init_differs_from_pretrained(tiny_bert):
    spec = get_task("nsmc")
    _, pretrained, notes = load_model(spec, tiny_bert)
    _, fresh, fresh_notes = load_model(spec, tiny_bert, random_init=True)
    saved = BertForPreTraining.from_pretrained(tiny_bert).bert.embeddings.word_embeddings.weight
    assert torch.equal(pretrained.bert.embeddings.word_embeddings.weight, saved)
    assert not torch.equal(fresh.bert.embeddings.word_embeddings.weight, saved)
    assert any("classifier" in n for n in notes) and "random" in fresh_notes[0]


def test_checkpoint_without_pooler_loads_and_trains(tiny_bert, tmp_path):
    """kpfBERT ships no pooler: it is freshly initialised, logged, and fine-tuning still runs."""
    no_pooler = tmp_path / "no-pooler"
    vocab_size = BertConfig.from_pretrained(tiny_bert).vocab_size
    BertModel(tiny_bert_config(vocab_size), add_pooling_layer=False).save_pretrained(no_pooler)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        (no_pooler / name).write_bytes((tiny_bert / name).read_bytes())
    examples = [TextExample(t, "positive") for t in GOOD] + [TextExample(t, "negative") for t in BAD]
    record, _ = run_finetune(
        get_task("nsmc"), TaskData(examples, examples, [], "synthetic"), no_pooler, tmp_path / "res",
        FinetuneConfig(epochs=1, batch_size=4),
    )  # fmt: skip
    assert any("no pooler" in n for n in record["notes"])
    assert record["train_loss"] == pytest.approx(record["train_loss"])  # finite, not NaN


def test_positions_past_the_pretrained_ones_are_tiled_for_long_inputs(tiny_bert, tmp_path):
    """A release that says it was pretrained on 16 positions gets rows 16.. tiled before a 48-token fine-tune."""
    import shutil

    from kpfnlp.backbone import trained_positions

    short = tmp_path / "short"
    shutil.copytree(tiny_bert, short)
    assert trained_positions(short) is None
    (short / "kpfnlp.json").write_text(json.dumps({"trained_positions": 16}), encoding="utf-8")
    assert trained_positions(short) == 16
    examples = [QAExample(f"q{i}", "t", CONTEXT, q, ((a, CONTEXT.index(a)),)) for i, (q, a) in enumerate(QUESTIONS)]
    data = TaskData(examples, examples, [], "synthetic")
    tiled, _ = run_finetune(
        get_task("korquad"), data, short, tmp_path / "a", FinetuneConfig(epochs=1, batch_size=4, max_length=48)
    )
    assert "112 position embeddings past the 16 pretrained ones initialised by tiling them" in tiled["notes"]
    fresh, _ = run_finetune(
        get_task("korquad"), data, short, tmp_path / "b", FinetuneConfig(epochs=1, max_length=48, random_init=True)
    )
    reviews = [TextExample(t, "positive") for t in GOOD] + [TextExample(t, "negative") for t in BAD]
    short_inputs, _ = run_finetune(
        get_task("nsmc"), TaskData(reviews, reviews, [], "synthetic"), short, tmp_path / "c",
        FinetuneConfig(epochs=1, max_length=16),
    )  # fmt: skip
    assert not any("tiling" in n for n in fresh["notes"] + short_inputs["notes"])


def test_mean_pooling_head_loads_the_backbone_and_trains(tiny_bert, tmp_path):
    from kpfnlp.eval.heads import BertMeanPoolForSequenceClassification

    spec = get_task("nsmc")
    _, model, notes = load_model(spec, tiny_bert, pooling="mean")
    assert isinstance(model, BertMeanPoolForSequenceClassification)
    pretrained = BertModel.from_pretrained(tiny_bert)
    assert torch.equal(model.bert.embeddings.word_embeddings.weight, pretrained.embeddings.word_embeddings.weight)
    assert any("classifier" in n for n in notes) and not any("pooler" in n for n in notes)
    # padding does not change the pooled representation
    model.eval()
    ids = torch.tensor([[2, 10, 11, 3, 0, 0]])
    short = model(input_ids=ids[:, :4], attention_mask=torch.ones(1, 4, dtype=torch.long)).logits
    padded = model(input_ids=ids, attention_mask=torch.tensor([[1, 1, 1, 1, 0, 0]])).logits
    assert torch.allclose(short, padded, atol=1e-5)
    _, fresh, _ = load_model(spec, tiny_bert, random_init=True, pooling="mean")
    assert not torch.equal(fresh.bert.embeddings.word_embeddings.weight, pretrained.embeddings.word_embeddings.weight)
    train = [TextExample(t, "positive") for t in GOOD] + [TextExample(t, "negative") for t in BAD]
    data = TaskData(train, [TextExample(GOOD[0], "positive"), TextExample(BAD[0], "negative")], [], "synthetic")
    record, _ = run_finetune(spec, data, tiny_bert, tmp_path, FinetuneConfig(epochs=1, batch_size=4, pooling="mean"))
    assert record["config"]["pooling"] == "mean" and record["train_loss"] > 0
    with pytest.raises(ValueError, match="sequence tasks"):
        load_model(get_task("korquad"), tiny_bert, pooling="mean")


def test_regression_with_mean_pooling(tiny_bert, tmp_path):
    pairs = [TextExample(GOOD[i % 4], float(i % 6), BAD[i % 4]) for i in range(12)]
    data = TaskData(pairs, pairs[:6], [], "synthetic")
    cfg = FinetuneConfig(epochs=1, batch_size=4, pooling="mean")
    record, _ = run_finetune(get_task("klue-sts"), data, tiny_bert, tmp_path, cfg)
    assert set(record["metrics"]) >= {"pearson"} and record["config"]["pooling"] == "mean"


def test_fine_tune_resumes_from_its_checkpoint_after_a_crash(tiny_bert, tmp_path, monkeypatch):
    from transformers import TrainerCallback

    from kpfnlp.eval import finetune

    steps_run: list[int] = []
    crash = [True]

    class CrashAtStep5(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            steps_run.append(state.global_step)
            if crash[0] and state.global_step == 5:
                raise RuntimeError("killed")

    def scores(out: Path, record: dict) -> list[float]:
        return json.loads((out / record["predictions_file"]).read_text(encoding="utf-8"))

    pairs = [TextExample(GOOD[i % 4], float(i % 6), BAD[(i // 4) % 4]) for i in range(48)]
    data = TaskData(pairs, pairs[:8], [], "synthetic")
    spec, ckpt = get_task("klue-sts"), tmp_path / "ckpt"
    monkeypatch.setattr(finetune, "CHECKPOINT_STEPS", 4)
    reference, _ = run_finetune(spec, data, tiny_bert, tmp_path / "ref", FinetuneConfig(epochs=2, batch_size=8))

    build = finetune._trainer
    monkeypatch.setattr(finetune, "_trainer", lambda *a: (t := build(*a)).add_callback(CrashAtStep5()) or t)
    cfg = FinetuneConfig(epochs=2, batch_size=8, checkpoint_dir=str(ckpt))
    with pytest.raises(RuntimeError, match="killed"):
        run_finetune(spec, data, tiny_bert, tmp_path / "res", cfg)
    assert [p.name for p in ckpt.glob("checkpoint-*")] == ["checkpoint-4"]

    steps_run.clear()
    crash[0] = False
    resumed, _ = run_finetune(spec, data, tiny_bert, tmp_path / "res", cfg)
    assert steps_run == list(range(5, 13))  # 12 steps in all; the first 4 came from the checkpoint
    assert scores(tmp_path / "res", resumed) == pytest.approx(scores(tmp_path / "ref", reference), abs=1e-5)
    assert resumed["config"] == reference["config"] and "checkpoint_dir" not in resumed["config"]

    other = FinetuneConfig(epochs=3, batch_size=8, checkpoint_dir=str(ckpt))
    with pytest.raises(ValueError, match="another fine-tune"):
        run_finetune(spec, data, tiny_bert, tmp_path / "res", other)


def test_validation_split_picks_the_best_epoch_without_the_test_set(tiny_bert, tmp_path):
    train, test, out = _nsmc_file(tmp_path / "train.txt", 40), _nsmc_file(tmp_path / "test.txt", 8), tmp_path / "res"
    args = ["eval", "nsmc", "--model", str(tiny_bert), "--train-file", str(train), "--eval-file", str(test)]
    args += ["--output", str(out), "--epochs", "3", "--batch-size", "8", "--validation-samples", "10"]
    result = CliRunner().invoke(app, [*args, "--learning-rate", "1e-3", "--checkpoint-dir", str(tmp_path / "ck")])
    assert result.exit_code == 0, result.output
    [path] = [p for p in out.glob("*.json") if not p.name.endswith(".predictions.json")]
    record = json.loads(path.read_text(encoding="utf-8"))
    chosen = record["validation"]
    assert chosen["examples"] == 10 and chosen["metric"] == "accuracy"
    assert [e["epoch"] for e in chosen["per_epoch"]] == [1.0, 2.0, 3.0]
    assert chosen["best"] == max(e["accuracy"] for e in chosen["per_epoch"])
    assert chosen["best_epoch"] == next(e["epoch"] for e in chosen["per_epoch"] if e["accuracy"] == chosen["best"])
    assert record["data"]["train_examples"] == 41 - 10 and "10 training examples held out" in record["data"]["split"]
    assert f"best validation accuracy {chosen['best']:.2f} at epoch {chosen['best_epoch']}" in result.output


def test_validation_split_is_disjoint_from_training_and_refuses_to_take_everything(tmp_path):
    from kpfnlp.eval import load_task_data
    from kpfnlp.eval.data import DataError

    rows = [f"{i}\t{GOOD[i % 4] if i % 2 else BAD[i % 4]} {i}번\t{i % 2}" for i in range(40)]
    train = tmp_path / "train.txt"
    train.write_text("id\tdocument\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    test, spec = _nsmc_file(tmp_path / "test.txt", 8), get_task("nsmc")
    data = load_task_data(spec, None, train, test, max_train_samples=20, validation_samples=10)
    held = [ex.text for ex in data.validation]
    assert len(held) == 10 and len(data.train) == 20 and not set(held) & {ex.text for ex in data.train}
    again = load_task_data(spec, None, train, test, validation_samples=10)
    assert [ex.text for ex in again.validation] == held and len(again.train) == 30
    assert not set(held) & {ex.text for ex in again.train}
    with pytest.raises(DataError, match="leaves no training examples"):
        load_task_data(spec, None, train, test, validation_samples=40)
    qa_data = TaskData([QAExample("q", "t", CONTEXT, "?", ())], [QAExample("q", "t", CONTEXT, "?", ())], [], "x",
                       validation=[QAExample("v", "t", CONTEXT, "?", ())])  # fmt: skip
    with pytest.raises(ValueError, match="validation split is for sequence tasks"):
        run_finetune(get_task("korquad"), qa_data, tmp_path, tmp_path, FinetuneConfig())
