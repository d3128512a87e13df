"""Readers for the evaluation data sets: NSMC TSV, KLUE NLI/STS/YNAT files, SQuAD-format QA JSON (KorQuAD, KLUE-MRC).

Every reader keeps every row (NSMC's empty documents stay as empty strings) and raises `DataError` with the
file and line on a missing file, missing columns or a malformed row, so nothing is dropped silently.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NSMC_LABELS = ("negative", "positive")  # NSMC's 0 / 1
NLI_LABELS = ("entailment", "neutral", "contradiction")  # KLUE-NLI's label order
YNAT_LABELS = ("IT과학", "경제", "사회", "생활문화", "세계", "스포츠", "정치")  # KLUE-YNAT's label order


class DataError(ValueError):
    """An evaluation file is missing or does not have the expected layout."""


@dataclass(frozen=True)
class TextExample:
    """One classification / regression example: a text (or a text pair) and its label name or score."""

    text: str
    label: str | float
    text_pair: str | None = None


@dataclass(frozen=True)
class QAExample:
    """One extractive QA question: context, question, the gold answers (text, character start), unanswerable or not."""

    id: str
    title: str
    context: str
    question: str
    answers: tuple[tuple[str, int], ...]
    is_impossible: bool = False  # KLUE-MRC / SQuAD 2.0: no answer in the context (trained on [CLS], gold "")


def _open(path: Path):
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    return path.open(encoding="utf-8", newline="")


def _tsv_rows(path: Path, columns: Sequence[str], quoting: int) -> list[tuple[int, dict[str, str]]]:
    """Rows of a headed TSV as (line, {column: value}); every row must have the header's number of fields."""
    with _open(path) as f:
        reader = csv.reader(f, delimiter="\t", quoting=quoting)
        header = next(reader, None)
        if header is None or any(c not in header for c in columns):
            raise DataError(f"{path}: expected TSV columns {list(columns)}, found {header}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise DataError(f"{path}:{line}: expected {len(header)} tab-separated fields, found {len(row)}")
            rows.append((line, dict(zip(header, row, strict=True))))
    return rows


def read_nsmc(path: str | Path) -> list[TextExample]:
    """NSMC `id document label` TSV, read with csv.QUOTE_NONE (quotes are text); empty documents stay ""."""
    path = Path(path)
    examples = []
    for line, row in _tsv_rows(path, ("document", "label"), csv.QUOTE_NONE):
        if row["label"] not in ("0", "1"):
            raise DataError(f"{path}:{line}: label must be 0 or 1, found {row['label']!r}")
        examples.append(TextExample(row["document"], NSMC_LABELS[int(row["label"])]))
    return examples


def _json_records(path: Path, keys: Sequence[str]) -> list[dict[str, Any]]:
    with _open(path) as f:
        try:
            records = json.load(f)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(records, list):
        raise DataError(f"{path}: expected a JSON list of records")
    for i, rec in enumerate(records):
        missing = [k for k in keys if not isinstance(rec, dict) or k not in rec]
        if missing:
            raise DataError(f"{path}: record {i} lacks {missing}")
    return records


def read_klue_nli(path: str | Path) -> list[TextExample]:
    """KLUE-NLI JSON list of `{premise, hypothesis, gold_label}`."""
    path = Path(path)
    examples = []
    for i, rec in enumerate(_json_records(path, ("premise", "hypothesis", "gold_label"))):
        if rec["gold_label"] not in NLI_LABELS:
            raise DataError(f"{path}: record {i} has unknown gold_label {rec['gold_label']!r}")
        examples.append(TextExample(rec["premise"], rec["gold_label"], rec["hypothesis"]))
    return examples


def read_klue_sts(path: str | Path) -> list[TextExample]:
    """KLUE-STS: the official JSON (score `labels.label`) or a CSV `sentence1,sentence2,label` export."""
    path = Path(path)
    if path.suffix == ".json":
        records = _json_records(path, ("sentence1", "sentence2", "labels"))
        return [TextExample(r["sentence1"], float(r["labels"]["label"]), r["sentence2"]) for r in records]
    with _open(path) as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"sentence1", "sentence2", "label"} <= set(reader.fieldnames):
            raise DataError(f"{path}: expected CSV columns sentence1,sentence2,label, found {reader.fieldnames}")
        examples = []
        for line, row in enumerate(reader, start=2):
            try:
                examples.append(TextExample(row["sentence1"], float(row["label"]), row["sentence2"]))
            except (TypeError, ValueError) as err:
                raise DataError(f"{path}:{line}: bad row ({err})") from err
    return examples


def read_ynat(path: str | Path) -> list[TextExample]:
    """KLUE-YNAT headlines: a `label title` TSV or the official JSON list of `{title, label}`.

    The TSV uses CSV quoting (one train title is quoted because it ends in a tab).
    """
    path = Path(path)
    if path.suffix == ".json":
        rows = [(i, r) for i, r in enumerate(_json_records(path, ("title", "label")))]
    else:
        rows = _tsv_rows(path, ("label", "title"), csv.QUOTE_MINIMAL)
    examples = []
    for line, row in rows:
        if row["label"] not in YNAT_LABELS:
            raise DataError(f"{path}:{line}: unknown YNAT label {row['label']!r}")
        examples.append(TextExample(row["title"], row["label"]))
    return examples


def _squad_questions(path: Path, id_keys: Sequence[str]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(id, title, context, record) of every question in a SQuAD-layout JSON; the id is the first of `id_keys` set."""
    with _open(path) as f:
        try:
            doc = json.load(f)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise DataError(f"{path}: expected SQuAD format {{'data': [{{title, paragraphs}}]}}")
    questions = []
    for article in doc["data"]:
        for para in article.get("paragraphs", []):
            for qa in para.get("qas", []):
                qid = next((qa[k] for k in id_keys if qa.get(k) is not None), None)
                if qid is None or "question" not in qa:
                    raise DataError(f"{path}: a question in {article.get('title')!r} lacks an id or question")
                questions.append((str(qid), article.get("title", ""), para["context"], qa))
    if not questions:
        raise DataError(f"{path}: no questions found")
    return questions


def _answers(qa: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    return tuple((a["text"], int(a["answer_start"])) for a in qa.get("answers", []))


def read_squad(path: str | Path) -> list[QAExample]:
    """SQuAD v1.1-format JSON (KorQuAD 1.0), one example per question (`guid` ids are accepted too)."""
    return [
        QAExample(qid, title, context, qa["question"], _answers(qa))
        for qid, title, context, qa in _squad_questions(Path(path), ("id", "guid"))
    ]


def read_klue_mrc(path: str | Path) -> list[QAExample]:
    """KLUE-MRC v1.1 JSON (`guid`, `is_impossible`), one example per question; unanswerable questions are kept.

    Unanswerable questions are flagged `is_impossible` and keep the `answers` they list (an empty list in the SQuAD 2.0
    layout, scored with "" as the gold answer); `plausible_answers` and `question_type` are not used, as in
    klue-baseline. An answerable question without answers is an error.
    """
    path = Path(path)
    examples = []
    for qid, title, context, qa in _squad_questions(path, ("guid",)):
        impossible = qa.get("is_impossible", False)
        if not isinstance(impossible, bool):
            raise DataError(f"{path}: question {qid} has a non-boolean is_impossible {impossible!r}")
        answers = _answers(qa)
        if not impossible and not answers:
            raise DataError(f"{path}: question {qid} is answerable (is_impossible false) but has no answers")
        examples.append(QAExample(qid, title, context, qa["question"], answers, impossible))
    return examples


def split_by_title(examples: Sequence[QAExample], n_train_titles: int) -> tuple[list[QAExample], list[QAExample]]:
    """Split QA examples by article: the first `n_train_titles` titles (file order) train, the rest test."""
    titles = list(dict.fromkeys(ex.title for ex in examples))
    if not 0 < n_train_titles < len(titles):
        raise DataError(f"cannot put {n_train_titles} of {len(titles)} titles in the training split")
    train_titles = set(titles[:n_train_titles])
    train = [ex for ex in examples if ex.title in train_titles]
    test = [ex for ex in examples if ex.title not in train_titles]
    return train, test
