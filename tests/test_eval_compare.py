"""`kpfnlp eval compare`: paired bootstrap and McNemar on two results scored on the same examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kpfnlp.cli.eval_cmds  # noqa: F401  (registers `kpfnlp eval`)
from kpfnlp.cli.app import app
from kpfnlp.eval.compare import compare_results
from kpfnlp.eval.results import data_record, write_result


def _test_file(path: Path, labels: list[int]) -> Path:
    rows = [f"{i}\t리뷰 {i}번\t{label}" for i, label in enumerate(labels)]
    path.write_text("id\tdocument\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _result(out: Path, name: str, test: Path, predictions: list[str], seed: int = 42) -> Path:
    result = {
        "task": "nsmc", "model": {"name": name}, "seed": seed,
        "data": data_record([test.parent / "train.txt", test], 1000, len(predictions), "synthetic"),
    }  # fmt: skip
    return write_result(result, out, predictions)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    """100 reviews; A is right on 90, B on 80; only A right on 15, only B right on 5."""
    (tmp_path / "train.txt").write_text("id\tdocument\tlabel\n", encoding="utf-8")
    gold = [i % 2 for i in range(100)]
    test = _test_file(tmp_path / "test.txt", gold)
    name = {0: "negative", 1: "positive"}
    wrong = {0: "positive", 1: "negative"}
    a = [wrong[g] if i < 10 else name[g] for i, g in enumerate(gold)]  # wrong on 0-9
    b = [wrong[g] if i < 5 or 10 <= i < 25 else name[g] for i, g in enumerate(gold)]  # wrong on 0-4, 10-24
    return _result(tmp_path / "res", "A", test, a), _result(tmp_path / "res", "B", test, b), test


def test_paired_comparison_by_hand(pair):
    from scipy.stats import binomtest

    a, b, _ = pair
    c = compare_results(a, b, resamples=20_000)
    assert (c.accuracy_a, c.accuracy_b, c.difference) == (90.0, 80.0, 10.0)
    assert (c.only_a_right, c.only_b_right, c.examples) == (15, 5, 100)
    assert c.mcnemar_p == pytest.approx(binomtest(15, 20, 0.5).pvalue) and 0.04 < c.mcnemar_p < 0.042
    lo, hi = c.interval  # the SE of the paired difference is sqrt((0.15 + 0.05 - 0.1**2) / 100) = 4.36 points
    assert 10 - 1.96 * 4.36 - 1 < lo < 10 - 1.96 * 4.36 + 1 and 10 + 1.96 * 4.36 - 1 < hi < 10 + 1.96 * 4.36 + 1
    reverse = compare_results(b, a, resamples=20_000)
    assert reverse.difference == -10.0 and reverse.mcnemar_p == c.mcnemar_p
    assert "difference +10.00 points" in c.summary() and "McNemar exact p = 0.041" in c.summary()


def test_cli_compare_and_its_refusals(pair, tmp_path):
    a, b, test = pair
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "A 90.00 vs B 80.00" in result.output and "only A right 15" in result.output
    for bad in (["--confidence", "1.5"], ["--resamples", "10"]):
        assert CliRunner().invoke(app, ["eval", "compare", str(a), str(b), *bad]).exit_code == 2
    # another fine-tuning seed on the whole test set scores the same examples: compared
    other_seed = _result(tmp_path / "res", "C", test, ["positive"] * 100, seed=7)
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(other_seed)])
    assert result.exit_code == 0 and "A 90.00 vs C 50.00" in result.output, result.output
    # seeded subsets of 50 drawn with different seeds are different examples: refused
    half = [_result(tmp_path / "half", n, test, ["positive"] * 50, seed=seed) for n, seed in (("D", 42), ("E", 7))]
    assert compare_results(half[0], half[0]).examples == 50
    result = CliRunner().invoke(app, ["eval", "compare", *map(str, half)])
    assert result.exit_code == 1 and "not scored on the same examples" in result.output
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(half[0])])  # 100 examples against 50
    assert result.exit_code == 1 and "not scored on the same examples" in result.output
    test.write_text(test.read_text(encoding="utf-8") + "100\t추가 리뷰\t1\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)])
    assert result.exit_code == 1 and "sha256 differs" in result.output
    json_a = json.loads(a.read_text(encoding="utf-8"))
    del json_a["predictions_file"]
    a.write_text(json.dumps(json_a), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)])
    assert result.exit_code == 1 and "no predictions file" in result.output
