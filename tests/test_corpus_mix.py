"""Corpus-mix YAML: path resolution, hold-out slices, repeat, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpfnlp.corpus import CorpusSource, ReadReport, iter_corpus, iter_source, load_corpus_mix
from kpfnlp.paths import REPO_ROOT


def _lines(tmp_path: Path, name: str, count: int) -> Path:
    path = tmp_path / name
    path.write_text("".join(f"문장 {n}.\n" for n in range(count)), encoding="utf-8")
    return path


def _texts(source: CorpusSource) -> list[str]:
    return [doc.text for doc in iter_source(source)]


def test_hold_out_slices_partition_the_stream(tmp_path: Path) -> None:
    path = str(_lines(tmp_path, "a.ko", 10))
    everything = _texts(CorpusSource(path))
    train = _texts(CorpusSource(path, drop_tail=3))
    held_out = _texts(CorpusSource(path, tail=3))
    assert train + held_out == everything and len(held_out) == 3
    assert _texts(CorpusSource(path, skip_docs=2, max_docs=3)) == everything[2:5]
    assert _texts(CorpusSource(path, drop_tail=3, skip_docs=6)) == everything[6:7]
    assert _texts(CorpusSource(path, tail=0)) == []


def test_glob_sources_are_one_sorted_stream_and_repeat(tmp_path: Path) -> None:
    _lines(tmp_path, "b.ko", 2)
    _lines(tmp_path, "a.ko", 3)
    source = CorpusSource(str(tmp_path / "*.ko"), name="both", drop_tail=1, repeat=2)
    docs = list(iter_corpus([source]))
    assert [d.id for d in docs] == ["a.ko:1", "a.ko:2", "a.ko:3", "b.ko:1"] * 2
    assert {d.meta["corpus"] for d in docs} == {"both"}


def test_invalid_sources() -> None:
    with pytest.raises(ValueError, match="repeat"):
        CorpusSource("x", repeat=0)
    with pytest.raises(ValueError, match="either tail or drop_tail"):
        CorpusSource("x", tail=1, drop_tail=1)
    with pytest.raises(FileNotFoundError, match="no file matches"):
        list(iter_source(CorpusSource("/nonexistent/*.jsonl")))


def test_load_mix_resolves_relative_paths_and_rejects_unknown_keys(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _lines(tmp_path / "data", "n.ko", 4)
    config = tmp_path / "configs" / "mix.yaml"
    config.parent.mkdir()
    config.write_text("sources:\n  - path: ../data/n.ko\n    repeat: 3\n    max_docs: 2\n", encoding="utf-8")
    (source,) = load_corpus_mix(config)
    assert Path(source.path) == tmp_path / "configs" / ".." / "data" / "n.ko"
    assert source.name == "n.ko"
    assert len(list(iter_corpus([source]))) == 6
    config.write_text("sources:\n  - path: a.ko\n    repeats: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown keys \['repeats'\]"):
        load_corpus_mix(config)
    config.write_text("corpus: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sources"):
        load_corpus_mix(config)


def test_data_variable_uses_the_shared_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "README.md").write_text("catalogue", encoding="utf-8")
    _lines(tmp_path, "s.nk", 2)
    monkeypatch.setenv("KPFNLP_SHARED_DATA", str(tmp_path))
    config = tmp_path / "mix.yaml"
    config.write_text("sources:\n  - path: ${data}/s.nk\n", encoding="utf-8")
    (source,) = load_corpus_mix(config)
    assert source.path == str(tmp_path / "s.nk")


def test_samples_mix() -> None:
    report = ReadReport()
    docs = list(iter_corpus(load_corpus_mix(REPO_ROOT / "training/corpora/samples.yaml"), report))
    assert report.bad_rows == 0
    assert sum(d.meta["corpus"] == "sample-articles" for d in docs) == 8
    assert sum(d.meta["corpus"] == "sample-headlines" for d in docs) == 60
