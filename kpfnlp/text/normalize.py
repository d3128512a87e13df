"""Unicode and whitespace normalisation plus HTML-remnant removal for Korean news text.

NFC only: NFC composes decomposed Hangul into syllables, while NFKC/NFKD would turn compatibility jamo
(ㅋ, ㅎ) into conjoining jamo and NFD would split every syllable.
"""

from __future__ import annotations

import html
import re
import unicodedata

_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|tr|h[1-6]|table|ul|ol|blockquote)\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def strip_html(text: str) -> str:
    """Remove HTML remnants: block tags become line breaks, other tags vanish, entities are decoded."""
    text = _COMMENT.sub("", _SCRIPT_STYLE.sub("", text))
    text = _TAG.sub("", _BLOCK_TAG.sub("\n", text))
    for _ in range(2):  # scraped news is often escaped twice (&amp;quot;)
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def normalize_whitespace(text: str) -> str:
    """Unify line breaks, drop zero-width/control characters, collapse space runs, keep paragraph breaks."""
    text = _NEWLINES.sub("\n", text).translate(_ZERO_WIDTH)
    text = _CONTROL.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def normalize_text(text: str, *, html_remnants: bool = True) -> str:
    """NFC-normalise `text`, remove HTML remnants (optional) and repair whitespace; Hangul stays composed."""
    text = _NEWLINES.sub("\n", text)
    if html_remnants:
        text = strip_html(text)
    return normalize_whitespace(unicodedata.normalize("NFC", text))
