"""Score extractive summarizers and the baselines on labelled articles in one table.

Per method: ROUGE-1/2/L F1 of the chosen sentences against the gold extractive sentences and against the
abstractive summary (Korean tokens, see `rouge`), sentence-level precision/recall/F1 against the gold
indices, and the ROUGE-2 gap to the oracle. All figures are means over articles, 0-100.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kpfnlp.summarize import baselines
from kpfnlp.summarize.data import SummaryExample, read_examples
from kpfnlp.summarize.rouge import Tokenizer, get_tokenizer, rouge
from kpfnlp.summarize.summarizer import Summarizer, Summary

# A method picks sentence indices for an example (the example gives the oracle its reference).
Method = Callable[[SummaryExample, int], list[int]]
METRICS = ("ext_r1", "ext_r2", "ext_rl", "abs_r1", "abs_r2", "abs_rl", "precision", "recall", "f1")


def baseline_methods(tokenizer: str = "mecab") -> dict[str, Method]:
    """The baselines of the table, by row name."""
    return {
        "Lead-3": lambda ex, k: baselines.lead(ex.sentences, k),
        "Lead-3 after noise removal": lambda ex, k: baselines.lead_clean(ex.sentences, k),
        "Lead-3 after noise + subtitle removal": lambda ex, k: baselines.lead_clean(ex.sentences, k, subtitles=True),
        "TextRank (char 2-4-gram TF-IDF)": lambda ex, k: baselines.textrank(ex.sentences, k),
        "Oracle (greedy ROUGE vs abstractive)": lambda ex, k: baselines.oracle(
            ex.sentences, ex.abstractive or "", k, tokenizer
        ),
    }


def sentence_prf(predicted: Sequence[int], gold: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 (0-100) of predicted sentence indices against the gold ones."""
    hits = len(set(predicted) & set(gold))
    precision = 100 * hits / len(set(predicted)) if predicted else 0.0
    recall = 100 * hits / len(set(gold)) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def _join(sentences: Sequence[str], indices: Sequence[int]) -> str:
    return " ".join(sentences[i] for i in sorted(indices))


def score_example(example: SummaryExample, picked: Sequence[int], tokenize: Tokenizer) -> dict[str, float]:
    """All metrics of one article's picks."""
    candidate = _join(example.sentences, picked)
    ext = rouge(candidate, _join(example.sentences, example.extractive), tokenize)
    abs_ = rouge(candidate, example.abstractive or "", tokenize)
    p, r, f = sentence_prf(picked, example.extractive)
    return dict(
        zip(METRICS, (ext.rouge1, ext.rouge2, ext.rougeL, abs_.rouge1, abs_.rouge2, abs_.rougeL, p, r, f), strict=True)
    )


@dataclass
class MethodResult:
    """Mean metrics of one method over the articles, plus its ROUGE-2 (vs gold extractive) gap to the oracle."""

    name: str
    metrics: dict[str, float]
    oracle_gap_r2: float | None = None


def evaluate_methods(
    examples: Sequence[SummaryExample], methods: dict[str, Method], k: int = 3, tokenizer: str = "mecab"
) -> list[MethodResult]:
    """Run every method on every example and average the metrics (one row per method, in the given order)."""
    tokenize = get_tokenizer(tokenizer)
    results = []
    for name, method in methods.items():
        rows = [score_example(ex, method(ex, k), tokenize) for ex in examples]
        results.append(MethodResult(name, {m: sum(r[m] for r in rows) / max(len(rows), 1) for m in METRICS}))
    oracle = next((r for r in results if r.name.startswith("Oracle")), None)
    for result in results:
        if oracle is not None:
            result.oracle_gap_r2 = oracle.metrics["ext_r2"] - result.metrics["ext_r2"]
    return results


def format_table(results: Sequence[MethodResult]) -> str:
    """A Markdown table of the results (ROUGE vs gold extractive, vs abstractive, sentence P/R/F1, gap)."""
    head = (
        "| method | R-1 ext | R-2 ext | R-L ext | R-1 abs | R-2 abs | R-L abs | sent P | sent R | sent F1 "
        "| R-2 ext gap to oracle |\n|---|" + "---:|" * 10
    )
    lines = [head]
    for r in results:
        cells = " | ".join(f"{r.metrics[m]:.2f}" for m in METRICS)
        gap = f"{r.oracle_gap_r2:+.2f}" if r.oracle_gap_r2 is not None else ""
        lines.append(f"| {r.name} | {cells} | {gap} |")
    return "\n".join(lines)


def model_method(summarizer: Summarizer, examples: Sequence[SummaryExample], k: int = 3) -> Method:
    """The summarizer as a method: all examples are summarised at once (batched), unusable ones pick nothing."""
    summaries = summarizer.summarize_batch([ex.sentences for ex in examples], k)
    picks = {id(ex): s.indices if isinstance(s, Summary) else [] for ex, s in zip(examples, summaries, strict=True)}
    return lambda ex, _k: picks[id(ex)]


def evaluate_files(
    files: Sequence[str | Path],
    summarizer: Summarizer | None = None,
    name: str = "BertSumExt",
    k: int = 3,
    tokenizer: str = "mecab",
) -> list[MethodResult]:
    """The table's rows on the labelled articles of `files`: the model (if given) first, then the baselines."""
    examples = [ex for path in files for ex in read_examples(path)]
    if not examples:
        raise ValueError(f"no labelled articles in {[str(f) for f in files]}")
    methods = {name: model_method(summarizer, examples, k)} if summarizer is not None else {}
    return evaluate_methods(examples, {**methods, **baseline_methods(tokenizer)}, k, tokenizer)
