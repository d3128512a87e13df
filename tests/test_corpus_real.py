"""The readers on the real files of ../shared/data (skipped when the catalogue is absent)."""

from __future__ import annotations

import time
from itertools import islice
from pathlib import Path

import pytest

from kpfnlp.corpus import ReadReport, iter_corpus, load_corpus_mix, read_documents
from kpfnlp.paths import REPO_ROOT

pytestmark = pytest.mark.shared_data


def _count(path: Path) -> tuple[int, ReadReport]:
    report = ReadReport()
    return sum(1 for _ in read_documents(path, report=report)), report


@pytest.mark.parametrize(
    ("relative", "documents", "bad_rows"),
    [
        ("summarization/dacon_sample_train.jsonl", 100, 0),
        ("summarization/dacon_sample_test.jsonl", 20, 0),
        ("summarization/aihub_docsum_sample.json", 41, 0),
        ("news/newstrust_20210601_titles.json", 12_006, 0),
        ("news/kowikinews.csv", 644, 0),
        ("news/yonhap_title_lead.jsonl", 6_185, 0),
        ("news/korean-english-park.test.ko", 2_000, 0),
        ("news/northkorean-english.dev.nk", 1_000, 0),
        ("corpus/petitions-2017-2019.jsonl.xz", 3_668, 23),  # 23 petitions have an empty 'content'
    ],
)
def test_document_counts(shared_data: Path, relative: str, documents: int, bad_rows: int) -> None:
    count, report = _count(shared_data / relative)
    assert (count, report.bad_rows) == (documents, bad_rows), report.format()


def test_dacon_and_aihub_agree_on_shared_articles(shared_data: Path) -> None:
    dacon = {d.id: d for d in read_documents(shared_data / "summarization/dacon_sample_train.jsonl")}
    aihub = list(read_documents(shared_data / "summarization/aihub_docsum_sample.json"))
    assert all(doc.id in dacon for doc in aihub)
    first = aihub[0]
    assert first.title == "논 타작물 재배, 2월 말까지 신청하세요"
    assert first.meta["sentences"] == dacon[first.id].meta["sentences"]
    assert first.meta["extractive"] == dacon[first.id].meta["extractive"] == [2, 3, 10]
    assert dacon[first.id].meta["media"] == "광양신문"


def test_first_kowiki_shard_streams_quickly(shared_data: Path) -> None:
    start = time.perf_counter()
    docs = list(islice(read_documents(shared_data / "corpus/kowiki/kowiki-00.txt.xz"), 100))
    assert time.perf_counter() - start < 5
    assert len(docs) == 100 and docs[0].id == "5" and docs[0].title == "지미 카터"
    assert docs[0].text.startswith("제임스 얼 카터 주니어")  # the repeated title line is dropped
    assert all(d.text and "<doc" not in d.text for d in docs)


def test_ynat_tsv_reports_its_one_quoted_row(shared_data: Path) -> None:
    count, report = _count(shared_data / "klue/ynat-v1.1_train.tsv")
    assert count == 45_677
    assert report.bad_rows == 1 and report.examples[0].location.endswith("ynat-v1.1_train.tsv:line 42920")


def test_news_hold_out_is_disjoint_from_pretraining(shared_data: Path) -> None:
    pretrain = {s.name: s for s in load_corpus_mix(REPO_ROOT / "training/corpora/pretrain.yaml")}
    held_out = list(iter_corpus(load_corpus_mix(REPO_ROOT / "training/corpora/heldout-news.yaml")))
    train = list(iter_corpus([pretrain["yonhap-title-lead"]]))
    assert len(held_out) == 1_000 and len(train) == 3 * 5_185
    assert not {d.id for d in held_out} & {d.id for d in train}
    assert held_out[-1].id == "yonhap_title_lead.jsonl:6185"


def test_wiki_hold_out_is_the_tail_of_the_last_shard(shared_data: Path) -> None:
    held_out = list(iter_corpus(load_corpus_mix(REPO_ROOT / "training/corpora/heldout-wiki.yaml")))
    last_shard = [d.id for d in read_documents(shared_data / "corpus/kowiki/kowiki-14.txt.xz")]
    assert len(held_out) == 1_000 and [d.id for d in held_out] == last_shard[-1_000:]
    (kowiki,) = [s for s in load_corpus_mix(REPO_ROOT / "training/corpora/pretrain.yaml") if s.name == "kowiki"]
    assert sorted(Path(p).name for p in kowiki.files())[-1] == "kowiki-14.txt.xz"
    assert kowiki.drop_tail == 1_000


def test_pretrain_mix_uses_no_evaluation_data(shared_data: Path) -> None:
    """Benchmarks (KLUE, KorNLU, KorQuAD, NSMC) and the summarization sets must never be pretrained on."""
    sources = load_corpus_mix(REPO_ROOT / "training/corpora/pretrain.yaml")
    evaluation = ("/klue/", "/kornlu/", "/korquad/", "/nsmc/", "/summarization/")
    assert len(sources) == 8
    assert not [s.path for s in sources if any(part in s.path for part in evaluation)]
