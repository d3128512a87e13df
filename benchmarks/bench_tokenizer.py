"""Benchmark: our WordPiece tokenizers (plain and morpheme-aware, several vocab sizes) against kpfBERT's.

Trains on Korean Wikipedia shards plus the news text of the data catalogue (the last 1,000 Yonhap lines held
out), then measures tokens/word, chars/token, [UNK] rate and morpheme-boundary agreement on those 1,000 lines.

    python benchmarks/bench_tokenizer.py --wiki-shards 3 --vocab-sizes 36440,24000,16000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from transformers import BertTokenizerFast

from kpfnlp.corpus import CorpusSource, ReadReport, iter_corpus
from kpfnlp.paths import REPO_ROOT, shared_data_dir
from kpfnlp.tokenizer import morpheme_alignment, tokenizer_stats, train_wordpiece

HELD_OUT = 1000


def training_sources(data: Path, wiki_shards: int) -> list[CorpusSource]:
    """Wikipedia shards plus all news text; the last HELD_OUT Yonhap lines are dropped."""
    news = data / "news"
    return [
        *(CorpusSource(str(data / f"corpus/kowiki/kowiki-{i:02d}.txt.xz")) for i in range(wiki_shards)),
        CorpusSource(str(news / "kowikinews.csv")),
        CorpusSource(str(news / "korean-english-park.test.ko")),
        CorpusSource(str(news / "northkorean-english.*.nk")),
        CorpusSource(str(data / "corpus/petitions-2017-2019.jsonl.xz")),
        CorpusSource(str(news / "yonhap_title_lead.jsonl"), drop_tail=HELD_OUT),
    ]


def held_out(data: Path) -> list[str]:
    """Title + lead of the last HELD_OUT Yonhap lines."""
    source = CorpusSource(str(data / "news/yonhap_title_lead.jsonl"), tail=HELD_OUT)
    return [f"{doc.title} {doc.text}" for doc in iter_corpus([source])]


def training_texts(sources: list[CorpusSource], report: ReadReport, counter: list[int]) -> Iterator[str]:
    """Title and body of each document; counts the characters read into `counter[0]`."""
    for doc in iter_corpus(sources, report):
        text = f"{doc.title}\n{doc.text}" if doc.title else doc.text
        counter[0] += len(text)
        yield text


def segmenter_speed(texts: list[str]) -> dict[str, float]:
    """Characters per second of mecab-ko `parse` and Kiwi `tokenize` (one thread each) on `texts`."""
    import mecab
    from kiwipiepy import Kiwi

    chars = sum(map(len, texts))
    tagger, kiwi = mecab.MeCab(), Kiwi(num_workers=1)
    kiwi.tokenize("준비")
    speeds = {}
    for name, run in (("mecab", tagger.parse), ("kiwi", kiwi.tokenize)):
        start = time.perf_counter()
        for text in texts:
            run(text)
        speeds[name] = chars / (time.perf_counter() - start)
    return speeds


def row(name: str, stats: dict[str, float], align: dict[str, float], extra: str) -> str:
    """One markdown table row of the figures of one tokenizer."""
    unk = f"{100 * stats['unk_rate']:.4f} ({stats['unk']})"
    return (
        f"| {name} | {stats['tokens_per_word']:.3f} | {stats['chars_per_token']:.3f} | {unk} | "
        f"{align['precision']:.3f} | {align['recall']:.3f} | {extra} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "runs" / "bench_tokenizer")
    parser.add_argument("--wiki-shards", type=int, default=3)
    parser.add_argument("--vocab-sizes", default="36440,24000,16000")
    parser.add_argument("--variants", default="plain,morpheme")
    parser.add_argument("--min-frequency", type=int, default=2)
    parser.add_argument("--limit-alphabet", type=int, default=8000)
    args = parser.parse_args()
    if args.data is None:
        sys.exit("no shared data catalogue: pass --data")

    evaluation = held_out(args.data)
    kpf = BertTokenizerFast.from_pretrained(str(args.data.parent / "reference/kpfbert-tokenizer"))
    lines = [
        row(
            "kpfBERT (reference)",
            tokenizer_stats(kpf, evaluation),
            morpheme_alignment(kpf, evaluation),
            f"{len(kpf):,} | -",
        )
    ]
    corpus_note = ""
    for variant in args.variants.split(","):
        for vocab_size in map(int, args.vocab_sizes.split(",")):
            report, counter = ReadReport(), [0]
            start = time.perf_counter()
            tok = train_wordpiece(
                training_texts(training_sources(args.data, args.wiki_shards), report, counter),
                args.out / f"{variant}-{vocab_size}",
                vocab_size=vocab_size,
                min_frequency=args.min_frequency,
                limit_alphabet=args.limit_alphabet,
                morpheme_aware=variant == "morpheme",
            )
            seconds = time.perf_counter() - start
            corpus_note = f"{counter[0] / 1e6:.1f}M characters ({report.bad_rows} empty/bad rows skipped)"
            stats, align = tokenizer_stats(tok, evaluation), morpheme_alignment(tok, evaluation)
            lines.append(row(f"ours, {variant}", stats, align, f"{len(tok):,} | {seconds:.0f} s"))
            print(lines[-1], flush=True)

    speeds = segmenter_speed(evaluation[:300])
    print(
        "\n| tokenizer | tokens/word | chars/token | [UNK] % (count) | morph. precision | morph. recall "
        "| vocab | training time |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(lines))
    print(f"\ntraining corpus: kowiki shards 00-{args.wiki_shards - 1:02d} + news text, {corpus_note}")
    print(f"held-out: last {HELD_OUT} lines of yonhap_title_lead.jsonl (title + lead), {len(evaluation)} texts")
    print("segmenter speed (chars/s, one thread): " + ", ".join(f"{k} {v:,.0f}" for k, v in speeds.items()))
    print("command: python " + " ".join(["benchmarks/bench_tokenizer.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
