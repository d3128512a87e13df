"""The masked-only MLM head gives BertForPreTraining's loss, and checkpoints load as plain HF BERT classes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertForPreTraining, BertModel

from kpfnlp.pretraining.config import MODEL_PRESETS
from kpfnlp.pretraining.model import BertForPreTrainingMasked, build_model


def _batch(vocab: int = 300) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    input_ids = torch.randint(5, vocab, (4, 24), generator=g)
    labels = torch.full_like(input_ids, -100)
    pick = torch.rand(4, 24, generator=g) < 0.15
    pick[:, 1] = True
    labels[pick] = input_ids[pick]
    attention = torch.ones_like(input_ids)
    attention[2, 18:] = 0
    labels[2, 18:] = -100
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "token_type_ids": torch.zeros_like(input_ids),
        "labels": labels,
        "next_sentence_label": torch.tensor([0, 1, 1, 0]),
    }


def test_masked_only_loss_equals_full_loss() -> None:
    torch.manual_seed(0)
    model = build_model(MODEL_PRESETS["tiny"], vocab_size=300, pad_id=0, attn_implementation="eager").eval()
    reference = BertForPreTraining(model.config).eval()
    reference.load_state_dict(model.state_dict())
    batch = _batch()
    ours = model(**batch)
    theirs = reference(**batch)
    assert torch.allclose(ours.loss, theirs.loss, atol=1e-5)
    assert ours.mlm_logits.shape[0] == int((batch["labels"] != -100).sum())
    assert int(ours.mlm_count) == int((batch["labels"] != -100).sum())
    assert int(ours.nsp_count) == 4


def test_global_normalisation_splits_exactly() -> None:
    """Two half-batches normalised by the global counts sum to the full batch's loss (the DDP/GA invariant)."""
    torch.manual_seed(0)
    model = build_model(MODEL_PRESETS["tiny"], vocab_size=300, pad_id=0).eval()
    batch = _batch()
    full = model(**batch).loss
    n_items = int((batch["labels"] != -100).sum())
    halves = [
        model(**{k: v[s] for k, v in batch.items()}, num_items_in_batch=n_items, num_sequences_in_batch=4).loss
        for s in (slice(0, 2), slice(2, 4))
    ]
    assert torch.allclose(full, halves[0] + halves[1], atol=1e-5)


def test_saved_directory_is_plain_bert(tmp_path: Path) -> None:
    model = build_model(MODEL_PRESETS["tiny"], vocab_size=300, pad_id=0)
    model.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["architectures"] == ["BertForPreTraining"]
    assert (tmp_path / "model.safetensors").is_file()
    pre = BertForPreTraining.from_pretrained(tmp_path)
    assert torch.equal(pre.cls.seq_relationship.weight, model.cls.seq_relationship.weight)
    encoder = BertModel.from_pretrained(tmp_path)
    assert encoder.pooler is not None
    assert torch.equal(encoder.pooler.dense.weight, model.bert.pooler.dense.weight)
    again = BertForPreTrainingMasked.from_pretrained(tmp_path)
    assert torch.equal(again.cls.predictions.decoder.weight, model.bert.embeddings.word_embeddings.weight)


def test_device_settings_pick_gpu_path_by_themselves() -> None:
    from kpfnlp.pretraining.trainer import device_settings

    gpu = device_settings("auto", None, on_gpu=True, bf16_supported=True, distributed=True)
    assert gpu == {
        "bf16": True,
        "optim": "adamw_torch_fused",
        "dataloader_pin_memory": True,
        "ddp_backend": "nccl",
        "use_cpu": False,
    }
    cpu = device_settings("auto", None, on_gpu=False, bf16_supported=False, distributed=True)
    assert cpu == {
        "bf16": False,
        "optim": "adamw_torch",
        "dataloader_pin_memory": False,
        "ddp_backend": "gloo",
        "use_cpu": True,
    }
    assert device_settings("auto", None, on_gpu=True, bf16_supported=False, distributed=False)["bf16"] is False
    # an AMX CPU gets bf16 autocast, still with plain AdamW and gloo
    amx = device_settings("auto", None, on_gpu=False, bf16_supported=True, distributed=False)
    assert amx["bf16"] is True and amx["use_cpu"] is True and amx["optim"] == "adamw_torch"
    assert device_settings("fp32", None, on_gpu=False, bf16_supported=True, distributed=False)["bf16"] is False
    assert device_settings("fp32", None, on_gpu=True, bf16_supported=True, distributed=False)["ddp_backend"] is None
    with pytest.raises(ValueError, match="precision"):
        device_settings("fp8", None, on_gpu=True, bf16_supported=True, distributed=False)


def test_continued_model_keeps_weights_but_takes_the_configured_dropout(tmp_path: Path) -> None:
    released = build_model({**MODEL_PRESETS["tiny"], "hidden_dropout_prob": 0.1}, vocab_size=300, pad_id=0)
    released.half().save_pretrained(tmp_path)  # releases ship fp16 weights with dropout 0.1 in the config
    values = {**MODEL_PRESETS["tiny"], "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}
    continued = build_model(values, vocab_size=300, pad_id=0, init_from=str(tmp_path))
    assert continued.config.hidden_dropout_prob == 0.0 and continued.config.attention_probs_dropout_prob == 0.0
    assert continued.bert.embeddings.word_embeddings.weight.dtype == torch.float32
    assert torch.equal(
        continued.bert.embeddings.word_embeddings.weight, released.bert.embeddings.word_embeddings.weight.float()
    )


def test_length_grouped_sampler_fills_batches_and_is_reproducible() -> None:
    from kpfnlp.pretraining.trainer import EpochShuffleSampler, LengthGroupedEpochSampler

    rng = np.random.default_rng(0)
    lengths = np.where(rng.random(10_003) < 0.5, rng.integers(10, 40, 10_003), 128)  # reviews beside articles
    sampler = LengthGroupedEpochSampler(lengths, batch_size=64, seed=3)
    order = list(sampler)
    assert sorted(order) == list(range(len(lengths)))  # every instance once per epoch
    assert order == list(sampler)  # the same (seed, epoch), the same order: exact resume
    sampler.set_epoch(1)
    assert list(sampler) != order

    def fill(indices: list[int]) -> float:
        batches = [lengths[indices[i : i + 64]] for i in range(0, len(indices), 64)]
        return sum(b.sum() for b in batches) / sum(b.max() * len(b) for b in batches)

    shuffled = fill(list(EpochShuffleSampler(len(lengths), seed=3)))
    grouped = fill(order)
    assert shuffled < 0.7 and grouped > 0.95, (shuffled, grouped)
    # only the last batch may be partial, so the DataLoader's batch boundaries are the sampler's
    assert len(order) % 64 == 10_003 % 64
    with pytest.raises(ValueError, match="batch_size"):
        LengthGroupedEpochSampler(lengths, batch_size=0, seed=3)
