"""Cluster keywords by class-based TF-IDF over Kiwi nouns.

c-TF-IDF (BERTopic): W(t, c) = tf(t, c) / |c| * log(1 + A / f(t)), with tf(t, c) the count of term t in the
concatenated texts of cluster c, |c| the number of terms in c, f(t) the count of t over all clusters and A the
average number of terms per cluster. kpfSBERT_Clustering used log(m / f(t)) with m the number of *documents*
(so common terms could even get negative weights) and whitespace tokens with English stop words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

Tokenizer = Callable[[str], list[str]]
NOUN_TAGS = ("NNG", "NNP", "SL", "SH")  # common and proper nouns, Latin and Hanja words
MAX_KEYWORD_CHARS = 20  # longer "nouns" are run-together junk (a 100k-character headline of one syllable), not words


class KiwiNounTokenizer:
    """Nouns (and Latin/Hanja words) of a text by Kiwi; single-syllable common nouns are dropped as too vague."""

    def __init__(self) -> None:
        from kpfnlp.text.sentences import shared_kiwi

        self.kiwi = shared_kiwi()  # a new Kiwi costs ~1.8 s to load and warm up; one per process

    def __call__(self, text: str) -> list[str]:
        return self._nouns(self.kiwi.tokenize(text))

    def batch(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokenize many texts (Kiwi's batched path)."""
        return [self._nouns(tokens) for tokens in self.kiwi.tokenize(list(texts))]

    @staticmethod
    def _nouns(tokens) -> list[str]:
        return [
            t.form for t in tokens
            if t.tag in NOUN_TAGS and (len(t.form) > 1 or t.tag == "NNP") and len(t.form) <= MAX_KEYWORD_CHARS
        ]  # fmt: skip


def class_tfidf(tokens_per_class: dict[int, list[str]]) -> dict[int, dict[str, float]]:
    """c-TF-IDF weight of every term in every class (formula in the module docstring)."""
    counts = {c: Counter(tokens) for c, tokens in tokens_per_class.items()}
    total = Counter()
    for counter in counts.values():
        total.update(counter)
    sizes = {c: sum(counter.values()) for c, counter in counts.items()}
    average = float(np.mean([s for s in sizes.values()])) if sizes else 0.0
    return {
        c: {t: n / sizes[c] * float(np.log(1 + average / total[t])) for t, n in counter.items()}
        for c, counter in counts.items()
    }


class ClassTfidfKeywords:
    """Top-n c-TF-IDF terms per cluster (noise, -1, takes part in the statistics but gets no keywords)."""

    def __init__(self, top_n: int = 5, tokenizer: Tokenizer | None = None) -> None:
        self.top_n = top_n
        self.tokenizer = tokenizer

    def extract(self, texts: Sequence[str], labels: Sequence[int]) -> dict[int, list[str]]:
        """Cluster id -> its keywords, best first (ties broken alphabetically)."""
        tokenizer = self.tokenizer or KiwiNounTokenizer()
        tokenized = tokenizer.batch(texts) if hasattr(tokenizer, "batch") else [tokenizer(t) for t in texts]
        per_class: dict[int, list[str]] = {}
        for tokens, label in zip(tokenized, labels, strict=True):
            per_class.setdefault(int(label), []).extend(tokens)
        weights = class_tfidf(per_class)
        return {
            c: [t for t, _ in sorted(w.items(), key=lambda kv: (-kv[1], kv[0]))[: self.top_n]]
            for c, w in weights.items()
            if c != -1
        }
