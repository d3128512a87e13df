"""Semantic dedup with and without a cross-encoder verifier: precision and recall on scored news pairs, and what
each finds in a real day of headlines, with its time.

Pairs: KorSTS dev `main-news` (the calibration set; a duplicate is gold >= 4.0), checked on KorSTS test
`main-news` and KLUE-STS dev. Rules (as `kpfnlp calibrate-dedup`): the encoder alone at its precision-calibrated
cosine; verified = the encoder's recall-calibrated candidate cosine, then the cross-encoder's precision-calibrated
score. The feed: the 12,006 newstrust headlines of 2021-06-01, exact + lexical + semantic tiers.

    python benchmarks/bench_dedup_verify.py --cross-encoder DIR [--encoder DIR] [--examples 20]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from kpfnlp.dedup import DedupConfig, Deduplicator
from kpfnlp.dedup.calibrate import (
    CALIBRATION_SET,
    CHECK_SETS,
    DUPLICATE_SCORE,
    calibrate_threshold,
    precision_recall,
    recall_threshold,
)
from kpfnlp.dedup.verify import CrossEncoderVerifier
from kpfnlp.encoder import BUNDLED_ENCODER, SentenceEncoder, pair_cosines, read_sts
from kpfnlp.paths import shared_data_dir


def pair_sets(data: Path) -> dict[str, list]:
    """The calibration set and the two check sets, by name."""
    sets = {}
    for name, genre in (CALIBRATION_SET, *CHECK_SETS):
        sets[f"{name}{':' + genre if genre else ''}"] = [
            p for p in read_sts(data / name) if not genre or p.genre == genre
        ]
    return sets


def pair_table(encoder, verifier: CrossEncoderVerifier, sets: dict[str, list], min_precision: float) -> dict:
    """Thresholds calibrated on the first set, precision / recall / F1 on every set, for both rules."""
    scores = {}
    for name, pairs in sets.items():
        cos = pair_cosines(encoder, pairs)
        cross = verifier.score([(p.sentence1, p.sentence2) for p in pairs])
        scores[name] = (cos, cross, np.array([p.score for p in pairs]) >= DUPLICATE_SCORE)
    cos, cross, positive = next(iter(scores.values()))
    gold = np.where(positive, DUPLICATE_SCORE, 0.0)
    alone = calibrate_threshold(cos, gold, min_precision)["threshold"]
    candidate = recall_threshold(cos, gold)["threshold"]
    verify = calibrate_threshold(cross, gold, min_precision)["threshold"]
    table = {"thresholds": {"encoder_alone": alone, "candidate_cosine": candidate, "verifier_score": verify}}
    for name, (cos, cross, positive) in scores.items():
        verified = np.where(cos >= candidate, cross, -1.0)
        table[name] = {
            "pairs": len(cos), "duplicates": int(positive.sum()),
            "encoder_alone": [round(v, 3) for v in precision_recall(cos, positive, alone)],
            "cross_encoder_alone": [round(v, 3) for v in precision_recall(cross, positive, verify)],
            "verified": [round(v, 3) for v in precision_recall(verified, positive, verify)],
        }  # fmt: skip
    return table


def feed_run(titles: list[str], encoder, verifier, semantic_threshold: float) -> tuple[list, float]:
    """Dedup records of the feed and the seconds the dedup took (embedding included)."""
    start = time.perf_counter()
    records = Deduplicator(DedupConfig(semantic_threshold=semantic_threshold), encoder, verifier).run(titles)
    return records, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cross-encoder", type=Path, required=True)
    parser.add_argument("--encoder", type=Path, default=BUNDLED_ENCODER)
    parser.add_argument("--min-precision", type=float, default=0.9)
    parser.add_argument("--examples", type=int, default=20, help="verified semantic pairs printed for reading")
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    encoder = SentenceEncoder.load(args.encoder)
    verifier = CrossEncoderVerifier.load(args.cross_encoder, threshold=0.0)
    table = pair_table(encoder, verifier, pair_sets(data), args.min_precision)
    print(json.dumps(table, indent=2, ensure_ascii=False))
    thresholds = table["thresholds"]
    verifier.threshold = thresholds["verifier_score"]
    titles = [r["title"] for r in json.loads((data / "news/newstrust_20210601_titles.json").read_text("utf-8"))]
    encoder.encode(titles[:256])  # warm-up, so both runs below pay the same start-up
    scored: list[int] = []
    score = verifier.score
    verifier.score = lambda pairs: scored.append(len(pairs)) or score(pairs)  # count the candidate pairs
    results = {}
    for name, ver, threshold in (
        ("encoder_alone", None, thresholds["encoder_alone"]),
        ("verified", verifier, thresholds["candidate_cosine"]),
    ):
        records, seconds = feed_run(titles, encoder, ver, threshold)
        tiers = {t: sum(r.tier == t for r in records) for t in ("exact", "lexical", "semantic")}
        groups = len({r.group for r in records})
        results[name] = {"seconds": round(seconds, 1), "duplicates": len(records) - groups, "tiers": tiers}
        if ver is not None:
            results[name]["candidate_pairs_scored"] = sum(scored)
        print(f"newstrust day, {name}: {results[name]}")
        if ver is not None:
            semantic = [r for r in records if r.tier == "semantic"]
            heads = {r.group: r.index for r in records if r.canonical}
            for r in random.Random(0).sample(semantic, min(args.examples, len(semantic))):
                print(f"  {r.similarity:.3f}  {titles[heads[r.group]]}  ||  {titles[r.index]}")
    print(json.dumps(results, indent=2))
    command = f"python benchmarks/bench_dedup_verify.py --cross-encoder {args.cross_encoder} --encoder {args.encoder}"
    print(f"command: {command}")


if __name__ == "__main__":
    main()
