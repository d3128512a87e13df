"""Dynamic masking rates: 15% predicted, 80/10/10, never special tokens; whole-word masking keeps words whole."""

from __future__ import annotations

import numpy as np

from kpfnlp.pretraining.masking import IGNORE_INDEX, mask_tokens

MASK, VOCAB = 4, 5000


def _example(rng: np.random.Generator, length: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = rng.integers(5, VOCAB, size=length)
    ids[0], ids[60], ids[-1] = 2, 3, 3  # [CLS] ... [SEP] ... [SEP]
    special = np.isin(ids, [2, 3])
    word_start = rng.random(length) < 0.4
    return ids, word_start, special


def test_rates_over_many_examples() -> None:
    rng = np.random.default_rng(0)
    predicted = regular = masked = kept = randomised = 0
    for _ in range(2000):
        ids, ws, special = _example(rng)
        out, labels = mask_tokens(ids, ws, special, rng, mask_id=MASK, vocab_size=VOCAB)
        sel = labels != IGNORE_INDEX
        assert not sel[special].any(), "special tokens are never predicted"
        assert np.array_equal(labels[sel], ids[sel])
        assert np.array_equal(out[~sel], ids[~sel]), "unselected tokens are untouched"
        predicted += sel.sum()
        regular += (~special).sum()
        masked += (out[sel] == MASK).sum()
        kept += (out[sel] == ids[sel]).sum()
        randomised += ((out[sel] != MASK) & (out[sel] != ids[sel])).sum()
    assert abs(predicted / regular - 0.15) < 0.005
    assert abs(masked / predicted - 0.8) < 0.01
    # a random replacement can hit the original token (1/VOCAB): negligible here
    assert abs(kept / predicted - 0.1) < 0.01
    assert abs(randomised / predicted - 0.1) < 0.01


def test_random_replacements_avoid_special_ids() -> None:
    rng = np.random.default_rng(1)
    for _ in range(500):
        ids, ws, special = _example(rng)
        out, labels = mask_tokens(ids, ws, special, rng, mask_id=MASK, vocab_size=VOCAB, first_regular_id=5)
        replaced = (labels != IGNORE_INDEX) & (out != MASK)
        assert (out[replaced] >= 5).all()


def test_padding_is_never_masked() -> None:
    rng = np.random.default_rng(2)
    ids = np.array([2, 10, 11, 12, 3, 0, 0, 0])
    special = np.isin(ids, [0, 2, 3])
    for _ in range(200):
        _, labels = mask_tokens(ids, np.ones(8, bool), special, rng, mask_id=MASK, vocab_size=VOCAB)
        assert (labels[5:] == IGNORE_INDEX).all() and (labels != IGNORE_INDEX).sum() == 1


def test_whole_word_masking_selects_whole_words() -> None:
    rng = np.random.default_rng(3)
    total_pred = total_reg = 0
    for _ in range(1000):
        ids, ws, special = _example(rng)
        _, labels = mask_tokens(ids, ws, special, rng, mask_id=MASK, vocab_size=VOCAB, whole_word=True)
        sel = labels != IGNORE_INDEX
        # word id per position: a word starts at word_start or right after a special token
        starts = ws.copy()
        starts[1:] |= special[:-1]
        word_id = np.cumsum(starts)
        for w in np.unique(word_id[sel]):
            members = (word_id == w) & ~special
            assert sel[members].all(), "a selected word is selected entirely"
        total_pred += sel.sum()
        total_reg += (~special).sum()
    assert 0.12 < total_pred / total_reg <= 0.155  # round(0.15 * n) per example


def test_same_seed_same_mask_new_epoch_new_mask() -> None:
    ids, ws, special = _example(np.random.default_rng(4))

    def labels(seed: list[int]) -> np.ndarray:
        return mask_tokens(ids, ws, special, np.random.default_rng(seed), mask_id=MASK, vocab_size=VOCAB)[1]

    assert np.array_equal(labels([0, 0, 7]), labels([0, 0, 7]))
    assert not np.array_equal(labels([0, 0, 7]), labels([0, 1, 7]))
