"""Extractive news summarization (BertSumExt): model, summarizer, silver data, ROUGE on Korean, baselines.

from kpfnlp.summarize import Summarizer
summary = Summarizer.from_pretrained().summarize(article_text, k=3)
summary.indices, summary.sentences, summary.scores   # article order
"""

from kpfnlp.summarize.data import SummaryExample, load_examples, read_examples
from kpfnlp.summarize.model import BertSumExt, BertSumExtConfig
from kpfnlp.summarize.oracle import greedy_oracle
from kpfnlp.summarize.rouge import RougeScores, rouge
from kpfnlp.summarize.summarizer import DEFAULT_MODEL_DIR, ArticleError, Summarizer, Summary

__all__ = [
    "DEFAULT_MODEL_DIR",
    "ArticleError",
    "BertSumExt",
    "BertSumExtConfig",
    "RougeScores",
    "Summarizer",
    "Summary",
    "SummaryExample",
    "greedy_oracle",
    "load_examples",
    "read_examples",
    "rouge",
]
