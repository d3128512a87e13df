"""Korean news text: normalisation, news-noise removal and sentence splitting."""

from kpfnlp.text.noise import clean_news, is_noise_sentence, strip_noise
from kpfnlp.text.normalize import normalize_text, normalize_whitespace, strip_html
from kpfnlp.text.sentences import BACKENDS, SentenceSplitter, rule_boundaries, split_sentences

__all__ = [
    "BACKENDS",
    "SentenceSplitter",
    "clean_news",
    "is_noise_sentence",
    "normalize_text",
    "normalize_whitespace",
    "rule_boundaries",
    "split_sentences",
    "strip_html",
    "strip_noise",
]
