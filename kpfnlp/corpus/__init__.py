"""Streaming corpus readers: every text source of the project (wiki dumps, news exports, summarization sets)
becomes a stream of `Document`s, with bad rows counted in a `ReadReport` instead of silently dropped."""

from kpfnlp.corpus.document import BadRow, Document, MissingColumnError, ReadReport
from kpfnlp.corpus.encoding import detect_encoding, open_text
from kpfnlp.corpus.mix import CorpusSource, iter_corpus, iter_source, load_corpus_mix
from kpfnlp.corpus.registry import FORMATS, detect_format, read_documents

__all__ = [
    "FORMATS",
    "BadRow",
    "CorpusSource",
    "Document",
    "MissingColumnError",
    "ReadReport",
    "detect_encoding",
    "detect_format",
    "iter_corpus",
    "iter_source",
    "load_corpus_mix",
    "open_text",
    "read_documents",
]
