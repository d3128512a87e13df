"""Sentence-splitting benchmark: speed and boundary precision/recall/F1 of each backend.

Gold: `summarization/dacon_sample_train.jsonl` (`article_original` is the gold split), joined with one space
and, harder, with no space. Boundaries are compared as counts of non-whitespace characters before each
sentence end, so the whitespace a backend strips does not matter. Also: 300 Yonhap leads (3 lead sentences
glued without spaces; the gold split is not given) for sentences/article and speed.

    python benchmarks/bench_sentence_split.py [DATA_DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

from kpfnlp.paths import shared_data_dir
from kpfnlp.text.sentences import SentenceSplitter

CONFIGS = [  # (label, backend, repair)
    ("regex", "regex", False),
    ("kiwi", "kiwi", False),
    ("kiwi + repair", "kiwi", True),
    ("kss (mecab)", "kss", False),
    ("kss (mecab) + repair", "kss", True),
]


def boundaries(sentences: list[str]) -> set[int]:
    """Sentence ends as non-whitespace character offsets (the last end, the text end, is left out)."""
    ends, pos = set(), 0
    for sent in sentences:
        pos += sum(not c.isspace() for c in sent)
        ends.add(pos)
    ends.discard(pos)
    return ends


def prf(gold: list[set[int]], pred: list[set[int]]) -> tuple[float, float, float]:
    """Micro-averaged boundary precision, recall, F1."""
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def timed(split: SentenceSplitter, texts: list[str]) -> tuple[list[list[str]], float]:
    """Split every text; return the sentences and the seconds it took."""
    t0 = time.perf_counter()
    out = [split(t) for t in texts]
    return out, time.perf_counter() - t0


def main() -> None:
    """Run every backend configuration and print a markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", nargs="?", type=Path, default=shared_data_dir())
    ap.add_argument("--leads", type=int, default=300, help="Yonhap leads to split")
    args = ap.parse_args()
    if args.data_dir is None:
        sys.exit("no data dir given and ../shared/data not found")
    rows = [json.loads(line) for line in (args.data_dir / "summarization/dacon_sample_train.jsonl").open()]
    gold_sents = [r["article_original"] for r in rows]
    gold = [boundaries(s) for s in gold_sents]
    spaced = [" ".join(s) for s in gold_sents]
    glued = ["".join(s) for s in gold_sents]
    with (args.data_dir / "news/yonhap_title_lead.jsonl").open() as f:
        leads = [json.loads(line)["lead"] for line in itertools.islice(f, args.leads)]

    print(
        f"`python {' '.join(sys.argv)}`: {len(rows)} dacon articles ({sum(map(len, gold_sents))} gold "
        f"sentences), {len(leads)} Yonhap leads\n"
    )
    print(
        "| backend | warm-up s | sent/s (dacon) | P / R / F1 (space-joined) | P / R / F1 (no space) "
        "| Yonhap sent/lead | Yonhap =3 | sent/s (Yonhap) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, backend, repair in CONFIGS:
        split = SentenceSplitter(backend, repair=repair)
        t0 = time.perf_counter()
        split("첫 문장이다. 둘째 문장이다.")  # loads the library and its dictionary
        warm = time.perf_counter() - t0
        pred_spaced, secs = timed(split, spaced)
        pred_glued, _ = timed(split, glued)
        pred_leads, secs_leads = timed(split, leads)
        n, n_leads = sum(map(len, pred_spaced)), sum(map(len, pred_leads))
        f_sp = prf(gold, [boundaries(p) for p in pred_spaced])
        f_gl = prf(gold, [boundaries(p) for p in pred_glued])
        three = sum(len(p) == 3 for p in pred_leads) / len(leads)
        print(
            f"| {label} | {warm:.1f} | {n / secs:,.0f} | {' / '.join(f'{x:.3f}' for x in f_sp)} "
            f"| {' / '.join(f'{x:.3f}' for x in f_gl)} | {n_leads / len(leads):.2f} | {three:.0%} "
            f"| {n_leads / secs_leads:,.0f} |"
        )


if __name__ == "__main__":
    main()
