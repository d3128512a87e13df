"""News noise removal: bylines, e-mails, photo captions, tags, copyright trailers, ▲-bullets.

Noise is removed line by line: a line that is noise as a whole is dropped, and noise fragments inside a
line (a dateline prefix, a `[속보]` tag, a trailing copyright notice) are cut out; the rest of the line is
kept, so a body sentence is never dropped.
"""

from __future__ import annotations

import re

from kpfnlp.text.normalize import normalize_text

_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_NAMES = r"[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4}|\s[가-힣]{2,4}){0,3}"  # anchored uses only
_NAME_LIST = r"[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4}){0,3}"  # mid-line: never swallows the words before
_ROLE = (
    r"(?:기자|특파원|통신원|객원기자|선임기자|수습기자|인턴기자|사진기자|전문기자|논설위원|편집위원|리포터)"
    r"(?![가-힣])"
)
_DATELINE = r"[(\[【]\s*[가-힣A-Za-z]{1,10}\s*=\s*[가-힣A-Za-z0-9]{1,15}\s*[)\]】]"
_AFTER_SENTENCE = r"(?:^|(?<=[.!?。”’\"'])|(?<=[.!?。”’\"']\s))"

# A line that is noise from start to end.
_NOISE_LINE = re.compile(
    "|".join(
        [
            rf"[=/\s]*{_NAMES}\s*(?:{_ROLE})?\s*[(\[<]?\s*{_EMAIL}\s*[)\]>]?",  # 홍길동 기자 hong@yna.co.kr
            rf"[=/\s]*{_NAMES}\s*{_ROLE}\s*[=/]?",  # 홍길동 기자
            r"[▲☞].*",  # ▲ caption lines, ☞ related-article links
            r"(?:사진|그래픽|자료사진|영상)\s*[=:]\s*\S.{0,40}",  # 사진=연합뉴스
        ]
    )
)

# Byline prefixes, cut at the start of a line or of a sentence (after tags are gone).
_BYLINE_PREFIX = re.compile(
    rf"{_AFTER_SENTENCE}\s*(?:{_DATELINE}\s*(?:{_NAMES}\s*{_ROLE}\s*=?)?|{_NAMES}\s*{_ROLE}\s*=)",
    re.MULTILINE,
)
# Fragments cut out of any line.
_FRAGMENTS = re.compile(
    "|".join(
        [
            rf"[\[【(]\s*(?:[^\[\]()\n]{{0,20}}\s)?{_NAMES}\s*{_ROLE}(?:\s*[=/]?\s*{_EMAIL})?\s*[\]】)]",
            rf"(?<![가-힣]){_NAME_LIST}\s*{_ROLE}\s*[(\[<]?{_EMAIL}[)\]>]?",  # byline with e-mail mid-line
            rf"[(\[<]\s*{_EMAIL}\s*[)\]>]|^\s*{_EMAIL}\s*|\s*{_EMAIL}\s*$",  # e-mail in byline position
            r"[\[【(]\s*(?:사진|그래픽|자료사진|영상|포토|일러스트|인포그래픽|출처)"
            r"(?:\s*[=:]\s*[^\[\]()\n]{0,40}|\s[^\[\]()\n]{0,40})?[\])】]",  # [사진], (사진=연합뉴스)
            # [연합뉴스 자료사진], (OO시 제공)
            r"[\[【(][^\[\]()\n]{0,30}(?:자료사진|사진\s*제공|제공)\s*[\])】]",
            r"[\[【]\s*(?:속보|단독|포토|포토뉴스|종합\d*보?|\d+보|영상|사진|특징주|인터뷰|르포|팩트체크|긴급|부고|인사"
            r"|게시판|헤드라인|이슈)\s*[\]】]",  # [속보] [단독] [포토]
            r"<[^<>\n]*(?:저작권|ⓒ|©|Copyright|무단\s*전재)[^<>\n]*>",  # <저작권자 ⓒ 연합뉴스 ...>
            r"[\[(][^\[\]()\n]{0,40}(?:ⓒ|©|무단\s*전재)[^\[\]()\n]{0,40}[\])]",
            r"(?:Copyright\s*)?(?:ⓒ|©|\([cC]\))\s*(?:(?!다\.)[^\n]){0,80}$",  # ⓒ 연합뉴스 ... (line end)
            r"무단\s*전재[^\n]{0,40}?(?:금지|금합니다|금함)\.?",
            r"All rights reserved\.?",
        ]
    ),
    re.MULTILINE | re.IGNORECASE,
)
_SPACE_RUNS = re.compile(r"[ \t]{2,}")
_CONTENT = re.compile(r"[^\W_]")  # a letter or digit


def _strip_line(line: str) -> str:
    """Cut noise fragments out of one line; return '' when nothing but noise (or bare punctuation) is left."""
    if _NOISE_LINE.fullmatch(line.strip()):
        return ""
    line = _BYLINE_PREFIX.sub(" ", _FRAGMENTS.sub(" ", line).strip())
    line = _SPACE_RUNS.sub(" ", line).strip()
    return line if _CONTENT.search(line) else ""


def is_noise_sentence(sentence: str) -> bool:
    """True when `sentence` is only noise (byline, e-mail, caption, tag, copyright): never a summary pick."""
    return not any(_strip_line(line) for line in normalize_text(sentence).split("\n"))


def strip_noise(sentences: list[str]) -> list[str]:
    """Drop noise sentences and cut noise fragments out of the others (order kept)."""
    cleaned = (" ".join(filter(None, map(_strip_line, normalize_text(s).split("\n")))) for s in sentences)
    return [s for s in cleaned if s]


def clean_news(text: str) -> str:
    """Normalise a news article and remove its noise; body text and paragraph breaks are kept."""
    out: list[str] = []
    for line in normalize_text(text).split("\n"):
        if not line:  # a paragraph break of the source
            if out and out[-1]:
                out.append("")
        elif kept := _strip_line(line):
            out.append(kept)
    return "\n".join(out).strip()
