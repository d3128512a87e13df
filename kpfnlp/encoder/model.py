"""`SentenceEncoder`: a sentence-transformers model (BERT + mean pooling + L2 normalisation) with a small API.

The directory it saves is a standard sentence-transformers directory, so `SentenceTransformer(path)` loads it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kpfnlp.paths import PACKAGE_DIR

BUNDLED_ENCODER = PACKAGE_DIR / "models" / "kpfnlp-mini-sbert"  # the shipped fp16 encoder (once trained)


class SentenceEncoder:
    """Embeds texts as unit-length float32 vectors; cosine similarity is a dot product."""

    def __init__(self, model) -> None:
        self.model = model  # a sentence_transformers.SentenceTransformer
        self.int8 = False

    @classmethod
    def from_backbone(cls, backbone: str | Path, max_seq_length: int = 128) -> SentenceEncoder:
        """Build an untrained encoder from any HF BERT directory: Transformer -> mean Pooling -> Normalize."""
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

        if not (Path(backbone) / "config.json").is_file():
            raise FileNotFoundError(f"{backbone}: not a model directory (no config.json)")
        transformer = Transformer(str(backbone), max_seq_length=max_seq_length)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        return cls(SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu"))

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | None = None, int8: bool = False) -> SentenceEncoder:
        """Load a saved encoder directory (default: the bundled encoder); one that shares the backbone's word
        embeddings (`kpfnlp.encoder.bundle`) is materialized into the cache first. `int8`: see `quantize_int8`."""
        from sentence_transformers import SentenceTransformer

        from kpfnlp.encoder.bundle import materialize

        path = Path(path) if path is not None else BUNDLED_ENCODER
        if not (path / "modules.json").is_file():
            hint = (
                " (no encoder is bundled yet: train one with `kpfnlp train-encoder`)" if path == BUNDLED_ENCODER else ""
            )
            raise FileNotFoundError(f"{path}: not a sentence-transformers directory{hint}")
        model = SentenceTransformer(str(materialize(path)), device=device or "cpu")
        model.float()  # the bundled copy is stored in fp16; fp32 is the fast path on CPU
        encoder = cls(model)
        return encoder.quantize_int8() if int8 else encoder

    def quantize_int8(self) -> SentenceEncoder:
        """Int8 linear layers for CPU inference (`kpfnlp.int8`), in place: 3.1x faster embedding of headlines on
        2 cores for 0.08-0.17 less STS Spearman (docs/benchmarks.md). An int8 encoder embeds only: no training,
        no saving."""
        from kpfnlp.int8 import quantize_linears

        quantize_linears(self.model)
        self.int8 = True
        return self

    @property
    def dimension(self) -> int:
        """Embedding size."""
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (a (0, dimension) array for no texts).

        A single string is one text, not a sequence of characters: a 1-D vector, as `SentenceTransformer.encode`.
        """
        if isinstance(texts, str):
            return self.encode([texts], batch_size, show_progress)[0]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, show_progress_bar=show_progress, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def save(self, path: str | Path, fp16: bool = False) -> Path:
        """Save as a sentence-transformers directory; `fp16` halves the weights for bundling."""
        from kpfnlp.backbone import update_config

        if self.int8:
            raise ValueError("an int8 encoder embeds only; save the fp32 encoder it was loaded from")
        path = Path(path)
        if fp16:
            self.model.half()
        self.model.save(str(path), create_model_card=False)
        if fp16:
            self.model.float()
            update_config(path, dtype="float32")  # as the backbone release: loaders upcast the fp16 weights
        return path
