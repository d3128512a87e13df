"""BertSumExt, the Summarizer, train-summarizer and the batch CLI, on tiny models built here (seconds)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import tiny_bert_config
from typer.testing import CliRunner

from kpfnlp.cli import summarize_cmds  # noqa: F401  (registers the commands)
from kpfnlp.cli.app import app
from kpfnlp.summarize import ArticleError, BertSumExt, Summarizer
from kpfnlp.summarize.encoding import plan_windows
from kpfnlp.summarize.summarizer import select

ARTICLE = (
    "- 금리 동결… 물가 둔화 확인 필요\n"
    "(서울=가상뉴스) 김민준 기자 = 한국은행이 기준금리를 연 3.5%로 유지했다.\n"
    "금융통화위원회는 22일 회의를 열고 만장일치로 기준금리 동결을 결정했다.\n"
    '총재는 "물가가 목표 수준으로 수렴한다는 확신이 들 때까지 긴축을 이어가겠다"고 말했다.\n'
    "지난달 소비자물가는 1년 전보다 2.8% 올랐다.\n"
    "시장 전문가들은 하반기에나 첫 인하가 가능할 것으로 내다봤다.\n"
    "김민준 기자 kim@example.com\n"
    "▲ 한국은행 본관 전경"
)


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory, samples: Path) -> Path:
    from kpfnlp.tokenizer import train_wordpiece

    texts = [json.loads(line)["body"] for line in (samples / "articles.jsonl").read_text("utf-8").splitlines()]
    out = tmp_path_factory.mktemp("tok")
    train_wordpiece([*texts, ARTICLE] * 3, out, vocab_size=600, min_frequency=1)
    return out


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tokenizer_dir: Path) -> Path:
    from transformers import PreTrainedTokenizerFast

    torch.manual_seed(0)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir)
    bert = tiny_bert_config(len(tokenizer), num_hidden_layers=1, max_position_embeddings=64)
    out = tmp_path_factory.mktemp("summarizer")
    Summarizer(BertSumExt.from_backbone(bert, inter_heads=2, max_sentence_tokens=24), tokenizer).save_pretrained(
        out, fp16=True
    )
    return out


@pytest.fixture(scope="module")
def summarizer(model_dir: Path) -> Summarizer:
    return Summarizer.from_pretrained(model_dir)


def test_saved_as_one_fp16_directory_and_reloaded_in_fp32(model_dir: Path, summarizer: Summarizer) -> None:
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in model_dir.iterdir()}
    from safetensors import safe_open

    with safe_open(model_dir / "model.safetensors", "pt") as f:
        assert all(f.get_tensor(name).dtype == torch.float16 for name in list(f.keys())[:5])
    assert next(summarizer.model.parameters()).dtype == torch.float32


def test_summary_in_article_order_without_noise(summarizer: Summarizer) -> None:
    summary = summarizer.summarize(ARTICLE)
    assert len(summary.indices) == 3 and summary.indices == sorted(summary.indices)
    assert len(summary.scores) == 3 and all(0 < s < 1 for s in summary.scores)
    picked = [summary.article[i] for i in summary.indices]
    assert not any("기자" in s and "@" in s for s in picked) and not any(s.startswith(("▲", "-")) for s in picked)
    assert all("김민준 기자 =" not in s for s in summary.sentences)  # byline prefix cut from the shown text
    assert summary.text == " ".join(summary.sentences)


def test_noise_sentences_are_neither_read_nor_selected(summarizer: Summarizer, monkeypatch) -> None:
    import numpy as np

    sentences = ["홍길동 기자 hong@yna.co.kr", "[사진]", "본문 첫 문장이다.", "본문 둘째 문장이다.", "사진=연합뉴스"]
    seen: list[list[str]] = []

    def fake_score(articles):
        seen.extend(articles)
        return [np.linspace(0.9, 0.1, len(a)) for a in articles]

    monkeypatch.setattr(summarizer, "score", fake_score)
    summary = summarizer.summarize(sentences, k=3)
    assert seen == [["본문 첫 문장이다.", "본문 둘째 문장이다."]]  # the model reads the candidates only
    assert summary.indices == [2, 3]
    assert summary.scores == [0.9, 0.1]


def test_training_windows_hold_the_candidates_with_their_labels(summarizer: Summarizer) -> None:
    from kpfnlp.summarize.data import SummaryExample
    from kpfnlp.summarize.train import _label_windows

    sentences = ["- 부제목 한 줄", "홍길동 기자 hong@yna.co.kr", "본문 첫 문장이다.", "본문 둘째 문장이다.", "셋째다."]
    example = SummaryExample(id="a", sentences=sentences, extractive=[2, 4])
    (window,) = _label_windows(summarizer, example)
    assert window.sentence_ids == [0, 1, 2]  # positions among the candidates: the lead is position 0
    assert window.labels == [1, 0, 1]


def test_trigram_blocking() -> None:
    sentences = ["정부는 오늘 금리를 동결했다.", "정부는 오늘 금리를 동결했다고 밝혔다.", "시장은 예상했다는 반응이다."]
    assert select(sentences, [0.9, 0.8, 0.1], [0, 1, 2], 2) == [0, 2]
    assert select(sentences, [0.9, 0.8, 0.1], [0, 1, 2], 2, block=False) == [0, 1]


def test_k5_and_short_articles(summarizer: Summarizer) -> None:
    assert len(summarizer.summarize(ARTICLE, k=5).indices) == 5
    two = summarizer.summarize(["첫 문장이다.", "둘째 문장이다."], k=3)
    assert two.indices == [0, 1]
    assert summarizer.summarize("하나뿐인 문장이다.").indices == [0]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("This is an English article. It has two sentences.", "not Korean"),
        ("12345", "not Korean"),  # a number in the body column
        ("2024.06.01 - 13:00 (+1.2%)", "not Korean"),
        ("가" * 200_001, "too long"),
        ("홍길동 기자 hong@yna.co.kr", "nothing to summarise"),
    ],
)
def test_bad_input_is_a_clear_error(summarizer: Summarizer, text: str, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        summarizer.summarize(text)


def test_html_is_stripped(summarizer: Summarizer) -> None:
    summary = summarizer.summarize("<p>정부가 금리를 동결했다.</p><p>시장은 예상했다는 반응이다.</p><br>")
    assert summary.article == ["정부가 금리를 동결했다.", "시장은 예상했다는 반응이다."]


def test_sixty_sentence_article_scores_every_sentence(summarizer: Summarizer) -> None:
    sentences = [f"{i}번째 문장은 금리와 물가에 관한 긴 설명을 담고 있다." for i in range(60)]
    windows = summarizer.windows(sentences)
    assert len(windows) > 1 and max(len(w.input_ids) for w in windows) <= 64  # the backbone's 64 positions
    covered = sorted({i for w in windows for i in w.sentence_ids})
    assert covered == list(range(60))
    (scores,) = summarizer.score([sentences])
    assert scores.shape == (60,) and scores[59] > 0


def test_plan_windows_overlap_and_progress() -> None:
    assert plan_windows([10] * 6, 40, 1) == [range(0, 3), range(2, 5), range(4, 6)]
    assert plan_windows([100], 40, 2) == [range(0, 1)]  # one over-long sentence still gets a window


def test_batch_scores_match_one_by_one(summarizer: Summarizer) -> None:
    articles = [ARTICLE, ["첫 문장이다.", "둘째 문장이다."], ARTICLE.replace("3.5%", "3.25%")]
    together = summarizer.score([summarizer.split(a) for a in articles])
    alone = [summarizer.score([summarizer.split(a)])[0] for a in articles]
    for a, b in zip(together, alone, strict=True):
        assert a == pytest.approx(b, abs=1e-5)

    with pytest.raises(TypeError, match="use summarize"):
        summarizer.summarize_batch(ARTICLE)  # one string is not a list of one-character articles


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_cli_jsonl_errors_and_resume(tmp_path: Path, model_dir: Path) -> None:
    lines = [
        json.dumps({"id": f"a{i}", "body": ARTICLE.replace("22일", f"{i}일")}, ensure_ascii=False) for i in range(9)
    ]
    lines[3] = '{"id": "a3", "body": '  # malformed
    lines[5] = json.dumps({"id": "a5", "body": "English only text here."})
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["summarize", str(feed), "-o", str(out), "--model", str(model_dir), "--batch-size", "2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    full = _rows(out)
    assert [r["id"] for r in full] == ["a0", "a1", "a2", "feed.jsonl:line 4", "a4", "a5", "a6", "a7", "a8"]
    assert full[3]["error"].startswith("line 4: malformed JSON") and full[3]["summary"] is None
    assert "not Korean" in full[5]["error"]
    good = full[0]
    assert good["error"] is None and len(good["indices"]) == 3 and good["summary"] == " ".join(good["sentences"])
    # interruption: keep 5 rows and half of the 6th, then rerun the same command
    data = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(data[:5]) + data[5][:10])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "5 kept from an earlier run" in result.output
    assert _rows(out) == full


def test_int8_summarizer_scores_like_fp32_and_refuses_saving(tmp_path: Path, model_dir: Path) -> None:
    """`--int8` quantizes the BERT layers only (the inter-sentence transformer keeps its fp32 fast path); the scores
    stay close to fp32's and the command's rows match in shape."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

    fp32, int8 = Summarizer.from_pretrained(model_dir), Summarizer.from_pretrained(model_dir, int8=True)
    assert any(isinstance(m, DynamicInt8Linear) for m in int8.model.bert.modules())
    assert not any(isinstance(m, torch.nn.Linear) for m in int8.model.bert.modules())
    assert not any(isinstance(m, DynamicInt8Linear) for m in int8.model.inter.modules())
    a, b = fp32.score([fp32.split(ARTICLE)])[0], int8.score([int8.split(ARTICLE)])[0]
    assert a.shape == b.shape and not np.array_equal(a, b) and np.abs(a - b).max() < 0.05
    with pytest.raises(ValueError, match="only summarizes"):
        int8.save_pretrained(tmp_path / "again")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "body": ARTICLE}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["summarize", str(feed), "-o", str(out), "--model", str(model_dir), "--int8"])
    assert result.exit_code == 0, result.output
    (row,) = _rows(out)
    assert row["error"] is None and len(row["indices"]) == 3


def test_batch_cli_cp949_csv_to_csv_and_missing_column(tmp_path: Path, model_dir: Path) -> None:
    feed = tmp_path / "feed.csv"
    with open(feed, "w", encoding="cp949", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["번호", "본문"])
        writer.writerow(["1", ARTICLE.replace("▲ 한국은행 본관 전경", "")])
        writer.writerow(["2", ""])
    out = tmp_path / "out.csv"
    base = ["summarize", str(feed), "-o", str(out), "--model", str(model_dir), "--id-column", "번호"]
    result = CliRunner().invoke(app, [*base, "--text-column", "본문"])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["1", "2"] and rows[0]["error"] == "" and len(json.loads(rows[0]["indices"])) == 3
    assert rows[1]["error"] == "line 10: empty text: column '본문'"  # the article spans 8 physical lines
    result = CliRunner().invoke(app, [*base, "--text-column", "기사", "--no-resume"])
    assert result.exit_code == 1 and "['번호', '본문']" in result.output


def test_train_tiny_config_resumes_and_reloads(tmp_path: Path, tokenizer_dir: Path) -> None:
    from kpfnlp.paths import REPO_ROOT

    args = [
        "train-summarizer",
        "--config",
        str(REPO_ROOT / "training/configs/summarizer-tiny.yaml"),
        f"model.tokenizer={tokenizer_dir}",
        f"train.output_dir={tmp_path / 'run'}",
        f"data.silver_sources=[titlebody:{REPO_ROOT / 'data/samples/articles.jsonl'}]",
        "train.max_steps=4",
        "train.save_steps=2",
        "train.logging_steps=2",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    first = json.loads(result.output[result.output.index('{\n  "final"') :])
    assert first["steps"] == 4 and first["train_examples"] > 0 and first["resumed_from"] is None
    result = CliRunner().invoke(app, [*args[:-3], "train.max_steps=6", "train.save_steps=2"])
    second = json.loads(result.output[result.output.index('{\n  "final"') :])
    assert second["steps"] == 6 and second["resumed_from"].endswith("checkpoint-4")
    reloaded = Summarizer.from_pretrained(tmp_path / "run" / "final")
    assert len(reloaded.summarize(ARTICLE).indices) == 3
    # a second stage continues the trained model (model.init_from), e.g. news after Wikipedia
    stage2 = [*args[:3], f"model.init_from={tmp_path / 'run' / 'final'}", f"train.output_dir={tmp_path / 'news'}",
              *args[5:7], "train.max_steps=2"]  # fmt: skip
    result = CliRunner().invoke(app, stage2)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output[result.output.index('{\n  "final"') :])["steps"] == 2
    continued = Summarizer.from_pretrained(tmp_path / "news" / "final").model.state_dict()
    start = reloaded.model.state_dict()
    assert continued.keys() == start.keys() and not torch.equal(continued["scorer.weight"], start["scorer.weight"])
