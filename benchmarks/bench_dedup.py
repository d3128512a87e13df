"""Dedup speed and memory on a 100k-headline feed (exact + lexical tiers; semantic once an encoder is given).

The feed: every headline of newstrust (12,006), YNAT train + dev (54,785) and the Yonhap title/lead file (6,185),
topped up to --rows with re-posted copies (a `[속보]`/`(종합)` tag, spacing or punctuation changed, a word
dropped), as wire stories are re-posted in a real feed.

    python benchmarks/bench_dedup.py --rows 100000 [--encoder DIR [--semantic-threshold COSINE] [--int8]]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from pathlib import Path

from kpfnlp.dedup import DedupConfig, Deduplicator
from kpfnlp.eval.data import read_ynat
from kpfnlp.paths import shared_data_dir


def headlines(data: Path) -> list[str]:
    """All real headlines of the catalogue, in a fixed order."""
    titles = [r["title"] for r in json.loads((data / "news/newstrust_20210601_titles.json").read_text("utf-8"))]
    for split in ("train", "dev"):
        titles += [e.text for e in read_ynat(data / f"klue/ynat-v1.1_{split}.tsv")]
    with (data / "news/yonhap_title_lead.jsonl").open(encoding="utf-8") as f:
        titles += [json.loads(line)["title"] for line in f if line.strip()]
    return titles


def repost(title: str, rng: random.Random) -> str:
    """A re-posted variant of a headline."""
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(["[속보] ", "(종합) ", "[단독] "]) + title
    if kind == 1:
        return title.replace(" ", "  ").replace("…", " … ") + "!"
    words = title.split()
    if kind == 2 and len(words) > 3:
        del words[rng.randrange(len(words))]
        return " ".join(words)
    return title.replace(",", "").replace("'", '"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument("--semantic-threshold", type=float, default=None, help="cosine (default: DedupConfig's)")
    parser.add_argument("--int8", action="store_true", help="int8-quantized encoder (`kpfnlp dedup --int8`)")
    args = parser.parse_args()
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data")
    rng = random.Random(0)
    real = headlines(data)
    feed = real + [repost(rng.choice(real), rng) for _ in range(max(0, args.rows - len(real)))]
    feed = feed[: args.rows]
    rng.shuffle(feed)
    embedder = None
    tiers = ("exact", "lexical")
    if args.encoder:
        from kpfnlp.encoder import SentenceEncoder

        embedder, tiers = SentenceEncoder.load(args.encoder, int8=args.int8), ("exact", "lexical", "semantic")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    config = DedupConfig(tiers=tiers)
    if args.semantic_threshold is not None:
        config.semantic_threshold = args.semantic_threshold
    records = Deduplicator(config, embedder).run(feed)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = {t: sum(r.tier == t for r in records) for t in tiers}
    print(json.dumps({
        "rows": len(feed), "real_headlines": len(real), "tiers": tiers, "int8": args.int8,
        "seconds": round(seconds, 1),
        "semantic_threshold": config.semantic_threshold if "semantic" in tiers else None,
        "rows_per_second": round(len(feed) / seconds), "groups": len({r.group for r in records}),
        "duplicates_by_tier": counts, "peak_rss_mb_before": round(rss0), "peak_rss_mb_after": round(rss),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
