"""Grow a trained backbone deeper by copying its layers (depth up-scaling), as the start of a new pretraining run.

A wider-or-deeper model trained from scratch on a 2-core CPU never catches up with the years of CPU time in the
bundled `mini`; a deeper copy of it starts close to where `mini` is and only has to learn what the extra layers
can add (stacking, Gong et al. 2019; SOLAR's depth up-scaling, Kim et al. 2023). `layer_map[i]` names the source
layer that new layer `i` is copied from; embeddings, pooler and both pretraining heads are copied unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from kpfnlp.backbone import copy_tokenizer_files

_LAYERS = "bert.encoder.layer."  # state-dict prefix of the encoder layers


def parse_layer_map(text: str) -> list[int]:
    """`"0,1,2,3,2,3"` -> [0, 1, 2, 3, 2, 3] (0-based source layer indices)."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise ValueError(f"layer map must be comma-separated integers, got {text!r}") from err
    if not values:
        raise ValueError("layer map is empty")
    return values


def grow_state_dict(
    state: dict[str, torch.Tensor], layer_map: list[int], source_layers: int
) -> dict[str, torch.Tensor]:
    """The state dict of the grown model: every non-layer tensor as is, layer `i` from source layer `layer_map[i]`."""
    bad = [i for i in layer_map if not 0 <= i < source_layers]
    if bad:
        raise ValueError(f"layer map names layers {bad}; the source has layers 0..{source_layers - 1}")
    grown = {key: tensor for key, tensor in state.items() if not key.startswith(_LAYERS)}
    for new_index, source_index in enumerate(layer_map):
        prefix = f"{_LAYERS}{source_index}."
        for key, tensor in state.items():
            if key.startswith(prefix):
                grown[f"{_LAYERS}{new_index}.{key[len(prefix) :]}"] = tensor.clone()
    return grown


def grow_backbone(source: str | Path, target: str | Path, layer_map: list[int]) -> Path:
    """Write `source` (a BERT directory with both pretraining heads) grown to `len(layer_map)` layers into `target`
    in fp32, with the tokenizer files and a `kpfnlp.json` that records where it came from."""
    from transformers import BertConfig, BertForPreTraining

    source, target = Path(source), Path(target)
    model = BertForPreTraining.from_pretrained(source, dtype=torch.float32)
    config: BertConfig = model.config
    source_layers = config.num_hidden_layers
    state = grow_state_dict(model.state_dict(), layer_map, source_layers)
    config.num_hidden_layers = len(layer_map)
    grown = BertForPreTraining(config)
    grown.load_state_dict(state)  # strict: every tensor of the deeper model is set
    target.mkdir(parents=True, exist_ok=True)
    grown.save_pretrained(target)
    copy_tokenizer_files(source, target)
    facts_path = source / "kpfnlp.json"
    facts = json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.is_file() else {}
    kept = {k: facts[k] for k in ("trained_positions",) if k in facts}
    kept["grown_from"] = {"source": str(source), "source_layers": source_layers, "layer_map": layer_map}
    (target / "kpfnlp.json").write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
