"""Sentence encoder end to end on a tiny BERT built here: build, train (tiny config), save, reload, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import build_tiny_bert

from kpfnlp.encoder import EncoderConfig, SentenceEncoder, evaluate_sts
from kpfnlp.encoder.data import STSPair
from kpfnlp.encoder.train import load_training_data, train_encoder
from kpfnlp.paths import REPO_ROOT

SENTENCES = [
    "한국은행이 기준금리를 동결했다", "한은 기준금리 3.5% 유지", "서울 아파트값이 올랐다", "집값 상승세가 이어진다",
    "대통령이 정상회담을 열었다", "한미 정상이 만났다", "태풍이 남부지방을 지나간다", "비바람이 거세게 분다",
]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BertModel directory with its own WordPiece vocabulary (seconds)."""
    out = tmp_path_factory.mktemp("tiny-bert")
    build_tiny_bert(out, SENTENCES, 200, max_position_embeddings=64)
    return out


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory) -> Path:
    """KLUE-NLI JSON, KorSTS TSV and KLUE-STS CSV files in the layout of the real releases."""
    root = tmp_path_factory.mktemp("data")
    (root / "klue").mkdir()
    (root / "kornlu" / "KorSTS").mkdir(parents=True)
    nli = []
    for i in range(0, 8, 2):
        a, b = SENTENCES[i], SENTENCES[i + 1]
        other = SENTENCES[(i + 2) % 8]
        nli += [
            {"premise": a, "hypothesis": b, "gold_label": "entailment"},
            {"premise": a, "hypothesis": other, "gold_label": "contradiction"},
            {"premise": a, "hypothesis": "잘 모르겠다", "gold_label": "neutral"},
        ]
    (root / "klue" / "klue-nli-v1.1_train.json").write_text(json.dumps(nli, ensure_ascii=False), "utf-8")
    header = "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2\n"
    rows = [
        f'main-news\tf\t2020\t{i}\t{4.5 if i % 2 == 0 else 0.5}\t"{SENTENCES[i]}\t{SENTENCES[(i + 1) % 8]}\n'
        for i in range(8)
    ]  # a stray quote, as in the real KorSTS files
    for split in ("train", "dev", "test"):
        (root / "kornlu" / "KorSTS" / f"sts-{split}.tsv").write_text(header + "".join(rows), "utf-8")
    csv_rows = "".join(f"{SENTENCES[i]},{SENTENCES[(i + 1) % 8]},{4.0 if i % 2 == 0 else 1.0}\n" for i in range(8))
    (root / "klue" / "klue-sts-v1.1_train.csv").write_text("sentence1,sentence2,label\n" + csv_rows, "utf-8")
    dev = [
        {
            "sentence1": SENTENCES[i],
            "sentence2": SENTENCES[(i + 1) % 8],
            "labels": {"label": 4.0 if i % 2 == 0 else 1.0},
        }
        for i in range(8)
    ]
    (root / "klue" / "klue-sts-v1.1_dev.json").write_text(json.dumps(dev, ensure_ascii=False), "utf-8")
    return root


def test_from_backbone_embeddings_are_unit_length(tiny_bert):
    encoder = SentenceEncoder.from_backbone(tiny_bert, max_seq_length=32)
    vectors = encoder.encode(SENTENCES[:3])
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert [type(m).__name__ for m in encoder.model] == ["Transformer", "Pooling", "Normalize"]
    one = encoder.encode(SENTENCES[0])  # one string is one text, not a sequence of characters
    assert one.shape == (32,) and np.allclose(one, vectors[0], atol=1e-6)
    assert encoder.encode([]).shape == (0, 32)


def test_from_backbone_rejects_a_non_model_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"config\.json"):
        SentenceEncoder.from_backbone(tmp_path)


def test_tiny_recipe_trains_saves_and_reloads_with_plain_sentence_transformers(tiny_bert, tiny_data, tmp_path):
    from sentence_transformers import SentenceTransformer

    config = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [f"backbone={tiny_bert}", f"output_dir={tmp_path / 'enc'}", "fp16_copy=true"],
    )
    before = SentenceEncoder.from_backbone(tiny_bert, 32).encode(SENTENCES)
    report = train_encoder(config, tiny_data)
    assert report["train_examples"] == {"nli": 4, "sts": 16}
    losses = [r["train_loss"] for r in report["log_nli"] + report["log_sts"] if "train_loss" in r]
    assert len(losses) == 2 and all(np.isfinite(losses))
    final = tmp_path / "enc" / "final"
    ours = SentenceEncoder.load(final).encode(SENTENCES)
    assert not np.allclose(ours, before, atol=1e-4)  # training changed the weights
    plain = SentenceTransformer(str(final), device="cpu").encode(SENTENCES, convert_to_numpy=True)
    np.testing.assert_allclose(ours, plain, atol=1e-6)
    fp16 = SentenceEncoder.load(tmp_path / "enc" / "fp16").encode(SENTENCES)
    np.testing.assert_allclose(fp16, ours, atol=2e-2)
    assert (tmp_path / "enc" / "fp16" / "model.safetensors").stat().st_size < (
        final / "model.safetensors"
    ).stat().st_size
    saved = json.loads((tmp_path / "enc" / "train_report.json").read_text("utf-8"))
    assert saved["dev_after"]["pairs"] == 8.0 and -100 <= saved["dev_after"]["spearman"] <= 100


def test_multitask_recipe_runs(tiny_bert, tiny_data, tmp_path):
    config = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [f"backbone={tiny_bert}", f"output_dir={tmp_path / 'mt'}", "recipe=multitask", "fp16_copy=false"],
    )
    report = train_encoder(config, tiny_data)
    assert any(np.isfinite(r.get("train_loss", np.nan)) for r in report["log_multitask"])
    assert (tmp_path / "mt" / "final" / "modules.json").is_file() and not (tmp_path / "mt" / "fp16").exists()
    encoder = SentenceEncoder.load(tmp_path / "mt" / "final")
    assert evaluate_sts(encoder, load_training_data(config, tiny_data)[2])["pairs"] == 8


@pytest.mark.parametrize("loss", ["cosine", "angle"])
def test_other_sts_losses_train(tiny_bert, tiny_data, tmp_path, loss):
    overrides = [f"backbone={tiny_bert}", f"output_dir={tmp_path / loss}", "fp16_copy=false", f"sts.loss={loss}"]
    report = train_encoder(EncoderConfig.load(REPO_ROOT / "training/configs/encoder-tiny.yaml", overrides), tiny_data)
    assert [np.isfinite(r["train_loss"]) for r in report["log_sts"] if "train_loss" in r] == [True]


@pytest.mark.parametrize(
    ("override", "message"),
    [("sts.loss=triplet", "unknown loss 'triplet' for the sts stage"),
     ("nli.loss=cosent", "unknown loss 'cosent' for the nli stage"),
     ("recipe=interleaved", "unknown recipe 'interleaved'")],
)  # fmt: skip
def test_bad_losses_and_recipes_are_refused_before_training(tiny_bert, tiny_data, tmp_path, override, message):
    overrides = [f"backbone={tiny_bert}", f"output_dir={tmp_path / 'x'}", override]
    with pytest.raises(ValueError, match=message):
        train_encoder(EncoderConfig.load(REPO_ROOT / "training/configs/encoder-tiny.yaml", overrides), tiny_data)
    assert not (tmp_path / "x").exists()  # refused before any stage wrote anything


def _unsup_corpus(root: Path, files: dict[str, str]) -> Path:
    """A corpus-mix YAML over plain-text files written here (one document per line)."""
    sources = []
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")
        sources.append({"name": name, "path": name, "format": "lines"})
    (root / "unsup.yaml").write_text(json.dumps({"sources": sources}, ensure_ascii=False), "utf-8")
    return root / "unsup.yaml"


def test_corpus_sentences_are_distinct_korean_and_seeded(tmp_path):
    from kpfnlp.encoder.data import DataError, corpus_sentences

    text = "\n".join(f"{s}. 짧다. English only sentence here. {s}." for s in SENTENCES)
    corpus = _unsup_corpus(tmp_path, {"news.txt": text})
    every = corpus_sentences(corpus, 100, seed=1)
    assert sorted(every) == sorted(f"{s}." for s in SENTENCES)  # once each; short and non-Korean dropped
    sample = corpus_sentences(corpus, 3, seed=1)
    assert len(sample) == 3 and sample == corpus_sentences(corpus, 3, seed=1) and set(sample) <= set(every)
    with pytest.raises(DataError, match="evaluation data"):
        corpus_sentences(corpus, 3, seed=1, forbidden=("news.txt",))


def _assert_first_stage(report: dict, stage: str, examples: int, steps: int) -> None:
    """`stage` (pairs, unsup) trained on `examples` for `steps` steps and was scored on dev; NLI and STS followed."""
    assert report["train_examples"][stage] == examples
    logged = [r["step"] for r in report[f"log_{stage}"] if "loss" in r or "train_loss" in r]
    assert logged and max(logged) == steps and np.isfinite(report[f"dev_after_{stage}"]["spearman"])
    assert "log_nli" in report and "log_sts" in report


def test_unsupervised_stage_runs_before_nli_and_refuses_evaluation_headlines(tiny_bert, tiny_data, tmp_path):
    text = "\n".join(f"{s}. {s}라고 전했다." for s in SENTENCES)
    corpus = _unsup_corpus(tmp_path, {"wiki.txt": text})
    base = [f"backbone={tiny_bert}", "fp16_copy=false", "unsup.max_steps=3", "unsup.batch_size=4"]
    config = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [*base, f"output_dir={tmp_path / 'u'}", f"unsup_corpus={corpus}", "unsup_sentences=12"],
    )
    _assert_first_stage(train_encoder(config, tiny_data), "unsup", examples=12, steps=3)
    leak = _unsup_corpus(tmp_path, {"newstrust_20210601_titles.json": "[]"})
    bad = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [*base, f"output_dir={tmp_path / 'v'}", f"unsup_corpus={leak}"],
    )
    with pytest.raises(ValueError, match="evaluation data"):
        train_encoder(bad, tiny_data)


def _pairs_corpus(root: Path, rows: list[dict[str, str]], name: str = "news.jsonl") -> Path:
    """A corpus-mix YAML over one JSONL file of {title, body} rows written here."""
    (root / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    source = {"name": "news", "path": name, "format": "jsonl", "text_column": "body", "title_column": "title"}
    (root / "pairs.yaml").write_text(json.dumps({"sources": [source]}, ensure_ascii=False), "utf-8")
    return root / "pairs.yaml"


ARTICLES = [
    {"title": "기준금리 동결",
     "body": "안녕하세요. 한국은행이 오늘 기준금리를 연 3.5%로 동결했다. 물가 상승세가 둔화되고 있다는 판단이다.\n"
             "짧은 줄.\n시장에서는 연내 인하 가능성을 점치고 있다. 국고채 금리는 발표 직후 소폭 하락했다."},
    {"title": "Storm warning",
     "body": "태풍이 남부지방을 지나가며 많은 비를 뿌렸다. 제주공항에서는 항공편 수십 편이 결항됐다."},
]  # fmt: skip


def test_corpus_pairs_pair_titles_with_leads_and_adjacent_sentences_of_one_line(tmp_path):
    from kpfnlp.encoder.data import DataError, corpus_pairs

    corpus = _pairs_corpus(tmp_path, ARTICLES)
    titles = corpus_pairs(corpus, 100, seed=1, kinds=["title_lead"])
    # the greeting is too short to be a lead; an English title is no Korean pair
    assert titles == [("기준금리 동결", "한국은행이 오늘 기준금리를 연 3.5%로 동결했다.")]
    adjacent = corpus_pairs(corpus, 100, seed=1, kinds=["adjacent"])
    assert sorted(adjacent) == sorted([
        ("한국은행이 오늘 기준금리를 연 3.5%로 동결했다.", "물가 상승세가 둔화되고 있다는 판단이다."),
        ("시장에서는 연내 인하 가능성을 점치고 있다.", "국고채 금리는 발표 직후 소폭 하락했다."),
        ("태풍이 남부지방을 지나가며 많은 비를 뿌렸다.", "제주공항에서는 항공편 수십 편이 결항됐다."),
    ])  # fmt: skip  # never across lines (paragraphs), never with a sentence under 20 characters
    both = corpus_pairs(corpus, 100, seed=1)
    assert sorted(both) == sorted(titles + adjacent)
    sample = corpus_pairs(corpus, 2, seed=3)
    assert len(sample) == 2 and sample == corpus_pairs(corpus, 2, seed=3) and set(sample) <= set(both)
    with pytest.raises(ValueError, match="unknown pair kinds"):
        corpus_pairs(corpus, 2, seed=1, kinds=["captions"])
    with pytest.raises(DataError, match="evaluation data"):
        leak = _pairs_corpus(tmp_path, ARTICLES, "yonhap_title_lead.jsonl")
        corpus_pairs(leak, 2, seed=1, forbidden=("yonhap_title_lead.jsonl",))


def test_weak_pairs_stage_runs_first_and_refuses_evaluation_headlines(tiny_bert, tiny_data, tmp_path):
    lead = "라고 오늘 여러 매체가 일제히 보도했다."
    rows = [{"title": SENTENCES[i], "body": SENTENCES[i + 1] + lead} for i in range(0, 8, 2)]
    corpus = _pairs_corpus(tmp_path, rows)
    base = [f"backbone={tiny_bert}", "fp16_copy=false", "pairs.max_steps=2", "pairs.batch_size=2"]
    config = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [*base, f"output_dir={tmp_path / 'p'}", f"pairs_corpus={corpus}", "pairs_kinds=[title_lead]"],
    )
    _assert_first_stage(train_encoder(config, tiny_data), "pairs", examples=4, steps=2)
    leak = _pairs_corpus(tmp_path, rows, "newstrust_20210601_titles.json")
    bad = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [*base, f"output_dir={tmp_path / 'q'}", f"pairs_corpus={leak}"],
    )
    with pytest.raises(ValueError, match="evaluation data"):
        train_encoder(bad, tiny_data)


def test_evaluation_sets_are_refused_as_training_data(tiny_data):
    config = EncoderConfig(sts_files=["kornlu/KorSTS/sts-test.tsv"])
    with pytest.raises(ValueError, match="never train"):
        load_training_data(config, tiny_data)


def test_semantic_calibration_procedure_on_a_tiny_encoder(tiny_bert, tiny_data):
    from kpfnlp.dedup.calibrate import run_calibration, semantic_scorer

    result = run_calibration(tiny_data, {"semantic": semantic_scorer(SentenceEncoder.from_backbone(tiny_bert, 32))})
    record = result["semantic"]
    assert record["pairs"] == 8 and record["duplicates"] == 4 and -1.0 <= record["threshold"] <= 1.0
    assert record["precision"] >= 0.9 or not record["reached_min_precision"]
    assert set(record) >= {"check:kornlu/KorSTS/sts-test.tsv:main-news", "check:klue/klue-sts-v1.1_dev.json"}


def test_eval_sts_cli_tfidf_baseline(tiny_data, tmp_path):
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers `eval sts`)
    from kpfnlp.cli.app import app

    args = ["eval", "sts", "--tfidf", "--data-dir", str(tiny_data), "--output", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "release has 1379" in result.output  # the tiny file is not the release
    assert CliRunner().invoke(app, ["eval", "sts", "--data-dir", str(tiny_data)]).exit_code == 1


def test_semantic_threshold_is_calibrated_per_encoder(tiny_bert, tiny_data, tmp_path):
    from kpfnlp.dedup.calibrate import ENCODER_CALIBRATION, calibrate_encoder, encoder_semantic_threshold

    encoder = SentenceEncoder.from_backbone(tiny_bert, 32).save(tmp_path / "encoder")
    assert encoder_semantic_threshold(encoder) is None
    result = calibrate_encoder(tiny_data, encoder)
    assert (encoder / ENCODER_CALIBRATION).is_file()
    assert encoder_semantic_threshold(encoder) == result["semantic"]["threshold"]
    assert SentenceEncoder.load(encoder).dimension == 32  # the extra file does not disturb loading


def test_dedup_cli_uses_the_encoders_calibrated_threshold(tiny_bert, tiny_data, samples, tmp_path):
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers the commands)
    from kpfnlp.cli.app import app
    from kpfnlp.dedup.calibrate import encoder_semantic_threshold

    encoder = SentenceEncoder.from_backbone(tiny_bert, 32).save(tmp_path / "encoder")
    feed = ["dedup", str(samples / "headlines.csv"), "-o", str(tmp_path / "o.jsonl"), "--encoder", str(encoder)]
    before = CliRunner().invoke(app, [*feed, "--tiers", "semantic"])
    assert before.exit_code == 0 and "not calibrated" in before.output
    result = CliRunner().invoke(app, ["calibrate-dedup", "--encoder", str(encoder), "--data-dir", str(tiny_data)])
    assert result.exit_code == 0, result.output
    threshold = encoder_semantic_threshold(encoder)
    assert f'"threshold": {threshold}' in result.output
    after = CliRunner().invoke(app, [*feed, "--tiers", "semantic"])
    assert after.exit_code == 0 and "not calibrated" not in after.output
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 60 and all(r["similarity"] >= threshold - 1e-6 for r in rows if r["tier"] == "semantic")
    calibration = encoder / "dedup_calibration.json"
    record = json.loads(calibration.read_text("utf-8"))
    record["semantic"]["threshold"] = 1.0  # what a poorly separating encoder gets (the release-7 encoder did)
    calibration.write_text(json.dumps(record), "utf-8")
    useless = CliRunner().invoke(app, [*feed, "--tiers", "semantic"])
    assert useless.exit_code == 0 and "only at cosine 1.0" in useless.output


def test_bundled_copy_shares_the_backbones_word_embeddings(tiny_data, tmp_path, monkeypatch):
    from safetensors import safe_open
    from sentence_transformers import SentenceTransformer

    from kpfnlp.backbone import export_backbone
    from kpfnlp.encoder.bundle import DELTA_FILE, SHARED_WEIGHTS_FILE, WORD_EMBEDDINGS, export_encoder

    monkeypatch.setenv("KPFNLP_CACHE_DIR", str(tmp_path / "cache"))
    build_tiny_bert(tmp_path / "pretrained", SENTENCES, 200, pretraining=True, max_position_embeddings=64)
    release = export_backbone(tmp_path / "pretrained", tmp_path / "release")
    overrides = [f"backbone={release}", "fp16_copy=false", "nli.learning_rate=1e-2", "sts.learning_rate=1e-2"]
    frozen = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [*overrides, f"output_dir={tmp_path / 'frozen'}", "freeze_word_embeddings=true"],
    )
    train_encoder(frozen, tiny_data)
    full = export_encoder(tmp_path / "frozen" / "final", tmp_path / "full")
    shared = export_encoder(tmp_path / "frozen" / "final", tmp_path / "shared", share_with=release)
    with safe_open(str(shared / "model.safetensors"), framework="pt") as handle:
        assert WORD_EMBEDDINGS not in set(handle.keys())
    assert (shared / "model.safetensors").stat().st_size < (full / "model.safetensors").stat().st_size
    expected = SentenceEncoder.load(full).encode(SENTENCES)
    np.testing.assert_array_equal(SentenceEncoder.load(shared).encode(SENTENCES), expected)
    materialized = list((tmp_path / "cache").iterdir())
    assert len(materialized) == 1 and not (materialized[0] / SHARED_WEIGHTS_FILE).exists()
    plain = SentenceTransformer(str(materialized[0]), device="cpu")
    np.testing.assert_allclose(plain.float().encode(SENTENCES, convert_to_numpy=True), expected, atol=1e-6)

    free = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml", [*overrides, f"output_dir={tmp_path / 'free'}"]
    )
    train_encoder(free, tiny_data)  # word embeddings trained too: shared only as a stored change
    with pytest.raises(ValueError, match="freeze_word_embeddings"):
        export_encoder(tmp_path / "free" / "final", tmp_path / "refused", share_with=release)
    with pytest.raises(ValueError, match="delta_rank needs share_with"):
        export_encoder(tmp_path / "free" / "final", tmp_path / "refused", delta_rank=4)
    trained = SentenceEncoder.load(export_encoder(tmp_path / "free" / "final", tmp_path / "free-full"))
    exact = export_encoder(tmp_path / "free" / "final", tmp_path / "delta32", share_with=release, delta_rank=32)
    record = json.loads((exact / SHARED_WEIGHTS_FILE).read_text("utf-8"))
    assert record["delta"]["rank"] == 32 and record["delta"]["relative_error"] < 1e-4  # 32 = full rank here
    np.testing.assert_allclose(
        SentenceEncoder.load(exact).encode(SENTENCES), trained.encode(SENTENCES), atol=2e-3
    )  # the fp16 factors restore the trained embeddings
    rough = export_encoder(tmp_path / "free" / "final", tmp_path / "delta1", share_with=release, delta_rank=1)
    error = json.loads((rough / SHARED_WEIGHTS_FILE).read_text("utf-8"))["delta"]["relative_error"]
    assert 0.05 < error < 1.0
    assert (rough / DELTA_FILE).stat().st_size < (exact / DELTA_FILE).stat().st_size


@pytest.fixture(scope="module")
def tiny_cross_encoder(tiny_bert, tiny_data, tmp_path_factory) -> tuple[Path, dict]:
    """The tiny cross-encoder recipe trained on the tiny STS files (seconds)."""
    from kpfnlp.encoder.cross import CrossEncoderConfig, train_cross_encoder

    out = tmp_path_factory.mktemp("cross")
    config = CrossEncoderConfig.load(
        REPO_ROOT / "training/configs/cross-encoder-tiny.yaml", [f"backbone={tiny_bert}", f"output_dir={out}"]
    )
    return out / "final", train_cross_encoder(config, tiny_data)


def test_cross_encoder_trains_reloads_and_scores_pairs_symmetrically(tiny_bert, tiny_cross_encoder):
    from kpfnlp.encoder.cross import load_cross_encoder, score_pairs

    final, report = tiny_cross_encoder
    assert report["train_examples"] == 16 and report["dev_after"]["pairs"] == 8.0
    assert set(report["dev_after"]) >= {"spearman", "pearson", "f1", "primary"}
    losses = [r["train_loss"] for r in report["log"] if "train_loss" in r]
    assert len(losses) == 1 and np.isfinite(losses[0])
    model = load_cross_encoder(final)
    pairs = [(SENTENCES[0], SENTENCES[1]), (SENTENCES[2], SENTENCES[5])]
    scores = score_pairs(model, pairs)
    assert scores.shape == (2,) and ((scores >= 0) & (scores <= 5)).all()
    np.testing.assert_allclose(score_pairs(model, [(b, a) for a, b in pairs]), scores, atol=1e-5)
    untrained = score_pairs(load_cross_encoder(tiny_bert), pairs)
    assert not np.allclose(untrained, scores, atol=1e-4)  # training moved the weights
    assert score_pairs(model, []).shape == (0,)


def test_cross_encoder_refuses_evaluation_sets(tiny_bert, tiny_data, tmp_path):
    from kpfnlp.encoder.cross import CrossEncoderConfig, train_cross_encoder

    config = CrossEncoderConfig(
        backbone=str(tiny_bert), output_dir=str(tmp_path), sts_files=["klue/klue-sts-v1.1_dev.json"]
    )
    with pytest.raises(ValueError, match="never train"):
        train_cross_encoder(config, tiny_data)


def test_mine_pairs_takes_neighbours_then_random_pairs_never_gold():
    from kpfnlp.encoder.augment import mine_pairs

    vectors = np.array([[1, 0], [0.99, 0.14], [0, 1], [0.14, 0.99], [-1, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert mine_pairs(vectors, 1, 0, seed=0) == [(0, 1), (2, 3), (2, 4)]  # 4 is nearest to 2 (cosine 0)
    assert mine_pairs(vectors, 1, 0, seed=0, exclude={(0, 1)}) == [(2, 3), (2, 4)]
    with_random = mine_pairs(vectors, 1, 3, seed=0, exclude={(0, 1)})
    assert len(with_random) == 5 and (0, 1) not in with_random and all(i < j for i, j in with_random)
    assert with_random == mine_pairs(vectors, 1, 3, seed=0, exclude={(0, 1)})  # seeded
    everything = mine_pairs(vectors, 0, 100, seed=0)
    assert len(everything) == 10  # capped at every possible pair


def test_silver_pairs_are_scored_written_and_train_the_encoder(tiny_bert, tiny_data, tiny_cross_encoder, tmp_path):
    from kpfnlp.encoder.augment import silver_pairs, write_sts_tsv
    from kpfnlp.encoder.cross import load_cross_encoder
    from kpfnlp.encoder.data import read_korsts, read_sts

    gold = read_sts(tiny_data / "kornlu/KorSTS/sts-train.tsv")
    embedder = SentenceEncoder.from_backbone(tiny_bert, 32)
    silver = silver_pairs(gold, embedder, load_cross_encoder(tiny_cross_encoder[0]), neighbours=2, random_pairs=4)
    gold_keys = {frozenset((p.sentence1, p.sentence2)) for p in gold}
    assert silver and not any(frozenset((p.sentence1, p.sentence2)) in gold_keys for p in silver)
    assert all(0 <= p.score <= 5 and p.genre == "silver" for p in silver)
    capped = silver_pairs(gold, embedder, load_cross_encoder(tiny_cross_encoder[0]), 2, 4, max_pairs=3)
    assert len(capped) == 3
    path = write_sts_tsv([*silver, STSPair("탭이\t있는 문장", "줄\n바꿈", 2.5)], tmp_path / "silver.tsv")
    back = read_korsts(path)
    assert len(back) == len(silver) + 1 and back[-1].sentence1 == "탭이 있는 문장" and back[-1].score == 2.5
    assert [p.score for p in back[:-1]] == pytest.approx([p.score for p in silver], abs=1e-3)
    config = EncoderConfig.load(
        REPO_ROOT / "training/configs/encoder-tiny.yaml",
        [f"backbone={tiny_bert}", f"output_dir={tmp_path / 'enc'}", f"silver_files=[{path}]", "sts.max_samples=null"],
    )
    report = train_encoder(config, tiny_data)
    assert report["train_examples"]["sts"] == 16 + len(back)


def test_augment_and_eval_sts_cli_with_a_cross_encoder(tiny_bert, tiny_data, tiny_cross_encoder, tmp_path):
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers the commands)
    from kpfnlp.cli.app import app
    from kpfnlp.encoder.data import read_korsts

    encoder = SentenceEncoder.from_backbone(tiny_bert, 32).save(tmp_path / "encoder")
    out = tmp_path / "silver.tsv"
    args = ["augment-sts", "--cross-encoder", str(tiny_cross_encoder[0]), "-o", str(out), "--encoder", str(encoder)]
    result = CliRunner().invoke(app, [*args, "--random-pairs", "2", "--data-dir", str(tiny_data)])
    assert result.exit_code == 0, result.output
    assert f"{len(read_korsts(out))} silver pairs" in result.output and "from 16 gold pairs" in result.output
    refused = CliRunner().invoke(app, [*args, "--sts-file", "kornlu/KorSTS/sts-test.tsv", "--data-dir", str(tiny_data)])
    assert refused.exit_code == 1 and "evaluation sets" in refused.output
    both = ["eval", "sts", "--tfidf", "--cross-encoder", str(tiny_cross_encoder[0]), "--data-dir", str(tiny_data)]
    assert CliRunner().invoke(app, both).exit_code == 1  # exactly one scorer


def test_int8_encoder_embeds_like_fp32_with_quantized_linears_and_refuses_saving(tiny_bert, tmp_path):
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

    path = SentenceEncoder.from_backbone(tiny_bert, 32).save(tmp_path / "encoder")
    fp32, int8 = SentenceEncoder.load(path), SentenceEncoder.load(path, int8=True)
    assert int8.int8 and not fp32.int8
    linears = [m for m in int8.model.modules() if isinstance(m, (torch.nn.Linear, DynamicInt8Linear))]
    assert linears and all(isinstance(m, DynamicInt8Linear) for m in linears)
    a, b = fp32.encode(SENTENCES), int8.encode(SENTENCES)
    assert b.shape == a.shape == (8, 32) and np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    agreement = (a * b).sum(axis=1)
    assert agreement.min() > 0.99 and not np.array_equal(a, b)  # close, and really computed another way
    with pytest.raises(ValueError, match="embeds only"):
        int8.save(tmp_path / "again")


def test_int8_flag_of_the_cli(tiny_bert, tiny_data, tmp_path):
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers the commands)
    from kpfnlp.cli.app import app

    encoder = SentenceEncoder.from_backbone(tiny_bert, 32).save(tmp_path / "encoder")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"title": s}, ensure_ascii=False) + "\n" for s in SENTENCES), "utf-8")
    vectors = {}
    for flag in ([], ["--int8"]):
        out = tmp_path / f"out{len(flag)}.jsonl"
        result = CliRunner().invoke(app, ["embed", str(feed), "-o", str(out), "--encoder", str(encoder), *flag])
        assert result.exit_code == 0, result.output
        vectors[len(flag)] = np.array([json.loads(line)["embedding"] for line in out.read_text("utf-8").splitlines()])
    assert vectors[0].shape == vectors[1].shape == (8, 32) and (vectors[0] * vectors[1]).sum(axis=1).min() > 0.99
    refused = CliRunner().invoke(app, ["eval", "sts", "--data-dir", str(tiny_data), "--tfidf", "--int8"])
    assert refused.exit_code == 1 and "--int8 quantizes" in refused.output


def test_eval_sts_int8_on_the_real_sets(tiny_bert, shared_data, tmp_path):
    """`eval sts --model DIR --int8` scores the quantized encoder under its own name, close to the fp32 score."""
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers the commands)
    from kpfnlp.cli.app import app

    encoder = SentenceEncoder.from_backbone(tiny_bert, 32).save(tmp_path / "encoder")
    sts = ["eval", "sts", "--model", str(encoder), "--data-dir", str(shared_data), "--output", str(tmp_path / "e")]
    for flag in ([], ["--int8"]):
        result = CliRunner().invoke(app, [*sts, *flag])
        assert result.exit_code == 0, result.output
    results = [json.loads(p.read_text("utf-8")) for p in sorted((tmp_path / "e").glob("*.json"))]
    by_run = {(r["task"], r["model"]["name"]): r["metrics"]["spearman"] for r in results}
    assert {name for _, name in by_run} == {"encoder", "encoder-int8"} and len(by_run) == 4
    for task in {task for task, _ in by_run}:
        fp32, int8 = by_run[(task, "encoder")], by_run[(task, "encoder-int8")]
        assert fp32 != int8 and abs(fp32 - int8) < 3
