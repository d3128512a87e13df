"""KLUE-MRC: the official JSON reader, klue-baseline's EM / ROUGE-W, unanswerable questions, a tiny BERT end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import build_tiny_bert
from transformers import AutoTokenizer
from typer.testing import CliRunner

import kpfnlp.cli.eval_cmds  # noqa: F401  (registers `kpfnlp eval`)
from kpfnlp.cli.app import app
from kpfnlp.eval import DataError, get_task, load_task_data
from kpfnlp.eval import metrics as m
from kpfnlp.eval.data import QAExample, read_klue_mrc
from kpfnlp.eval.qa import decode_answers, train_features
from kpfnlp.eval.table import render_table

CONTEXTS = [
    "한국언론진흥재단은 2021년 서울에서 뉴스 언어 모델을 공개했다. 이 모델은 뉴스 기사로 학습했다.",
    "부산국제영화제는 매년 10월 부산에서 열린다. 올해 개막작은 한국 영화였다.",
]
# (guid, question, answer or None for an unanswerable question, context index)
QUESTIONS = [
    ("klue-mrc-v1_train_0", "모델을 공개한 곳은?", "한국언론진흥재단", 0),
    ("klue-mrc-v1_train_1", "공개한 해는?", "2021년", 0),
    ("klue-mrc-v1_train_2", "모델의 가격은?", None, 0),
    ("klue-mrc-v1_train_3", "영화제는 어디에서 열리나?", "부산", 1),
    ("klue-mrc-v1_train_4", "개막작 감독은?", None, 1),
]


def _klue_mrc_json(questions=QUESTIONS, contexts=CONTEXTS) -> dict:
    """The layout of klue-mrc-v1.1_*.json: unanswerable questions have no answers and list plausible ones."""
    data = []
    for c, context in enumerate(contexts):
        qas = []
        for guid, question, answer, ctx in questions:
            if ctx != c:
                continue
            span = [{"text": answer, "answer_start": context.index(answer)}] if answer else []
            plausible = [] if answer else [{"text": context[:2], "answer_start": 0}]
            qas.append({
                "question": question, "answers": span, "plausible_answers": plausible, "guid": guid,
                "is_impossible": answer is None, "question_type": 3 if answer is None else 1,
            })  # fmt: skip
        data.append({"title": f"기사 {c}", "source": "hankyung", "news_category": "경제",
                     "paragraphs": [{"context": context, "qas": qas}]})  # fmt: skip
    return {"version": "1.1", "data": data}


def _write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BertForPreTraining directory with its own WordPiece vocabulary (seconds)."""
    out = tmp_path_factory.mktemp("tiny-bert")
    build_tiny_bert(out, CONTEXTS + [q for _, q, _, _ in QUESTIONS], 300, pretraining=True)
    return out


def test_reader_keeps_unanswerable_questions(tmp_path):
    examples = read_klue_mrc(_write(tmp_path / "dev.json", _klue_mrc_json()))
    assert [ex.id for ex in examples] == [q[0] for q in QUESTIONS]
    assert [ex.is_impossible for ex in examples] == [False, False, True, False, True]
    assert examples[1].answers == (("2021년", CONTEXTS[0].index("2021년")),) and examples[1].title == "기사 0"
    assert examples[2].answers == () and examples[2].context == CONTEXTS[0]  # plausible answers are not gold


@pytest.mark.parametrize(
    ("qa", "message"),
    [
        ({"question": "q", "answers": [], "is_impossible": False, "guid": "g"}, "answerable .* has no answers"),
        ({"question": "q", "answers": [], "is_impossible": "yes", "guid": "g"}, "non-boolean is_impossible"),
        ({"question": "q", "answers": [], "is_impossible": True, "id": "g"}, "lacks an id"),
    ],
)
def test_reader_bad_questions_are_clear_errors(tmp_path, qa, message):
    doc = {"data": [{"title": "t", "paragraphs": [{"context": "c", "qas": [qa]}]}]}
    with pytest.raises(DataError, match=message):
        read_klue_mrc(_write(tmp_path / "bad.json", doc))


def test_klue_normalisation_differs_from_korquad():
    # klue-baseline's symbol pattern only matches a bracket followed by the literal "()‘’": 《》 and ‘’ stay
    assert m.normalize_answer_klue_mrc("《토지》") == "《토지》" and m.normalize_answer("《토지》") == "토지"
    assert m.normalize_answer_klue_mrc("'1989년' 2월  (15일).") == "1989년 2월 15일"
    assert m.normalize_answer_klue_mrc("The, BLUE car!") == "the blue car"
    assert m.normalize_answer_klue_mrc("《()‘’x") == "x"


def test_rouge_w_is_klue_lccs_f1():
    # longest common consecutive substring "가나" (2): P = R = 2/4 -> F1 0.5 (a weighted LCS would also count 라)
    assert m.rouge_w("가나다라", "가나마라") == pytest.approx(0.5)
    # spaces count: "1989년 2월" (8 chars) is a substring of "1989년 2월 15일" (12): P 1, R 2/3 -> F1 0.8
    assert m.rouge_w("1989년 2월", "1989년 2월 15일") == pytest.approx(0.8)
    # LCCS "서울" or "시청" (2): P 2/6, R 2/4 -> 2 * (1/6) / (5/6) = 0.4
    assert m.rouge_w("서울특별시청", "서울시청") == pytest.approx(0.4)
    # "《토지》" keeps its brackets: LCCS 2, P 2/4, R 1 -> 2/3
    assert m.rouge_w("《토지》", "토지") == pytest.approx(2 / 3)
    assert m.rouge_w("서울", "부산") == 0.0 and m.rouge_w("", "서울") == 0.0
    assert m.rouge_w("", "") == 1.0 and m.rouge_w("서울", "") == 0.0 and m.rouge_w("...", "") == 1.0


def test_klue_mrc_scores_count_unanswerable_questions():
    predictions = {"a": "서울", "b": "가나다라", "c": "", "d": "부산"}
    references = {"a": ["서울", "서울시"], "b": ["가나마라"], "c": [], "d": []}
    scores = m.klue_mrc_scores(predictions, references, {"c", "d"})
    assert scores["exact_match"] == pytest.approx(100 * (1 + 0 + 1 + 0) / 4)
    assert scores["rouge_w"] == pytest.approx(100 * (1 + 0.5 + 1 + 0) / 4)
    assert scores["unanswerable"] == 2 and scores["unanswerable_exact_match"] == pytest.approx(50.0)
    assert scores["no_answer_predictions"] == 1
    assert "unanswerable_exact_match" not in m.klue_mrc_scores({"a": "서울"}, {"a": ["서울"]}, set())
    with pytest.raises(ValueError, match="no prediction"):
        m.klue_mrc_scores({"a": "서울"}, references, {"c", "d"})


def test_decode_answers_null_answer_only_when_asked():
    ex = QAExample("q", "t", "서울은 한국의 수도이다", "수도는?", (), is_impossible=True)
    offsets = [None, None, (0, 2), (2, 3), (4, 7), None]  # [CLS] question-token [서울][은][한국의] [SEP]
    start = np.array([9.0, 0.0, 5.0, 1.0, 6.0, 0.0])
    end = np.array([9.0, 0.0, 4.0, 0.0, -9.0, 0.0])  # null 18 beats the best span 서울 (9)
    assert decode_answers([ex], [(0, offsets)], start[None], end[None]) == {"q": "서울"}  # KorQuAD: never ""
    assert decode_answers([ex], [(0, offsets)], start[None], end[None], null_answer=True) == {"q": ""}
    # the null score is the lowest over the question's windows: a second window with null 0 lets the span win
    low = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    both = decode_answers(
        [ex], [(0, offsets), (0, offsets)], np.stack([start, low]), np.stack([end, low]), null_answer=True
    )
    assert both == {"q": "서울"}


def test_train_features_point_unanswerable_questions_at_cls(tiny_bert, tmp_path):
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    examples = read_klue_mrc(_write(tmp_path / "train.json", _klue_mrc_json()))
    for ex in examples:
        spans = [(f["start_positions"], f["end_positions"]) for f in train_features(tokenizer, [ex], 16, 2)]
        assert len(spans) > 1  # several windows per context, none dropped
        if ex.is_impossible:
            assert all(span == (0, 0) for span in spans)  # every window trains the no-answer span
        else:
            assert any(span != (0, 0) for span in spans)
    # KorQuAD keeps its behaviour: an answerless question that is not marked unanswerable trains nothing
    answerless = QAExample("x", "t", CONTEXTS[0], "공개한 해는?", ())
    assert train_features(tokenizer, [answerless], 16, 2) == []


def test_load_task_data_needs_the_training_file(tmp_path):
    dev = _write(tmp_path / "dev.json", _klue_mrc_json())
    with pytest.raises(DataError, match="needs a training file"):
        load_task_data(get_task("klue-mrc"), None, eval_file=dev)
    data = load_task_data(get_task("klue-mrc"), None, train_file=dev, eval_file=dev)
    assert len(data.eval) == 5 and sum(ex.is_impossible for ex in data.eval) == 2
    assert "title split" not in data.split_note


def test_cli_klue_mrc_end_to_end(tiny_bert, tmp_path):
    train = _write(tmp_path / "klue-mrc-v1.1_train.json", _klue_mrc_json())
    dev_questions = [(g.replace("train", "dev"), q, a, c) for g, q, a, c in QUESTIONS]
    dev = _write(tmp_path / "klue-mrc-v1.1_dev.json", _klue_mrc_json(dev_questions))
    out = tmp_path / "res"
    args = ["eval", "klue-mrc", "--model", str(tiny_bert), "--train-file", str(train), "--eval-file", str(dev)]
    result = CliRunner().invoke(
        app, [*args, "--output", str(out), "--epochs", "1", "--batch-size", "4", "--max-length", "48"]
    )
    assert result.exit_code == 0, result.output
    assert "rouge_w" in result.output
    [path] = [p for p in out.glob("*.json") if not p.name.endswith(".predictions.json")]
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["task"] == "klue-mrc" and record["primary_metric"] == "rouge_w"
    scores = record["metrics"]
    assert {"exact_match", "rouge_w", "unanswerable", "no_answer_predictions", "unanswerable_exact_match"} == set(
        scores
    )
    assert scores["unanswerable"] == 2 and record["data"]["eval_examples"] == 5
    assert all(0 <= scores[k] <= 100 for k in ("exact_match", "rouge_w", "unanswerable_exact_match"))
    assert any("2 of 5 eval questions are unanswerable" in note for note in record["notes"])
    answers = json.loads((out / record["predictions_file"]).read_text(encoding="utf-8"))
    assert set(answers) == {g for g, _, _, _ in dev_questions}
    assert all(a == "" or any(a in c for c in CONTEXTS) for a in answers.values())
    assert sum(m.normalize_answer_klue_mrc(a) == "" for a in answers.values()) == scores["no_answer_predictions"]
    table = render_table([record])
    row = next(line for line in table.splitlines() if line.startswith(f"| {record['model']['name']}"))
    assert f"{scores['exact_match']:.2f} / {scores['rouge_w']:.2f}" in row
    assert "not implemented" not in table and "longest common consecutive substring" in table
