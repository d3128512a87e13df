"""Training and evaluation data for the sentence encoder: KorSTS TSV, KLUE-STS, KLUE-NLI and KorNLI triplets, plain
sentences of a corpus mix for the unsupervised stage, and weak (title, lead) / adjacent-sentence pairs of a corpus mix
for the weakly supervised stage.

KorSTS TSVs contain unbalanced quotes, so they are read with csv.QUOTE_NONE and the row count is checked.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kpfnlp.eval.data import DataError, read_klue_nli, read_klue_sts

KORSTS_ROWS = {"sts-train.tsv": 5_749, "sts-dev.tsv": 1_500, "sts-test.tsv": 1_379}
KORSTS_COLUMNS = ("genre", "filename", "year", "id", "score", "sentence1", "sentence2")
STS_TRAIN_FILES = ("kornlu/KorSTS/sts-train.tsv", "klue/klue-sts-v1.1_train.csv")  # the gold pairs (17,417)
EVALUATION_FILES = ("sts-test.tsv", "klue-sts-v1.1_dev.json")  # KorSTS test and KLUE-STS dev: never trained on


@dataclass(frozen=True)
class STSPair:
    """Two sentences and their gold similarity on the 0-5 scale; `genre` is KorSTS's (main-news, ...) or ''."""

    sentence1: str
    sentence2: str
    score: float
    genre: str = ""


@dataclass(frozen=True)
class Triplet:
    """An NLI premise with an entailed hypothesis (positive) and a contradiction (hard negative)."""

    anchor: str
    positive: str
    negative: str


def refuse_evaluation_files(names: Sequence[str]) -> None:
    """Raise ValueError when any of `names` (paths or file names) is an STS evaluation set."""
    if bad := [name for name in names if Path(name).name in EVALUATION_FILES]:
        raise ValueError(f"{', '.join(bad)}: evaluation sets (KorSTS test / KLUE-STS dev); never train or tune on them")


def read_korsts(path: str | Path, expected_rows: int | None = None) -> list[STSPair]:
    """A KorSTS `sts-{train,dev,test}.tsv`; `expected_rows` (see `KORSTS_ROWS`) checks the release's row count."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    pairs = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(header[: len(KORSTS_COLUMNS)]) != KORSTS_COLUMNS:
            raise DataError(f"{path}: expected KorSTS columns {list(KORSTS_COLUMNS)}, found {header}")
        for line, row in enumerate(reader, start=2):
            if len(row) != len(KORSTS_COLUMNS):
                raise DataError(f"{path}:{line}: expected {len(KORSTS_COLUMNS)} fields, found {len(row)}")
            try:
                pairs.append(STSPair(row[5], row[6], float(row[4]), row[0]))
            except ValueError as err:
                raise DataError(f"{path}:{line}: bad score {row[4]!r}") from err
    if expected_rows is not None and len(pairs) != expected_rows:
        raise DataError(f"{path}: read {len(pairs)} rows, the release has {expected_rows} (quoting problem?)")
    return pairs


def read_klue_sts_pairs(path: str | Path) -> list[STSPair]:
    """KLUE-STS train CSV (real-label) or dev JSON (`labels.label`) as pairs on the 0-5 scale."""
    return [STSPair(ex.text, ex.text_pair or "", float(ex.label)) for ex in read_klue_sts(path)]


def read_sts(path: str | Path) -> list[STSPair]:
    """Any STS file by its layout: KorSTS `.tsv`, KLUE-STS `.csv` / `.json`."""
    return read_korsts(path) if Path(path).suffix == ".tsv" else read_klue_sts_pairs(path)


def read_kornli(path: str | Path) -> list[tuple[str, str, str]]:
    """A KorNLI TSV (`sentence1 sentence2 gold_label`, e.g. `xnli.dev.ko.tsv`) as (premise, hypothesis, label)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or header[:3] != ["sentence1", "sentence2", "gold_label"]:
            raise DataError(f"{path}: expected KorNLI columns sentence1, sentence2, gold_label; found {header}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if len(row) < 3:
                raise DataError(f"{path}:{line}: expected 3 fields, found {len(row)}")
            rows.append((row[0], row[1], row[2]))
    return rows


def nli_triplets(path: str | Path) -> list[Triplet]:
    """Every (entailment, contradiction) hypothesis pair of a premise, in file order, from KLUE-NLI JSON or a
    KorNLI TSV."""
    if Path(path).suffix == ".tsv":
        examples = read_kornli(path)
    else:
        examples = [(ex.text, ex.text_pair or "", str(ex.label)) for ex in read_klue_nli(path)]
    by_premise: dict[str, dict[str, list[str]]] = {}
    for premise, hypothesis, label in examples:
        by_premise.setdefault(premise, {}).setdefault(label, []).append(hypothesis)
    triplets = []
    for premise, hyps in by_premise.items():
        for pos in hyps.get("entailment", []):
            triplets += [Triplet(premise, pos, neg) for neg in hyps.get("contradiction", [])]
    return triplets


PAIR_KINDS = ("title_lead", "adjacent")


def _refuse_forbidden_sources(corpus_yaml: str | Path, sources, forbidden: tuple[str, ...]) -> None:
    for source in sources:
        if bad := [f.name for f in source.files() if f.name in forbidden]:
            raise DataError(f"{corpus_yaml}: source {source.name!r} reads evaluation data {bad}")


def _has_hangul(text: str) -> bool:
    return any("가" <= ch <= "힣" for ch in text)


def _usable(sentence: str, min_chars: int, max_chars: int) -> bool:
    return min_chars <= len(sentence) <= max_chars and _has_hangul(sentence)


def corpus_pairs(
    corpus_yaml: str | Path,
    n: int,
    seed: int,
    kinds: Sequence[str] = PAIR_KINDS,
    min_chars: int = 20,
    max_chars: int = 200,
    forbidden: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """A seeded sample of `n` distinct weak positive pairs of a corpus mix YAML, as used for contrastive
    pre-finetuning (E5, GTE): `title_lead` pairs a document's title with its first usable sentence (a news headline
    and its lead, a petition's title and its opening, a Wikipedia entry and its definition); `adjacent` pairs two
    consecutive sentences of one paragraph (line). Refuses a mix that reads a file named in `forbidden`."""
    from kpfnlp.corpus.mix import iter_corpus, load_corpus_mix
    from kpfnlp.text.sentences import split_sentences

    if unknown := sorted(set(kinds) - set(PAIR_KINDS)):
        raise ValueError(f"unknown pair kinds {unknown}; choose from {list(PAIR_KINDS)}")
    sources = load_corpus_mix(corpus_yaml)
    _refuse_forbidden_sources(corpus_yaml, sources, forbidden)

    def paragraphs(text: str):  # lazily: a lead is found in the first lines, long documents need not be split
        return (split_sentences(line, "regex") for line in text.split("\n") if line.strip())

    seen: dict[tuple[str, str], None] = {}
    for doc in iter_corpus(sources):
        title = (doc.title or "").strip()
        if "title_lead" in kinds and len(title) >= 2 and _has_hangul(title):
            lead = next((s for line in paragraphs(doc.text) for s in line if _usable(s, min_chars, max_chars)), None)
            if lead and lead != title:
                seen.setdefault((title, lead))
        if "adjacent" in kinds:
            for line in paragraphs(doc.text):
                for first, second in itertools.pairwise(line):
                    if _usable(first, min_chars, max_chars) and _usable(second, min_chars, max_chars):
                        seen.setdefault((first, second))
    pairs = list(seen)
    return pairs if n >= len(pairs) else random.Random(seed).sample(pairs, n)


def corpus_sentences(
    corpus_yaml: str | Path,
    n: int,
    seed: int,
    min_chars: int = 10,
    max_chars: int = 200,
    forbidden: tuple[str, ...] = (),
) -> list[str]:
    """A seeded sample of `n` distinct sentences (Hangul, `min_chars`-`max_chars` long) of a corpus mix YAML;
    refuses a mix that reads a file named in `forbidden` (the evaluation sets)."""
    from kpfnlp.corpus.mix import iter_corpus, load_corpus_mix
    from kpfnlp.text.sentences import split_sentences

    sources = load_corpus_mix(corpus_yaml)
    _refuse_forbidden_sources(corpus_yaml, sources, forbidden)
    seen: dict[str, None] = {}
    for doc in iter_corpus(sources):
        for sentence in split_sentences(doc.text, "regex"):
            if _usable(sentence, min_chars, max_chars):
                seen.setdefault(sentence)
    sentences = list(seen)
    return sentences if n >= len(sentences) else random.Random(seed).sample(sentences, n)
