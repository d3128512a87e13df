"""Feed reading: exactly one FeedRow per input row, bad rows as error rows, CP949, XLSX, missing columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpfnlp.batch import Columns, read_feed
from kpfnlp.corpus import MissingColumnError


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_one_row_per_line_with_errors(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        [
            json.dumps({"id": "a", "title": "제목", "body": "본문 하나."}, ensure_ascii=False),
            '{"id": "b", "body": "깨진 줄',
            "",
            json.dumps({"id": "c", "body": ""}),
            json.dumps([1, 2]),
            json.dumps({"id": "d", "title": "둘"}, ensure_ascii=False),
        ],
    )
    rows = list(read_feed(path))
    assert [r.index for r in rows] == [0, 1, 2, 3, 4]  # the blank line is not a row
    assert [r.id for r in rows] == ["a", "feed.jsonl:line 2", "c", "feed.jsonl:line 5", "d"]
    assert rows[0].text == "본문 하나." and rows[0].title == "제목" and rows[0].error is None
    assert rows[1].error.startswith("line 2: malformed JSON")
    assert rows[2].error == "line 4: empty text: column 'body'"
    assert rows[3].error == "line 5: not a JSON object: list"
    assert rows[4].error == "line 6: missing column: 'body'"


def test_a_json_object_in_a_text_column_is_an_error_row_not_its_repr(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "feed.jsonl",
        [
            json.dumps({"id": "a", "title": {"ko": "제목", "en": "title"}, "body": "본문."}, ensure_ascii=False),
            json.dumps({"id": "b", "title": "제목", "body": {"text": "본문"}}, ensure_ascii=False),
            json.dumps({"id": "c", "title": ["두", "조각"], "body": ["첫 문장.", "둘째 문장."]}, ensure_ascii=False),
        ],
    )
    rows = list(read_feed(path))
    assert [r.id for r in rows] == ["a", "b", "c"]
    assert rows[0].error == "line 1: column 'title' holds a JSON object, not text"
    assert rows[1].error == "line 2: column 'body' holds a JSON object, not text"
    assert rows[2].error is None and rows[2].text == "첫 문장. 둘째 문장." and rows[2].title == "두 조각"


def test_dacon_sentence_list_is_the_text(tmp_path: Path) -> None:
    record = {"id": "x", "article_original": ["첫 문장이다.", "둘째 문장이다."], "extractive": [0]}
    rows = list(read_feed(_jsonl(tmp_path / "d.jsonl", [json.dumps(record, ensure_ascii=False)])))
    assert rows[0].text == "첫 문장이다. 둘째 문장이다."


def test_cp949_csv_and_bad_field_count(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(
        '번호,제목,본문\n1,금리 동결,"한국은행이 금리를 동결했다.\n둘째 줄이다."\n2,짧은,a,b\n'.encode("cp949")
    )
    rows = list(read_feed(path, Columns(text="본문", id="번호")))
    assert len(rows) == 2
    assert (
        rows[0].id == "1"
        and rows[0].text == "한국은행이 금리를 동결했다.\n둘째 줄이다."
        and rows[0].title == "금리 동결"
    )
    assert rows[1].error == "line 4: wrong number of fields: 4 instead of 3"


def test_missing_column_names_the_columns_present(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match=r"\['a', 'b'\]"):
        list(read_feed(path, Columns(text="본문")))


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["제목", "본문"])
    sheet.append(["첫 기사", "본문이다."])
    sheet.append([None, None])
    sheet.append(["둘째", None])
    book.save(tmp_path / "feed.xlsx")
    rows = list(read_feed(tmp_path / "feed.xlsx"))
    assert [(r.index, r.text, r.error) for r in rows] == [
        (0, "본문이다.", None),
        (1, "", "row 4: empty text: column '본문'"),
    ]


def test_unsupported_extension(tmp_path: Path) -> None:
    (tmp_path / "feed.parquet").write_bytes(b"")
    with pytest.raises(ValueError, match="unsupported feed extension"):
        read_feed(tmp_path / "feed.parquet")


def test_json_array_is_streamed_element_by_element(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `.json` array (the newstrust export) gives one row per element, across many small read chunks."""
    monkeypatch.setattr("kpfnlp.batch.feed._JSON_CHUNK", 7)  # elements and strings cut by every chunk boundary
    items = [{"title": f"반도체 수출 {i}월 증가", "category": "경제"} for i in range(5)]
    path = tmp_path / "titles.json"
    text = json.dumps(items[:3], ensure_ascii=False)[:-1] + ', [1, 2],\n {"title": ""}, 12345,'
    path.write_text("\ufeff \n" + text + json.dumps(items[3:], ensure_ascii=False)[1:], encoding="utf-8")
    rows = list(read_feed(path, Columns(text="title")))
    assert [r.text for r in rows[:3]] == [item["title"] for item in items[:3]]
    assert [r.error for r in rows[3:6]] == [
        "element 4: not a JSON object: list",
        "element 5: empty text: column 'title'",
        "element 6: not a JSON object: int",
    ]
    assert [r.text for r in rows[6:]] == [item["title"] for item in items[3:]] and len(rows) == 8
    assert rows[0].id == "titles.json:element 1" and [r.index for r in rows] == list(range(8))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[{"title": "하나"}, {"title": "둘"', "element 2: malformed JSON array: Expecting"),
        ('[{"title": "하나"} {"title": "둘"}]', "element 2: malformed JSON array: expected ',' or ']'"),
        ('[{"title": "하나"}', "element 2: malformed JSON array: the array is not closed"),
    ],
)
def test_broken_json_array_ends_with_an_error_row(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "feed.json"
    path.write_text(text, encoding="utf-8")
    rows = list(read_feed(path))
    assert rows[0].text == "하나" and rows[0].error is None and len(rows) == 2
    assert rows[1].error.startswith(reason) and rows[1].error.endswith("the rest of the file was not read")


def test_json_file_that_is_not_an_array_is_read_as_lines(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "feed.json", ['{"title": "하나"}', '{"title": "둘"}'])
    assert [(r.id, r.text) for r in read_feed(path)] == [("feed.json:line 1", "하나"), ("feed.json:line 2", "둘")]
    assert list(read_feed(_jsonl(tmp_path / "empty.json", ["[ ]"]))) == []


def _aihub_doc(doc_id: str, sentences: list[str]) -> dict:
    """An AI-Hub 문서요약 document: paragraphs of {index, sentence}, here two paragraphs in reverse order."""
    items = [{"index": i, "sentence": s, "highlight_indices": ""} for i, s in enumerate(sentences)]
    return {"id": doc_id, "title": f"제목 {doc_id}", "text": [items[2:], items[:2]], "extractive": [0, 1, 2]}


def test_aihub_json_gives_one_row_per_document(tmp_path: Path) -> None:
    docs = [_aihub_doc("a1", ["첫째 문장.", "둘째 문장.", "셋째 문장."]), {"id": "a2", "text": [["깨진 문단"]]}]
    docs.append(_aihub_doc("a3", ["하나.", "둘.", "셋.", "넷."]))
    path = tmp_path / "docsum.json"
    path.write_text(json.dumps({"name": "문서요약", "documents": docs}, ensure_ascii=False, indent=1), encoding="utf-8")
    rows = list(read_feed(path))
    assert [(r.id, r.title, r.text) for r in rows[::2]] == [
        ("a1", "제목 a1", "첫째 문장. 둘째 문장. 셋째 문장."),
        ("a3", "제목 a3", "하나. 둘. 셋. 넷."),
    ]
    assert rows[1].id == "docsum.json:documents[1]" and "missing column" in rows[1].error and len(rows) == 3
    one_line = tmp_path / "min.json"  # the same file minified onto one line
    one_line.write_text(json.dumps({"documents": docs}, ensure_ascii=False), encoding="utf-8")
    assert [r.text for r in read_feed(one_line)] == [r.text for r in rows]


def test_json_object_and_json_lines_with_a_bad_first_line(tmp_path: Path) -> None:
    pretty = tmp_path / "one.json"
    pretty.write_text(json.dumps({"id": "x", "title": "제목", "body": "본문."}, ensure_ascii=False, indent=2), "utf-8")
    assert [(r.id, r.text, r.error) for r in read_feed(pretty)] == [("x", "본문.", None)]
    lines = _jsonl(tmp_path / "lines.json", ['{"body": "깨진', '{"body": "하나"}', '{"body": "둘"}'])
    rows = list(read_feed(lines))
    assert rows[0].error.startswith("line 1: malformed JSON") and [r.text for r in rows[1:]] == ["하나", "둘"]


def test_real_aihub_sample_reads_every_document(shared_data: Path) -> None:
    rows = list(read_feed(shared_data / "summarization" / "aihub_docsum_sample.json"))
    assert len(rows) == 41 and all(r.error is None and r.title and len(r.text) > 100 for r in rows)
