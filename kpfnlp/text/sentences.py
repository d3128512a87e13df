"""Sentence splitting with swappable backends: `kiwi` (default), `kss` (mecab) and a fast rule-based `regex`.

Every backend sees one line at a time (a line break always ends a sentence) and returns substrings of it.
Library backends are post-processed with the rule splitter's glued-sentence repair (`...했다.그는`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import lru_cache

from kpfnlp.text.noise import clean_news

Backend = Callable[[str], list[str]]

_HANGUL = re.compile(r"[가-힣]")
_CANDIDATE = re.compile(r"([.?!。…]+)([”’」』)\]]*)")  # straight quotes are decided in _sentence_end
_QUOTED = re.compile(
    r"“[^“”\n]{0,400}”|‘[^‘’\n]{0,300}’|\"[^\"\n]{0,400}\"|(?<![A-Za-z])'[^'\n]{0,300}'"
    r"|「[^「」\n]{0,300}」|『[^『』\n]{0,300}』|\([^()\n]{0,200}\)"
)
_GLUED_NEXT = re.compile(r"[가-힣A-Z0-9“‘\"'(\[「『]")
_LATIN_TOKEN = re.compile(r"[A-Za-z.]+$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, e.g
_EMAIL_END = re.compile(  # a byline e-mail followed by more text (not by a particle such as `으로`)
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?=\s+(?!(?:으로|로|또는|및|등|에)\b)[^\sa-z])"
)
_DIGIT_TOKEN = re.compile(r"(?:^|\s)\d{1,4}$")
_DATE_TAIL = re.compile(r"\d{2,4}\.\s?\d{1,2}\.\s?\d{1,2}$")  # `2021. 6. 1`
_FINAL_SYLLABLES = frozenset("다요죠까네라자오함음임")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st no vs etc inc co ltd corp jr sr gen gov sen rep col lt sgt fig vol pp p ca approx
    jan feb mar apr jun jul aug sep sept oct nov dec mt ft""".split()  # noqa: SIM905
)


_Spans = tuple[list[int], list[int]]


def _quoted_spans(text: str) -> _Spans:
    """Start and end offsets of quotations and parentheses, inside which no sentence ends."""
    starts, ends = [], []
    for m in _QUOTED.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _inside(spans: _Spans, start: int, end: int) -> bool:
    """True when text[start:end] lies strictly inside one of `spans` (not touching its closing end)."""
    i = bisect_right(spans[0], start) - 1
    return i >= 0 and spans[0][i] < start and end < spans[1][i]


def _opens_span(spans: _Spans, pos: int) -> bool:
    """True when a quotation or parenthesis starts at `pos`."""
    i = bisect_left(spans[0], pos)
    return i < len(spans[0]) and spans[0][i] == pos


def _period_ends_sentence(text: str, start: int, nxt_pos: int) -> bool:
    """Decide a '.' before whitespace: numbers, dates, abbreviations and initials do not end a sentence."""
    prev = text[start - 1] if start else ""
    following = text[nxt_pos:].lstrip()[:1]
    if prev.isdigit():  # `2021. 6. 1.` dates and `1.` list numbers
        if _DATE_TAIL.search(text, max(0, start - 14), start):
            return False
        return not (_DIGIT_TOKEN.search(text, 0, start) and (following.isdigit() or start <= 4))
    if prev.isascii() and prev.isalpha():
        token = _LATIN_TOKEN.search(text, max(0, start - 12), start).group(0).lstrip(".")
        if following.islower() or _INITIALISM.fullmatch(token) or token.lower() in _ABBREVIATIONS:
            return False
        return not (len(token) == 1 and token.isupper())  # an initial: `J. K. Rowling`
    return True


def _sentence_end(m: re.Match[str], text: str, spans: _Spans, news_only: bool) -> int | None:
    """Where the run of final punctuation `m` ends a sentence (after its closing quotes), or None."""
    start, end = m.span()
    punct, closing = m.groups()
    if end < len(text) and text[end] in "\"'" and not _opens_span(spans, end):  # a closing straight quote
        end, closing = end + 1, closing + text[end]
    if end >= len(text) or _inside(spans, start, end):
        return None
    prev = text[start - 1] if start else ""
    ellipsis = "…" in punct or ".." in punct
    if text[end].isspace():
        if news_only:
            return None
        if ellipsis:  # an ellipsis ends a sentence only after a final ending (`했다...`)
            return end if prev in _FINAL_SYLLABLES else None
        return end if punct != "." or _period_ends_sentence(text, start, end) else None
    # glued: only after a Hangul word, and not before a quotative particle (`했다.”라고`)
    prev = text[start - 2] if prev == " " and start > 1 else prev
    glued = not closing and not ellipsis and _HANGUL.match(prev) and _GLUED_NEXT.match(text[end])
    return end if glued else None


def rule_boundaries(text: str, *, news_only: bool = False) -> list[int]:
    """Offsets where a sentence ends in `text` (one line), by punctuation rules; linear time.

    `news_only` keeps just the ends library splitters miss in news text: sentences glued without a space
    (`했다.그는`) and a byline e-mail followed by the body (`홍길동 기자 hong@yna.co.kr 정부는`).
    """
    spans = _quoted_spans(text)
    ends = (_sentence_end(m, text, spans, news_only) for m in _CANDIDATE.finditer(text))
    out = [e for e in ends if e is not None]
    out += [m.end() for m in _EMAIL_END.finditer(text) if not _inside(spans, *m.span())]
    return sorted(set(out))


def _cut(text: str, boundaries: list[int]) -> list[str]:
    """Cut `text` at `boundaries`, strip the pieces, drop empty ones."""
    pieces = (text[a:b].strip() for a, b in zip([0, *boundaries], [*boundaries, len(text)], strict=True))
    return [p for p in pieces if p]


def regex_split(line: str) -> list[str]:
    """Rule-based backend, fast enough for pretraining corpora: quotes, glued ends, numbers, abbreviations."""
    return _cut(line, rule_boundaries(line))


@lru_cache(maxsize=1)
def shared_kiwi():
    """One Kiwi analyser per process, created on first use: loading one takes ~1 s and its first analysis ~1 s
    more, so sentence splitting and cluster keywords share this one instead of building their own."""
    from kiwipiepy import Kiwi

    return Kiwi()


def kiwi_split(line: str) -> list[str]:
    """Kiwi backend: `Kiwi().split_into_sents` on the shared instance."""
    return [s.text for s in shared_kiwi().split_into_sents(line)]


def kss_split(line: str) -> list[str]:
    """kss 6 backend with the mecab analyser (python-mecab-ko); kss's default pecab is ~50x slower."""
    import kss

    return kss.split_sentences(line, backend="mecab")


BACKENDS: dict[str, Backend] = {"kiwi": kiwi_split, "kss": kss_split, "regex": regex_split}
_KOREAN_ONLY = frozenset({kiwi_split, kss_split})
DEFAULT_BACKEND = "kiwi"


class SentenceSplitter:
    """Split text into sentences with a backend: a name in `BACKENDS` or a `str -> list[str]` function.

    `clean` removes news noise first; `repair` (kiwi, kss) applies the news rules to their output.
    """

    def __init__(self, backend: str | Backend = DEFAULT_BACKEND, *, clean: bool = False, repair: bool = True):
        if isinstance(backend, str):
            if backend not in BACKENDS:
                raise ValueError(f"unknown sentence backend {backend!r}; choose one of {sorted(BACKENDS)}")
            backend = BACKENDS[backend]
        self.backend: Backend = backend
        self.clean = clean
        self.repair = repair and backend in _KOREAN_ONLY  # kiwi and kss get the news rules afterwards

    def __call__(self, text: str) -> list[str]:
        """Sentences of `text` in order; news noise is removed first when `clean` is set."""
        if self.clean:
            text = clean_news(text)
        out: list[str] = []
        for line in filter(None, map(str.strip, text.splitlines())):
            if self.backend in _KOREAN_ONLY and not _HANGUL.search(line):
                out += regex_split(line)  # kiwi and kss leave non-Korean lines unsplit
            else:
                out += self._repaired(line) if self.repair else self.backend(line)
        return out

    def _repaired(self, line: str) -> list[str]:
        """Backend ends followed by a space and outside quotes, plus the news rules' ends (`news_only`)."""
        sents, ends, pos = self.backend(line), [], 0
        for sent in sents:
            pos = line.find(sent, pos)
            if pos < 0:  # the backend rewrote the text: repair sentence by sentence
                return [p for s in sents for p in _cut(s, rule_boundaries(s, news_only=True))]
            pos += len(sent)
            ends.append(pos)
        spans = _quoted_spans(line)
        ends = [e for e in ends if e < len(line) and line[e].isspace() and not _inside(spans, e - 1, e)]
        return _cut(line, sorted({*ends, *rule_boundaries(line, news_only=True)}))


def split_sentences(text: str, backend: str = DEFAULT_BACKEND, *, clean: bool = False) -> list[str]:
    """Split `text` into sentences with the named backend (`kiwi`, `kss`, `regex` or a registered one)."""
    return SentenceSplitter(backend, clean=clean)(text)
