"""SBERT-style sentence encoder: model wrapper, KLUE/KorSTS readers, NLI -> STS training, STS evaluation."""

from kpfnlp.encoder.config import EncoderConfig, StageConfig
from kpfnlp.encoder.data import STSPair, Triplet, nli_triplets, read_klue_sts_pairs, read_korsts, read_sts
from kpfnlp.encoder.model import BUNDLED_ENCODER, SentenceEncoder
from kpfnlp.encoder.sts import TfidfCharEmbedder, evaluate_sts, pair_cosines, sts_metrics

__all__ = [
    "BUNDLED_ENCODER",
    "EncoderConfig",
    "STSPair",
    "SentenceEncoder",
    "StageConfig",
    "TfidfCharEmbedder",
    "Triplet",
    "evaluate_sts",
    "nli_triplets",
    "pair_cosines",
    "read_klue_sts_pairs",
    "read_korsts",
    "read_sts",
    "sts_metrics",
]
