"""Summarizer speed (ours: dynamic shapes, batching by length vs a naive padded-to-512 loop, same run) and
quality (`kpfnlp eval summarization`: the model and the baselines on the 111 dev articles).

    python benchmarks/bench_summarize.py --model DIR                 # the trained summarizer
    python benchmarks/bench_summarize.py --random mini --tokenizer runs/bench_tokenizer/plain-24000
      # speed only, on an untrained BertSumExt of the given preset shape (weights do not change speed)
    python benchmarks/bench_summarize.py --int8                      # fp32 against int8 BERT layers, one run
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from kpfnlp.paths import shared_data_dir
from kpfnlp.summarize.data import read_examples
from kpfnlp.summarize.encoding import collate
from kpfnlp.summarize.summarizer import Summarizer


def _random_summarizer(preset: str, tokenizer_dir: str) -> Summarizer:
    from transformers import BertConfig, PreTrainedTokenizerFast

    from kpfnlp.pretraining.config import ModelConfig
    from kpfnlp.summarize.model import BertSumExt

    tokenizer = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir)
    bert = BertConfig(vocab_size=len(tokenizer), **ModelConfig(preset=preset).resolved())
    return Summarizer(BertSumExt.from_backbone(bert), tokenizer)


@torch.inference_mode()
def naive_article(summarizer: Summarizer, sentences: list[str], length: int = 512) -> None:
    """The kpfbertsum way: every window padded to 512 tokens, one window at a time."""
    for window in summarizer.windows(sentences):
        batch = collate([window], summarizer.pad_id)
        pad = length - batch["input_ids"].shape[1]
        for key in ("input_ids", "attention_mask", "token_type_ids"):
            value = summarizer.pad_id if key == "input_ids" else 0
            batch[key] = F.pad(batch[key], (0, pad), value=value)
        summarizer.model(**batch)


def _throughput(summarizer: Summarizer, articles: list[list[str]], batch_size: int) -> float:
    """Articles per second, summarised in batches."""
    started = time.perf_counter()
    for i in range(0, len(articles), batch_size):
        summarizer.summarize_batch(articles[i : i + batch_size])
    return len(articles) / (time.perf_counter() - started)


def int8_comparison(model: Path | None, articles: list[list[str]], files: list[Path], batch_size: int) -> None:
    """The summarizer in fp32 and with int8 BERT layers (`summarize --int8`): throughput, alternating, twice
    each; then both on the quality table."""
    from kpfnlp.summarize.evaluate import evaluate_files, format_table

    models = {"fp32": Summarizer.from_pretrained(model), "int8": Summarizer.from_pretrained(model, int8=True)}
    rates: dict[str, list[float]] = {name: [] for name in models}
    for name, summarizer in [*models.items(), *models.items()]:
        summarizer.summarize_batch(articles[:4])
        rates[name].append(_throughput(summarizer, articles, batch_size))
    print(f"{len(articles)} articles, batches of {batch_size}: articles/s " + str(rates))
    print(f"int8 / fp32 throughput (best against best): {max(rates['int8']) / max(rates['fp32']):.2f}x")
    for name, summarizer in models.items():
        print(format_table(evaluate_files(files, summarizer, f"{model or 'bundled'}, {name}")))


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=20)
    return statistics.median(latencies) * 1000, cuts[18] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="Summarizer directory (default: the bundled one).")
    parser.add_argument("--random", choices=["tiny", "mini", "small", "base"], help="Untrained model of this shape.")
    parser.add_argument("--tokenizer", default="runs/bench_tokenizer/plain-24000", help="Tokenizer for --random.")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--int8", action="store_true", help="Compare fp32 with int8 BERT layers instead.")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = shared_data_dir()
    if data is None:
        raise SystemExit("needs ../shared/data (the dev articles)")
    files = [data / "summarization" / f for f in ("dacon_sample_train.jsonl", "dacon_sample_extra.jsonl")]
    articles = [ex.sentences for f in files for ex in read_examples(f)]
    if args.int8:
        int8_comparison(args.model, articles, files, args.batch_size)
        return
    summarizer = (
        _random_summarizer(args.random, args.tokenizer) if args.random else Summarizer.from_pretrained(args.model)
    )
    summarizer.summarize_batch(articles[:4])  # warm-up
    ours_rate = _throughput(summarizer, articles, args.batch_size)
    ours_lat, naive_lat = [], []
    for sentences in articles:
        t0 = time.perf_counter()
        summarizer.summarize(sentences)
        ours_lat.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        naive_article(summarizer, sentences)
        naive_lat.append(time.perf_counter() - t0)
    naive_rate = len(articles) / sum(naive_lat)
    tokens = [sum(len(w.input_ids) for w in summarizer.windows(a)) for a in articles]
    shape = f"random {args.random}" if args.random else str(args.model or "bundled")
    print(
        f"model: {shape}; {len(articles)} articles, mean {statistics.mean(tokens):.0f} tokens; {args.threads} threads"
    )
    print("| setup | articles/s | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    print(
        f"| ours: dynamic shapes, batches of {args.batch_size} sorted by length | {ours_rate:.1f} | "
        f"{_percentiles(ours_lat)[0]:.0f} | {_percentiles(ours_lat)[1]:.0f} |"
    )
    print(
        f"| naive: each window padded to 512, one at a time | {naive_rate:.1f} | "
        f"{_percentiles(naive_lat)[0]:.0f} | {_percentiles(naive_lat)[1]:.0f} |"
    )
    print(f"throughput ratio ours/naive: {ours_rate / naive_rate:.2f}x (latency columns: one article per call)")
    if not args.random:
        from kpfnlp.summarize.evaluate import evaluate_files, format_table

        print(format_table(evaluate_files(files, summarizer, shape)))


if __name__ == "__main__":
    main()
