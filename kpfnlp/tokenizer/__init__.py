"""Our cased Korean WordPiece tokenizer: training (plain or morpheme-aware) and its figures on text."""

from kpfnlp.tokenizer.stats import morpheme_alignment, tokenizer_stats
from kpfnlp.tokenizer.train import SPECIAL_TOKENS, build_pipeline, train_wordpiece

__all__ = ["SPECIAL_TOKENS", "build_pipeline", "morpheme_alignment", "tokenizer_stats", "train_wordpiece"]
