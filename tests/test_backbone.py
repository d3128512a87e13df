"""Backbone release: fp16 on disk, fp32 when loaded (by us and by plain transformers), heads and pooler kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from transformers import AutoModel, BertForPreTraining

from kpfnlp.backbone import backbone_path, export_backbone, load_backbone, tile_position_embeddings
from kpfnlp.pretraining.config import MODEL_PRESETS
from kpfnlp.pretraining.model import build_model
from kpfnlp.tokenizer import train_wordpiece

TEXTS = [
    "정부는 내년 예산안을 국회에 제출했다.",
    "한국은행은 기준금리를 동결했다.",
    "서울 시민들이 광장에 모였다.",
] * 20


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("backbone")
    train_wordpiece(TEXTS, root / "src", vocab_size=200, min_frequency=1)
    torch.manual_seed(0)
    build_model(MODEL_PRESETS["tiny"], vocab_size=200, pad_id=0).save_pretrained(root / "src")
    return root / "src"


def test_export_is_fp16_on_disk_and_fp32_when_loaded(trained: Path, tmp_path: Path) -> None:
    release = export_backbone(trained, tmp_path / "rel", extra={"steps": 7})
    assert json.loads((release / "kpfnlp.json").read_text())["steps"] == 7
    assert (release / "vocab.txt").is_file()
    with safe_open(release / "model.safetensors", "pt") as f:
        assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}  # noqa: SIM118 (safe_open is no dict)
    model, tokenizer = load_backbone(release)
    assert next(model.parameters()).dtype == torch.float32
    assert model.pooler is not None
    plain = AutoModel.from_pretrained(release)  # transformers' default dtype="auto" must give fp32 too
    assert next(plain.parameters()).dtype == torch.float32
    heads, _ = load_backbone(release, heads=True)
    original = BertForPreTraining.from_pretrained(trained).eval()
    batch = tokenizer(["정부는 예산안을 제출했다."], return_tensors="pt")
    with torch.no_grad():
        a = original(**batch).seq_relationship_logits
        b = heads(**batch).seq_relationship_logits
    torch.testing.assert_close(a, b, atol=2e-2, rtol=2e-2)  # fp16 rounding of the weights only


def test_export_writes_fine_tuning_dropout(trained: Path, tmp_path: Path) -> None:
    source = json.loads((trained / "config.json").read_text())
    config = json.loads((export_backbone(trained, tmp_path / "a", dropout=0.05) / "config.json").read_text())
    assert config["hidden_dropout_prob"] == config["attention_probs_dropout_prob"] == 0.05
    kept = json.loads((export_backbone(trained, tmp_path / "b", dropout=None) / "config.json").read_text())
    assert kept["hidden_dropout_prob"] == source["hidden_dropout_prob"] != 0.05


def test_missing_backbone_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Hugging Face BERT directory"):
        backbone_path(tmp_path)


def test_bundled_backbone_is_the_default_and_has_learned_something() -> None:
    model, tokenizer = load_backbone(heads=True)
    assert model.config.hidden_size == 256 and model.config.num_hidden_layers == 4
    assert len(tokenizer) == model.config.vocab_size == 24_000
    assert next(model.parameters()).dtype == torch.float32
    assert all(f.stat().st_size < 16 * 2**20 for f in backbone_path().glob("*.safetensors"))
    facts = json.loads((backbone_path() / "kpfnlp.json").read_text(encoding="utf-8"))
    assert facts["steps"] > 0 and 0 < facts["heldout_news"]["eval_mlm_accuracy"] < 1
    text = "정부는 내년 예산안을 국회에 제출했다고 밝혔다."
    batch = tokenizer([text], return_tensors="pt")
    labels = batch["input_ids"].clone()
    masked = batch["input_ids"].clone()
    masked[0, 1:-1:3] = tokenizer.mask_token_id  # every third token
    labels[masked != tokenizer.mask_token_id] = -100
    with torch.no_grad():
        logits = model(input_ids=masked, attention_mask=batch["attention_mask"]).prediction_logits
    loss = torch.nn.functional.cross_entropy(logits[0], labels[0], ignore_index=-100)
    # a random model scores ~ln(24,000) = 10.1 nats per masked token; the pretrained one far less
    assert float(loss) < 8.0


def test_tile_position_embeddings_copies_the_trained_rows() -> None:
    from transformers import BertConfig, BertModel

    model = BertModel(BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                 intermediate_size=16, max_position_embeddings=10))  # fmt: skip
    table = model.embeddings.position_embeddings.weight
    first = table[:4].detach().clone()
    assert tile_position_embeddings(model, 4) == 6
    assert torch.equal(table[4:8], first) and torch.equal(table[8:10], first[:2]) and torch.equal(table[:4], first)
    with pytest.raises(ValueError, match=r"1\.\.10"):
        tile_position_embeddings(model, 11)
