"""End to end on a tiny model: prepare shards, train with Trainer, exact resume, 2-process DDP == 1 process."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer, BertForPreTraining, TrainerCallback
from typer.testing import CliRunner

from kpfnlp.cli import app
from kpfnlp.pretraining.config import PretrainConfig
from kpfnlp.pretraining.prepare import prepare_pretraining
from kpfnlp.pretraining.report import read_log_history
from kpfnlp.pretraining.shards import ShardReader
from kpfnlp.pretraining.trainer import last_complete_checkpoint, run_pretraining, spent_in_checkpoint
from kpfnlp.tokenizer import train_wordpiece

WORDS = [
    "정부는",
    "국회에서",
    "예산안을",
    "발표했다",
    "시장은",
    "금리를",
    "올렸다",
    "기자는",
    "현장에서",
    "주민들을",
    "만났다",
    "경찰은",
    "사고",
    "원인을",
    "조사하고",
    "있다",
    "선수들은",
    "경기에서",
    "승리했다",
    "학생들은",
    "시험을",
    "준비했다",
    "회사는",
    "신제품을",
    "공개했다",
    "날씨는",
    "내일",
    "맑겠다",
    "전문가들은",
    "경제",
    "성장률을",
    "전망했다",
    "시민들이",
    "광장에",
    "모였다",
    "대통령은",
    "회담을",
    "열었다",
]


def _documents(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for d in range(n):
        sentences = [" ".join(rng.choices(WORDS, k=rng.randint(4, 12))) + "." for _ in range(rng.randint(3, 9))]
        docs.append({"id": f"doc{d}", "title": f"{WORDS[d % len(WORDS)]} 관련 기사 {d}", "body": " ".join(sentences)})
    return docs


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pretrain")
    for name, docs in (("train.jsonl", _documents(160)), ("heldout.jsonl", _documents(30, seed=1))):
        with (root / name).open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
        (root / name.replace(".jsonl", ".yaml")).write_text(f"sources:\n  - path: {name}\n", encoding="utf-8")
    texts = [d["title"] + "\n" + d["body"] for d in _documents(160)]
    train_wordpiece(texts, root / "tokenizer", vocab_size=400, min_frequency=1)
    config = _config(root, "unused")
    prepare_pretraining(config)
    return root


def _config(root: Path, run: str, *overrides: str) -> PretrainConfig:
    return PretrainConfig.load(
        None,
        [
            "model.preset=tiny",
            "model.hidden_dropout_prob=0.0",
            "model.attention_probs_dropout_prob=0.0",
            f"data.corpus={root / 'train.yaml'}",
            f"data.heldout_corpus={root / 'heldout.yaml'}",
            f"data.tokenizer={root / 'tokenizer'}",
            f"data.shards={root / 'shards'}",
            "data.max_seq_len=64",
            "data.dupe_factor=2",
            f"train.output_dir={root / run}",
            "train.per_device_batch_size=8",
            "train.max_steps=8",
            "train.logging_steps=2",
            "train.save_steps=4",
            "train.learning_rate=2e-3",
            "train.warmup_ratio=0.0",
            "train.max_eval_examples=64",
            "train.precision=fp32",  # the same numbers on every CPU (auto picks bf16 on AMX CPUs)
            *overrides,
        ],
    )


def test_prepared_shards(workdir: Path) -> None:
    train = ShardReader(workdir / "shards" / "train")
    meta = train.meta
    assert meta["documents"] == 160 and meta["bad_rows"] == 0
    assert len(train) == meta["num_instances"] > 160
    assert 0.4 < meta["random_next_fraction"] < 0.7
    tokenizer = AutoTokenizer.from_pretrained(workdir / "tokenizer")
    inst = train[0]
    assert inst.input_ids[0] == tokenizer.cls_token_id and inst.input_ids[-1] == tokenizer.sep_token_id
    assert len(inst.input_ids) <= 64
    text = tokenizer.decode(inst.input_ids[1 : inst.len_a - 1])
    assert any(word in text for word in WORDS)
    assert len(ShardReader(workdir / "shards" / "eval")) > 0


def test_training_logs_metrics_and_saves_plain_bert(workdir: Path) -> None:
    summary = run_pretraining(_config(workdir, "run-metrics", "train.max_steps=12"), resume=False)
    logs = [row for row in summary_logs(workdir / "run-metrics") if "loss" in row]
    assert {"mlm_accuracy", "nsp_accuracy", "tokens_per_second"} <= set(logs[-1])
    assert logs[-1]["loss"] < logs[0]["loss"]
    assert summary["eval"]["eval_mlm_accuracy"] >= 0 and summary["eval"]["eval_examples"] > 0
    final = workdir / "run-metrics" / "final"
    assert json.loads((final / "config.json").read_text())["architectures"] == ["BertForPreTraining"]
    BertForPreTraining.from_pretrained(final)
    assert AutoTokenizer.from_pretrained(final).mask_token == "[MASK]"
    assert (final / "vocab.txt").is_file()  # classic BERT tools need it


def test_bf16_autocast_trains_on_cpu(workdir: Path) -> None:
    """train.precision=bf16 (what auto picks on an AMX CPU) runs on CPU, learns, and saves fp32 weights."""
    summary = run_pretraining(_config(workdir, "run-bf16", "train.precision=bf16", "train.max_steps=12"), resume=False)
    logs = [row for row in summary_logs(workdir / "run-bf16") if "loss" in row]
    assert logs[-1]["loss"] < logs[0]["loss"]
    assert 0 <= summary["eval"]["eval_mlm_accuracy"] <= 1 and np.isfinite(summary["eval"]["eval_mlm_loss"])
    weights = load_file(workdir / "run-bf16" / "final" / "model.safetensors")
    assert {t.dtype for t in weights.values()} == {torch.float32}


def test_length_grouped_batches_train_with_less_padding(workdir: Path) -> None:
    run_pretraining(_config(workdir, "run-grouped", "train.group_by_length=true", "train.max_steps=12"), resume=False)
    logs = [row for row in summary_logs(workdir / "run-grouped") if "loss" in row]
    assert logs[-1]["loss"] < logs[0]["loss"]
    assert logs[-1]["num_input_tokens_seen"] > 0


def summary_logs(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "log_history.jsonl").read_text().splitlines()]


class _StopAt(TrainerCallback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step >= self.step:
            control.should_training_stop = True
        return control


def test_resume_after_interruption_is_exact(workdir: Path) -> None:
    run_pretraining(_config(workdir, "run-straight"), resume=False)
    run_pretraining(_config(workdir, "run-interrupted"), resume=False, callbacks=[_StopAt(4)])
    assert (workdir / "run-interrupted" / "checkpoint-4").is_dir()
    summary = run_pretraining(_config(workdir, "run-interrupted"), resume=True)
    assert summary["resumed_from"].endswith("checkpoint-4") and summary["steps"] == 8

    straight = {r["step"]: r["loss"] for r in summary_logs(workdir / "run-straight") if "loss" in r}
    resumed = {r["step"]: r["loss"] for r in summary_logs(workdir / "run-interrupted") if "loss" in r}
    for step in (6, 8):
        assert resumed[step] == pytest.approx(straight[step], rel=1e-4)
    a = load_file(workdir / "run-straight" / "final" / "model.safetensors")
    b = load_file(workdir / "run-interrupted" / "final" / "model.safetensors")
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-4, atol=1e-5)


def _torchrun(workdir: Path, config: PretrainConfig, port: int) -> subprocess.CompletedProcess:
    """`kpfnlp pretrain` with `config` as 2 gloo processes under torchrun."""
    (workdir / "empty.yaml").write_text("{}\n")
    overrides = [f"{k}={v}" for k, v in _flat(config)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        f"--master_port={port}",
        "-m",
        "kpfnlp",
        "pretrain",
        "--config",
        str(workdir / "empty.yaml"),
        "--no-resume",
        *overrides,
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=workdir)


@pytest.mark.parametrize("grouped", [False, True], ids=["shuffled", "length-grouped"])
def test_two_process_ddp_matches_single_process(workdir: Path, grouped: bool) -> None:
    group = f"train.group_by_length={str(grouped).lower()}"
    name = "grouped" if grouped else "plain"
    single = _config(workdir, f"run-single-{name}", "train.max_steps=4", "train.per_device_batch_size=8", group)
    run_pretraining(single, resume=False)
    ddp = _config(workdir, f"run-ddp-{name}", "train.max_steps=4", "train.per_device_batch_size=4", group)
    proc = _torchrun(workdir, ddp, 29517 + int(grouped))
    assert proc.returncode == 0, proc.stderr[-3000:]
    a = load_file(workdir / f"run-single-{name}" / "final" / "model.safetensors")
    b = load_file(workdir / f"run-ddp-{name}" / "final" / "model.safetensors")
    diffs = [float((a[n] - b[n]).abs().max()) for n in a]
    assert max(diffs) < 1e-4, f"max weight difference {max(diffs)}"
    single_loss = [r["loss"] for r in summary_logs(workdir / f"run-single-{name}") if "loss" in r]
    ddp_loss = [r["loss"] for r in summary_logs(workdir / f"run-ddp-{name}") if "loss" in r]
    np.testing.assert_allclose(ddp_loss, single_loss, rtol=1e-4)


def test_wall_clock_budget_under_ddp_stops_every_process_at_the_same_step(workdir: Path) -> None:
    """Process 0's clock is broadcast: both processes apply the same learning rate and stop together (a process
    stopping one step early would leave the other waiting in the gradient all-reduce until the timeout)."""
    config = _config(workdir, "run-ddp-clock", "train.max_steps=100000", "train.max_wall_seconds=4",
                     "train.per_device_batch_size=4", "train.save_steps=100000")  # fmt: skip
    proc = _torchrun(workdir, config, 29519)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((workdir / "run-ddp-clock" / "summary.json").read_text())
    assert summary["stopped_by_wall_clock"] and 0 < summary["steps"] < 100000
    BertForPreTraining.from_pretrained(workdir / "run-ddp-clock" / "final")


def test_wall_clock_budget_resumes_where_the_checkpoint_left_it(workdir: Path) -> None:
    """A checkpoint stores the budget time used; the resumed run's clock starts there, so its learning rate goes
    on down the schedule instead of starting over at the peak."""
    clock = ["train.max_wall_seconds=3600", "train.max_steps=8", "train.save_steps=4", "train.logging_steps=1"]
    run_pretraining(_config(workdir, "run-clock-resume", *clock), resume=False, callbacks=[_StopAt(4)])
    checkpoint = workdir / "run-clock-resume" / "checkpoint-4"
    spent = spent_in_checkpoint(checkpoint)
    assert 0 < spent < 3600
    run_pretraining(_config(workdir, "run-clock-none", "train.max_steps=4", "train.save_steps=4"), resume=False)
    assert spent_in_checkpoint(workdir / "run-clock-none" / "checkpoint-4") == 0.0 == spent_in_checkpoint(None)

    state_file = checkpoint / "trainer_state.json"  # as if half the budget had gone by before this checkpoint
    state = json.loads(state_file.read_text())
    state["stateful_callbacks"]["WallClockBudget"]["attributes"]["elapsed_before"] = 1800.0
    state_file.write_text(json.dumps(state))
    summary = run_pretraining(_config(workdir, "run-clock-resume", *clock), resume=True)
    assert summary["resumed_from"].endswith("checkpoint-4")
    assert summary["steps"] == 8 and not summary["stopped_by_wall_clock"]
    # the logged rate is the one a step used; step 5 still runs at the checkpoint's, step 6 on at the resumed clock's
    rates = {r["step"]: r["learning_rate"] for r in summary_logs(workdir / "run-clock-resume") if "learning_rate" in r}
    assert rates[5] == pytest.approx(2e-3, rel=0.01)
    assert rates[6] == pytest.approx(1e-3, rel=0.01) and rates[8] < rates[6]


def _flat(config: PretrainConfig) -> list[tuple[str, object]]:
    out = []
    for section, values in config.to_dict().items():
        for key, value in values.items():
            out.append((f"{section}.{key}", "null" if value is None else value))
    return out


def test_resume_after_sigkill_continues_the_same_run(workdir: Path) -> None:
    """Kill -9 a real `kpfnlp pretrain` process after its first checkpoint; the resumed run ends where an
    uninterrupted run ends (same data order, same masks, same weights)."""
    steps = ["train.max_steps=24", "train.save_steps=4", "train.logging_steps=4"]
    run_pretraining(_config(workdir, "run-nokill", *steps), resume=False)
    (workdir / "empty.yaml").write_text("{}\n")
    overrides = [f"{k}={v}" for k, v in _flat(_config(workdir, "run-killed", *steps))]
    command = [sys.executable, "-m", "kpfnlp", "pretrain", "--config", str(workdir / "empty.yaml"), *overrides]
    # the killed process computes with this process's thread count: another count sums in another order, and 20
    # Adam steps turn that rounding into weight differences of ~1e-5 (seen on a loaded 2-core machine)
    env = {**os.environ, "OMP_NUM_THREADS": str(torch.get_num_threads())}
    proc = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    first = workdir / "run-killed" / "checkpoint-4" / "trainer_state.json"
    # kill only once the state file is whole: one caught mid-write is a partial checkpoint, which resume skips
    while (
        last_complete_checkpoint(workdir / "run-killed") is None and proc.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert first.exists(), "the run never wrote its first checkpoint"
    assert not (workdir / "run-killed" / "final").exists(), "killed too late: the run had already finished"

    summary = run_pretraining(_config(workdir, "run-killed", *steps), resume=True)
    assert summary["resumed_from"] is not None and summary["steps"] == 24
    a = load_file(workdir / "run-nokill" / "final" / "model.safetensors")
    b = load_file(workdir / "run-killed" / "final" / "model.safetensors")
    for name in a:
        torch.testing.assert_close(a[name], b[name], rtol=1e-4, atol=1e-5)


def test_partial_checkpoints_are_skipped(tmp_path: Path) -> None:
    for step, complete in ((4, True), (8, True), (12, False)):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"")
        if complete:
            (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    (tmp_path / "checkpoint-16").mkdir()
    (tmp_path / "checkpoint-16" / "trainer_state.json").write_text('{"global_st')  # killed mid-write
    assert last_complete_checkpoint(tmp_path) == str(tmp_path / "checkpoint-8")
    assert last_complete_checkpoint(tmp_path / "missing") is None


def test_report_plots_a_finished_and_a_running_run(workdir: Path, tmp_path: Path) -> None:
    run_pretraining(_config(workdir, "run-report", "train.max_steps=8", "train.eval_steps=4"), resume=False)
    result = CliRunner().invoke(app, ["pretrain-report", str(workdir / "run-report"), "--png", str(tmp_path / "c.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert '"eval_mlm_accuracy"' in result.output
    (workdir / "run-report" / "log_history.jsonl").unlink()  # a run still going: read its newest checkpoint
    assert any("loss" in row for row in read_log_history(workdir / "run-report"))


def test_pretrain_eval_scores_a_checkpoint_on_a_corpus(workdir: Path) -> None:
    run_pretraining(_config(workdir, "run-evalcmd", "train.max_steps=4"), resume=False)
    result = CliRunner().invoke(
        app, ["pretrain-eval", str(workdir / "run-evalcmd" / "final"), "--corpus", str(workdir / "heldout.yaml")]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output[result.output.index("{") :])
    assert 0 <= metrics["eval_mlm_accuracy"] <= 1 and 0 <= metrics["eval_nsp_accuracy"] <= 1
    assert metrics["eval_examples"] > 20
