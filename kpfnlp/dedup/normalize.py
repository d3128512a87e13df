"""Dedup keys and shingles: headlines that differ only in spacing, punctuation, case or a leading tag such as
`[속보]` / `(종합)` get the same key."""

from __future__ import annotations

import re

from kpfnlp.text import normalize_text

_LEAD_TAGS = re.compile(r"^(?:\s*[\[【(〈<][^\]】)〉>]{1,12}[\]】)〉>])+")
_NON_WORD = re.compile(r"[\W_]+")


def dedup_key(text: str) -> str:
    """Normalised text for the exact tier: NFC, HTML removed, leading tags dropped, only letters and digits, lower."""
    text = _LEAD_TAGS.sub("", normalize_text(text))
    return _NON_WORD.sub("", text).lower()


def shingles(key: str, size: int = 2) -> set[str]:
    """Character `size`-grams of a dedup key (the key itself when shorter)."""
    if len(key) <= size:
        return {key} if key else set()
    return {key[i : i + size] for i in range(len(key) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two shingle sets (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 0.0
