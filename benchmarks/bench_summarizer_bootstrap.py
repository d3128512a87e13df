"""How sure is the summarizer's lead over the baselines? Paired bootstrap over the 111 dev articles.

Per-article ROUGE-2 F1 against the gold extractive sentences (mecab-ko morphemes) for the summarizer and each
baseline; the mean difference and its 95% percentile interval over 10,000 resamples of the articles.

    python benchmarks/bench_summarizer_bootstrap.py [--model DIR]      # default: the bundled summarizer
    python benchmarks/bench_summarizer_bootstrap.py --model NEW --against OLD   # a candidate against a release
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from kpfnlp.paths import shared_data_dir
from kpfnlp.summarize.data import read_examples
from kpfnlp.summarize.evaluate import baseline_methods, model_method, score_example
from kpfnlp.summarize.rouge import get_tokenizer
from kpfnlp.summarize.summarizer import Summarizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="summarizer directory (default: bundled)")
    parser.add_argument("--against", action="append", default=[], help="another summarizer, compared as a row")
    parser.add_argument("--resamples", type=int, default=10_000)
    args = parser.parse_args()
    data = shared_data_dir() / "summarization"
    examples = [
        ex for name in ("dacon_sample_train.jsonl", "dacon_sample_extra.jsonl") for ex in read_examples(data / name)
    ]
    tokenize = get_tokenizer("mecab")
    methods = {"model": model_method(Summarizer.from_pretrained(args.model), examples), **baseline_methods()}
    for other in args.against:
        methods[f"summarizer {other}"] = model_method(Summarizer.from_pretrained(other), examples)
    r2 = {
        name: np.array([score_example(ex, m(ex, 3), tokenize)["ext_r2"] for ex in examples])
        for name, m in methods.items()
    }
    rng = np.random.default_rng(0)
    draws = rng.integers(0, len(examples), size=(args.resamples, len(examples)))
    print(f"$ python {' '.join(sys.argv)}")
    print(f"{len(examples)} articles; model R-2 ext {r2['model'].mean():.2f}")
    print("| baseline | its R-2 ext | model minus baseline | 95% interval | articles model better / worse |")
    print("|---|---:|---:|---:|---:|")
    for name, scores in r2.items():
        if name == "model":
            continue
        diff = r2["model"] - scores
        low, high = np.percentile(diff[draws].mean(axis=1), [2.5, 97.5])
        better, worse = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
        print(f"| {name} | {scores.mean():.2f} | {diff.mean():+.2f} | [{low:+.2f}, {high:+.2f}] | {better} / {worse} |")


if __name__ == "__main__":
    main()
