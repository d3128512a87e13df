"""Clustering: stages on well-separated blobs, c-TF-IDF on a hand example, representatives, outliers, per-group
runs, metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kpfnlp.cluster import (
    ClassTfidfKeywords,
    ClusterPipeline,
    HDBSCANClusterer,
    KiwiNounTokenizer,
    NoReducer,
    PCAReducer,
    TfidfSvdEmbedder,
    UMAPReducer,
    class_tfidf,
    cluster_by_group,
    clustering_metrics,
    purity,
    reassign_outliers,
    representatives,
)
from kpfnlp.dedup import DedupConfig, Deduplicator

STORIES = {
    0: ("금리", [1, 0, 0, 0]),
    1: ("태풍", [0, 1, 0, 0]),
    2: ("선거", [0, 0, 1, 0]),
}


class BlobEmbedder:
    """Each headline maps to its story's direction plus small deterministic noise; other text is far away."""

    def encode(self, texts):
        rng = np.random.default_rng(len(texts))
        out = []
        for t in texts:
            base = next((np.array(v, float) for word, v in STORIES.values() if word in t), np.array([0, 0, 0, 1.0]))
            out.append(base + rng.normal(scale=0.02, size=4))
        return np.array(out, dtype=np.float32)


def _feed(per_story: int = 8) -> tuple[list[str], list[int]]:
    texts, truth = [], []
    for c, (word, _) in STORIES.items():
        texts += [f"{word} 관련 속보 {i}번째 기사" for i in range(per_story)]
        truth += [c] * per_story
    return texts, truth


class SplitTokenizer:
    def __call__(self, text):
        return text.split()


def test_blobs_give_the_true_clusters_with_keywords_and_one_representative_each():
    texts, truth = _feed()
    pipeline = ClusterPipeline(
        BlobEmbedder(), NoReducer(), HDBSCANClusterer(min_cluster_size=4, min_samples=2),
        ClassTfidfKeywords(top_n=1, tokenizer=SplitTokenizer()),
    )  # fmt: skip
    result = pipeline.fit(texts)
    assert (result.labels >= 0).all()
    assert clustering_metrics(result.labels, truth)["ari"] == pytest.approx(1.0)
    for c in set(result.labels.tolist()):
        members = np.flatnonzero(result.labels == c)
        assert result.representative[members].sum() == 1
        assert result.keywords[c] == [texts[members[0]].split()[0]]
    assert set(result.timings) == {"embed", "dedup", "reduce+cluster", "postprocess", "keywords"}


def test_duplicates_are_folded_and_inherit_the_canonical_cluster():
    texts, _ = _feed()
    texts += [texts[0], "[속보] " + texts[0]]
    pipeline = ClusterPipeline(
        BlobEmbedder(), PCAReducer(3), HDBSCANClusterer(4, 2), ClassTfidfKeywords(3, SplitTokenizer()),
        deduplicator=Deduplicator(DedupConfig(tiers=("exact",))),
    )  # fmt: skip
    result = pipeline.fit(texts)
    assert result.duplicate_group[-1] == result.duplicate_group[-2] == result.duplicate_group[0]
    assert result.labels[-1] == result.labels[-2] == result.labels[0] != -1
    assert not result.representative[-2:].any()


def test_class_tfidf_matches_the_hand_computed_formula():
    weights = class_tfidf({0: ["금리", "금리", "동결"], 1: ["금리", "태풍"]})
    average = (3 + 2) / 2  # terms per class
    assert weights[0]["금리"] == pytest.approx(2 / 3 * math.log(1 + average / 3))
    assert weights[0]["동결"] == pytest.approx(1 / 3 * math.log(1 + average / 1))
    assert weights[1]["태풍"] == pytest.approx(1 / 2 * math.log(1 + average / 1))
    # the rare term outranks the frequent one even though it occurs less often in class 0
    keywords = ClassTfidfKeywords(2, SplitTokenizer()).extract(["금리 금리 동결", "금리 태풍", "잡음"], [0, 1, -1])
    assert keywords == {0: ["동결", "금리"], 1: ["태풍", "금리"]}


def test_kiwi_noun_tokenizer_keeps_nouns_only():
    tokens = KiwiNounTokenizer()("한국은행이 기준금리를 동결했다")
    assert tokens == ["한국은행", "기준", "금리", "동결"]  # particles and verb endings are gone


def test_keywords_of_every_group_share_one_kiwi_with_the_sentence_splitter(monkeypatch):
    """Per-group clustering extracts keywords once per group; each used to load and warm up its own Kiwi (~1.8 s,
    11 times on the newstrust day)."""
    import kiwipiepy

    from kpfnlp.text import sentences

    sentences.shared_kiwi()  # the one instance, created before counting
    created = []
    original = kiwipiepy.Kiwi.__init__

    def counting(self, *args, **kwargs):
        created.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(kiwipiepy.Kiwi, "__init__", counting)
    extractor = ClassTfidfKeywords(2)
    for texts in (["한국은행 기준금리 동결", "기준금리 동결 결정"], ["태풍 북상 경보", "태풍 경보 발령"]):
        assert extractor.extract(texts, [0, 0])[0][0] in ("기준", "금리", "동결", "태풍", "경보")
    assert KiwiNounTokenizer().kiwi is sentences.shared_kiwi() and created == []


def test_kiwi_noun_tokenizer_drops_run_together_junk_of_a_huge_headline():
    tokenizer = KiwiNounTokenizer()
    junk = "가" * 100_000 + " 기준금리 동결"
    assert max(len(t.form) for t in tokenizer.kiwi.tokenize(junk)) > 20  # what Kiwi itself gives
    for tokens in (tokenizer(junk), tokenizer.batch([junk])[0]):
        assert all(len(t) <= 20 for t in tokens) and tokens[-3:] == ["기준", "금리", "동결"]


@pytest.mark.parametrize(
    "texts", [[], ["하나뿐인 제목"], ["가", "나", "다", "라"], ["", "", ""], ["같은 제목", "같은 제목", "다른 뉴스"]]
)
def test_tfidf_stand_in_embeds_and_clusters_tiny_or_odd_feeds(texts):
    x = TfidfSvdEmbedder().encode(texts)
    assert x.shape[0] == len(texts) and np.isfinite(x).all()
    norms = np.linalg.norm(x, axis=1)
    assert np.allclose(norms[norms > 0], 1.0, atol=1e-5)
    result = ClusterPipeline(TfidfSvdEmbedder()).fit(texts)
    assert len(result.labels) == len(texts) and set(result.labels.tolist()) <= {-1}


def test_one_string_is_refused_not_read_character_by_character():
    with pytest.raises(TypeError, match="list of texts"):
        ClusterPipeline(TfidfSvdEmbedder()).fit("한은 기준금리 동결")
    with pytest.raises(TypeError, match="list of texts"):
        Deduplicator(DedupConfig(tiers=("exact",))).run("한은 기준금리 동결")


def test_tfidf_stand_in_keeps_rare_ngrams_only_when_nothing_is_shared():
    # four one-syllable headlines share no n-gram, so min_df=2 would leave no vocabulary; every n-gram is kept
    x = TfidfSvdEmbedder().encode(["가", "나", "다", "라"])
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0) and abs(float(x[0] @ x[1])) < 1e-6


def test_representatives_and_outlier_reassignment():
    x = np.array([[1, 0], [0.9, 0.1], [0.8, 0.3], [0, 1], [0.1, 0.9], [0.95, 0.05], [-1, 0]], dtype=np.float32)
    labels = np.array([0, 0, 0, 1, 1, -1, -1])
    mask = representatives(x, labels)
    # cluster 0 centroid ~ (0.92, 0.14): item 1 is closest; cluster 1 is symmetric, the first max (item 3) wins
    assert mask.tolist() == [False, True, False, True, False, False, False]
    moved = reassign_outliers(x, labels, threshold=0.9)
    assert moved.tolist() == [0, 0, 0, 1, 1, 0, -1]  # the far point stays noise
    assert reassign_outliers(x, np.full(7, -1), 0.5).tolist() == [-1] * 7


def test_per_group_clustering_keeps_groups_apart_with_global_ids():
    texts, _ = _feed()
    texts += [f"날씨 맑음 {i}" for i in range(8)]  # a fourth story, in group B with 선거
    groups = ["B" if "선거" in t or "날씨" in t else "A" for t in texts]
    pipeline = ClusterPipeline(
        BlobEmbedder(), NoReducer(), HDBSCANClusterer(4, 2), ClassTfidfKeywords(1, SplitTokenizer())
    )
    result = cluster_by_group(pipeline, texts, groups)
    a = {int(c) for c, g in zip(result.labels, groups, strict=True) if g == "A"}
    b = {int(c) for c, g in zip(result.labels, groups, strict=True) if g == "B"}
    assert a == {0, 1} and b == {2, 3}
    assert set(result.keywords) == a | b and result.representative.sum() == 4
    assert result.embeddings.shape == (len(texts), 4)


def test_metrics_by_hand():
    labels, ref = [0, 0, 0, 1, 1, -1], ["a", "a", "b", "b", "b", "a"]
    assert purity(labels, ref) == pytest.approx(4 / 5)
    m = clustering_metrics(labels, ref)
    assert m["noise_fraction"] == pytest.approx(1 / 6) and m["clusters"] == 2 and m["items"] == 6
    assert clustering_metrics([0, 0, 1, 1], ["x", "x", "y", "y"])["nmi"] == pytest.approx(1.0)


def test_per_group_clustering_embeds_the_feed_once_in_one_space():
    """Groups of different sizes used to get TF-IDF+SVD spaces of different widths (and crash); now one space."""
    texts = [f"반도체 수출 {i}월 증가세" for i in range(12)] + [f"태풍 북상 {i}일 남부 영향" for i in range(5)]
    groups = ["경제"] * 12 + ["사회"] * 5
    pipeline = ClusterPipeline(
        TfidfSvdEmbedder(n_components=16), NoReducer(), HDBSCANClusterer(2, 1), ClassTfidfKeywords(1, SplitTokenizer())
    )
    result = cluster_by_group(pipeline, texts, groups)
    whole = pipeline.embedder.encode(texts)
    assert result.embeddings.shape == whole.shape
    np.testing.assert_allclose(result.embeddings, whole / np.linalg.norm(whole, axis=1, keepdims=True), atol=1e-5)
    econ = {int(c) for c, g in zip(result.labels, groups, strict=True) if g == "경제"} - {-1}
    social = {int(c) for c, g in zip(result.labels, groups, strict=True) if g == "사회"} - {-1}
    assert econ and not econ & social  # global ids (one all-alike group may be all noise: HDBSCAN wants 2+ clusters)


def test_knn_agreement_counts_neighbours_with_the_same_label_excluding_itself():
    from kpfnlp.cluster.metrics import knn_agreement

    # two tight pairs far apart: each item's nearest other item shares its label; its second and third do not
    x = np.array([[1.0, 0.0], [0.99, 0.1], [0.0, 1.0], [0.1, 0.99]])
    scores = knn_agreement(x, ["a", "a", "b", "b"], ks=(1, 3))
    assert scores == {"1-NN same section": 1.0, "3-NN same section": round(1 / 3, 3)}
    assert knn_agreement(x, ["a", "b", "a", "b"], ks=(1,))["1-NN same section"] == 0.0


def test_evaluation_runs_our_pipeline_per_category_beside_the_whole_feed():
    """With sections given, the table gets our pipeline per section too: like for like with the original's mode."""
    from kpfnlp.cluster.evaluate import evaluate_clustering

    texts, _ = _feed()
    texts += [f"날씨 맑음 {i}" for i in range(8)]  # a fourth story: two stories in each section
    sections = ["B" if "선거" in t or "날씨" in t else "A" for t in texts]
    pipeline = ClusterPipeline(
        BlobEmbedder(), NoReducer(), HDBSCANClusterer(4, 2), ClassTfidfKeywords(1, SplitTokenizer())
    )
    rows = evaluate_clustering(texts, sections, BlobEmbedder().encode, "blobs", pipeline, sections, baselines=False)
    assert [r["config"] for r in rows] == ["ours (blobs)", "ours (blobs), per category"]
    whole, per_section = rows
    assert per_section["note"].startswith("per category") and per_section["purity"] == pytest.approx(1.0)
    assert whole["clusters"] == per_section["clusters"] == 4 and per_section["noise_fraction"] == 0.0


@pytest.mark.parametrize("n", [1, 2])
def test_umap_pipeline_on_one_or_two_headlines_is_all_noise(n):
    """UMAP cannot embed two points (it raised); a feed or section that small is all noise, not a crash."""
    pipeline = ClusterPipeline(
        BlobEmbedder(), UMAPReducer(), HDBSCANClusterer(2, 1), ClassTfidfKeywords(1, SplitTokenizer())
    )
    result = pipeline.fit(["금리 인상", "태풍 북상"][:n])
    assert result.labels.tolist() == [-1] * n and not result.representative.any()


def test_exact_cosine_knn_matches_brute_force_and_puts_each_row_first():
    """The neighbours UMAP gets are the true cosine ones, each row first at distance 0, even among more exact
    copies than k (where faiss may rank a copy before the row itself)."""
    from kpfnlp.cluster.neighbours import exact_cosine_knn

    x = np.random.default_rng(0).normal(size=(300, 16)).astype(np.float32)
    x[:8] = x[0]  # eight copies, k = 5
    indices, distances = exact_cosine_knn(x, 5)
    assert indices.shape == distances.shape == (300, 5)
    assert indices[:, 0].tolist() == list(range(300)) and not distances[:, 0].any()
    assert (np.diff(distances, axis=1) >= -1e-6).all()
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    cos = unit @ unit.T
    np.fill_diagonal(cos, -np.inf)
    expected = np.sort(-cos, axis=1)[:, :4]
    assert np.allclose(distances[:, 1:], 1 + expected, atol=1e-5)
    assert set(indices[:8, 1:].ravel().tolist()) <= set(range(8)) and distances[:8].max() < 1e-5
    with pytest.raises(ValueError, match="k must be"):
        exact_cosine_knn(x[:3], 4)


def test_umap_gets_exact_neighbours_where_it_would_run_nn_descent(monkeypatch):
    """From 4,096 rows the reducer hands UMAP exact neighbours (no NN-descent to compile) and still finds the
    blobs; below that UMAP's own all-pairs search runs, as before."""
    from kpfnlp.cluster import neighbours, stages

    real, calls = neighbours.exact_cosine_knn, []

    def counting(x, k):
        calls.append(len(x))
        return real(x, k)

    monkeypatch.setattr(neighbours, "exact_cosine_knn", counting)
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(3, 16))
    n = stages.UMAP_ALL_PAIRS_BELOW // 3 + 10
    x = np.concatenate([c + 0.05 * rng.normal(size=(n, 16)) for c in centres]).astype(np.float32)
    truth = np.repeat(["a", "b", "c"], n).tolist()
    labels = HDBSCANClusterer(50, 10, method="eom").fit_predict(UMAPReducer().fit_transform(x))
    assert calls == [3 * n]
    assert (labels != -1).mean() > 0.95 and purity(labels.tolist(), truth) == pytest.approx(1.0)
    assert clustering_metrics(labels, truth)["clusters"] == 3
    UMAPReducer().fit_transform(x[:300])
    assert calls == [3 * n]


def test_umap_kernels_compiled_once_are_loaded_by_the_next_process(tmp_path):
    """umap-learn compiles its numba kernels without caching; we switch caching on, so the second process on a
    machine loads them from disk instead of compiling them again."""
    import os
    import subprocess
    import sys

    script = (
        "import numpy as np, umap.umap_ as u\n"
        "from kpfnlp.cluster.stages import _cache_umap_kernels\n"
        "switched = _cache_umap_kernels()\n"
        "u.smooth_knn_dist(np.sort(np.random.default_rng(0).random((20, 5)), axis=1), 5.0)\n"
        "print(switched, sum(u.smooth_knn_dist.stats.cache_hits.values()))\n"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    (switched_1, hits_1), (_, hits_2) = (map(int, r.stdout.split()) for r in runs)
    assert switched_1 > 10 and hits_1 == 0 and hits_2 == 1
    assert any(tmp_path.rglob("*.nbi"))
