"""Encoding detection: UTF-8 (BOM or not), CP949/EUC-KR, Korean that starts late, and undecodable bytes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kpfnlp.corpus import ReadReport, detect_encoding, read_documents

ROWS = (
    "id,title,body\n"
    "1,한은 금리 동결,한국은행이 기준금리를 3.5%로 유지했다.\n"
    "2,똠방각하 뷁,확장 완성형 글자: 똠 뷁 햏.\n"
)


def test_utf8_and_bom(tmp_path: Path) -> None:
    plain, bom = tmp_path / "a.csv", tmp_path / "b.csv"
    plain.write_text(ROWS, encoding="utf-8")
    bom.write_text(ROWS, encoding="utf-8-sig")
    assert detect_encoding(plain) == "utf-8"
    assert detect_encoding(bom) == "utf-8-sig"
    docs = list(read_documents(bom))
    assert [d.id for d in docs] == ["1", "2"]  # the BOM does not end up in the 'id' header


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_as_excel_unicode_text_writes_it(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "u16.tsv"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + ROWS.replace(",", "\t").encode(encoding))
    assert detect_encoding(path) == "utf-16"
    docs = list(read_documents(path))
    assert [d.id for d in docs] == ["1", "2"] and docs[1].title == "똠방각하 뷁"


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr"])
def test_cp949_and_euc_kr_csv(tmp_path: Path, encoding: str) -> None:
    rows = ROWS if encoding == "cp949" else ROWS.replace("똠방각하 뷁", "방각하").replace("똠 뷁 햏", "가 나 다")
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(rows.encode(encoding))
    assert detect_encoding(path) == "cp949"
    docs = list(read_documents(path))
    assert docs[0].title == "한은 금리 동결"
    assert docs[1].text == rows.splitlines()[2].split(",", 2)[2]


def test_korean_after_an_ascii_first_megabyte(tmp_path: Path) -> None:
    ascii_rows = "".join(f"{n},headline {n},plain ascii body {n}\n" for n in range(60_000))
    korean = "99999,늦게 나온 한글,본문은 CP949로 저장된 한국어이다.\n"
    path = tmp_path / "late.csv.gz"
    with gzip.open(path, "wb") as f:
        f.write(("id,title,body\n" + ascii_rows + korean).encode("cp949"))
    assert len(ascii_rows) > 2 << 20
    assert detect_encoding(path) == "cp949"
    report = ReadReport()
    docs = list(read_documents(path, report=report))
    assert len(docs) == 60_001 and report.bad_rows == 0
    assert docs[-1].title == "늦게 나온 한글"


def test_undecodable_row_is_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = '{"text": "정상 줄"}\n'.encode()
    path.write_bytes(good + '{"text": "깨진 '.encode() + b"\xff\xfe" + '줄"}\n'.encode() + good)
    assert detect_encoding(path) in ("utf-8", "cp949")
    report = ReadReport()
    docs = list(read_documents(path, encoding="utf-8", report=report))
    assert len(docs) == 2
    assert report.examples[0].location.endswith("mixed.jsonl:line 2")
    assert report.examples[0].reason == "undecodable bytes"


def test_ascii_only_file_is_utf8(tmp_path: Path) -> None:
    path = tmp_path / "ascii.csv"
    path.write_text("id,text\n1,hello\n", encoding="ascii")
    assert detect_encoding(path) == "utf-8"
