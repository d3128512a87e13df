"""Silver training data: greedy-oracle sentence labels against a reference summary, at corpus scale.

Recipes (each source is `KIND:PATH`, written to Dacon JSONL with `extractive` = silver labels, `abstractive` =
the reference, `source` = the recipe):
- `gold:PATH` Dacon/AI-Hub files with gold extractive labels, used as they are (the full AI-Hub release).
- `abstractive:PATH` Dacon/AI-Hub files: oracle labels against the human abstractive summary.
- `wiki:PATH` wikiextractor shards: the lead paragraph is the reference and is *removed*; the body sentences
  (section headings dropped) are the article. Teaches content salience, not position.
- `titlebody:PATH` title/body feeds (Wikinews CSV, JSONL/CSV news): the headline is the reference over the
  body sentences; labels stop when ROUGE stops rising (often 1-2 sentences). Teaches news structure.
With `exact_k` every oracle labels exactly k sentences (no early stop): the task always picks k, and on
Wikinews the forced-3 headline labels fall on candidate ranks 0/1/2/3/4/5+ in proportions close to the gold
picks of the Dacon set (27/16/14/9/8/26% vs 21/21/14/8/9/26%), where early-stopped ones put 66% on rank 0.
A source may end in `@N` to write its records N times (upweighting scarce news next to Wikipedia), e.g.
`titlebody:../shared/data/news/kowikinews.csv@3`.
Yonhap title+lead lines hold only 3 lead sentences: picking 3 of 3 teaches nothing, and the headline oracle
over 3 lead sentences teaches a little position and headline salience at most; use them via `titlebody:` with
a small share, if at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from kpfnlp.corpus import read_documents
from kpfnlp.summarize.data import read_examples
from kpfnlp.summarize.oracle import greedy_oracle
from kpfnlp.text import split_sentences

logger = logging.getLogger(__name__)
KINDS = ("gold", "abstractive", "wiki", "titlebody")
MIN_SENTENCES = 5
MAX_SENTENCES = 60
_MIN_BODY_LINE = 25  # wiki section headings ("생애.") are shorter


def _record(doc_id: str, sentences: list[str], labels: list[int], reference: str, source: str) -> dict[str, Any]:
    return {
        "id": doc_id,
        "article_original": sentences,
        "extractive": labels,
        "abstractive": reference,
        "source": source,
    }


def _wiki(path: str, k: int, backend: str, stop_early: bool) -> Iterator[dict[str, Any]]:
    for doc in read_documents(path, format="wiki"):
        paragraphs = [p.strip() for p in doc.text.split("\n") if p.strip()]
        if len(paragraphs) < 2:
            continue
        lead, body = paragraphs[0], [p for p in paragraphs[1:] if len(p) >= _MIN_BODY_LINE]
        sentences = [s for p in body for s in split_sentences(p, backend)][:MAX_SENTENCES]
        if len(sentences) >= MIN_SENTENCES and len(lead) >= 40:
            yield _record(
                doc.id,
                sentences,
                greedy_oracle(sentences, lead, k, stop_early=stop_early),
                lead,
                f"wiki:{Path(path).name}",
            )


def _titlebody(path: str, k: int, backend: str, stop_early: bool) -> Iterator[dict[str, Any]]:
    for doc in read_documents(path):
        if not doc.title:
            continue
        sentences = split_sentences(doc.text, backend, clean=True)[:MAX_SENTENCES]
        if len(sentences) >= 3:
            labels = greedy_oracle(sentences, doc.title, k, stop_early=stop_early)
            yield _record(doc.id, sentences, labels, doc.title, f"titlebody:{Path(path).name}")


def _labelled(path: str, k: int, use_gold: bool, stop_early: bool) -> Iterator[dict[str, Any]]:
    for ex in read_examples(path, require_labels=use_gold):
        if use_gold:
            labels = ex.extractive
        elif ex.abstractive:
            labels = greedy_oracle(ex.sentences, ex.abstractive, k, stop_early=stop_early)
        else:
            continue
        kind = "gold" if use_gold else "abstractive"
        yield _record(ex.id, ex.sentences, labels, ex.abstractive or "", f"{kind}:{Path(path).name}")


def parse_source(source: str) -> tuple[str, str, int]:
    """`KIND:PATH[@N]` -> (kind, path, repeats)."""
    kind, _, path = source.partition(":")
    repeats = 1
    if "@" in path:
        path, _, count = path.rpartition("@")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"silver source {source!r}: the repeat after '@' must be a positive integer")
        repeats = int(count)
    return kind, path, repeats


def silver_records(source: str, k: int = 3, backend: str = "regex", exact_k: bool = False) -> Iterator[dict[str, Any]]:
    """Labelled records of one `KIND:PATH` source (see the module docstring; any `@N` repeat is ignored here);
    with `exact_k` the oracles label exactly `k` sentences instead of stopping when ROUGE stops rising."""
    kind, path, _ = parse_source(source)
    if kind not in KINDS or not path:
        raise ValueError(f"silver source {source!r} must be KIND:PATH with KIND one of {KINDS}")
    if kind == "wiki":
        return _wiki(path, k, backend, not exact_k)
    if kind == "titlebody":
        return _titlebody(path, k, backend, not exact_k)
    return _labelled(path, k, use_gold=kind == "gold", stop_early=not exact_k)


def build_silver(
    sources: Iterable[str],
    out: str | Path,
    exclude_ids: Iterable[str] = (),
    max_per_source: int | None = None,
    k: int = 3,
    exact_k: bool = False,
) -> dict[str, int]:
    """Write the records of all sources (minus `exclude_ids`, minus unlabelled ones) to a JSONL file; counts
    (records written per source, repeats included). `exact_k`: see `silver_records`."""
    excluded = set(exclude_ids)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    tmp = out.with_suffix(".partial")
    with open(tmp, "w", encoding="utf-8") as stream:
        for source in sources:
            records = (
                r for r in silver_records(source, k, exact_k=exact_k) if r["extractive"] and r["id"] not in excluded
            )
            repeats = parse_source(source)[2]
            counts[source] = 0
            for record in islice(records, max_per_source):
                stream.write((json.dumps(record, ensure_ascii=False) + "\n") * repeats)
                counts[source] += repeats
            logger.info("%s: %d labelled articles", source, counts[source])
    tmp.replace(out)  # a half-built file never looks finished
    return counts
