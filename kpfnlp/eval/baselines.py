"""Non-neural baselines for the classification tasks: TF-IDF over character n-grams + a linear classifier.

Sentence pairs (KLUE-NLI) are concatenated with a separator. Needs scikit-learn.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

from kpfnlp.eval.results import data_record, write_result
from kpfnlp.eval.tasks import TaskData, TaskSpec

PAIR_SEPARATOR = " | "


def _texts(examples: list) -> list[str]:
    return [ex.text if ex.text_pair is None else ex.text + PAIR_SEPARATOR + ex.text_pair for ex in examples]


def build_pipeline(classifier: Literal["svm", "logreg"] = "svm", max_ngram: int = 4, seed: int = 42):
    """A scikit-learn pipeline: sublinear TF-IDF of character 1..max_ngram grams, then LinearSVC or LogReg."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC
    except ImportError as err:
        raise ImportError("the TF-IDF baselines need scikit-learn: pip install scikit-learn") from err
    if classifier not in ("svm", "logreg"):
        raise ValueError(f"classifier must be 'svm' or 'logreg', got {classifier!r}")
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, max_ngram), min_df=2, sublinear_tf=True)
    model = LinearSVC(C=1.0, random_state=seed) if classifier == "svm" else LogisticRegression(C=10.0, max_iter=1000)
    return make_pipeline(vectorizer, model)


def run_baseline(
    spec: TaskSpec,
    data: TaskData,
    output_dir: str | Path,
    classifier: Literal["svm", "logreg"] = "svm",
    max_ngram: int = 4,
    seed: int = 42,
) -> tuple[dict[str, Any], Path]:
    """Train the TF-IDF baseline on the train split, score the eval split, and write the result JSON."""
    if spec.kind != "classification":
        raise ValueError(f"the TF-IDF baseline covers the classification tasks; {spec.name} is {spec.kind}")
    if not data.train or not data.eval:
        raise ValueError(f"{spec.name}: empty split (train {len(data.train)}, eval {len(data.eval)})")
    start = time.perf_counter()
    pipeline = build_pipeline(classifier, max_ngram, seed)
    pipeline.fit(_texts(data.train), [ex.label for ex in data.train])
    preds = [str(p) for p in pipeline.predict(_texts(data.eval))]
    name = f"TF-IDF char 1-{max_ngram} + {'LinearSVC' if classifier == 'svm' else 'LogisticRegression'}"
    result = {
        "task": spec.name,
        "task_title": spec.title,
        "method": "baseline",
        "model": {"name": name, "path": None, "random_init": False, "model_type": "tfidf-linear"},
        "metrics": spec.score(preds, [ex.label for ex in data.eval]),
        "primary_metric": spec.primary_metric,
        "config": {"classifier": classifier, "max_ngram": max_ngram, "min_df": 2, "sublinear_tf": True},
        "data": data_record(data.files, len(data.train), len(data.eval), data.split_note),
        "seed": seed,
        "wall_time_s": round(time.perf_counter() - start, 1),
        "notes": [],
    }
    return result, write_result(result, output_dir, preds)
