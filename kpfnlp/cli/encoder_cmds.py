"""`kpfnlp train-encoder`, `embed`, `dedup`, `cluster`, `eval sts` and `eval clustering`.

`dedup` and `cluster` look at the whole feed at once (duplicates and clusters span it), so they rewrite their
output rather than resume; `embed` streams and resumes. Every input row gets exactly one output row; rows that
cannot be read or have no text carry `error`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpfnlp.cli.app import app
from kpfnlp.cli.eval_cmds import eval_app

if TYPE_CHECKING:
    from kpfnlp.cluster import TfidfSvdEmbedder
    from kpfnlp.encoder import SentenceEncoder


def _input_path(path: Path) -> Path:
    """Refuse a missing or unsupported feed before any model is loaded."""
    from kpfnlp.batch.feed import feed_format

    if not path.is_file():
        raise typer.BadParameter(f"no such input file: {path}")
    try:
        feed_format(path)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    return path


InputPath = Annotated[
    Path,
    typer.Argument(help="Feed: JSONL, JSON array or object, CSV/TSV (UTF-8 or CP949) or XLSX.", callback=_input_path),
]


def _output_path(path: Path) -> Path:
    """Refuse an output the writer cannot write before any work is done (not after clustering a feed)."""
    from kpfnlp.batch.writer import output_format

    try:
        output_format(path)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    return path


OutputPath = Annotated[
    Path, typer.Option("--output", "-o", help="Output table: .jsonl or .csv.", callback=_output_path)
]
TextColumn = Annotated[str | None, typer.Option("--text-column", help="Column with the text (default: title/body).")]
IdColumn = Annotated[
    str | None, typer.Option("--id-column", help="Column with the row id (default: id, else file:line).")
]
Encoder = Annotated[
    Path | None, typer.Option("--encoder", help="Sentence-encoder directory (default: the bundled encoder).")
]
DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data catalogue (default: $KPFNLP_SHARED_DATA or ../shared/data).")
]
Int8 = Annotated[
    bool,
    typer.Option("--int8", help="Int8-quantize the encoder on the CPU: ~3x faster, ~0.1-0.2 lower STS Spearman."),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _data_dir(data_dir: Path | None) -> Path:
    from kpfnlp.paths import shared_data_dir

    found = data_dir or shared_data_dir()
    if found is None or not found.is_dir():
        raise _fail("no data directory: pass --data-dir or set KPFNLP_SHARED_DATA")
    return found


def _encoder(path: Path | None, purpose: str, int8: bool = False):
    from kpfnlp.encoder import SentenceEncoder

    try:
        return SentenceEncoder.load(path, int8=int8)
    except (FileNotFoundError, OSError, RuntimeError) as err:
        raise _fail(f"{err}; {purpose}") from err


def _feed_embedder(embedder: str, encoder: Path | None, int8: bool = False) -> TfidfSvdEmbedder | SentenceEncoder:
    """The TF-IDF+SVD stand-in when `embedder` is tfidf, else the sentence encoder at `encoder`."""
    from kpfnlp.cluster import TfidfSvdEmbedder

    if embedder == "tfidf":
        return TfidfSvdEmbedder()
    return _encoder(encoder, "pass --encoder DIR or --embedder tfidf", int8)


NO_TEXT = "no text (empty, or only punctuation/markup)"


def _usable_text(text: str) -> str | None:
    """The text as the encoder and keywords should see it (NFC, HTML remnants, whitespace), or None when nothing
    is left to embed (empty, only punctuation or markup)."""
    from kpfnlp.dedup import dedup_key
    from kpfnlp.text import normalize_text

    text = normalize_text(text)
    return text if dedup_key(text) else None


def _read_rows(path: Path, text_column: str | None, id_column: str | None, title_column: str | None = None):
    """All feed rows, the indices of the usable ones, their texts normalised (NFC, HTML remnants, whitespace)
    as the encoder and keywords should see them, and a per-row error for the rest."""
    from kpfnlp.batch import Columns, read_feed
    from kpfnlp.corpus import MissingColumnError

    try:
        rows = list(read_feed(path, Columns(text=text_column, title=title_column, id=id_column)))
    except MissingColumnError as err:  # name the command's own options, not the library's arguments
        flags = {text_column: "--text-column", id_column: "--id-column", title_column: "--group-column"}
        if isinstance(err.wanted, str):
            wanted, hint = err.wanted, f" (given as {flags[err.wanted]})" if err.wanted in flags else ""
        else:  # none of the usual text column names
            wanted, hint = " / ".join(err.wanted), " (name the text column with --text-column)"
        raise _fail(f"{path}: no column {wanted!r}{hint}; the file has columns {err.available}") from err
    except (FileNotFoundError, ValueError) as err:
        raise _fail(str(err)) from err
    errors: dict[int, str] = {}
    usable: dict[int, str] = {}
    for i, row in enumerate(rows):
        text = _usable_text(row.text) if row.error is None else None
        if text is not None:
            usable[i] = text
        else:
            errors[row.index] = row.error or NO_TEXT
    good, texts = list(usable), list(usable.values())
    no_hangul = sum(1 for text in texts if not any("가" <= ch <= "힣" for ch in text))
    if no_hangul:
        typer.echo(f"note: {no_hangul} rows contain no Hangul (processed as they are)", err=True)
    return rows, good, texts, errors


def _write(output: Path, fields: list[str], rows, values: dict[int, dict[str, Any]], errors: dict[int, str]) -> None:
    """One output row per input row (overwriting `output`)."""
    from kpfnlp.batch import FeedWriter

    if output.exists():
        output.unlink()
    with FeedWriter(output, ["id", *fields, "error"]) as writer:
        for i, row in enumerate(rows):
            writer.write({"id": row.id, **values.get(i, {}), "error": errors.get(row.index)})


def _run_recipe(recipe, train, config: Path, overrides: list[str] | None, data_dir: Path | None):
    """Load a recipe YAML with its overrides and run `train(recipe, data_dir)`; a data or config problem is a
    clean CLI error. Returns the recipe and the training report."""
    from kpfnlp.eval.data import DataError

    try:
        cfg = recipe.load(config, overrides)
        return cfg, train(cfg, Path(cfg.data_dir) if cfg.data_dir else _data_dir(data_dir))
    except (DataError, FileNotFoundError, OSError, ValueError) as err:
        raise _fail(str(err)) from err


@app.command("train-encoder")
def train_encoder_cmd(
    config: Annotated[Path, typer.Option("--config", help="Recipe YAML (training/configs/encoder-*.yaml).")],
    overrides: Annotated[list[str] | None, typer.Argument(help="key=value or nli.key=value overrides.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Train the sentence encoder (NLI -> STS, or multitask) from a backbone; writes OUTPUT_DIR/final and fp16."""
    from kpfnlp.encoder import EncoderConfig
    from kpfnlp.encoder.train import train_encoder

    cfg, report = _run_recipe(EncoderConfig, train_encoder, config, overrides, data_dir)
    before, after = report["dev_before"]["spearman"], report["dev_after"]["spearman"]
    typer.echo(f"dev Spearman {before:.2f} -> {after:.2f} in {report['train_seconds']} s -> {cfg.output_dir}/final")


@app.command("train-cross-encoder")
def train_cross_encoder_cmd(
    config: Annotated[Path, typer.Option("--config", help="Recipe YAML (training/configs/cross-encoder-*.yaml).")],
    overrides: Annotated[list[str] | None, typer.Argument(help="key=value or train.key=value overrides.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Train the STS cross-encoder (the AugSBERT teacher for `kpfnlp augment-sts`); writes OUTPUT_DIR/final."""
    from kpfnlp.encoder.cross import CrossEncoderConfig, train_cross_encoder

    cfg, report = _run_recipe(CrossEncoderConfig, train_cross_encoder, config, overrides, data_dir)
    dev = report["dev_after"]["spearman"]
    typer.echo(f"dev Spearman {dev:.2f} in {report['train_seconds']} s -> {cfg.output_dir}/final")


@app.command("augment-sts")
def augment_sts_cmd(
    cross_encoder: Annotated[Path, typer.Option("--cross-encoder", help="Trained cross-encoder directory.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Silver pairs TSV (KorSTS layout).")],
    encoder: Encoder = None,
    sts_files: Annotated[
        list[str] | None, typer.Option("--sts-file", help="Gold STS training file under the data directory.")
    ] = None,
    neighbours: Annotated[int, typer.Option("--neighbours", min=0, help="Nearest neighbours per sentence.")] = 3,
    random_pairs: Annotated[int, typer.Option("--random-pairs", min=0, help="Random pairs besides.")] = 5_000,
    max_pairs: Annotated[int | None, typer.Option("--max-pairs", min=1, help="Keep a seeded sample.")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 42,
    data_dir: DataDir = None,
) -> None:
    """AugSBERT silver STS pairs: gold training sentences paired with their encoder neighbours, scored by the
    cross-encoder; add the file to the encoder recipe with `silver_files=[FILE]`."""
    from kpfnlp.encoder.augment import silver_pairs, write_sts_tsv
    from kpfnlp.encoder.cross import load_cross_encoder
    from kpfnlp.encoder.data import STS_TRAIN_FILES, read_sts, refuse_evaluation_files
    from kpfnlp.eval.data import DataError

    names = sts_files or list(STS_TRAIN_FILES)
    try:
        refuse_evaluation_files(names)
    except ValueError as err:
        raise _fail(str(err)) from err
    root = _data_dir(data_dir)
    try:
        gold = [p for name in names for p in read_sts(root / name)]
        teacher = load_cross_encoder(cross_encoder)
    except (DataError, FileNotFoundError, OSError) as err:
        raise _fail(str(err)) from err
    embedder = _encoder(encoder, "pass --encoder DIR")
    pairs = silver_pairs(gold, embedder, teacher, neighbours, random_pairs, max_pairs, seed)
    write_sts_tsv(pairs, output)
    mean = sum(p.score for p in pairs) / max(len(pairs), 1)
    typer.echo(f"{len(pairs)} silver pairs (mean score {mean:.2f}) from {len(gold)} gold pairs -> {output}")


@app.command("export-encoder")
def export_encoder_cmd(
    source: Annotated[Path, typer.Argument(help="Trained encoder directory (OUTPUT_DIR/final).")],
    target: Annotated[Path, typer.Argument(help="Release directory, e.g. kpfnlp/models/kpfnlp-mini-sbert.")],
    share_embeddings_with: Annotated[
        Path | None,
        typer.Option("--share-embeddings-with", help="Backbone whose word embeddings the encoder started from."),
    ] = None,
    embedding_delta_rank: Annotated[
        int | None,
        typer.Option("--embedding-delta-rank", min=1, help="Trained word embeddings: store their change at this rank."),
    ] = None,
) -> None:
    """Write an encoder release in fp16, optionally without the word embeddings it shares with the backbone."""
    from kpfnlp.encoder.bundle import SHARED_WEIGHTS_FILE, export_encoder

    try:
        export_encoder(source, target, share_embeddings_with, embedding_delta_rank)
    except (FileNotFoundError, OSError, KeyError, ValueError) as err:
        raise _fail(str(err)) from err
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    note = ""
    if embedding_delta_rank:
        delta = json.loads((target / SHARED_WEIGHTS_FILE).read_text("utf-8"))["delta"]
        note = f" (word-embedding change at rank {delta['rank']}, relative error {delta['relative_error']:.4f})"
    typer.echo(f"{target}: {size / 1e6:.1f} MB{note}")


@app.command("soup-encoders")
def soup_encoders_cmd(
    sources: Annotated[list[Path], typer.Argument(help="Encoders fine-tuned from one backbone (e.g. seeds).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for the averaged encoder (fp32).")],
    greedy: Annotated[
        bool, typer.Option("--greedy", help="Keep an ingredient only if KorSTS dev Spearman does not fall.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Average the weights of encoders trained from one backbone (a model soup); uniform, or greedy on KorSTS dev.

    KorSTS dev picks the ingredients; KorSTS test and KLUE-STS dev stay held out (`kpfnlp eval sts`)."""
    from kpfnlp.encoder import evaluate_sts
    from kpfnlp.encoder.data import KORSTS_ROWS, read_korsts
    from kpfnlp.encoder.soup import average_encoders, greedy_soup
    from kpfnlp.eval.data import DataError

    try:
        if greedy:
            dev = read_korsts(_data_dir(data_dir) / "kornlu/KorSTS/sts-dev.tsv", KORSTS_ROWS["sts-dev.tsv"])
            made = greedy_soup(sources, lambda encoder: evaluate_sts(encoder, dev)["spearman"])
            for path, own in made.ingredient_scores.items():
                typer.echo(f"ingredient {path}: KorSTS dev {own:.2f}")
            for step in made.steps:
                verdict = "kept" if step["kept"] else "left out"
                typer.echo(f"{verdict}: {step['added']} -> KorSTS dev {step['score']:.2f}")
            encoder, members = made.encoder, made.members
            record = {
                "method": "greedy", "korsts_dev_spearman": made.score,
                "ingredient_korsts_dev_spearman": made.ingredient_scores, "steps": made.steps,
            }  # fmt: skip
        else:
            encoder, members = average_encoders(sources), list(sources)
            record = {"method": "uniform"}
    except (DataError, FileNotFoundError, OSError, ValueError) as err:
        raise _fail(str(err)) from err
    encoder.save(output)
    record["members"] = [str(p) for p in members]
    (output / "soup.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(f"{output}: average of {len(members)} encoders")


@app.command("embed")
def embed_cmd(
    input: InputPath,
    output: OutputPath,
    text_column: TextColumn = None,
    id_column: IdColumn = None,
    encoder: Encoder = None,
    int8: Int8 = False,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per encoder batch.")] = 64,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Continue a partial output.")] = True,
) -> None:
    """Sentence embeddings, one output row per input row (`embedding` as a list of floats); resumable."""
    from kpfnlp.batch import Columns, run_batch

    model = _encoder(encoder, "pass --encoder DIR", int8)

    def process(rows):
        texts = [_usable_text(row.text) for row in rows]  # as dedup and cluster embed them
        keep = [i for i, text in enumerate(texts) if text is not None]
        vectors = model.encode([texts[i] for i in keep], batch_size=batch_size)
        out: list[dict[str, Any]] = [{"error": NO_TEXT} for _ in rows]
        for i, vec in zip(keep, vectors, strict=True):
            out[i] = {"embedding": [round(float(v), 6) for v in vec]}
        return out

    stats = run_batch(
        input, output, process, ["embedding"], columns=Columns(text=text_column, id=id_column),
        batch_size=batch_size, resume=resume,
    )  # fmt: skip
    typer.echo(f"{stats.written} rows ({stats.errors} errors) -> {output}")


@app.command("dedup")
def dedup_cmd(
    input: InputPath,
    output: OutputPath,
    text_column: TextColumn = None,
    id_column: IdColumn = None,
    encoder: Encoder = None,
    tiers: Annotated[
        str, typer.Option("--tiers", help="Comma list of exact, lexical, semantic.")
    ] = "exact,lexical,semantic",
    lexical_threshold: Annotated[
        float | None, typer.Option("--lexical-threshold", help="Bigram Jaccard.", min=0.0, max=1.0)
    ] = None,
    semantic_threshold: Annotated[
        float | None, typer.Option("--semantic-threshold", help="Cosine.", min=0.0, max=1.0)
    ] = None,
    canonical: Annotated[str, typer.Option("--canonical", help="first (earliest) or longest.")] = "first",
    int8: Int8 = False,
) -> None:
    """Group duplicates: rows get `group`, `canonical`, `similarity` (to the canonical row) and `tier`.

    The semantic threshold defaults to the encoder's own calibration (`kpfnlp calibrate-dedup`)."""
    from kpfnlp.dedup import DedupConfig, Deduplicator
    from kpfnlp.dedup.calibrate import encoder_semantic_threshold
    from kpfnlp.encoder import BUNDLED_ENCODER

    try:
        cfg = DedupConfig(tiers=tuple(t.strip() for t in tiers.split(",") if t.strip()), canonical=canonical)
    except ValueError as err:
        raise _fail(str(err)) from err
    cfg.lexical_threshold = lexical_threshold if lexical_threshold is not None else cfg.lexical_threshold
    embedder = None
    if "semantic" in cfg.tiers:
        embedder = _encoder(encoder, "pass --encoder DIR or --tiers exact,lexical", int8)
    if semantic_threshold is None and embedder is not None:
        semantic_threshold = encoder_semantic_threshold(encoder or BUNDLED_ENCODER)
        if semantic_threshold is None:
            typer.echo(f"warning: encoder not calibrated (kpfnlp calibrate-dedup); cosine {cfg.semantic_threshold}")
        elif semantic_threshold >= 0.999:
            typer.echo(
                "warning: this encoder's calibration reached the precision it asks for only at cosine 1.0, so the "
                "semantic tier finds nothing beyond exact duplicates; pass --semantic-threshold to use it anyway "
                "or --tiers exact,lexical to skip the encoding"
            )
    cfg.semantic_threshold = semantic_threshold if semantic_threshold is not None else cfg.semantic_threshold
    rows, good, texts, errors = _read_rows(input, text_column, id_column)
    records = Deduplicator(cfg, embedder).run(texts, [rows[i].id for i in good])
    values = {
        good[r.index]: {"group": r.group, "canonical": r.canonical, "similarity": r.similarity, "tier": r.tier}
        for r in records
    }
    _write(output, ["group", "canonical", "similarity", "tier"], rows, values, errors)
    groups = len({r.group for r in records})
    typer.echo(
        f"{len(rows)} rows, {len(errors)} errors, {len(records) - groups} duplicates in {groups} groups -> {output}"
    )


@app.command("calibrate-dedup")
def calibrate_dedup_cmd(
    encoder: Encoder = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Data catalogue with kornlu/ and klue/.")] = None,
    min_precision: Annotated[float, typer.Option("--min-precision", help="Precision the threshold must reach.")] = 0.9,
) -> None:
    """Calibrate the semantic dedup threshold for an encoder on KorSTS dev news pairs; stored in its directory."""
    from kpfnlp.dedup.calibrate import ENCODER_CALIBRATION, calibrate_encoder
    from kpfnlp.encoder import BUNDLED_ENCODER

    path = encoder or BUNDLED_ENCODER
    try:
        record = calibrate_encoder(_data_dir(data_dir), path, min_precision)["semantic"]
    except (FileNotFoundError, OSError) as err:  # not an encoder directory, or a calibration file missing
        raise _fail(str(err)) from err
    checks = {k: v for k, v in record.items() if k.startswith("check:")}
    typer.echo(json.dumps({"threshold": record["threshold"], "precision": record["precision"],
                           "recall": record["recall"], "max_f1_threshold": record["max_f1_threshold"], **checks},
                          indent=2))  # fmt: skip
    typer.echo(f"-> {path / ENCODER_CALIBRATION}")


@app.command("cluster")
def cluster_cmd(
    input: InputPath,
    output: OutputPath,
    text_column: TextColumn = None,
    id_column: IdColumn = None,
    group_column: Annotated[
        str | None, typer.Option("--group-column", help="Cluster each value of this column separately.")
    ] = None,
    encoder: Encoder = None,
    embedder: Annotated[str, typer.Option("--embedder", help="encoder, or tfidf (model-free stand-in).")] = "encoder",
    int8: Int8 = False,
    umap: Annotated[bool, typer.Option("--umap/--no-umap", help="Reduce with UMAP (else PCA).")] = True,
    n_components: Annotated[int, typer.Option("--n-components", help="Reduced dimensions.", min=2)] = 5,
    method: Annotated[str, typer.Option("--method", help="HDBSCAN cluster selection: leaf or eom.")] = "leaf",
    min_cluster_size: Annotated[int, typer.Option("--min-cluster-size", min=2)] = 5,
    min_samples: Annotated[int, typer.Option("--min-samples", min=1)] = 2,
    outlier_threshold: Annotated[
        float | None,
        typer.Option("--outlier-threshold", help="Reassign noise to a centroid with cosine >= this.", min=0.0, max=1.0),
    ] = None,
    dedup: Annotated[bool, typer.Option("--dedup/--no-dedup", help="Fold exact+lexical duplicates first.")] = True,
    seed: Annotated[
        int, typer.Option("--seed", help="UMAP random_state: reproducible, single-threaded; -1: unseeded, parallel.")
    ] = 0,
    map_html: Annotated[Path | None, typer.Option("--map", help="Write the 2-D map as HTML.")] = None,
    map_png: Annotated[Path | None, typer.Option("--map-png", help="Write the 2-D map as PNG.")] = None,
) -> None:
    """Cluster headlines: rows get `cluster` (-1 noise), `keywords`, `representative`, `duplicate_group`."""
    from kpfnlp.cluster import ClusterPipeline, HDBSCANClusterer, PCAReducer, UMAPReducer, cluster_by_group
    from kpfnlp.dedup import DedupConfig, Deduplicator

    if method not in ("leaf", "eom") or embedder not in ("encoder", "tfidf"):
        raise _fail("--method must be leaf or eom; --embedder must be encoder or tfidf")
    model = _feed_embedder(embedder, encoder, int8)
    seed_or_none = None if seed < 0 else seed
    reducer = UMAPReducer(n_components, random_state=seed_or_none) if umap else PCAReducer(max(n_components, 2))
    pipeline = ClusterPipeline(
        model, reducer, HDBSCANClusterer(min_cluster_size, min_samples, method),
        deduplicator=Deduplicator(DedupConfig(tiers=("exact", "lexical"))) if dedup else None,
        outlier_threshold=outlier_threshold,
    )  # fmt: skip
    rows, good, texts, errors = _read_rows(input, text_column, id_column, group_column)
    fields = ["cluster", "keywords", "representative", "duplicate_group"]
    if not good:
        _write(output, fields, rows, {}, errors)
        typer.echo(f"{len(rows)} rows, {len(errors)} errors, no row with text to cluster -> {output}")
        return
    if group_column:  # the group value travels in FeedRow.title
        result = cluster_by_group(pipeline, texts, [rows[i].title or "" for i in good])
    else:
        result = pipeline.fit(texts)
    values = {
        i: {
            "cluster": int(result.labels[k]), "keywords": result.item_keywords(k),
            "representative": bool(result.representative[k]), "duplicate_group": int(result.duplicate_group[k]),
        }
        for k, i in enumerate(good)
    }  # fmt: skip
    _write(output, fields, rows, values, errors)
    if (map_html or map_png) and len(texts) > 2:
        from kpfnlp.cluster.plot import map_coordinates, write_html_map, write_png_map

        xy = map_coordinates(result.embeddings)
        if map_html:
            write_html_map(map_html, xy, texts, result.labels, result.keywords)
        if map_png:
            write_png_map(map_png, xy, result.labels)
    clusters = len(set(result.labels.tolist()) - {-1})
    noise = float((result.labels == -1).mean()) if len(texts) else 0.0
    typer.echo(f"{len(rows)} rows, {len(errors)} errors, {clusters} clusters, {noise:.0%} noise -> {output}")


@eval_app.command("sts")
def eval_sts_cmd(
    model: Annotated[Path | None, typer.Option("--model", help="A trained encoder directory.")] = None,
    backbone: Annotated[
        Path | None, typer.Option("--backbone", help="A BERT directory: mean of un-fine-tuned embeddings.")
    ] = None,
    tfidf: Annotated[bool, typer.Option("--tfidf", help="The TF-IDF character n-gram cosine baseline.")] = False,
    cross_encoder: Annotated[
        Path | None, typer.Option("--cross-encoder", help="A trained STS cross-encoder (scores pairs, no cosine).")
    ] = None,
    int8: Int8 = False,
    data_dir: DataDir = None,
    output: Annotated[Path, typer.Option("--output", help="Results directory (one JSON per run).")] = Path("runs/eval"),
) -> None:
    """Cosine Spearman/Pearson (and KLUE F1 at 3.0) on KorSTS test and KLUE-STS dev."""
    from kpfnlp.encoder import SentenceEncoder, TfidfCharEmbedder, evaluate_sts, read_sts
    from kpfnlp.encoder.data import KORSTS_ROWS, read_korsts
    from kpfnlp.eval.data import DataError
    from kpfnlp.eval.results import write_result

    if sum(x is not None and x is not False for x in (model, backbone, tfidf or None, cross_encoder)) != 1:
        raise _fail("give exactly one of --model, --backbone, --tfidf, --cross-encoder")
    if int8 and model is None:
        raise _fail("--int8 quantizes the encoder given with --model")
    root = _data_dir(data_dir)
    teacher = None
    if cross_encoder is not None:
        from kpfnlp.encoder.cross import evaluate_cross_encoder, load_cross_encoder

        try:
            teacher = load_cross_encoder(cross_encoder)
        except (FileNotFoundError, OSError) as err:
            raise _fail(f"{err}; check --cross-encoder") from err
        name = cross_encoder.name if cross_encoder.name != "final" else cross_encoder.parent.name
    elif tfidf:
        name, embedder = "tfidf-char-1-2", TfidfCharEmbedder(2)
    elif backbone is not None:
        name, embedder = f"{backbone.name} (mean pooling, no fine-tuning)", SentenceEncoder.from_backbone(backbone)
    else:
        name = (model.name if model.name != "final" else model.parent.name) + ("-int8" if int8 else "")
        embedder = _encoder(model, "check --model", int8)
    try:
        sets = {
            "korsts-test": read_korsts(root / "kornlu/KorSTS/sts-test.tsv", KORSTS_ROWS["sts-test.tsv"]),
            "klue-sts-dev": read_sts(root / "klue/klue-sts-v1.1_dev.json"),
        }
    except DataError as err:
        raise _fail(str(err)) from err
    for task, pairs in sets.items():
        if teacher is not None:
            metrics, method = evaluate_cross_encoder(teacher, pairs), "cross-encoder"
        else:
            if tfidf:
                embedder = TfidfCharEmbedder(2)  # IDF from the evaluated sentences only (no labels)
            metrics, method = evaluate_sts(embedder, pairs), "cosine"
        result = {"task": f"sts-{task}", "method": method, "model": {"name": name}, "metrics": metrics}
        path = write_result(result, output)
        typer.echo(
            f"{task} | {name} | Spearman {metrics['spearman']:.2f} | Pearson {metrics['pearson']:.2f} | "
            f"F1 {metrics['f1']:.2f} -> {path}"
        )


@eval_app.command("clustering")
def eval_clustering_cmd(
    data: Annotated[str, typer.Option("--data", help="newstrust or ynat.")] = "newstrust",
    encoder: Encoder = None,
    embedder: Annotated[str, typer.Option("--embedder", help="encoder, or tfidf (stand-in).")] = "encoder",
    int8: Int8 = False,
    per_category: Annotated[
        bool, typer.Option("--per-category/--no-per-category", help="Also run per category, as kpfSBERT_Clustering.")
    ] = True,
    data_dir: DataDir = None,
    output: Annotated[
        Path, typer.Option("--output", help="JSON file for the rows (a directory: clustering-DATA.json in it).")
    ] = Path("runs/eval/clustering.json"),
) -> None:
    """Noise, clusters, purity, ARI/NMI of our pipeline, kpfSBERT_Clustering's config and a TF-IDF pipeline."""
    from kpfnlp.cluster.evaluate import evaluate_clustering, load_dataset, render_rows

    if output.is_dir():  # decided before minutes of clustering, not when writing the rows
        output = output / f"clustering-{data}.json"
    try:
        texts, labels = load_dataset(data, _data_dir(data_dir))
    except (ValueError, FileNotFoundError, OSError) as err:
        raise _fail(str(err)) from err
    model = _feed_embedder(embedder, encoder, int8)
    name = "TF-IDF+SVD" if embedder == "tfidf" else "encoder (int8)" if int8 else "encoder"
    rows = evaluate_clustering(texts, labels, model.encode, name, groups=labels if per_category else None)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(render_rows(rows, data))
