"""Every corpus format on small files written in tmp_path: documents, ids, meta, bad rows with locations."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pytest

from kpfnlp.corpus import MissingColumnError, ReadReport, detect_format, read_documents

WIKI = """<doc id="7" url="https://ko.wikipedia.org/wiki?curid=7" title="가상 도시">
가상 도시

가상 도시는 소설 속의 도시이다.
역사.
1990년에 처음 등장하였다.
</doc>
<doc id="9" url="https://ko.wikipedia.org/wiki?curid=9" title="빈 문서">
빈 문서

</doc>
<doc id="12" url="https://ko.wikipedia.org/wiki?curid=12" title="A &amp; B">
A & B

A와 B는 두 사람이다.
</doc>
"""


def _read(path: Path, **kwargs) -> tuple[list, ReadReport]:
    report = ReadReport()
    return list(read_documents(path, report=report, **kwargs)), report


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_wiki_shard_xz(tmp_path: Path) -> None:
    path = tmp_path / "wiki_00.txt.xz"
    with lzma.open(path, "wt", encoding="utf-8") as f:
        f.write(WIKI)
    assert detect_format(path) == "wiki"
    docs, report = _read(path)
    assert [d.id for d in docs] == ["7", "12"]
    assert docs[0].title == "가상 도시"
    assert docs[0].text == "가상 도시는 소설 속의 도시이다.\n역사.\n1990년에 처음 등장하였다."
    assert docs[0].meta["url"].endswith("curid=7")
    assert docs[1].title == "A & B"  # attribute entities unescaped, so the title line is recognised and dropped
    assert docs[1].text == "A와 B는 두 사람이다."
    assert report.bad_rows == 1
    assert report.examples[0].location.endswith("wiki_00.txt.xz:line 8")
    assert report.examples[0].reason.startswith("empty text")


def test_wiki_unterminated_document_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_text(WIKI + '<doc id="13" url="u" title="끊김">\n끊김\n\n내용이 잘렸다.\n', encoding="utf-8")
    docs, report = _read(path)
    assert len(docs) == 2
    assert report.bad_rows == 2
    assert "unterminated" in report.examples[-1].reason and report.examples[-1].location.endswith(":line 17")


def test_jsonl_bad_rows_are_counted_with_locations(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        [
            json.dumps({"id": "a1", "title": "제목1", "body": "본문 하나.", "media": "가상뉴스"}, ensure_ascii=False),
            '{"id": "a2", "title": "깨진 줄", "body": "닫히지 않음"',
            "",
            json.dumps({"id": "a3", "title": "빈 본문", "body": "  "}, ensure_ascii=False),
            json.dumps({"id": "a4", "title": "본문 없음"}, ensure_ascii=False),
            json.dumps(["not", "an", "object"]),
            json.dumps({"title": "id 없음", "body": "본문 둘."}, ensure_ascii=False),
        ],
    )
    docs, report = _read(path)
    assert [(d.id, d.title, d.text) for d in docs] == [
        ("a1", "제목1", "본문 하나."),
        ("feed.jsonl:7", "id 없음", "본문 둘."),
    ]
    assert docs[0].meta == {"media": "가상뉴스"}
    assert report.bad_rows == 4
    assert dict(report.reasons) == {
        "malformed JSON": 1,
        "empty text": 1,
        "missing column": 1,
        "not a JSON object": 1,
    }
    assert [row.location.rsplit(":", 1)[1] for row in report.examples] == [
        "line 2",
        "line 4",
        "line 5",
        "line 6",
    ]
    text = report.format()
    assert "bad rows: 4" in text and "feed.jsonl:line 2: malformed JSON" in text


def test_jsonl_explicit_columns_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"key": 5, "headline": "제목", "story": ["첫 문장.", "둘째 문장."]}, ensure_ascii=False))
    assert detect_format(path) == "jsonl"
    docs, _ = _read(path, text_column="story", title_column="headline", id_column="key")
    assert (docs[0].id, docs[0].title, docs[0].text) == ("5", "제목", "첫 문장. 둘째 문장.")


def test_missing_column_in_whole_file_names_the_columns(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "x.jsonl", ['{"foo": "a", "bar": "b"}'])
    with pytest.raises(MissingColumnError, match=r"\['foo', 'bar'\]"):
        list(read_documents(path))
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("제목,본문\n가,나\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match=r"no column 'content'.*'제목', '본문'"):
        list(read_documents(csv_path, text_column="content"))


def test_csv_quoted_multiline_and_wrong_field_count(tmp_path: Path) -> None:
    path = tmp_path / "wikinews.csv"
    path.write_text(
        '작성일,출처,제목,내용\n2020-01-01,https://a,첫 기사,"첫 줄.\n둘째 줄, 쉼표 포함."\n2020-01-02,https://b,둘째\n'
        '2020-01-03,https://c,셋째 기사,"셋째 ""인용"" 본문"\n',
        encoding="utf-8",
    )
    docs, report = _read(path)
    assert [d.title for d in docs] == ["첫 기사", "셋째 기사"]
    assert docs[0].text == "첫 줄.\n둘째 줄, 쉼표 포함."
    assert docs[0].meta == {"date": "2020-01-01", "url": "https://a"}
    assert docs[1].text == '셋째 "인용" 본문'
    assert docs[1].id == "wikinews.csv:5"
    assert report.bad_rows == 1 and report.examples[0].location.endswith("wikinews.csv:line 4")
    assert "wrong number of fields" in report.examples[0].reason


def test_tsv_is_unquoted_and_headlines_use_title_as_text(tmp_path: Path) -> None:
    path = tmp_path / "ynat.tsv"
    path.write_text('label\ttitle\n정치\t"따옴표" 그대로\n경제\t금리 동결\n', encoding="utf-8")
    docs, _ = _read(path)
    assert [d.text for d in docs] == ['"따옴표" 그대로', "금리 동결"]
    assert docs[0].title == docs[0].text and docs[0].meta == {"label": "정치"}


def test_json_array_of_headlines(tmp_path: Path) -> None:
    path = tmp_path / "titles.json"
    path.write_text(json.dumps([{"title": "제목 A", "category": "경제"}, 3, {"title": ""}]), encoding="utf-8")
    assert detect_format(path) == "json"
    docs, report = _read(path)
    assert [(d.text, d.meta) for d in docs] == [("제목 A", {"category": "경제"})]
    assert report.bad_rows == 2


def test_bigkinds_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["뉴스 식별자", "일자", "언론사", "기고자", "제목", "통합 분류1", "본문", "URL"])
    sheet.append(
        [
            "01100101.2024",
            "20240222",
            "가상뉴스",
            "김민준",
            "금리 동결",
            "경제>금융_재테크",
            "한은이 동결했다.",
            None,
        ]
    )
    sheet.append(["01100101.2025", "20240223", "한빛일보", None, "본문 없는 기사", "사회", None, None])
    sheet.append([None] * 8)
    sheet.append(["01100101.2026", "20240224", "한빛일보", "박지훈", "셋째", "사회>날씨", "눈이 온다.", "https://x"])
    path = tmp_path / "NewsResult_20240222.xlsx"
    workbook.save(path)
    assert detect_format(path) == "xlsx"
    docs, report = _read(path, format="bigkinds")
    assert [d.id for d in docs] == ["01100101.2024", "01100101.2026"]
    assert docs[0].meta == {
        "date": "20240222",
        "media": "가상뉴스",
        "byline": "김민준",
        "category": "경제>금융_재테크",
    }
    assert docs[1].meta["url"] == "https://x"
    assert report.bad_rows == 1 and report.examples[0].location.endswith(".xlsx:row 3")


def test_aihub_json(tmp_path: Path) -> None:
    sentence = {"index": 0, "sentence": "첫 문장이다.", "highlight_indices": ""}
    document = {
        "id": "100",
        "title": "제목",
        "category": "종합",
        "media_name": "가상뉴스",
        "publish_date": "2020-01-01 10:00:00",
        "text": [[{"index": 1, "sentence": "둘째 문장이다.", "highlight_indices": ""}, sentence], []],
        "extractive": [0, 1, None],
        "abstractive": ["요약이다."],
    }
    path = tmp_path / "docsum.json"
    path.write_text(json.dumps({"name": "x", "documents": [document, {"id": "101", "text": "oops"}]}), "utf-8")
    assert detect_format(path) == "aihub"
    docs, report = _read(path)
    assert len(docs) == 1
    assert docs[0].text == "첫 문장이다. 둘째 문장이다."
    assert docs[0].meta["sentences"] == ["첫 문장이다.", "둘째 문장이다."]
    assert docs[0].meta["extractive"] == [0, 1, None] and docs[0].meta["media"] == "가상뉴스"
    assert report.bad_rows == 1 and report.examples[0].location.endswith("docsum.json:documents[1]")


def test_dacon_jsonl_keeps_sentence_positions(tmp_path: Path) -> None:
    rows = [
        {
            "media": "가상뉴스",
            "id": "1",
            "article_original": ["가.", "", "나."],
            "extractive": [0, 2],
            "abstractive": ["요약"],
        },
        {"media": "가상뉴스", "id": "2", "article_original": []},
        {"media": "가상뉴스", "id": "3"},
    ]
    path = _jsonl(tmp_path / "train.jsonl", [json.dumps(r, ensure_ascii=False) for r in rows])
    assert detect_format(path) == "dacon"
    docs, report = _read(path)
    assert docs[0].text == "가. 나." and docs[0].meta["sentences"] == ["가.", "", "나."]
    assert docs[0].meta["extractive"] == [0, 2] and docs[0].title is None
    assert sorted(report.reasons) == ["empty text", "missing column"]


def test_plain_text_and_sentence_lines(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("첫 문서 첫 줄.\n첫 문서 둘째 줄.\n\n\n둘째 문서.\n", encoding="utf-8")
    assert detect_format(text) == "text"
    docs, _ = _read(text)
    assert [(d.id, d.text) for d in docs] == [
        ("notes.txt:1", "첫 문서 첫 줄.\n첫 문서 둘째 줄."),
        ("notes.txt:5", "둘째 문서."),
    ]
    lines = tmp_path / "news.test.ko"
    lines.write_text("문장 하나.\n\n문장 둘.\n", encoding="utf-8")
    assert [d.id for d in read_documents(lines)] == ["news.test.ko:1", "news.test.ko:3"]


def test_unknown_extension_and_column_options_on_wrong_format(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(ValueError, match="pass format="):
        read_documents(path)
    with pytest.raises(ValueError, match="unknown corpus format"):
        read_documents(path, format="parquet")
    with pytest.raises(FileNotFoundError):
        read_documents(tmp_path / "missing.jsonl")
    text = tmp_path / "a.txt"
    text.write_text("x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="column options"):
        read_documents(text, text_column="body")


def test_bad_rows_are_logged_without_a_report(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _jsonl(tmp_path / "f.jsonl", ['{"text": "좋음"}', "{broken"])
    assert len(list(read_documents(path))) == 1
    assert "f.jsonl:line 2: malformed JSON" in caplog.text


def test_report_keeps_first_examples_only() -> None:
    report = ReadReport(max_examples=2)
    for n in range(5):
        report.add(f"f:line {n}", "empty text: x")
    assert report.bad_rows == 5 and len(report.examples) == 2
    assert "first 2 of 5" in report.format()
