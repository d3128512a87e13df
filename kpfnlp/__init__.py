"""kpfnlp: a Korean news-domain NLP suite built around its own Korean BERT."""

__version__ = "0.1.0"
