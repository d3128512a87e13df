"""Dedup: keys, union-find, the three tiers on a hand-made feed (semantic via a fake embedder), calibration."""

from __future__ import annotations

import numpy as np
import pytest

from kpfnlp.dedup import DedupConfig, Deduplicator, UnionFind, calibrate_threshold, dedup_key, jaccard, shingles
from kpfnlp.dedup.tiers import semantic_pairs

FEED = [
    "한은 기준금리 3.5% 동결…아홉 차례 연속",  # 0 canonical of group A
    "[속보] 한은  기준금리 3.5% 동결… 아홉 차례 연속!",  # 1 exact after normalisation
    "한은, 기준금리 3.5% 동결…아홉차례 연속 유지",  # 2 lexical near-duplicate of 0 (bigram Jaccard 0.88)
    "중앙은행, 정책금리 현 수준서 묶어",  # 3 paraphrase of 0: only the semantic tier sees it
    "서울 아침 영하 15도 한파 경보",  # 4 unrelated
    "",  # 5 empty: never grouped
    "   ",  # 6 empty after normalisation
]


class FakeEmbedder:
    """Items 0-3 point the same way (a story), the rest are orthogonal."""

    def encode(self, texts):
        vectors = np.eye(len(texts), 8, dtype=np.float32)
        for i, t in enumerate(texts):
            if "금리" in t:
                vectors[i] = np.eye(8, dtype=np.float32)[0] * 0.96 + np.eye(8, dtype=np.float32)[7] * 0.28
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_dedup_key_ignores_tags_spacing_punctuation_case_and_html():
    assert dedup_key("[속보] 한은  기준금리 3.5% 동결!") == dedup_key("한은 기준금리 3.5% 동결") == "한은기준금리35동결"
    assert dedup_key("(종합) <b>Apple</b> 신제품&amp;공개") == "apple신제품공개"
    assert dedup_key("") == dedup_key(" … ") == ""


def test_shingles_and_jaccard():
    assert shingles("한은금리") == {"한은", "은금", "금리"} and shingles("한") == {"한"} and shingles("") == set()
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3) and jaccard(set(), set()) == 0.0


def test_union_find_groups_with_smallest_root():
    uf = UnionFind(6)
    assert uf.union(4, 2) and uf.union(2, 5) and not uf.union(5, 4)
    assert uf.union(1, 3)
    assert uf.groups() == [[0], [1, 3], [2, 4, 5]] and uf.find(5) == 2


def test_three_tiers_on_a_hand_made_feed():
    records = Deduplicator(embedder=FakeEmbedder()).run(FEED, ids=[f"n{i}" for i in range(len(FEED))])
    assert [r.index for r in records] == list(range(len(FEED))) and records[3].id == "n3"
    groups = [r.group for r in records]
    assert groups[0] == groups[1] == groups[2] == groups[3]
    assert len({groups[0], groups[4], groups[5], groups[6]}) == 4
    assert [r.tier for r in records[:4]] == ["", "exact", "lexical", "semantic"]
    assert [r.canonical for r in records] == [True, False, False, False, True, True, True]
    assert records[2].similarity == pytest.approx(
        jaccard(shingles(dedup_key(FEED[0])), shingles(dedup_key(FEED[2]))), abs=1e-4
    )
    assert records[3].similarity == pytest.approx(1.0, abs=1e-5)


def test_without_an_embedder_the_paraphrase_stays_apart_and_tiers_can_be_switched_off():
    records = Deduplicator().run(FEED)
    assert records[3].group != records[0].group and records[2].group == records[0].group
    exact_only = Deduplicator(DedupConfig(tiers=("exact",))).run(FEED)
    assert exact_only[1].group == exact_only[0].group != exact_only[2].group
    with pytest.raises(ValueError, match="unknown dedup tiers"):
        DedupConfig(tiers=("fuzzy",))


def test_longest_canonical_and_chained_members():
    feed = ["삼성전자 2분기 영업이익 10조원 돌파", "삼성전자 2분기 영업이익 10조원 넘어 사상 최대"]
    records = Deduplicator(DedupConfig(canonical="longest", lexical_threshold=0.5)).run(feed)
    assert [r.canonical for r in records] == [False, True] and records[0].tier == "lexical"


def test_semantic_pairs_hnsw_path_matches_exact_search():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(20, 16))
    x = np.repeat(centres, 3, axis=0) + rng.normal(scale=0.01, size=(60, 16))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    exact = {(i, j) for i, j, _ in semantic_pairs(x, 0.95, neighbours=4)}
    approx = {(i, j) for i, j, _ in semantic_pairs(x, 0.95, neighbours=4, exact_limit=0, batch_size=7)}
    assert exact == approx == {(3 * c + a, 3 * c + b) for c in range(20) for a, b in ((0, 1), (0, 2), (1, 2))}


def test_calibrate_threshold_picks_lowest_precise_threshold():
    scores = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5]
    gold = [5.0, 4.5, 2.0, 4.2, 4.0, 1.0, 0.5]
    result = calibrate_threshold(scores, gold, min_precision=0.75)
    # at 0.7: predicted 5, true 4 -> precision 0.8, recall 1.0; at 0.6 precision 4/6 < 0.75
    assert result["threshold"] == 0.7 and result["precision"] == 0.8 and result["recall"] == 1.0
    assert result["duplicates"] == 4 and result["max_f1_threshold"] == 0.7
    with pytest.raises(ValueError, match="no duplicate pairs"):
        calibrate_threshold([0.5], [1.0])


def test_calibrated_threshold_is_stored_rounded_down_so_the_chosen_pair_stays_above_it():
    scores = [0.851851, 0.80, 0.5]  # rounding to nearest would store 0.8519 and lose the one duplicate found
    result = calibrate_threshold(scores, [4.5, 1.0, 4.0], min_precision=0.9)
    assert result["threshold"] == 0.8518 and result["precision"] == 1.0 and result["recall"] == 0.5
