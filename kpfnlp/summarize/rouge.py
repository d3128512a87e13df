"""ROUGE-1/2/L F1 on Korean tokens: mecab-ko morphemes (default) or whitespace tokens.

`rouge-score`'s default tokenizer keeps only [a-z0-9] and drops Hangul, so Korean is scored here directly:
n-gram overlap F1 with clipped counts (ROUGE-N) and longest-common-subsequence F1 (ROUGE-L, summary-level
text treated as one sequence). Scores are 0-100.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

Tokenizer = Callable[[str], list[str]]
_PUNCT = re.compile(r"^[^\w]+$")


@lru_cache(maxsize=1)
def _mecab():
    from mecab import MeCab

    return MeCab()


def mecab_tokens(text: str) -> list[str]:
    """mecab-ko morphemes (python-mecab-ko), punctuation dropped: `기준금리를` -> `기준`, `금리`, `를`."""
    return [m for m in _mecab().morphs(text) if not _PUNCT.match(m)]


def whitespace_tokens(text: str) -> list[str]:
    """Whitespace tokens (eojeol) with surrounding punctuation stripped."""
    return [t for t in (re.sub(r"^[^\w]+|[^\w]+$", "", t) for t in text.split()) if t]


TOKENIZERS: dict[str, Tokenizer] = {"mecab": mecab_tokens, "whitespace": whitespace_tokens}


def get_tokenizer(name: str) -> Tokenizer:
    """A ROUGE tokenizer by name: `mecab` (morphemes) or `whitespace`."""
    if name not in TOKENIZERS:
        raise ValueError(f"unknown ROUGE tokenizer {name!r}; choose one of {sorted(TOKENIZERS)}")
    return TOKENIZERS[name]


def ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """Counts of the n-grams of `tokens`."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: float, candidate: int, reference: int) -> float:
    if not overlap or not candidate or not reference:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 100 * 2 * precision * recall / (precision + recall)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """ROUGE-N F1 (0-100) with clipped n-gram counts."""
    cand, ref = ngrams(candidate, n), ngrams(reference, n)
    return _f1(sum((cand & ref).values()), sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a) * len(b)) time, O(len(b)) memory)."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag = 0
        for j, y in enumerate(b, 1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1 (0-100) from the longest common subsequence."""
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


@dataclass(frozen=True)
class RougeScores:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1, each 0-100."""

    rouge1: float
    rouge2: float
    rougeL: float


def rouge(candidate: str, reference: str, tokenizer: str | Tokenizer = "mecab") -> RougeScores:
    """ROUGE-1/2/L F1 of a candidate summary against one reference, on the chosen Korean tokens."""
    tokenize = get_tokenizer(tokenizer) if isinstance(tokenizer, str) else tokenizer
    cand, ref = tokenize(candidate), tokenize(reference)
    return RougeScores(rouge_n(cand, ref, 1), rouge_n(cand, ref, 2), rouge_l(cand, ref))
