"""`Summarizer`: pick the k most important sentences of a news article and return them in article order.

Text is normalised (HTML remnants removed) and split with `kpfnlp.text` (kiwi by default, quotations kept
whole). Bylines, e-mails, captions, tags (`is_noise_sentence`) and leading subtitles are never picked, nor read:
the model scores only the remaining candidate sentences, as in training. Trigram blocking skips a sentence that
repeats a word trigram of one already picked. Many articles are scored together, their windows sorted by length
and padded only to the longest in each batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from kpfnlp.backbone import MODELS_DIR
from kpfnlp.summarize.baselines import candidates
from kpfnlp.summarize.calibration import ScoreCalibration
from kpfnlp.summarize.encoding import Window, collate, encode_article
from kpfnlp.summarize.model import BertSumExt
from kpfnlp.text import SentenceSplitter, normalize_text, strip_noise

DEFAULT_MODEL_DIR = MODELS_DIR / "kpfnlp-mini-summarizer"
MAX_CHARS = 200_000
_HANGUL = re.compile(r"[가-힣]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")


class ArticleError(ValueError):
    """An input that cannot be summarised (empty, not Korean, too long, nothing but noise), with the reason."""


@dataclass
class Summary:
    """Chosen sentence positions (ascending), their text (noise fragments cut), their scores, and all sentences.

    With `calibrated`, a score is the chance that an editor's summary includes the sentence (`calibration`);
    otherwise it is the model's raw sigmoid, which ranks sentences but is not a probability of anything."""

    indices: list[int]
    sentences: list[str]
    scores: list[float]
    article: list[str]
    calibrated: bool = False

    @property
    def text(self) -> str:
        """The summary: the chosen sentences joined with a space."""
        return " ".join(self.sentences)


def trigrams(sentence: str) -> set[tuple[str, ...]]:
    """Word trigrams of a sentence (for trigram blocking)."""
    words = _WORD.findall(sentence)
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def select(
    sentences: Sequence[str], scores: Sequence[float], pool: Sequence[int], k: int, block: bool = True
) -> list[int]:
    """The best-scoring `k` of `pool`, skipping exact repeats and (with `block`) trigram repeats; ascending."""
    chosen: list[int] = []
    seen_grams: set[tuple[str, ...]] = set()
    seen_text: set[str] = set()
    for i in sorted(pool, key=lambda j: -scores[j]):
        grams, text = trigrams(sentences[i]), sentences[i].strip()
        if text in seen_text or (block and grams & seen_grams):
            continue
        chosen.append(i)
        seen_grams |= grams
        seen_text.add(text)
        if len(chosen) == k:
            break
    return sorted(chosen)


class Summarizer:
    """BertSumExt with its tokenizer and sentence splitter; `summarize` one article or `summarize_batch` many."""

    def __init__(self, model: BertSumExt, tokenizer, backend: str = "kiwi", batch_tokens: int = 16_384) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.splitter = SentenceSplitter(backend)
        self.batch_tokens = batch_tokens
        self.budget = min(model.config.bert_config.max_position_embeddings, 512)
        self.int8 = False
        self.calibration: ScoreCalibration | None = None
        vocab = tokenizer.get_vocab()
        self.cls_id, self.sep_id, self.pad_id = vocab["[CLS]"], vocab["[SEP]"], vocab["[PAD]"]

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, backend: str = "kiwi", int8: bool = False) -> Summarizer:
        """Load a summarizer directory (default: the bundled model), in fp32 (fp16 is slow on CPUs); `int8`: see
        `quantize_int8`."""
        from transformers import PreTrainedTokenizerFast

        path = Path(path) if path is not None else DEFAULT_MODEL_DIR
        if not (path / "config.json").is_file():
            raise FileNotFoundError(
                f"{path}: no summarizer here (config.json missing); train one with `kpfnlp train-summarizer` "
                "or pass --model DIR"
            )
        model = BertSumExt.from_pretrained(path, dtype=torch.float32)
        summarizer = cls(model, PreTrainedTokenizerFast.from_pretrained(path), backend)
        summarizer.calibration = ScoreCalibration.load(path)
        return summarizer.quantize_int8() if int8 else summarizer

    def quantize_int8(self) -> Summarizer:
        """Int8 linear layers in the BERT encoder (`kpfnlp.int8`), in place, for CPU inference: 2.1x the articles
        per second on the dev articles, ROUGE-2 0.7 lower (docs/benchmarks.md). The inter-sentence layers stay fp32
        (torch's TransformerEncoder fast path needs float weights); an int8 summarizer cannot be saved."""
        from kpfnlp.int8 import quantize_linears

        quantize_linears(self.model.bert)
        self.int8 = True
        return self

    def save_pretrained(self, path: str | Path, fp16: bool = False) -> None:
        """Write config, safetensors (fp16 if asked: half the size; shards under 16 MB, like the backbone),
        tokenizer and score calibration (if any) into one directory."""
        if self.int8:
            raise ValueError("an int8 summarizer only summarizes; save the fp32 model it was loaded from")
        if fp16:
            self.model.half()
        try:
            self.model.save_pretrained(path, max_shard_size="15MB")
        finally:
            self.model.float()
        self.tokenizer.save_pretrained(path)
        if self.calibration is not None:
            self.calibration.save(path)

    def split(self, article: str | Sequence[str]) -> list[str]:
        """The article's sentences: given ones are kept as they are; text is normalised, checked and split."""
        if not isinstance(article, str):
            sentences = [str(s).strip() for s in article]
            if not any(sentences):
                raise ArticleError("empty article: no sentences")
            return sentences
        if len(article) > MAX_CHARS:
            raise ArticleError(f"article too long: {len(article):,} characters (limit {MAX_CHARS:,})")
        text = normalize_text(article)
        if not text:
            raise ArticleError("empty text")
        letters = len(_LETTER.findall(text))
        if not letters or len(_HANGUL.findall(text)) < 0.2 * letters:  # digits and symbols alone are no article
            raise ArticleError("not Korean text: the summarizer reads Korean news")
        return self.splitter(text)

    def windows(self, sentences: Sequence[str]) -> list[Window]:
        """Encoder windows of one article (long articles: several, overlapping)."""
        ids = self.tokenizer(list(sentences), add_special_tokens=False)["input_ids"]
        cfg = self.model.config
        return encode_article(ids, self.cls_id, self.sep_id, self.budget, cfg.max_sentence_tokens, cfg.window_overlap)

    @torch.inference_mode()
    def score(self, articles: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Sentence probabilities per article; a sentence seen by several windows gets their mean."""
        items = [(a, w) for a, sents in enumerate(articles) for w in self.windows(sents)]
        items.sort(key=lambda item: len(item[1].input_ids))  # batching by length
        sums = [np.zeros(len(s)) for s in articles]
        counts = [np.zeros(len(s)) for s in articles]
        start = 0
        while start < len(items):
            end = start + 1
            while end < len(items) and len(items[end][1].input_ids) * (end + 1 - start) <= self.batch_tokens:
                end += 1
            batch = items[start:end]
            probs = torch.sigmoid(self.model(**collate([w for _, w in batch], self.pad_id)).logits).numpy()
            for row, (a, window) in enumerate(batch):
                n = len(window.sentence_ids)
                sums[a][window.sentence_ids] += probs[row, :n]
                counts[a][window.sentence_ids] += 1
            start = end
        return [s / np.maximum(c, 1) for s, c in zip(sums, counts, strict=True)]

    def summarize_batch(self, articles: Sequence[str | Sequence[str]], k: int = 3) -> list[Summary | ArticleError]:
        """Summaries of many articles scored together; an unusable article gives its `ArticleError` instead.

        The model reads only the candidate sentences (bylines, captions, tags and leading subtitles removed), as
        in training, where silver articles have none: sentence positions then count from the real lead."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if isinstance(articles, str):  # a string would be read as one article per character
            raise TypeError("summarize_batch takes a list of articles; use summarize() for one article")
        prepared: list[tuple[list[str], list[int]] | ArticleError] = []
        for article in articles:
            try:
                sentences = self.split(article)
                pool = candidates(sentences)
                if not pool:
                    raise ArticleError("nothing to summarise: every sentence is a byline, caption, tag or subtitle")
                prepared.append((sentences, pool))
            except ArticleError as err:
                prepared.append(err)
        good = [p for p in prepared if not isinstance(p, ArticleError)]
        scores = iter(self.score([[sentences[i] for i in pool] for sentences, pool in good]))
        out: list[Summary | ArticleError] = []
        for item in prepared:
            if isinstance(item, ArticleError):
                out.append(item)
                continue
            sentences, pool = item
            probs = np.zeros(len(sentences))
            probs[pool] = next(scores)
            picked = select(sentences, probs, pool, k)
            texts = [" ".join(strip_noise([sentences[i]])) or sentences[i] for i in picked]
            shown = probs.copy()
            if self.calibration is not None:
                shown[pool] = self.calibration(probs[pool])
            shown_scores = [round(float(shown[i]), 4) for i in picked]
            out.append(Summary(picked, texts, shown_scores, list(sentences), self.calibration is not None))
        return out

    def summarize(self, article: str | Sequence[str], k: int = 3) -> Summary:
        """The `k` best sentences of one article (text or its sentences) in article order; raises `ArticleError`."""
        result = self.summarize_batch([article], k)[0]
        if isinstance(result, ArticleError):
            raise result
        return result
