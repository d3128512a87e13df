"""The GPU-lease round trip on a tiny model, on the CPU: pack the shards under the transfer budget, run
`training/recipes/gpu-lease.sh` as the device would (without the packages the device lacks), bring the files
back and complete them into a loadable release; and the wall-clock learning-rate schedule it trains with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import torch
from conftest import build_tiny_bert
from transformers import BertForPreTraining
from typer.testing import CliRunner

from kpfnlp.backbone import TOKENIZER_FILES
from kpfnlp.cli import app
from kpfnlp.paths import REPO_ROOT
from kpfnlp.pretraining import trainer as trainer_module
from kpfnlp.pretraining.config import PretrainConfig
from kpfnlp.pretraining.prepare import prepare_pretraining
from kpfnlp.pretraining.trainer import WallClockBudget
from kpfnlp.pretraining.transfer import FILE_LIMIT, MAX_FILES, pack_shards, travel_size

# distributions the GPU machine's image does not have (its package list: .library/device/KINDS.md); the lease must
# run without them. A sitecustomize shadows site-packages without them, so they are absent to imports and to
# importlib's availability checks alike (transformers probes for `datasets`, `datasets` for `faiss`).
DEVICE_LACKS = ("kiwipiepy", "kss", "mecab", "python_mecab", "datasketch", "hdbscan", "umap", "faiss", "streamlit",
                "plotly", "datasets")  # fmt: skip
SHADOW = f"""
import os, sys, tempfile
lacks = {DEVICE_LACKS!r}
for i, entry in enumerate(sys.path):
    if entry.endswith("site-packages") and os.path.isdir(entry):
        shadow = tempfile.mkdtemp(prefix="device-site-")
        for name in os.listdir(entry):
            if not name.lower().replace("-", "_").startswith(lacks):
                os.symlink(os.path.join(entry, name), os.path.join(shadow, name))
        sys.path[i] = shadow
"""


@pytest.fixture(scope="module")
def lease(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Path:
    """A tiny 'release' to continue from, its shards packed, and the recipe YAML the lease script reads."""
    root = tmp_path_factory.mktemp("lease")
    texts = [json.loads(line)["body"] for line in (samples / "articles.jsonl").read_text().splitlines()[:40]]
    build_tiny_bert(root / "release", texts, vocab_size=600, pretraining=True)
    corpus = REPO_ROOT / "training" / "corpora" / "samples.yaml"
    (root / "lease.yaml").write_text(
        f"model:\n  preset: tiny\n  init_from: {root / 'release'}\n"
        f"data:\n  corpus: {corpus}\n  heldout_corpus: {corpus}\n  tokenizer: {root / 'release'}\n"
        f"  shards: {root / 'shards'}\n  max_seq_len: 64\n"
        "train:\n  per_device_batch_size: 8\n  learning_rate: 1.0e-3\n  warmup_ratio: 0.1\n  max_steps: 100000\n"
        "  logging_steps: 2\n  save_steps: 100000\n  max_eval_examples: 32\n",
        encoding="utf-8",
    )
    prepare_pretraining(PretrainConfig.load(root / "lease.yaml"))
    pack_shards(root / "shards", root / "carry" / "shards.tar.xz")
    return root


def test_wall_clock_schedule_warms_up_decays_to_zero_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(trainer_module.time, "monotonic", lambda: now[0])

    class Control:
        should_training_stop = False

    budget, control = WallClockBudget(seconds=100, warmup=0.1), Control()
    budget.on_train_begin(None, None, control)
    assert budget.lr_multiplier(0) == 0.0  # before the first step ends
    multipliers = []
    for t in (105, 110, 155, 190, 199):
        now[0] = float(t)
        budget.on_step_end(None, None, control)
        multipliers.append(budget.lr_multiplier(0))
    assert multipliers == pytest.approx([0.5, 1.0, 0.5, 1 / 9, 1 / 90])
    assert not control.should_training_stop
    now[0] = 200.0
    budget.on_step_end(None, None, control)
    assert control.should_training_stop and budget.stopped and budget.lr_multiplier(0) == 0.0
    with pytest.raises(ValueError):
        WallClockBudget(seconds=0)


def test_pack_refuses_an_archive_over_budget(lease: Path, tmp_path: Path) -> None:
    archive = tmp_path / "shards.tar.xz"
    with pytest.raises(ValueError, match="over the"):
        pack_shards(lease / "shards", archive, budget=100)
    assert not archive.exists()
    with pytest.raises(FileNotFoundError, match="no train/"):
        pack_shards(tmp_path, archive)
    with tarfile.open(lease / "carry" / "shards.tar.xz") as tar:
        names = tar.getnames()
    assert "shards/train/meta.json" in names and "shards/eval/meta.json" in names


def test_travel_size_counts_what_the_device_tool_sends(tmp_path: Path) -> None:
    run = lambda *args: subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / ".gitignore").write_text("runs/\n")
    (tmp_path / "tracked.txt").write_bytes(b"x" * 1000)
    run("add", "tracked.txt", ".gitignore")
    (tmp_path / "untracked.txt").write_bytes(b"y" * 300)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "pack.bin").write_bytes(b"z" * 5000)
    sizes = travel_size(tmp_path, ["runs"])
    assert sizes["tree"] == 1000 + 300 + len("runs/\n")
    assert sizes["carry"] == {"runs": 5000} and sizes["total"] == sizes["tree"] + 5000


def test_lease_script_round_trip_without_the_packages_the_device_lacks(lease: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(SHADOW, encoding="utf-8")
    out, work = tmp_path / "out", tmp_path / "work"
    out.mkdir()
    env = {
        **os.environ,
        "OUT": str(out),
        "PYTHON": sys.executable,
        "PYTHONPATH": str(blocker),
        "KPFNLP_GPU_WORK": str(work),
        "KPFNLP_GPU_CONFIG": str(lease / "lease.yaml"),
        "KPFNLP_GPU_ARCHIVE": str(lease / "carry" / "shards.tar.xz"),
        "CUDA_VISIBLE_DEVICES": "",
        "OMP_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        ["bash", "training/recipes/gpu-lease.sh", "6"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = sorted(p.name for p in out.iterdir())
    assert len(files) <= MAX_FILES - 1 and all((out / f).stat().st_size <= FILE_LIMIT for f in files)
    assert not set(files) & set(TOKENIZER_FILES) and "log_history.jsonl" in files
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stopped_by_wall_clock"] and 0 < summary["steps"] < 100000
    rates = [r["learning_rate"] for r in map(json.loads, (out / "log_history.jsonl").read_text().splitlines())
             if "learning_rate" in r]  # fmt: skip
    assert max(rates) > 5e-4 and rates[-1] < 0.5 * max(rates)  # warmed up, then decayed with the clock

    release = tmp_path / "release"
    result = CliRunner().invoke(app, ["gpu-import", str(out), str(release), "--tokenizer", str(lease / "release")])
    assert result.exit_code == 0, result.output
    imported = BertForPreTraining.from_pretrained(release, dtype=torch.float32)
    trained = BertForPreTraining.from_pretrained(work / "pretrain" / "final", dtype=torch.float32)
    for (name, a), b in zip(imported.state_dict().items(), trained.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b.half().float(), msg=name)
    start = BertForPreTraining.from_pretrained(lease / "release", dtype=torch.float32)
    assert not torch.equal(start.bert.embeddings.word_embeddings.weight, trained.bert.embeddings.word_embeddings.weight)


def test_import_refuses_a_tokenizer_of_another_vocabulary(lease: Path, tmp_path: Path, samples: Path) -> None:
    other = tmp_path / "other"
    texts = [json.loads(line)["body"] for line in (samples / "articles.jsonl").read_text().splitlines()[:40]]
    build_tiny_bert(other, texts, vocab_size=300)
    result = CliRunner().invoke(app, ["gpu-import", str(lease / "release"), str(tmp_path / "t"), "--tokenizer",
                                      str(other)])  # fmt: skip
    assert result.exit_code != 0 and "vocabulary" in result.output
