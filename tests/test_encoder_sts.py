"""STS metrics against hand-computed values, the TF-IDF baseline, the readers (tiny files and the real releases)."""

from __future__ import annotations

import numpy as np
import pytest

from kpfnlp.encoder import STSPair, TfidfCharEmbedder, evaluate_sts, pair_cosines, read_korsts, sts_metrics
from kpfnlp.encoder.data import KORSTS_ROWS, nli_triplets, read_klue_sts_pairs
from kpfnlp.eval.data import DataError


class FixedEmbedder:
    """Returns preset vectors by text."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def encode(self, texts):
        return np.array([self.table[t] for t in texts], dtype=np.float32)


def test_sts_metrics_match_hand_computed_values():
    # ranks agree exactly -> Spearman 100; Pearson of (0.1,0.5,0.9,0.95) vs (0,2,4,5) computed by hand = 98.74...
    scores = sts_metrics([0.1, 0.5, 0.9, 0.95], [0.0, 2.0, 4.0, 5.0])
    assert scores["spearman"] == pytest.approx(100.0)
    x, y = np.array([0.1, 0.5, 0.9, 0.95]), np.array([0.0, 2.0, 4.0, 5.0])
    xc, yc = x - x.mean(), y - y.mean()
    assert scores["pearson"] == pytest.approx(100 * (xc @ yc) / np.sqrt((xc @ xc) * (yc @ yc)))
    # predictions 5*cos = 0.5, 2.5, 4.5, 4.75 -> positives {3,4} vs gold positives {3,4}: F1 100
    assert scores["f1"] == pytest.approx(100.0)
    # one false positive (cos 0.7 -> 3.5 vs gold 1.0): tp 1, fp 1, fn 0 -> F1 = 2/3
    assert sts_metrics([0.7, 0.9, 0.1], [1.0, 4.0, 0.0])["f1"] == pytest.approx(200 / 3)


def test_pair_cosines_and_primary_metric():
    emb = FixedEmbedder({"a": [1, 0], "b": [1, 1], "c": [0, 1], "d": [-1, 0]})
    pairs = [STSPair("a", "b", 3.0), STSPair("a", "c", 1.0), STSPair("a", "a", 5.0), STSPair("a", "d", 0.0)]
    np.testing.assert_allclose(pair_cosines(emb, pairs), [np.sqrt(0.5), 0.0, 1.0, -1.0], atol=1e-6)
    result = evaluate_sts(emb, pairs)
    assert result["primary"] == result["spearman"] == pytest.approx(100.0) and result["pairs"] == 4


def test_tfidf_baseline_ranks_overlapping_pairs_higher():
    pairs = [
        STSPair("한은 기준금리 동결", "한국은행 기준금리 동결", 4.5),
        STSPair("한은 기준금리 동결", "서울 날씨 맑음", 0.0),
        STSPair("태풍 북상 중", "태풍이 북상하고 있다", 4.0),
    ]
    cos = pair_cosines(TfidfCharEmbedder(2), pairs)
    assert cos[0] > cos[2] > 0.3 > 0.2 > cos[1]


def test_korsts_reader_keeps_stray_quotes_and_checks_counts(tmp_path):
    path = tmp_path / "sts-test.tsv"
    header = "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2\n"
    path.write_text(header + 'main-news\tf\t2017\t1\t3.8\t"그가 말했다\t그는 "말했다\n', "utf-8")
    [pair] = read_korsts(path)
    assert pair == STSPair('"그가 말했다', '그는 "말했다', 3.8, "main-news")
    with pytest.raises(DataError, match="release has 1379"):
        read_korsts(path, KORSTS_ROWS["sts-test.tsv"])
    path.write_text(header + "main-news\tf\t2017\t1\tx\ta\tb\n", "utf-8")
    with pytest.raises(DataError, match=":2: bad score"):
        read_korsts(path)


@pytest.mark.shared_data
def test_real_sts_and_nli_files(shared_data):
    for split, n in KORSTS_ROWS.items():
        pairs = read_korsts(shared_data / "kornlu" / "KorSTS" / split, n)
        assert len(pairs) == n and all(0.0 <= p.score <= 5.0 for p in pairs)
    assert len(read_klue_sts_pairs(shared_data / "klue" / "klue-sts-v1.1_train.csv")) == 11_668
    assert len(read_klue_sts_pairs(shared_data / "klue" / "klue-sts-v1.1_dev.json")) == 519
    triplets = nli_triplets(shared_data / "klue" / "klue-nli-v1.1_train.json")
    assert len(triplets) == 8_603 and all(t.positive != t.negative for t in triplets[:100])
    xnli = [nli_triplets(shared_data / "kornlu" / "KorNLI" / f"xnli.{s}.ko.tsv") for s in ("dev", "test")]
    assert [len(t) for t in xnli] == [830, 1_670]


def test_kornli_tsv_triplets_and_bad_header(tmp_path):
    path = tmp_path / "xnli.dev.ko.tsv"
    rows = ["그가 왔다\t그는 도착했다\tentailment", "그가 왔다\t그는 오지 않았다\tcontradiction"]
    rows.append("그가 왔다\t비가 온다\tneutral")
    path.write_text("sentence1\tsentence2\tgold_label\n" + "\n".join(rows) + "\n", "utf-8")
    [triplet] = nli_triplets(path)
    assert (triplet.anchor, triplet.positive, triplet.negative) == ("그가 왔다", "그는 도착했다", "그는 오지 않았다")
    path.write_text("premise\thypothesis\tlabel\n", "utf-8")
    with pytest.raises(DataError, match="KorNLI columns"):
        nli_triplets(path)
