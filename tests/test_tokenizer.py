"""kpfnlp.tokenizer: WordPiece training (plain and morpheme-aware), saved files, stats, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer, BertTokenizerFast
from typer.testing import CliRunner

from kpfnlp.cli.app import app
from kpfnlp.tokenizer import (
    SPECIAL_TOKENS,
    build_pipeline,
    morpheme_alignment,
    tokenizer_stats,
    train_wordpiece,
)
from kpfnlp.tokenizer.morpheme import CONTINUATION_MARK, mark_morphemes, morpheme_boundaries
from kpfnlp.tokenizer.train import finalize_vocab

SENTENCES = [
    "한국어 자연어 처리는 뉴스 기사에서 시작했다.",
    "서울 Seoul 시청에서 KBS 기자가 취재했다.",
    "정부는 오늘 새로운 경제 정책을 발표했다.",
    "한국은행은 기준금리를 동결했다고 밝혔다.",
    "삼성전자와 LG전자는 새 스마트폰을 공개했다.",
    "국회에서는 예산안을 두고 논의가 이어졌다.",
    "대통령은 북한과의 대화를 강조했다.",
    "학생들은 학교에서 한국어와 영어를 공부했다.",
    "기상청은 내일 전국에 비가 온다고 예보했다.",
    "BTS는 미국 Billboard 차트에서 1위를 차지했다.",
    "경찰은 사건의 원인을 조사하고 있다고 말했다.",
    "연합뉴스는 한국의 대표적인 뉴스 통신사이다.",
    "서울시는 교통 정책을 새롭게 바꾸었다.",
    "중국과 일본의 외교 관계가 주목된다.",
    "코로나19 확진자가 어제보다 늘었다고 밝혔다.",
]
TEXTS = SENTENCES * 8
JAMO_RANGES = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))


@pytest.fixture(scope="module")
def plain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plain")
    train_wordpiece(TEXTS, out, vocab_size=600, min_frequency=2)
    return out


@pytest.fixture(scope="module")
def morph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("morph")
    train_wordpiece(TEXTS, out, vocab_size=600, min_frequency=2, morpheme_aware=True)
    return out


def test_saved_files_and_special_token_ids(plain_dir: Path) -> None:
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        assert (plain_dir / name).is_file(), name
    tok = BertTokenizerFast.from_pretrained(plain_dir)
    assert tok.convert_tokens_to_ids(list(SPECIAL_TOKENS)) == [0, 1, 2, 3, 4]
    assert tok.pad_token_id == 0 and tok.mask_token_id == 4
    vocab_lines = (plain_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert vocab_lines[:5] == list(SPECIAL_TOKENS)
    assert len(vocab_lines) == len(tok) <= 600
    assert json.loads((plain_dir / "special_tokens_map.json").read_text())["pad_token"] == "[PAD]"


def test_bert_and_auto_tokenizer_encode_identically(plain_dir: Path) -> None:
    bert = BertTokenizerFast.from_pretrained(plain_dir)
    auto = AutoTokenizer.from_pretrained(plain_dir)
    probe = [*SENTENCES, "처음 보는 낱말 Résumé 北韓 😀"]
    assert [bert(t)["input_ids"] for t in probe] == [auto(t)["input_ids"] for t in probe]
    assert bert("뉴스")["input_ids"][0] == 2 and bert("뉴스")["input_ids"][-1] == 3


def test_cased_and_hangul_kept_as_syllables(plain_dir: Path) -> None:
    tok = AutoTokenizer.from_pretrained(plain_dir)
    assert tok.decode(tok("한국어", add_special_tokens=False)["input_ids"]) == "한국어"
    assert "".join(tok.tokenize("Seoul")).startswith("S")
    assert tok.tokenize("KBS") != tok.tokenize("kbs")
    assert "[UNK]" not in tok.tokenize("서울 Seoul 시청에서 KBS 기자가 취재했다.")
    jamo = [t for t in tok.get_vocab() if any(lo <= ord(c) <= hi for c in t for lo, hi in JAMO_RANGES)]
    assert jamo == []


def test_pair_encoding_token_type_ids(plain_dir: Path) -> None:
    tok = BertTokenizerFast.from_pretrained(plain_dir)
    first, second = "정부는 발표했다.", "경찰은 말했다."
    n_first = len(tok(first, add_special_tokens=False)["input_ids"])
    n_second = len(tok(second, add_special_tokens=False)["input_ids"])
    enc = tok(first, second)
    assert enc["token_type_ids"] == [0] * (n_first + 2) + [1] * (n_second + 1)
    assert enc["input_ids"].count(3) == 2


def test_morpheme_aware_vocab_respects_morpheme_boundaries(plain_dir: Path, morph_dir: Path) -> None:
    morph = AutoTokenizer.from_pretrained(morph_dir)
    plain = AutoTokenizer.from_pretrained(plain_dir)
    assert not any(CONTINUATION_MARK in t for t in morph.get_vocab())
    assert morph.convert_tokens_to_ids(list(SPECIAL_TOKENS)) == [0, 1, 2, 3, 4]
    assert morph.tokenize("학교에서는") == ["학교", "##에서", "##는"]
    assert morpheme_alignment(morph, SENTENCES)["recall"] == 1.0
    assert morpheme_alignment(plain, SENTENCES)["recall"] < 0.5
    assert tokenizer_stats(morph, SENTENCES)["unk"] == 0


def test_morpheme_marking() -> None:
    assert morpheme_boundaries("학교에서는 공부했다.") == [2, 4, 8, 9]
    assert mark_morphemes("학교에서는 공부했다.") == "학교 ▁에서 ▁는 공부 ▁했 ▁다."
    assert morpheme_boundaries("'팝업'을 北美에") == []


def test_finalize_vocab_completes_alphabet_and_converts_marks() -> None:
    trained = [
        *SPECIAL_TOKENS,
        ".",
        "가",
        "##나",
        CONTINUATION_MARK,
        "北",
        "학교",
        "▁는",
        "##는",
        "##다가",
        "끝",
    ]
    vocab = finalize_vocab(trained, 13)
    assert list(vocab)[:5] == list(SPECIAL_TOKENS)
    assert list(vocab)[5:] == [".", "가", "##가", "나", "##나", "北", "는", "##는"]
    full = finalize_vocab(trained, 100)
    assert [full[t] for t in ("끝", "##끝", "학교", "##다가")] == [13, 14, 15, 16]
    assert len(full) == 17


def test_stats_on_hand_checked_example() -> None:
    vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, "한국", "##어", "뉴스", "##는", "."])}
    tok = BertTokenizerFast(tokenizer_object=build_pipeline(vocab), do_lower_case=False, strip_accents=False)
    # 한국 ##어 | 뉴스 ##는 | [UNK] (좋다) | .  ->  6 tokens, 3 words, 9 non-space characters
    stats = tokenizer_stats(tok, ["한국어 뉴스는  좋다."])
    assert (stats["tokens"], stats["words"], stats["chars"], stats["unk"]) == (6, 3, 9, 1)
    assert stats["tokens_per_word"] == pytest.approx(2.0)
    assert stats["chars_per_token"] == pytest.approx(1.5)
    assert stats["unk_rate"] == pytest.approx(1 / 6)


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="vocab_size"):
        train_wordpiece(TEXTS, tmp_path, vocab_size=5)
    with pytest.raises(ValueError, match="no text"):
        train_wordpiece([], tmp_path, vocab_size=100)


def test_cli_trains_from_files_and_corpus_mix(tmp_path: Path) -> None:
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"title": s[:6], "text": s}, ensure_ascii=False) + "\n" for s in TEXTS), "utf-8"
    )
    lines = tmp_path / "sentences.ko"
    lines.write_text("\n".join(TEXTS) + "\n", "utf-8")
    mix = tmp_path / "mix.yaml"
    mix.write_text("sources:\n  - path: sentences.ko\n    max_docs: 40\n", "utf-8")
    out = tmp_path / "tok"
    args = ["train-tokenizer", "--input", str(jsonl), "--corpus", str(mix), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--vocab-size", "400", "--max-docs", "150"])
    assert result.exit_code == 0, result.output
    assert "from 150 documents" in result.output
    tok = AutoTokenizer.from_pretrained(out)
    assert len(tok) <= 400 and tok.pad_token_id == 0


def test_cli_reports_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    no_input = runner.invoke(app, ["train-tokenizer", "--out", str(tmp_path / "a")])
    assert no_input.exit_code == 2
    missing = runner.invoke(app, ["train-tokenizer", "--input", str(tmp_path / "nope.jsonl"), "--out", "x"])
    assert missing.exit_code == 1
    assert "nope.jsonl" in missing.output


@pytest.mark.shared_data
def test_kpfbert_reference_stats_on_yonhap(shared_data: Path) -> None:
    reference = shared_data.parent / "reference" / "kpfbert-tokenizer"
    if not reference.is_dir():
        pytest.skip("kpfBERT reference tokenizer not available")
    tok = BertTokenizerFast.from_pretrained(reference)
    lines = (shared_data / "news" / "yonhap_title_lead.jsonl").read_text(encoding="utf-8").splitlines()[:100]
    texts = [f"{row['title']} {row['lead']}" for row in map(json.loads, lines)]
    stats = tokenizer_stats(tok, texts)
    assert len(tok) == 36_440
    assert 1.9 < stats["tokens_per_word"] < 2.7
    assert 1.3 < stats["chars_per_token"] < 1.8
    assert stats["unk_rate"] < 0.001
