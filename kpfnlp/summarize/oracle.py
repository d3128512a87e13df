"""Greedy ROUGE oracle: the sentences of an article that best match a reference summary.

As in BertSum: add, one at a time, the sentence that most raises ROUGE-1 F1 + ROUGE-2 F1 of the selection
against the reference; stop at `k` sentences or (with `stop_early`, used for training labels) when no
sentence raises it. Tokens are computed once per sentence, so labelling is cheap enough for large corpora.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from kpfnlp.summarize.rouge import Tokenizer, get_tokenizer, ngrams


def _f1(overlap: int, candidate: int, reference: int) -> float:
    return 0.0 if not overlap else 2 * overlap / (candidate + reference)


def greedy_oracle(
    sentences: Sequence[str],
    reference: str,
    k: int = 3,
    tokenizer: str | Tokenizer = "mecab",
    stop_early: bool = True,
    exclude: Sequence[int] = (),
) -> list[int]:
    """Indices (ascending) of up to `k` sentences chosen greedily by ROUGE-1 + ROUGE-2 F1 against `reference`."""
    tokenize = get_tokenizer(tokenizer) if isinstance(tokenizer, str) else tokenizer
    ref_tokens = tokenize(reference)
    refs = [ngrams(ref_tokens, 1), ngrams(ref_tokens, 2)]
    sizes = [sum(r.values()) for r in refs]
    sent_grams = [[ngrams(t, 1), ngrams(t, 2)] for t in map(tokenize, sentences)]
    chosen: list[int] = []
    current: list[Counter] = [Counter(), Counter()]
    best_score = 0.0
    skip = set(exclude)
    while len(chosen) < min(k, len(sentences)):
        best = None
        for i, grams in enumerate(sent_grams):
            if i in chosen or i in skip:
                continue
            score = 0.0
            for n in range(2):
                merged = current[n] + grams[n]
                score += _f1(sum((merged & refs[n]).values()), sum(merged.values()), sizes[n])
            if best is None or score > best[0]:
                best = (score, i)
        if best is None or (stop_early and best[0] <= best_score):
            break
        best_score, i = best
        chosen.append(i)
        current = [current[n] + sent_grams[i][n] for n in range(2)]
    return sorted(chosen)
