"""Recipes load from YAML, presets resolve, and overrides are parsed and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpfnlp.paths import REPO_ROOT
from kpfnlp.pretraining.config import MODEL_PRESETS, PretrainConfig


@pytest.mark.parametrize("name", ["tiny", "mini", "small", "base"])
def test_every_shipped_recipe_loads(name: str) -> None:
    config = PretrainConfig.load(REPO_ROOT / "training" / "configs" / f"{name}.yaml")
    assert config.model.preset == name
    assert config.model.resolved()["hidden_size"] == MODEL_PRESETS[name]["hidden_size"]
    assert config.data.max_seq_len <= config.model.resolved()["max_position_embeddings"]


def test_base_is_kpfbert_shape_and_mini_is_cpu_sized() -> None:
    assert MODEL_PRESETS["base"] == {
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
    }
    assert MODEL_PRESETS["mini"]["num_hidden_layers"] == 4 and MODEL_PRESETS["mini"]["hidden_size"] == 256


def test_overrides_are_typed() -> None:
    config = PretrainConfig.load(
        None,
        [
            "train.learning_rate=2e-3",
            "train.max_steps=7",
            "model.hidden_size=128",
            "data.heldout_corpus=null",
            "train.whole_word_masking=true",
        ],
    )
    assert config.train.learning_rate == pytest.approx(0.002) and isinstance(config.train.learning_rate, float)
    assert config.train.max_steps == 7
    assert config.model.resolved()["hidden_size"] == 128
    assert config.data.heldout_corpus is None
    assert config.train.whole_word_masking is True


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("train.max_step=3", "TrainConfig has no field 'max_step'"),
        ("nope.x=1", "no field 'nope'"),
        ("max_steps=3", "no field 'max_steps'"),
        ("train=3", "is a section"),
        ("train.max_steps.x=3", "is a value"),
        ("no-equals-sign", "key=value"),
    ],
)
def test_bad_overrides_are_explained(override: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PretrainConfig.load(None, [override])


def test_unknown_yaml_keys_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("train:\n  max_stpes: 10\n", encoding="utf-8")
    with pytest.raises(ValueError, match="max_stpes"):
        PretrainConfig.load(path)
    with pytest.raises(ValueError, match="unknown model preset"):
        PretrainConfig.load(None, ["model.preset=huge"]).model.resolved()
