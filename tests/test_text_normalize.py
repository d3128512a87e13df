"""Unicode, whitespace and HTML-remnant normalisation."""

from __future__ import annotations

import unicodedata

from kpfnlp.text import normalize_text, normalize_whitespace, strip_html


def test_nfc_composes_decomposed_hangul_and_keeps_jamo():
    decomposed = unicodedata.normalize("NFD", "한국어 뉴스")
    assert len(decomposed) > len("한국어 뉴스")
    assert normalize_text(decomposed) == "한국어 뉴스"
    # compatibility jamo and full-width forms are not folded (NFKC would turn ㅋ into a conjoining jamo)
    assert normalize_text("ㅋㅋㅋ ＡＢＣ") == "ㅋㅋㅋ ＡＢＣ"


def test_whitespace_repair():
    text = "정부는\u00a0\u00a0오늘\u200b 발표했다.\r\n\r\n\r\n\r\n그는\t\t말했다. \u3000\n"
    assert normalize_whitespace(text) == "정부는 오늘 발표했다.\n\n그는 말했다."
    assert normalize_whitespace("가\u2028나\r다\u2029라") == "가\n나\n다\n라"
    assert normalize_whitespace("  \n\t ") == ""


def test_html_remnants():
    html = "<p>그는 &quot;좋다&quot;고 말했다.<br/>둘째 줄이다 &amp; 끝.</p><script>var x=1;</script><!-- ad -->"
    assert normalize_text(html) == '그는 "좋다"고 말했다.\n둘째 줄이다 & 끝.'
    assert strip_html("A&amp;quot;B") == 'A"B'  # escaped twice
    assert normalize_text("가&nbsp;&nbsp;나") == "가 나"


def test_korean_angle_brackets_are_not_tags():
    assert normalize_text("<2면에 계속> a < b > c") == "<2면에 계속> a < b > c"
    assert normalize_text("<저작권자 ⓒ 연합뉴스>") == "<저작권자 ⓒ 연합뉴스>"
    assert normalize_text("가<b>나</b>다") == "가나다"
