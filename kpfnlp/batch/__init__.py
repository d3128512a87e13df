"""Batch jobs over article feeds (`kpfnlp summarize`, `dedup`, `cluster`): read, process, write, resume.

The whole API:

- `read_feed(path, Columns(text=, title=, id=), encoding=None) -> Iterator[FeedRow]`: JSONL, JSON array
  (`.json` starting with `[`, streamed), AI-Hub 문서요약 JSON (a row per document), CSV/TSV/XLSX (UTF-8 or
  CP949 detected), exactly one
  `FeedRow(index, id, text, title, error)` per non-blank input row or array element; unreadable rows have
  `error` set (`"line 7: malformed JSON: ..."`), a column missing from the whole file raises
  `kpfnlp.corpus.MissingColumnError` naming the columns present.
- `run_batch(input, output, process, fields, columns=..., batch_size=32, resume=True, progress=True)`:
  `process(list[FeedRow]) -> list[dict]` gets the good rows of a batch and returns one dict of `fields` per row
  (or `{"error": reason}`); the output (`.jsonl` or `.csv`) gets `id, *fields, error` for every input row, in
  order, with a progress bar (rows/s). Rerunning resumes: complete rows are counted and kept, a half-written
  last row is cut, the last id is checked (`ResumeMismatchError`), then it appends. Returns `RunStats`.
- `FeedWriter(path, fields)` and `count_complete_rows(path, fields)`: the writer and the resume check alone.

Example (what `dedup` would do)::

    from kpfnlp.batch import Columns, run_batch

    def process(rows):
        return [{"length": len(row.text)} for row in rows]

    stats = run_batch("feed.csv", "out.jsonl", process, ["length"], columns=Columns(text="본문"))
"""

from kpfnlp.batch.feed import FEED_FORMATS, Columns, FeedRow, feed_format, json_records, read_feed
from kpfnlp.batch.runner import ProcessBatch, ResumeMismatchError, RunStats, run_batch
from kpfnlp.batch.writer import ExistingOutput, FeedWriter, count_complete_rows, output_format

__all__ = [
    "FEED_FORMATS",
    "Columns",
    "ExistingOutput",
    "FeedRow",
    "FeedWriter",
    "ProcessBatch",
    "ResumeMismatchError",
    "RunStats",
    "count_complete_rows",
    "feed_format",
    "json_records",
    "output_format",
    "read_feed",
    "run_batch",
]
