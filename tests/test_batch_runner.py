"""run_batch: one output row per input row, error rows, JSONL/CSV output, interruption and resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kpfnlp.batch import FeedRow, ResumeMismatchError, count_complete_rows, run_batch

FIELDS = ["length", "words"]


def _process(rows: list[FeedRow]) -> list[dict]:
    if any("폭탄" in r.text for r in rows):
        bad = next(r for r in rows if "폭탄" in r.text)
        if len(rows) > 1 or bad is rows[0]:
            raise ValueError("boom")
    return [{"length": len(r.text), "words": r.text.split()} for r in rows]


def _feed(path: Path, n: int, bad: dict[int, str] | None = None) -> Path:
    lines = []
    for i in range(n):
        lines.append((bad or {}).get(i) or json.dumps({"id": f"r{i}", "text": f"기사 {i} 본문, 줄\n바꿈"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_row_per_input_row_with_errors(tmp_path: Path) -> None:
    feed = _feed(tmp_path / "in.jsonl", 6, {2: "{broken", 4: json.dumps({"id": "r4", "text": "폭탄"})})
    stats = run_batch(feed, tmp_path / "out.jsonl", _process, FIELDS, batch_size=4, progress=False)
    rows = _read(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == ["r0", "r1", "in.jsonl:line 3", "r3", "r4", "r5"]
    assert list(rows[0]) == ["id", "length", "words", "error"]
    assert rows[0]["words"] == ["기사", "0", "본문,", "줄", "바꿈"] and rows[0]["error"] is None
    assert rows[2]["error"].startswith("line 3: malformed JSON") and rows[2]["length"] is None
    assert rows[4]["error"] == "ValueError: boom"
    assert (stats.written, stats.errors, stats.resumed) == (6, 2, 0)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_after_interruption_mid_row(tmp_path: Path, suffix: str) -> None:
    feed = _feed(tmp_path / "in.jsonl", 25)
    out = tmp_path / f"out{suffix}"
    reference = tmp_path / f"ref{suffix}"
    run_batch(feed, reference, _process, FIELDS, batch_size=4, progress=False)
    run_batch(_feed(tmp_path / "first.jsonl", 11), out, _process, FIELDS, batch_size=4, progress=False)
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 7])  # killed while writing row 11: a half row at the end
    assert count_complete_rows(out, ["id", *FIELDS, "error"]).rows == 10
    stats = run_batch(feed, out, _process, FIELDS, batch_size=4, progress=False)
    assert (stats.resumed, stats.written) == (10, 15)
    assert out.read_bytes() == reference.read_bytes()
    assert [r["id"] for r in _read(out)] == [f"r{i}" for i in range(25)]


def test_resume_of_a_finished_job_writes_nothing(tmp_path: Path) -> None:
    feed = _feed(tmp_path / "in.jsonl", 5)
    run_batch(feed, tmp_path / "out.csv", _process, FIELDS, progress=False)
    stats = run_batch(feed, tmp_path / "out.csv", _process, FIELDS, progress=False)
    assert (stats.resumed, stats.written) == (5, 0)
    assert len(_read(tmp_path / "out.csv")) == 5


def test_resume_refuses_an_output_of_another_input(tmp_path: Path) -> None:
    run_batch(_feed(tmp_path / "a.jsonl", 5), tmp_path / "out.jsonl", _process, FIELDS, progress=False)
    other = tmp_path / "b.jsonl"
    other.write_text("\n".join(json.dumps({"id": f"x{i}", "text": "t"}) for i in range(8)) + "\n", encoding="utf-8")
    with pytest.raises(ResumeMismatchError, match="another input"):
        run_batch(other, tmp_path / "out.jsonl", _process, FIELDS, progress=False)
    stats = run_batch(other, tmp_path / "out.jsonl", _process, FIELDS, progress=False, resume=False)
    assert stats.written == 8 and len(_read(tmp_path / "out.jsonl")) == 8
