"""Instance building follows BERT's create_pretraining_data: packing, NSP ratio, truncation, special tokens."""

from __future__ import annotations

import random

import numpy as np
import pytest

from kpfnlp.pretraining.examples import Sentence, _truncate_pair, build_instances

CLS, SEP = 2, 3


def _doc(rng: np.random.Generator, n_sentences: int, doc_no: int) -> list[Sentence]:
    # token ids encode the document number so we can tell where segment B came from
    out = []
    for _ in range(n_sentences):
        length = int(rng.integers(5, 20))
        ids = np.full(length, 1000 + doc_no, dtype=np.int32)
        out.append(Sentence(ids, np.ones(length, dtype=bool)))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[list[Sentence]]:
    rng = np.random.default_rng(0)
    return [_doc(rng, int(rng.integers(4, 30)), d) for d in range(300)]


@pytest.fixture(scope="module")
def instances(corpus: list[list[Sentence]]) -> list:
    return list(
        build_instances(corpus, max_seq_len=64, cls_id=CLS, sep_id=SEP, rng=random.Random(1), short_seq_prob=0.1)
    )


def test_layout_and_length(instances: list) -> None:
    assert len(instances) > 300
    for inst in instances:
        ids = inst.input_ids
        assert len(ids) <= 64
        assert ids[0] == CLS and ids[-1] == SEP and ids[inst.len_a - 1] == SEP
        assert (ids == SEP).sum() == 2 and (ids == CLS).sum() == 1
        assert len(inst.word_start) == len(ids)
        assert inst.len_a >= 3 and len(ids) - inst.len_a >= 2  # both segments non-empty


def test_nsp_labels_match_segment_origin(instances: list) -> None:
    for inst in instances:
        a_doc = set(inst.input_ids[1 : inst.len_a - 1].tolist())
        b_doc = set(inst.input_ids[inst.len_a : -1].tolist())
        assert len(a_doc) == 1
        if inst.is_random_next:
            assert a_doc != b_doc  # drawn from another document
        else:
            assert a_doc == b_doc


def test_random_next_rate_is_about_half(instances: list) -> None:
    # multi-sentence chunks are random-next with p=0.5; single-sentence chunks always are: expect ~0.5-0.6
    rate = np.mean([inst.is_random_next for inst in instances])
    assert 0.45 < rate < 0.65


def test_short_sequence_probability() -> None:
    rng = np.random.default_rng(3)
    long_docs = [_doc(rng, 60, d) for d in range(200)]

    def short_fraction(p: float) -> float:
        insts = list(
            build_instances(long_docs, max_seq_len=128, cls_id=CLS, sep_id=SEP, rng=random.Random(5), short_seq_prob=p)
        )
        return float(np.mean([len(i.input_ids) < 100 for i in insts]))

    base = short_fraction(0.0)  # only document tails and leftovers are short
    assert base < 0.15
    assert short_fraction(0.5) > base + 0.25


def test_truncation_keeps_budget_and_removes_from_longer() -> None:
    rng = random.Random(0)
    a, b = np.arange(100), np.arange(1000, 1010)
    wa, wb = np.ones(100, bool), np.ones(10, bool)
    ta, _, tb, _ = _truncate_pair(a, wa, b, wb, 50, rng)
    assert len(ta) + len(tb) == 50 and len(tb) == 10  # only the longer segment is cut
    assert np.all(np.diff(ta) == 1)  # a contiguous window of A
    ta, _, tb, _ = _truncate_pair(np.arange(40), np.ones(40, bool), np.arange(41), np.ones(41, bool), 20, rng)
    assert (len(ta), len(tb)) == (10, 10)
    fronts = [_truncate_pair(np.arange(100), np.ones(100, bool), b, wb, 50, random.Random(s))[0][0] for s in range(400)]
    assert 29 < np.mean(fronts) < 31  # 60 tokens removed, each from the front with p=1/2: Binomial(60, 1/2)
    assert np.std(fronts) > 2  # really random, sd ~3.9


def test_deterministic_for_a_seed(corpus: list[list[Sentence]]) -> None:
    def run() -> list:
        return [
            i.input_ids.tolist()
            for i in build_instances(corpus[:50], max_seq_len=64, cls_id=CLS, sep_id=SEP, rng=random.Random(7))
        ]

    assert run() == run()
