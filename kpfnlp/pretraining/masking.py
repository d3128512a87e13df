"""Dynamic MLM masking: 15% of tokens, 80% [MASK] / 10% random / 10% kept, never special tokens or padding.

Masks are drawn per example from a generator seeded with (seed, epoch, example index), so every epoch sees a
new mask while a resumed or multi-process run reproduces exactly the masks of an uninterrupted single-process
run. Whole-word masking selects whole whitespace-delimited words (eojeols) instead of single WordPiece tokens.
"""

from __future__ import annotations

import numpy as np

IGNORE_INDEX = -100


def mask_tokens(
    input_ids: np.ndarray,
    word_start: np.ndarray,
    special: np.ndarray,
    rng: np.random.Generator,
    *,
    mask_id: int,
    vocab_size: int,
    first_regular_id: int = 5,
    mlm_probability: float = 0.15,
    whole_word: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (masked input ids, labels) for one example; labels are IGNORE_INDEX where nothing is predicted.

    `special` marks tokens that are never masked ([CLS], [SEP], padding). The number of predictions is
    round(15% of the regular tokens), at least one, as in BERT. Random replacements are drawn from the regular
    vocabulary (ids >= `first_regular_id`), never from the special tokens.
    """
    candidates = np.flatnonzero(~special)
    labels = np.full(input_ids.shape, IGNORE_INDEX, dtype=np.int64)
    if candidates.size == 0:
        return input_ids.copy(), labels
    num_to_predict = max(1, round(candidates.size * mlm_probability))
    chosen = (
        _choose_words(candidates, word_start, num_to_predict, rng)
        if whole_word
        else (rng.choice(candidates, size=num_to_predict, replace=False))
    )
    labels[chosen] = input_ids[chosen]
    masked = input_ids.astype(np.int64, copy=True)
    action = rng.random(chosen.size)
    masked[chosen[action < 0.8]] = mask_id
    to_random = chosen[action >= 0.9]
    masked[to_random] = rng.integers(first_regular_id, vocab_size, size=to_random.size)
    return masked, labels


def _choose_words(
    candidates: np.ndarray, word_start: np.ndarray, num_to_predict: int, rng: np.random.Generator
) -> np.ndarray:
    """Pick whole words in random order until `num_to_predict` tokens are covered (skipping words that overflow)."""
    starts = word_start[candidates]
    starts[0] = True
    # a new word also begins wherever candidates are not contiguous (e.g. across [SEP])
    starts[1:] |= np.diff(candidates) != 1
    boundaries = np.flatnonzero(starts)
    words = np.split(candidates, boundaries[1:])
    chosen: list[np.ndarray] = []
    covered = 0
    for w in rng.permutation(len(words)):
        word = words[w]
        if covered + word.size > num_to_predict:
            continue
        chosen.append(word)
        covered += word.size
        if covered >= num_to_predict:
            break
    if not chosen:  # every word is longer than the budget: mask the shortest one
        chosen.append(min(words, key=len))
    return np.concatenate(chosen)
