"""Model soups of tiny encoders: the uniform average is the mean of the weights, frozen tensors stay bit-identical,
greedy soups leave out an ingredient that lowers the held-out score, mismatched encoders are refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import build_tiny_bert

from kpfnlp.encoder import SentenceEncoder
from kpfnlp.encoder.bundle import WORD_EMBEDDINGS
from kpfnlp.encoder.soup import average_encoders, greedy_soup

SENTENCES = ["한국은행이 기준금리를 동결했다", "서울 아파트값이 올랐다", "대통령이 정상회담을 열었다", "태풍이 온다"]
WORDS = f"0.model.{WORD_EMBEDDINGS}"  # the word embeddings in a SentenceTransformer state dict
QUERY = "0.model.encoder.layer.0.attention.self.query.weight"


@pytest.fixture(scope="module")
def backbone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-bert")
    build_tiny_bert(out, SENTENCES, 120, max_position_embeddings=64)
    return out


def _ingredient(backbone: Path, out: Path, seed: int, scale: float = 0.05) -> Path:
    """The backbone as an encoder with every weight but the word embeddings nudged by seeded noise (a 'seed')."""
    encoder = SentenceEncoder.from_backbone(backbone, max_seq_length=32)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in encoder.model.state_dict().items():
            if name != WORDS and tensor.is_floating_point():
                tensor.add_(scale * torch.randn(tensor.shape, generator=generator))
    return encoder.save(out)


@pytest.fixture(scope="module")
def ingredients(backbone, tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("seeds")
    return [_ingredient(backbone, root / f"seed{s}", s) for s in (1, 2, 3)]


def _state(path: Path) -> dict[str, torch.Tensor]:
    return SentenceEncoder.load(path).model.state_dict()


def test_uniform_soup_is_the_mean_and_keeps_frozen_tensors(ingredients):
    states = [_state(p) for p in ingredients]
    soup = average_encoders(ingredients).model.state_dict()
    expected = (states[0][QUERY] + states[1][QUERY] + states[2][QUERY]) / 3
    torch.testing.assert_close(soup[QUERY], expected, rtol=0, atol=1e-6)
    assert not torch.equal(soup[QUERY], states[0][QUERY])
    assert torch.equal(soup[WORDS], states[0][WORDS])  # bit-identical, so the soup can still share them


def test_weighted_soup_and_a_soup_of_one(ingredients):
    states = [_state(p) for p in ingredients[:2]]
    soup = average_encoders(ingredients[:2], weights=[3, 1]).model.state_dict()
    torch.testing.assert_close(soup[QUERY], 0.75 * states[0][QUERY] + 0.25 * states[1][QUERY], rtol=0, atol=1e-6)
    alone = average_encoders(ingredients[:1]).encode(SENTENCES)
    np.testing.assert_allclose(alone, SentenceEncoder.load(ingredients[0]).encode(SENTENCES), atol=1e-6)


def test_mismatched_or_bad_requests_are_refused(ingredients, tmp_path):
    other = tmp_path / "other-bert"
    build_tiny_bert(other, SENTENCES, 120, num_hidden_layers=1, max_position_embeddings=64)
    one_layer = SentenceEncoder.from_backbone(other, max_seq_length=32).save(tmp_path / "one-layer")
    with pytest.raises(ValueError, match=r"missing or of another shape|not in"):
        average_encoders([ingredients[0], one_layer])
    with pytest.raises(ValueError, match="at least one"):
        average_encoders([])
    with pytest.raises(ValueError, match="one non-negative weight"):
        average_encoders(ingredients[:2], weights=[1.0])
    with pytest.raises(FileNotFoundError):
        average_encoders([ingredients[0], tmp_path / "missing"])


def test_greedy_soup_leaves_out_an_ingredient_that_hurts(backbone, ingredients, tmp_path):
    far = _ingredient(backbone, tmp_path / "far", seed=9, scale=1.0)  # wrecked weights
    reference = average_encoders(ingredients).encode(SENTENCES)

    def score(encoder: SentenceEncoder) -> float:  # closeness to the three-seed soup, higher is better
        return -float(np.abs(encoder.encode(SENTENCES) - reference).sum())

    made = greedy_soup([far, *ingredients], score)
    assert far not in made.members and len(made.members) == 3
    assert made.score == pytest.approx(0.0, abs=1e-4)  # the members are exactly the reference soup
    assert made.ingredient_scores[str(far)] == min(made.ingredient_scores.values())
    assert [s["kept"] for s in made.steps] == [True, True, True, False]  # ranked by own score: far comes last
    kept = [s["score"] for s in made.steps if s["kept"]]
    assert kept == sorted(kept)  # each kept ingredient raised (or held) the held-out score


def test_cli_writes_a_loadable_soup_with_its_record(ingredients, tmp_path):
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers `soup-encoders`)
    from kpfnlp.cli.app import app

    out = tmp_path / "soup"
    result = CliRunner().invoke(app, ["soup-encoders", *map(str, ingredients), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "soup.json").read_text(encoding="utf-8"))
    assert record == {"method": "uniform", "members": [str(p) for p in ingredients]}
    np.testing.assert_allclose(
        SentenceEncoder.load(out).encode(SENTENCES), average_encoders(ingredients).encode(SENTENCES), atol=1e-5
    )
    bad = CliRunner().invoke(app, ["soup-encoders", str(ingredients[0]), str(tmp_path / "nope"), "-o", str(out)])
    assert bad.exit_code == 1 and "error:" in bad.output


def test_cli_greedy_soup_scores_on_korsts_dev_only(ingredients, tmp_path):
    from typer.testing import CliRunner

    import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers `soup-encoders`)
    from kpfnlp.cli.app import app

    korsts = tmp_path / "data" / "kornlu" / "KorSTS"
    korsts.mkdir(parents=True)
    header = "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2\n"
    pairs = [(i % 6, SENTENCES[i % 4], SENTENCES[(i + i // 4) % 4]) for i in range(1500)]
    rows = [f"main-news\tf\t2020\t{i}\t{score}\t{a}\t{b}\n" for i, (score, a, b) in enumerate(pairs)]
    (korsts / "sts-dev.tsv").write_text(header + "".join(rows), "utf-8")  # the release's 1,500 rows
    out = tmp_path / "greedy"
    args = ["soup-encoders", *map(str, ingredients), "-o", str(out), "--greedy", "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads((out / "soup.json").read_text(encoding="utf-8"))
    assert record["method"] == "greedy" and set(record["ingredient_korsts_dev_spearman"]) == set(map(str, ingredients))
    assert record["members"] == [s["added"] for s in record["steps"] if s["kept"]]
    assert record["korsts_dev_spearman"] == max(s["score"] for s in record["steps"])
    assert result.output.count("ingredient ") == 3
    missing = CliRunner().invoke(app, [*args[:-1], str(tmp_path / "nowhere")])
    assert missing.exit_code == 1  # no KorSTS dev to pick ingredients with
