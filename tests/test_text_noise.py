"""News noise removal: examples of each noise kind, and a property test that body sentences always survive."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kpfnlp.text import clean_news, is_noise_sentence, strip_noise

ARTICLE = """[속보] (서울=연합뉴스) 홍길동 기자 = 정부가 오늘 새 정책을 발표했다. 그는 "좋다"고 말했다.
▲ 사진 설명: 장관이 발언하고 있다.
[사진=연합뉴스]
주요 내용은 ▲청년 지원 ▲주거 안정 등이다.

문의는 help@korea.kr으로 하면 된다.
[OO일보 김철수 기자] 물가는 3.5% 올랐다.
홍길동 기자 hong@yna.co.kr
<저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>
"""


def test_clean_news_removes_each_kind_of_noise():
    assert clean_news(ARTICLE) == (
        '정부가 오늘 새 정책을 발표했다. 그는 "좋다"고 말했다.\n'
        "주요 내용은 ▲청년 지원 ▲주거 안정 등이다.\n\n"
        "문의는 help@korea.kr으로 하면 된다.\n"
        "물가는 3.5% 올랐다."
    )


def test_trailers_and_tags_inline():
    assert clean_news("마지막 문장이다. ⓒ 한국경제, 무단전재 및 재배포 금지") == "마지막 문장이다."
    assert clean_news("[단독][포토] 시민들이 모였다.(사진=뉴스1)") == "시민들이 모였다."
    assert clean_news("그는 웃었다. 김영신 기자 yskim0966@naver.com") == "그는 웃었다."
    assert clean_news("(세종=뉴스1) 이영희·박민수 기자 = 세수가 늘었다.") == "세수가 늘었다."
    assert clean_news("그는 말했다. Copyright © 2021 KBS. All rights reserved.") == "그는 말했다."


def test_look_alikes_in_body_are_kept():
    body = [
        "저작권자 단체는 반발했다.",  # 저작권자 without a copyright mark
        "기자회견에서 그는 사과했다.",
        "홍길동 기자는 현장에서 취재했다.",
        "그는 사진을 찍었다.",
        "가격은 1.5배 올랐다.",
    ]
    for sent in body:
        assert not is_noise_sentence(sent), sent
        assert clean_news(sent) == sent


def test_is_noise_sentence():
    noise = [
        "홍길동 기자",
        "이성훈 sinawi@hanmail.net",
        "홍길동 기자 hong@yna.co.kr",
        "(사진=연합뉴스)",
        "[사진]",
        "▲ 행사에 참석한 시민들이 손을 흔들고 있다.",
        "[속보]",
        "무단 전재 및 재배포 금지",
        "<저작권자 ⓒ 연합뉴스>",
        "ⓒ 연합뉴스",
        "[OO일보 홍길동 기자]",
        "(서울=연합뉴스) 홍길동 김철수 기자 =",
        "  ",
        "- ",
    ]
    for sent in noise:
        assert is_noise_sentence(sent), sent
    assert not is_noise_sentence("(서울=연합뉴스) 홍길동 기자 = 정부가 발표했다.")


def test_strip_noise_keeps_order_and_body():
    sents = ["[속보] 정부가 발표했다.", "홍길동 기자 hong@yna.co.kr", "그는 말했다.", "[사진]"]
    assert strip_noise(sents) == ["정부가 발표했다.", "그는 말했다."]
    assert strip_noise([]) == []


# --- property test -----------------------------------------------------------------------------------------

_syllable = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
_word = st.text(_syllable, min_size=1, max_size=5)
_body = st.builds(lambda ws: " ".join(ws) + "다.", st.lists(_word, min_size=1, max_size=8))
_name = st.text(_syllable, min_size=2, max_size=3)
_email = st.from_regex(r"[a-z][a-z0-9]{1,8}@(yna\.co\.kr|naver\.com|news1\.kr)", fullmatch=True)
_agency = st.sampled_from(["연합뉴스", "뉴스1", "뉴시스", "OO일보"])
_city = st.sampled_from(["서울", "세종", "부산", "광주"])

_noise_line = st.one_of(
    st.builds(lambda n, e: f"{n} 기자 {e}", _name, _email),
    st.builds(lambda n, e: f"{n} {e}", _name, _email),
    st.builds(lambda n: f"{n} 기자", _name),
    st.builds(lambda a, n: f"[{a} {n} 기자]", _agency, _name),
    st.builds(lambda a: f"(사진={a})", _agency),
    st.builds(lambda w: f"▲ {w} 사진 설명이다.", _word),
    st.sampled_from(["[사진]", "[속보]", "[단독]", "[포토]", "무단 전재 및 재배포 금지"]),
    st.builds(lambda a: f"<저작권자 ⓒ {a}, 무단 전재-재배포 금지>", _agency),
    st.builds(lambda a: f"ⓒ {a}", _agency),
)
_prefix = st.one_of(
    st.just(""),
    st.builds(lambda c, a, n: f"({c}={a}) {n} 기자 = ", _city, _agency, _name),
    st.sampled_from(["[속보] ", "[단독] ", "[사진] "]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(_body, _prefix, st.lists(_noise_line, max_size=2), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_body_survives_and_noise_is_gone(paragraphs):
    lines, noise = [], []
    for body, prefix, noise_lines, glue_trailer in paragraphs:
        trailer = " ⓒ 연합뉴스" if glue_trailer else ""
        lines.append(prefix + body + trailer)
        lines += noise_lines
        noise += noise_lines
    cleaned = clean_news("\n".join(lines))
    kept = cleaned.split("\n")
    for body, *_ in paragraphs:
        assert body in kept  # each body sentence survives, whole, on its own line
        assert not is_noise_sentence(body)
    for line in noise:
        assert is_noise_sentence(line)
    assert not re.search(r"기자|@|ⓒ|▲|\[|\]|무단 전재|사진=", cleaned)
