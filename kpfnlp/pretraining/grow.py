"""Grow a trained backbone deeper by copying its layers (depth up-scaling), as the start of a new pretraining run.

A wider-or-deeper model trained from scratch on a 2-core CPU never catches up with the years of CPU time in the
bundled `mini`; a deeper copy of it starts close to where `mini` is and only has to learn what the extra layers
can add (stacking, Gong et al. 2019; SOLAR's depth up-scaling, Kim et al. 2023). `layer_map[i]` names the source
layer that new layer `i` is copied from; embeddings, pooler and both pretraining heads are copied unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import torch

from kpfnlp.backbone import copy_tokenizer_files

_LAYER_KEY = re.compile(r"^(bert\.encoder\.layer\.)(\d+)(\..+)$")


def parse_layer_map(text: str) -> list[int]:
    """`"0,1,2,3,2,3"` -> [0, 1, 2, 3, 2, 3] (0-based source layer indices)."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise ValueError(f"layer map must be comma-separated integers, got {text!r}") from err
    if not values:
        raise ValueError("layer map is empty")
    return values


def grow_state_dict(state: dict[str, torch.Tensor], layer_map: list[int], source_layers: int) -> dict[str, Any]:
    """The state dict of the grown model: every non-layer tensor as is, layer `i` from source layer `layer_map[i]`."""
    bad = [i for i in layer_map if not 0 <= i < source_layers]
    if bad:
        raise ValueError(f"layer map names layers {bad}; the source has layers 0..{source_layers - 1}")
    grown: dict[str, Any] = {}
    by_layer: dict[int, dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        match = _LAYER_KEY.match(key)
        if match:
            by_layer.setdefault(int(match.group(2)), {})[match.group(1) + "{}" + match.group(3)] = tensor
        else:
            grown[key] = tensor
    for new_index, source_index in enumerate(layer_map):
        for pattern, tensor in by_layer[source_index].items():
            grown[pattern.format(new_index)] = tensor.clone()
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
    missing, unexpected = grown.load_state_dict(state, strict=False)
    missing = [k for k in missing if "position_ids" not in k]
    if missing or unexpected:
        raise RuntimeError(f"grown state does not fit: missing {missing}, unexpected {unexpected}")
    target.mkdir(parents=True, exist_ok=True)
    grown.save_pretrained(target)
    copy_tokenizer_files(source, target)
    facts_path = source / "kpfnlp.json"
    facts = json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.is_file() else {}
    kept = {k: facts[k] for k in ("trained_positions",) if k in facts}
    kept["grown_from"] = {"source": str(source), "source_layers": source_layers, "layer_map": layer_map}
    (target / "kpfnlp.json").write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
