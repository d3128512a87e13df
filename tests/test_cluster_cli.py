"""`kpfnlp dedup` and `kpfnlp cluster` end to end on data/samples/headlines.csv, plus bad input."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

import kpfnlp.cli.encoder_cmds  # noqa: F401  (registers the commands)
from kpfnlp.cli.app import app


def _jsonl(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_dedup_cli_one_row_per_input_row(samples, tmp_path):
    out = tmp_path / "dedup.jsonl"
    args = ["dedup", str(samples / "headlines.csv"), "-o", str(out), "--text-column", "title", "--id-column", "id"]
    result = CliRunner().invoke(app, [*args, "--tiers", "exact,lexical"])
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == [f"h{i:03d}" for i in range(1, 61)]
    by_id = {r["id"]: r for r in rows}
    assert set(rows[0]) == {"id", "group", "canonical", "similarity", "tier", "error"}
    for dup, head in (("h003", "h001"), ("h060", "h001"), ("h014", "h013"), ("h026", "h025"), ("h050", "h048")):
        assert by_id[dup]["group"] == by_id[head]["group"] and by_id[dup]["tier"] == "exact"
        assert by_id[head]["canonical"] and not by_id[dup]["canonical"]
    assert sum(r["canonical"] for r in rows) == len({r["group"] for r in rows}) == 55


def test_dedup_cli_semantic_tier_needs_an_encoder(samples, tmp_path, monkeypatch):
    monkeypatch.setattr("kpfnlp.encoder.model.BUNDLED_ENCODER", tmp_path / "none")
    args = ["dedup", str(samples / "headlines.csv"), "-o", str(tmp_path / "o.jsonl"), "--encoder", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "--tiers exact,lexical" in result.output


def test_cluster_cli_table_and_maps(samples, tmp_path):
    out, html, png = tmp_path / "clusters.csv", tmp_path / "map.html", tmp_path / "map.png"
    args = ["cluster", str(samples / "headlines.csv"), "-o", str(out), "--text-column", "title", "--id-column", "id"]
    options = ["--embedder", "tfidf", "--no-umap", "--min-cluster-size", "2", "--min-samples", "1"]
    result = CliRunner().invoke(app, [*args, *options, "--map", str(html), "--map-png", str(png)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [f"h{i:03d}" for i in range(1, 61)]
    assert set(rows[0]) == {"id", "cluster", "keywords", "representative", "duplicate_group", "error"}
    by_id = {r["id"]: r for r in rows}
    assert (
        by_id["h001"]["cluster"] == by_id["h003"]["cluster"]
        and by_id["h001"]["duplicate_group"] == by_id["h003"]["duplicate_group"]
    )
    clusters = {r["cluster"] for r in rows} - {"-1"}
    assert clusters and sum(r["representative"] == "True" for r in rows) == len(clusters)
    clustered = [r for r in rows if r["cluster"] != "-1"]
    assert all(json.loads(r["keywords"]) for r in clustered)
    assert html.read_text("utf-8").count("<html") == 1 and png.read_bytes()[:4] == b"\x89PNG"


def test_cluster_cli_per_group_and_bad_rows(tmp_path):
    feed = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": f"a{i}", "title": f"반도체 수출 {i}월 증가", "cat": "경제"}, ensure_ascii=False)
        for i in range(6)
    ]
    lines += [
        json.dumps({"id": f"b{i}", "title": f"태풍 북상 {i}일 영향", "cat": "사회"}, ensure_ascii=False)
        for i in range(6)
    ]
    lines += ["{not json", json.dumps({"id": "e1", "title": "<b></b> …", "cat": "사회"})]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = [
        "cluster",
        str(feed),
        "-o",
        str(out),
        "--text-column",
        "title",
        "--id-column",
        "id",
        "--group-column",
        "cat",
    ]
    result = CliRunner().invoke(app, [*args, "--embedder", "tfidf", "--no-umap", "--min-cluster-size", "3"])
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    assert len(rows) == 14 and rows[12]["error"] and "no text" in rows[13]["error"]
    econ = {r["cluster"] for r in rows[:6]} - {-1}
    soc = {r["cluster"] for r in rows[6:12]} - {-1}
    assert not econ & soc


@pytest.mark.parametrize("missing", ["headline", "nope"])
def test_cluster_cli_missing_column_is_a_clear_error(samples, tmp_path, missing):
    args = ["cluster", str(samples / "headlines.csv"), "-o", str(tmp_path / "o.csv"), "--text-column", missing]
    result = CliRunner().invoke(app, [*args, "--embedder", "tfidf"])
    assert result.exit_code == 1 and missing in result.output and "--text-column" in result.output


def test_missing_group_or_text_column_names_the_option(tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("a,b\n한은 기준금리 동결,경제\n", encoding="utf-8")
    out = ["-o", str(tmp_path / "o.csv"), "--embedder", "tfidf"]
    result = CliRunner().invoke(app, ["cluster", str(feed), *out, "--text-column", "a", "--group-column", "섹션"])
    message = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 1 and "no column '섹션' (given as --group-column)" in message
    result = CliRunner().invoke(app, ["cluster", str(feed), *out])
    message = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 1 and "--text-column" in message and "['a', 'b']" in message


def test_cluster_cli_is_reproducible_by_default(samples, tmp_path):
    """UMAP is seeded unless --seed -1: the same feed gives the same clusters twice."""
    args = ["cluster", str(samples / "headlines.csv"), "--text-column", "title", "--id-column", "id"]
    options = ["--embedder", "tfidf", "--min-cluster-size", "2", "--min-samples", "1"]
    labels = []
    for name in ("a.jsonl", "b.jsonl"):
        result = CliRunner().invoke(app, [*args, *options, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        labels.append([row["cluster"] for row in _jsonl(tmp_path / name)])
    assert labels[0] == labels[1] and len(set(labels[0]) - {-1}) >= 2


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("cluster", ["--embedder", "tfidf", "--no-umap"]),
        ("dedup", ["--tiers", "exact,lexical"]),
        ("dedup", []),  # the semantic tier too: the bundled encoder gets no text to encode
        ("embed", []),
    ],
)
def test_feed_without_a_usable_row_gives_error_rows(tmp_path, command, options):
    """Every row bad (here: a JSON array of empty titles and a non-object): error rows, no crash."""
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"title": ""}, {"title": "<p> </p>"}, [1]]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, [command, str(feed), "-o", str(out), "--text-column", "title", *options])
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == ["feed.json:element 1", "feed.json:element 2", "feed.json:element 3"]
    errors = [r["error"] for r in rows]
    assert "empty text" in errors[0] and "no text" in errors[1] and "not a JSON object" in errors[2]


def test_embed_reads_text_as_dedup_and_cluster_do(tmp_path):
    """HTML remnants are stripped before encoding, and markup-only text is an error row, not a vector."""
    feed = tmp_path / "feed.jsonl"
    titles = ["<b>한은</b> 기준금리 동결", "한은 기준금리 동결", "<p></p>", "태풍 북상"]
    feed.write_text("".join(json.dumps({"title": t}, ensure_ascii=False) + "\n" for t in titles), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["embed", str(feed), "-o", str(out), "--text-column", "title"])
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    assert rows[0]["embedding"] == rows[1]["embedding"] and rows[0]["embedding"] != rows[3]["embedding"]
    assert rows[2]["embedding"] is None and "no text" in rows[2]["error"]
    assert len(rows[0]["embedding"]) == 256 and [r["error"] for r in rows if r is not rows[2]] == [None] * 3


@pytest.mark.parametrize("command", ["cluster", "dedup", "embed"])
def test_unwritable_output_is_refused_before_any_work(samples, tmp_path, command):
    args = [command, str(samples / "headlines.csv"), "-o", str(tmp_path / "out.txt"), "--text-column", "title"]
    result = CliRunner().invoke(app, args)
    message = " ".join(result.output.replace("│", " ").split())  # rich may wrap the message in a box
    assert result.exit_code == 2 and "output must end in .jsonl or .csv" in message
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("command", ["cluster", "dedup", "embed"])
def test_missing_or_unsupported_input_is_refused_before_any_model_loads(tmp_path, command, monkeypatch):
    import kpfnlp.cli.encoder_cmds as cmds

    monkeypatch.setattr(cmds, "_encoder", lambda *a: pytest.fail("a model was loaded"))  # refused before that
    (tmp_path / "feed.txt").write_text("제목\n", encoding="utf-8")
    for feed, expected in ((tmp_path / "none.jsonl", "no such input file"), (tmp_path / "feed.txt", "'.txt'")):
        result = CliRunner().invoke(app, [command, str(feed), "-o", str(tmp_path / "out.jsonl")])
        message = " ".join(result.output.replace("│", " ").split())
        assert result.exit_code == 2 and expected in message, message
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["dedup", "--semantic-threshold", "1.5"], ["dedup", "--lexical-threshold", "-0.1"],
        ["cluster", "--min-cluster-size", "1"], ["cluster", "--min-samples", "0"],
        ["cluster", "--n-components", "1"], ["cluster", "--outlier-threshold", "2"],
    ],
)  # fmt: skip
def test_out_of_range_settings_are_refused(samples, tmp_path, args):
    command, *option = args
    feed, out = str(samples / "headlines.csv"), str(tmp_path / "o.jsonl")
    result = CliRunner().invoke(app, [command, feed, "-o", out, *option])
    assert result.exit_code == 2 and option[0] in result.output


def test_eval_clustering_cli_writes_rows_into_an_output_directory(samples, tmp_path):
    with (samples / "headlines.csv").open(encoding="utf-8") as f:
        records = [{"title": r["title"], "category": r["category"]} for r in csv.DictReader(f)]
    (tmp_path / "data" / "news").mkdir(parents=True)
    (tmp_path / "data" / "news" / "newstrust_20210601_titles.json").write_text(
        json.dumps(records, ensure_ascii=False), "utf-8"
    )  # the newstrust layout, with the 60 sample headlines
    (tmp_path / "eval").mkdir()
    args = ["eval", "clustering", "--embedder", "tfidf", "--no-per-category", "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(app, [*args, "--output", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "eval" / "clustering-newstrust.json").read_text("utf-8"))
    assert all(r["items"] == len(records) and 0 <= r["noise_fraction"] <= 1 for r in rows)
    assert {r["config"].split(" (")[0] for r in rows} >= {"ours"}
