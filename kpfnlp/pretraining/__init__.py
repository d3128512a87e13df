"""MLM+NSP pretraining: configs, instance building, token shards, dynamic masking, the model and the Trainer loop.

Stages, in data-flow order: `prepare` (corpus -> sentences -> ids -> `examples` -> `shards`), then `trainer`
(`dataset` applies `masking` per epoch; `model` computes MLM logits at masked positions only).
"""

from kpfnlp.pretraining.config import MODEL_PRESETS, DataConfig, ModelConfig, PretrainConfig, TrainConfig

__all__ = ["MODEL_PRESETS", "DataConfig", "ModelConfig", "PretrainConfig", "TrainConfig"]
