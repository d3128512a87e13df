"""Depth up-scaling: the grown backbone copies the mapped layers exactly, loads as HF BERT, and bad maps are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import build_tiny_bert
from transformers import BertForPreTraining
from typer.testing import CliRunner

from kpfnlp.cli import app
from kpfnlp.pretraining.grow import grow_backbone, parse_layer_map

TEXTS = ["정부가 오늘 새 정책을 발표했다.", "서울 아파트 값이 올랐다.", "대표팀이 결승에 진출했다."] * 5


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("source")
    build_tiny_bert(out, TEXTS, 120, pretraining=True, num_hidden_layers=3)
    (out / "kpfnlp.json").write_text(json.dumps({"trained_positions": 64, "steps": 9}), encoding="utf-8")
    return out


def test_grown_layers_are_copies_of_the_mapped_source_layers(source: Path, tmp_path: Path) -> None:
    grow_backbone(source, tmp_path / "grown", [0, 1, 2, 1, 2])
    before = BertForPreTraining.from_pretrained(source, dtype=torch.float32)
    after = BertForPreTraining.from_pretrained(tmp_path / "grown", dtype=torch.float32)
    assert after.config.num_hidden_layers == 5
    for new, old in enumerate([0, 1, 2, 1, 2]):
        new_state = after.bert.encoder.layer[new].state_dict()
        old_state = before.bert.encoder.layer[old].state_dict()
        assert new_state.keys() == old_state.keys()
        assert all(torch.equal(new_state[k], old_state[k]) for k in new_state)
    # everything outside the encoder layers is unchanged
    assert torch.equal(after.bert.embeddings.word_embeddings.weight, before.bert.embeddings.word_embeddings.weight)
    assert torch.equal(after.cls.seq_relationship.weight, before.cls.seq_relationship.weight)
    assert torch.equal(after.bert.pooler.dense.weight, before.bert.pooler.dense.weight)
    facts = json.loads((tmp_path / "grown" / "kpfnlp.json").read_text(encoding="utf-8"))
    assert facts["trained_positions"] == 64 and "steps" not in facts
    assert facts["grown_from"]["layer_map"] == [0, 1, 2, 1, 2] and facts["grown_from"]["source_layers"] == 3
    assert (tmp_path / "grown" / "vocab.txt").is_file()


def test_identity_map_computes_the_same_function(source: Path, tmp_path: Path) -> None:
    grow_backbone(source, tmp_path / "same", [0, 1, 2])
    ids = torch.tensor([[2, 10, 11, 12, 3]])
    before = BertForPreTraining.from_pretrained(source, dtype=torch.float32).eval()
    after = BertForPreTraining.from_pretrained(tmp_path / "same", dtype=torch.float32).eval()
    with torch.no_grad():
        assert torch.allclose(before(input_ids=ids).prediction_logits, after(input_ids=ids).prediction_logits)


def test_bad_layer_maps_are_refused(source: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="layers \\[3\\]"):
        grow_backbone(source, tmp_path / "bad", [0, 1, 3])
    with pytest.raises(ValueError, match="integers"):
        parse_layer_map("0,one")
    with pytest.raises(ValueError, match="empty"):
        parse_layer_map(" , ")
    result = CliRunner().invoke(app, ["grow-backbone", str(source), str(tmp_path / "cli"), "--layers", "0,7"])
    assert result.exit_code != 0 and "0..2" in result.output
    assert not (tmp_path / "cli" / "config.json").exists()


def test_cli_writes_a_deeper_backbone(source: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["grow-backbone", str(source), str(tmp_path / "deep"), "--layers", "0,1,2,2"])
    assert result.exit_code == 0, result.output
    assert "4 layers" in result.output
    assert json.loads((tmp_path / "deep" / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"] == 4
