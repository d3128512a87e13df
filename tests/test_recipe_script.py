"""The one-command retraining recipe skips the pretraining stages a newer checkpoint has already passed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "training" / "recipes" / "mini-cpu.sh"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("newest", "overrides", "continued", "expected"),
    [
        (None, "", False, ["2500", "6000", "8500", "12000", "16000", "20000"]),
        (6000, "", False, ["8500", "12000", "16000", "20000"]),
        (20000, "", False, []),
        (20000, "", True, []),
        (20000, "train.max_steps=24000", True, ["24000"]),  # a longer last stage is not skipped
    ],
)
def test_recipe_runs_only_the_stages_not_yet_reached(
    tmp_path: Path, newest: int | None, overrides: str, continued: bool, expected: list[str]
) -> None:
    run = tmp_path / "run"
    (run / "tokenizer").mkdir(parents=True)
    (run / "tokenizer" / "tokenizer.json").write_text("{}")
    (run / "shards" / "train").mkdir(parents=True)
    (run / "shards" / "train" / "meta.json").write_text("{}")
    (run / "pretrain").mkdir()
    if newest is not None:
        (run / "pretrain" / f"checkpoint-{newest}").mkdir()
        (run / "pretrain" / "checkpoint-500").mkdir()  # an older one must not be taken for the newest
    if continued:
        for release in (7, 8, 9, 10):
            (run / f"pretrain-{release}" / "final").mkdir(parents=True)
            (run / f"pretrain-{release}" / "final" / "model.safetensors").write_text("")
    calls = tmp_path / "calls.txt"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "kpfnlp").write_text(f'#!/usr/bin/env bash\necho "$@" >> {calls}\n')
    (fake / "kpfnlp").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "PRETRAIN_OVERRIDES": overrides}
    out = subprocess.run(["bash", str(RECIPE), str(run)], env=env, capture_output=True, text=True, check=True)
    lines = calls.read_text().splitlines() if calls.exists() else []
    stages = [line for line in lines if "configs/mini.yaml" in line]
    assert all(line.startswith("pretrain ") for line in stages)
    assert [line.split("train.max_steps=")[1].split()[0] for line in stages] == expected
    assert out.stdout.count("skipped") == 6 - len(expected) + 4 * continued
    # releases 7 to 10: their own shards, then a run from the previous final weights; nothing once their final
    # model exists
    for release, config, init in (
        (7, "mini-continue", "pretrain"),
        (8, "mini-nsmc", "pretrain-7"),
        (9, "mini-nsmc", "pretrain-8"),
        (10, "mini-nsmc", "pretrain-9"),
    ):
        calls_of_release = [line for line in lines if f"configs/{config}.yaml" in line and f"shards-{release}" in line]
        if continued:
            assert calls_of_release == []
            continue
        prepare, pretrain = calls_of_release
        assert prepare.startswith("prepare-pretraining ") and f"data.shards={run}/shards-{release}" in prepare
        assert pretrain.startswith("pretrain ") and f"model.init_from={run}/{init}/final" in pretrain
        assert f"train.output_dir={run}/pretrain-{release}" in pretrain
        if release == 9:  # new packings and masks of release 8's mix
            assert "data.seed=20261207" in prepare and "data.seed=20261207 train.seed=43" in pretrain
        if release == 10:  # new packings and masks again, 80 minutes
            assert "data.seed=20261208" in prepare and "data.seed=20261208 train.seed=44" in pretrain
            assert "train.max_wall_seconds=4800" in pretrain


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_nsmc_pair_recipe_runs_both_rows_resumably_and_exports_once(tmp_path: Path) -> None:
    out, calls, fake = tmp_path / "out", tmp_path / "calls.txt", tmp_path / "bin"
    fake.mkdir()
    # the fake export writes the config a real one would, so a rerun must not export again
    (fake / "kpfnlp").write_text(
        f'#!/usr/bin/env bash\necho "$@" >> {calls}\n'
        'if [ "$1" = export-backbone ]; then mkdir -p "$3"; echo {} > "$3/config.json"; fi\n'
    )
    (fake / "kpfnlp").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    recipe = ROOT / "training" / "recipes" / "nsmc-full-pair.sh"
    for _ in range(2):  # the second run is the resume
        subprocess.run(["bash", str(recipe), str(out)], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    lines = calls.read_text().splitlines()
    assert [line for line in lines if line.startswith("export-backbone")] == [
        f"export-backbone kpfnlp/models/kpfnlp-mini {out}/pretrained-d0 --dropout 0"
    ]
    evals = [line for line in lines if line.startswith("eval nsmc")]
    assert len(evals) == 4 and all("--epochs 3" in e and "--max-train-samples" not in e for e in evals)
    pretrained = [e for e in evals if f"--model {out}/pretrained-d0" in e]
    random = [e for e in evals if "--random-init" in e]
    assert len(pretrained) == len(random) == 2
    assert all(f"--checkpoint-dir {out}/ckpt-pretrained" in e for e in pretrained)
    assert all(f"--checkpoint-dir {out}/ckpt-random" in e for e in random)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("random_init", [False, True])
def test_eval_table_recipe_runs_every_task_with_the_table_recipe(tmp_path: Path, random_init: bool) -> None:
    calls, fake = tmp_path / "calls.txt", tmp_path / "bin"
    fake.mkdir()
    (fake / "kpfnlp").write_text(f'#!/usr/bin/env bash\necho "$@" >> {calls}\n')
    (fake / "kpfnlp").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "RANDOM_INIT": "1" if random_init else ""}
    recipe = ROOT / "training" / "recipes" / "eval-table.sh"
    run = subprocess.run(["bash", str(recipe), "M", "row name", str(tmp_path / "o")], env=env, cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = calls.read_text().splitlines()
    assert [line.split()[1] for line in lines[:5]] == ["nsmc", "ynat", "klue-sts", "klue-nli", "korquad"]
    assert all("--model M --name row name" in line and "--learning-rate 1e-4" in line for line in lines[:5])
    assert all(("--random-init" in line) == random_init for line in lines[:5])
    assert "--epochs 1 --max-train-samples 30000" in lines[0] and "--epochs 3" in lines[2]
    assert (
        lines[4].endswith("--epochs 2 --batch-size 12")
        and lines[5] == f"eval table --results {tmp_path}/o --out {tmp_path}/o/table.md"
    )
    assert subprocess.run(["bash", str(recipe)], env=env, cwd=ROOT, capture_output=True).returncode != 0
