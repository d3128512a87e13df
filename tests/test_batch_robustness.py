"""Batch robustness: stray CSV quotes, bounded memory when resuming, failing or miscounting `process` calls."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from kpfnlp.batch import Columns, FeedRow, FeedWriter, count_complete_rows, read_feed, run_batch
from kpfnlp.batch.feed import _RECORD_CHARS, _RECORD_LINES

FIELDS = ["echo"]


def _csv(path: Path, rows: list[str], encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(newline.join(["id,title,body", *rows, ""]).encode(encoding))
    return path


def _peak_bytes(work: Callable[[], object]) -> int:
    """Peak memory traced while running `work`."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _echo(rows: list[FeedRow]) -> list[dict]:
    return [{"echo": row.id} for row in rows]


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# Defect 1: a stray quote in a CSV feed.


def test_unclosed_quote_is_one_error_row_and_later_rows_are_read(tmp_path: Path) -> None:
    n = 2 * _RECORD_LINES
    rows = [f"{i},제목,본문 {i}" for i in range(n)]
    rows[4] = '4,"제목,본문 4'  # never closed: the field would run to the end of the file
    feed = list(read_feed(_csv(tmp_path / "feed.csv", rows)))
    assert len(feed) == n
    assert feed[4].error == (
        f"line 6: malformed CSV: unclosed quote at line 6 (a record of more than {_RECORD_LINES:,} lines, "
        f"up to line {_RECORD_LINES + 5}); lines 7-{_RECORD_LINES + 5} read again"
    )
    good = feed[:4] + feed[5:]
    assert all(row.error is None for row in good)
    assert [(row.index, row.id, row.text) for row in good] == [(i, str(i), f"본문 {i}") for i in range(n) if i != 4]


def test_unclosed_quote_memory_is_bounded_by_the_record_cap(tmp_path: Path) -> None:
    body = "가" * 500
    rows = [f"{i},제목,{body}" for i in range(16_000)]  # 8 million characters
    rows[4] = f'4,"제목,{body}'
    path = _csv(tmp_path / "feed.csv", rows)
    feed: list[FeedRow] = []
    peak = _peak_bytes(lambda: feed.extend(row for row in read_feed(path, encoding="utf-8") if row.error))
    assert len(feed) == 1 and feed[0].index == 4
    assert f"a record of more than {_RECORD_CHARS:,} characters" in (feed[0].error or "")
    assert peak < 8 * _RECORD_CHARS  # the whole swallowed field would be 8 million characters (16+ MB)


@pytest.mark.parametrize("encoding", ["utf-8", "cp949"])
def test_a_later_quote_no_longer_merges_rows(tmp_path: Path, encoding: str) -> None:
    rows = [f"{i},제목 {i},본문 {i}" for i in range(10)]
    rows[3] = '3,"속보 제목,본문 3'  # opens a quoted field ...
    rows[6] = '6,그는 "안 된다" 했다,본문 6'  # ... that this quote would close, merging rows 3-6 into one
    feed = list(read_feed(_csv(tmp_path / "feed.csv", rows, encoding)))
    assert [row.id for row in feed] == ["0", "1", "2", "feed.csv:line 5", "4", "5", "6", "7", "8", "9"]
    assert feed[3].error is not None
    assert feed[3].error.startswith("line 5: malformed CSV: unclosed quote at line 5 (")
    assert feed[3].error.endswith("up to line 8); lines 6-8 read again")
    assert [row.error for row in feed if row.index != 3] == [None] * 9
    assert feed[6].title == '그는 "안 된다" 했다' and feed[6].text == "본문 6"


def test_unclosed_quote_on_the_last_line(tmp_path: Path) -> None:
    feed = list(read_feed(_csv(tmp_path / "feed.csv", ["1,제목,본문", '2,"제목,본문'])))
    assert feed[0].error is None
    assert feed[1].error is not None and feed[1].error.startswith("line 3: malformed CSV: unclosed quote at line 3")


def test_a_header_with_an_unclosed_quote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text('id,"title,body\n1,제목,본문\n', encoding="utf-8")
    with pytest.raises(ValueError, match="the header row is not CSV: line 1: malformed CSV: unclosed quote at line 1"):
        list(read_feed(path))


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8", "\r\n"), ("cp949", "\r\n")])
def test_legitimate_multiline_quoted_fields_still_work(tmp_path: Path, encoding: str, newline: str) -> None:
    paragraphs = [f'{i}번째 문단, "인용"도 있다.' for i in range(300)]
    body = newline.join([*paragraphs, "", "마지막 문단."])
    quoted = '"' + body.replace('"', '""') + '"'
    rows = [f"1,{quoted},{quoted}", "2,짧은 제목,짧은 본문", f'3,"여러{newline}줄 제목",{quoted}']
    feed = list(read_feed(_csv(tmp_path / "feed.csv", rows, encoding, newline), Columns(text="body")))
    assert [(row.id, row.error) for row in feed] == [("1", None), ("2", None), ("3", None)]
    assert feed[0].text == body and feed[0].title == body
    assert feed[2].text == body and feed[2].title == f"여러{newline}줄 제목"


def test_overlong_lines_are_error_rows(tmp_path: Path) -> None:
    article = "가" * 201_000  # over the summarizer's MAX_CHARS (200,000; its module imports torch): it says so itself
    over, far_over = "나" * (_RECORD_CHARS + 10), "다" * (3 * _RECORD_CHARS)  # read in pieces, the rest skipped
    rows = [f"1,제목,{article}", f"2,제목,{over}", f"3,제목,{far_over}", "4,t,b"]
    feed = list(read_feed(_csv(tmp_path / "feed.csv", rows)))
    assert [(row.id, row.text) for row in feed if row.error is None] == [("1", article), ("4", "b")]
    too_long = f"malformed CSV: a record of more than {_RECORD_CHARS:,} characters"
    assert [row.error for row in feed[1:3]] == [f"line 3: {too_long}", f"line 4: {too_long}"]


def test_run_batch_writes_one_row_per_line_of_a_feed_with_a_stray_quote(tmp_path: Path) -> None:
    rows = [f"{i},제목,본문 {i}" for i in range(50)]
    rows[10] = '10,"제목,본문 10'
    stats = run_batch(_csv(tmp_path / "in.csv", rows), tmp_path / "out.jsonl", _echo, FIELDS, progress=False)
    out = _read_jsonl(tmp_path / "out.jsonl")
    assert (stats.written, stats.errors) == (50, 1)
    assert [row["id"] for row in out] == [str(i) if i != 10 else "in.csv:line 12" for i in range(50)]
    assert [row["echo"] for row in out] == [None if i == 10 else str(i) for i in range(50)]


# Defect 2: resuming a CSV output.


def test_resume_scan_of_a_csv_output_is_constant_memory(tmp_path: Path) -> None:
    fields = ["id", "echo", "error"]
    peaks = []
    for n in (10_000, 60_000):
        out = tmp_path / f"out{n}.csv"
        with FeedWriter(out, fields) as writer:
            for i in range(n):
                writer.write({"id": f"r{i}", "echo": f"기사 {i}"})
        peaks.append(_peak_bytes(lambda out=out: count_complete_rows(out, fields)))
        assert count_complete_rows(out, fields).rows == n
    assert peaks[1] < peaks[0] + 64 * 1024  # an offset per row would add 38 bytes a row: 1.9 MB here


# Defects 3 and 4: a failing or miscounting `process`.


def _jsonl_feed(path: Path, texts: list[str]) -> Path:
    """A JSONL feed with these texts; an empty text gives a malformed line."""
    lines = [json.dumps({"id": f"r{i}", "text": t}, ensure_ascii=False) if t else "{bad" for i, t in enumerate(texts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fails(rows: list[FeedRow]) -> list[dict]:
    raise ValueError("모델 오류")


@pytest.mark.parametrize("batch_size", [1, 32])
def test_a_failing_single_row_is_an_error_row(tmp_path: Path, batch_size: int) -> None:
    feed = _jsonl_feed(tmp_path / "in.jsonl", ["본문", ""])  # one good row (the batch's only one), one bad
    stats = run_batch(feed, tmp_path / "out.jsonl", _fails, FIELDS, batch_size=batch_size, progress=False)
    out = _read_jsonl(tmp_path / "out.jsonl")
    assert [(row["id"], row["echo"]) for row in out] == [("r0", None), ("in.jsonl:line 2", None)]
    assert out[0]["error"] == "ValueError: 모델 오류"
    assert out[1]["error"].startswith("line 2: malformed JSON")
    assert (stats.written, stats.errors) == (2, 2)


@pytest.mark.parametrize("fatal", [MemoryError, KeyboardInterrupt])
def test_fatal_errors_still_stop_the_job(tmp_path: Path, fatal: type[BaseException]) -> None:
    def process(rows: list[FeedRow]) -> list[dict]:
        raise fatal

    with pytest.raises(fatal):
        run_batch(_jsonl_feed(tmp_path / "in.jsonl", ["본문"]), tmp_path / "out.jsonl", process, FIELDS, progress=False)


def _miscounts(rows: list[FeedRow]) -> list[dict]:
    """Two results for a row saying 둘, none for a row saying 없음, one for the others."""
    results = []
    for row in rows:
        results += [{"echo": row.id}] * {"둘": 2, "없음": 0}.get(row.text, 1)
    return results


@pytest.mark.parametrize("batch_size", [1, 4])
def test_a_wrong_number_of_results_is_an_error_row_never_a_shift(tmp_path: Path, batch_size: int) -> None:
    # In batches of 4 the counts come out wrong for the batch too (a batch whose total is right is trusted).
    texts = ["하나", "둘", "하나", "", "없음", "하나", "하나", "하나", "둘"]
    feed = _jsonl_feed(tmp_path / "in.jsonl", texts)
    stats = run_batch(feed, tmp_path / "out.jsonl", _miscounts, FIELDS, batch_size=batch_size, progress=False)
    out = _read_jsonl(tmp_path / "out.jsonl")
    assert len(out) == len(texts) and stats.errors == 4
    for i, (text, row) in enumerate(zip(texts, out, strict=True)):
        if text == "하나":
            assert (row["id"], row["echo"], row["error"]) == (f"r{i}", f"r{i}", None)
        elif text:
            expected = 2 if text == "둘" else 0
            assert (row["id"], row["echo"]) == (f"r{i}", None)
            assert row["error"] == f"ResultCountError: process returned {expected} results for 1 row"
