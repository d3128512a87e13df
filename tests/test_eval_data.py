"""Evaluation readers on small files written here, and on the real data catalogue when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpfnlp.eval import DataError, get_task, load_task_data
from kpfnlp.eval.data import read_klue_nli, read_klue_sts, read_nsmc, read_squad, read_ynat, split_by_title


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_nsmc_keeps_empty_documents_and_quotes(tmp_path):
    path = _write(tmp_path / "n.txt", 'id\tdocument\tlabel\n1\t"따옴표로 시작\t1\n2\t\t0\n3\t그냥 "좋다"\t1\n')
    examples = read_nsmc(path)
    assert [ex.text for ex in examples] == ['"따옴표로 시작', "", '그냥 "좋다"']
    assert [ex.label for ex in examples] == ["positive", "negative", "positive"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id\ttext\tlabel\n1\t좋다\t1\n", "expected TSV columns"),
        ("id\tdocument\tlabel\n1\t좋다\n", ":2: expected 3"),
        ("id\tdocument\tlabel\n1\t좋다\t2\n", "label must be 0 or 1"),
    ],
)
def test_nsmc_bad_input_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_nsmc(_write(tmp_path / "n.txt", text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_nsmc(tmp_path / "absent.txt")
    with pytest.raises(DataError, match="give --data-dir"):
        load_task_data(get_task("nsmc"), None)
    with pytest.raises(DataError, match="no offline files"):
        load_task_data(get_task("klue-mrc"), tmp_path)


def test_klue_readers(tmp_path):
    nli = [{"premise": "p", "hypothesis": "h", "gold_label": "neutral"}]
    assert read_klue_nli(_write(tmp_path / "nli.json", json.dumps(nli)))[0].text_pair == "h"
    with pytest.raises(DataError, match="lacks"):
        read_klue_nli(_write(tmp_path / "bad.json", json.dumps([{"premise": "p"}])))
    sts = [{"sentence1": "a", "sentence2": "b", "labels": {"label": 3.2, "real-label": 3.14}}]
    assert read_klue_sts(_write(tmp_path / "sts.json", json.dumps(sts)))[0].label == 3.2
    csv_ex = read_klue_sts(_write(tmp_path / "sts.csv", 'sentence1,sentence2,label\n"a, b",c,2.5\n'))
    assert (csv_ex[0].text, csv_ex[0].text_pair, csv_ex[0].label) == ("a, b", "c", 2.5)
    with pytest.raises(DataError, match="expected CSV columns"):
        read_klue_sts(_write(tmp_path / "bad.csv", "s1,s2,score\na,b,1\n"))
    ynat = read_ynat(_write(tmp_path / "y.tsv", 'label\ttitle\n정치\t"탭이\t든 제목"\n스포츠\t골\n'))
    assert [(ex.label, ex.text) for ex in ynat] == [("정치", "탭이\t든 제목"), ("스포츠", "골")]
    with pytest.raises(DataError, match="unknown YNAT label"):
        read_ynat(_write(tmp_path / "y2.tsv", "label\ttitle\n날씨\t맑음\n"))


def _squad(n_titles: int) -> dict:
    return {
        "data": [
            {"title": f"t{i}", "paragraphs": [{"context": "서울은 수도", "qas": [
                {"id": f"{i}-0", "question": "수도는?", "answers": [{"text": "서울", "answer_start": 0}]}]}]}
            for i in range(n_titles)
        ]
    }  # fmt: skip


def test_squad_reader_and_title_split(tmp_path):
    examples = read_squad(_write(tmp_path / "q.json", json.dumps(_squad(4))))
    assert [ex.id for ex in examples] == ["0-0", "1-0", "2-0", "3-0"]
    assert examples[0].answers == (("서울", 0),)
    train, test = split_by_title(examples, 3)
    assert [ex.title for ex in train] == ["t0", "t1", "t2"] and [ex.title for ex in test] == ["t3"]
    with pytest.raises(DataError):
        split_by_title(examples, 4)
    with pytest.raises(DataError, match="SQuAD format"):
        read_squad(_write(tmp_path / "bad.json", json.dumps([1, 2])))


@pytest.mark.shared_data
def test_real_nsmc_keeps_every_row(shared_data):
    train = read_nsmc(shared_data / "nsmc" / "ratings_train.txt")
    assert len(train) == 150_000
    assert sum(ex.text == "" for ex in train) == 5
    assert len(read_nsmc(shared_data / "nsmc" / "ratings_test.txt")) == 50_000


@pytest.mark.shared_data
def test_real_klue_files(shared_data):
    dev = read_klue_sts(shared_data / "klue" / "klue-sts-v1.1_dev.json")
    assert len(dev) == 519 and all(0.0 <= ex.label <= 5.0 for ex in dev)
    assert len(read_klue_sts(shared_data / "klue" / "klue-sts-v1.1_train.csv")) == 11_668
    assert len(read_klue_nli(shared_data / "klue" / "klue-nli-v1.1_dev.json")) == 3_000
    assert len(read_ynat(shared_data / "klue" / "ynat-v1.1_train.tsv")) == 45_678
    assert len(read_ynat(shared_data / "klue" / "ynat-v1.1_dev.tsv")) == 9_107


@pytest.mark.shared_data
def test_real_korquad_title_split_is_disjoint_and_deterministic(shared_data):
    first = load_task_data(get_task("korquad"), shared_data)
    second = load_task_data(get_task("korquad"), shared_data)
    assert len(first.train) + len(first.eval) == 5_774
    assert {ex.title for ex in first.train}.isdisjoint(ex.title for ex in first.eval)
    assert len({ex.title for ex in first.train}) == 70 and len({ex.title for ex in first.eval}) == 70
    assert [ex.id for ex in first.eval] == [ex.id for ex in second.eval]
    assert "title split" in first.split_note
