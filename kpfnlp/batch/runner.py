"""Run a function over a feed in batches: one output row per input row, errors as rows, resumable, progress bar.

The job streams: it holds one batch of rows at a time, so memory stays flat on a feed of any size. Each batch
is written and flushed before the next is read, so an interrupted job loses at most the batch in flight;
rerunning the same command counts the complete rows already in the output, checks that the last one has the
id of the matching input row, truncates a half-written row, skips that many input rows and appends.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from kpfnlp.batch.feed import Columns, FeedRow, read_feed
from kpfnlp.batch.writer import FeedWriter, count_complete_rows

# Turns a batch of good rows into one result dict (the output fields other than id/error) per row, in order.
ProcessBatch = Callable[[list[FeedRow]], list[dict[str, Any]]]


class ResumeMismatchError(RuntimeError):
    """The output file's rows do not belong to this input (its last id differs from the input row's id)."""


@dataclass
class RunStats:
    """What a batch run did: rows written this run, rows found from an earlier run, error rows, wall time."""

    written: int = 0
    resumed: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0


def _batches(rows: Iterable[FeedRow], size: int) -> Iterator[list[FeedRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _process_safely(process: ProcessBatch, rows: list[FeedRow]) -> list[dict[str, Any]]:
    """Results for `rows`; if the batch fails, retry row by row so one bad row only fails itself."""
    try:
        results = process(rows)
        if len(results) != len(rows):
            raise RuntimeError(f"process returned {len(results)} results for {len(rows)} rows")
        return results
    except Exception:
        if len(rows) == 1:
            raise
    out = []
    for row in rows:
        try:
            out += process([row])
        except Exception as exc:  # a per-row failure becomes an error row; the job goes on
            out.append({"error": f"{type(exc).__name__}: {exc}"})
    return out


def _skip_done(rows: Iterator[FeedRow], done: int, last_id: str | None, output: Path) -> None:
    """Consume the `done` input rows already in the output, checking the last one's id."""
    tail = deque(islice(rows, done), maxlen=1)
    last = tail[0] if tail else None
    if last is None or last.index != done - 1:
        raise ResumeMismatchError(f"{output} has {done} rows but the input has fewer; use a new output or --no-resume")
    if last_id is not None and last.id != last_id:
        raise ResumeMismatchError(
            f"{output} row {done} has id {last_id!r} but input row {done} has id {last.id!r}: "
            "the output belongs to another input; use a new output or --no-resume"
        )


def run_batch(
    input_path: str | Path,
    output_path: str | Path,
    process: ProcessBatch,
    fields: Sequence[str],
    *,
    columns: Columns | None = None,
    batch_size: int = 32,
    resume: bool = True,
    progress: bool = True,
    unit: str = "rows",
    encoding: str | None = None,
) -> RunStats:
    """Write one row per input row to `output_path` (`id`, the `fields` from `process`, `error`).

    Rows that cannot be read (and rows whose processing raised) are written with `error` set and the other
    fields null. With `resume`, rows already in the output are kept and skipped; without, it is overwritten.
    """
    from tqdm.auto import tqdm

    output = Path(output_path)
    all_fields = ["id", *(f for f in fields if f not in ("id", "error")), "error"]
    rows = iter(read_feed(input_path, columns or Columns(), encoding=encoding))
    if not resume and output.exists():
        output.unlink()
    existing = count_complete_rows(output, all_fields)
    stats = RunStats(resumed=existing.rows)
    if existing.rows:
        _skip_done(rows, existing.rows, existing.last_id, output)
    started = time.perf_counter()
    bar = tqdm(desc=Path(input_path).name, unit=f" {unit}", initial=existing.rows, disable=not progress)
    with FeedWriter(output, all_fields) as writer:
        for batch in _batches(rows, batch_size):
            good = [row for row in batch if row.error is None]
            results = iter(_process_safely(process, good) if good else [])
            for row in batch:
                result = {"error": row.error} if row.error is not None else next(results)
                stats.errors += result.get("error") is not None
                writer.write({**result, "id": row.id})
            writer.flush()
            stats.written += len(batch)
            bar.update(len(batch))
    bar.close()
    stats.seconds = time.perf_counter() - started
    return stats
