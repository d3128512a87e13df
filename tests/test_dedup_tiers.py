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


def test_recall_threshold_keeps_the_asked_share_of_duplicates():
    from kpfnlp.dedup.calibrate import recall_threshold

    scores = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5]
    gold = [5.0, 4.5, 2.0, 4.2, 4.0, 1.0, 4.1]  # duplicates at 0.95, 0.9, 0.8, 0.7, 0.5
    result = recall_threshold(scores, gold, min_recall=0.8)  # 4 of the 5 must stay: the 4th highest, 0.7
    assert result["threshold"] == 0.7 and result["recall"] == 0.8 and result["candidates"] == 5
    assert result["precision"] == 0.8 and recall_threshold(scores, gold, min_recall=1.0)["threshold"] == 0.5
    with pytest.raises(ValueError, match="no duplicate pairs"):
        recall_threshold([0.5], [1.0])


class FakeVerifier:
    """Rejects any pair with the stock-market story (증시); records what it was asked."""

    threshold = 0.5

    def __init__(self):
        self.asked: list[tuple[str, str]] = []

    def score(self, pairs):
        self.asked += list(pairs)
        return np.array([float("증시" not in a + b) for a, b in pairs])


def test_a_verifier_decides_which_semantic_candidates_link():
    from kpfnlp.dedup.verify import verified_pairs

    feed = [*FEED[:5], "금리 인상 예고에 증시 흔들"]  # 5 shares the embedding direction but is another story
    verifier = FakeVerifier()
    records = Deduplicator(DedupConfig(tiers=("semantic",)), FakeEmbedder(), verifier).run(feed)
    groups = [r.group for r in records]
    assert groups[3] == groups[0] and groups[5] != groups[0]  # the paraphrase is confirmed, 5 is rejected
    assert records[3].tier == "semantic" and records[3].similarity == pytest.approx(1.0, abs=1e-5)
    assert len(verifier.asked) == len(set(verifier.asked)) == 10  # every candidate pair among 0-3 and 5, once
    unverified = Deduplicator(DedupConfig(tiers=("semantic",)), FakeEmbedder()).run(feed)
    assert unverified[5].group == unverified[0].group  # the cosine alone would have linked it
    pairs = verified_pairs([(1, 0, 0.9), (0, 1, 0.9), (2, 3, 0.8)], ["a", "b", "c 증시", "d"], verifier)
    assert pairs == [(0, 1, 0.9)] and len(verifier.asked) == 12  # (0, 1) scored once though found from both ends
    assert verified_pairs([], feed, verifier) == []
