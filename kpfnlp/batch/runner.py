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
# Errors that stop the job instead of becoming error rows (KeyboardInterrupt and SystemExit are no Exception).
_FATAL = (MemoryError,)


class ResultCountError(RuntimeError):
    """`process` returned a different number of results than it was given rows."""


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


def _checked(process: ProcessBatch, rows: list[FeedRow]) -> list[dict[str, Any]]:
    """`process(rows)`, which must return exactly one result per row."""
    results = process(rows)
    if len(results) != len(rows):
        noun = "row" if len(rows) == 1 else "rows"
        raise ResultCountError(f"process returned {len(results)} results for {len(rows)} {noun}")
    return results


def _process_one(process: ProcessBatch, row: FeedRow) -> dict[str, Any]:
    """The result for one row, or an error result saying why processing it failed."""
    try:
        return _checked(process, [row])[0]
    except _FATAL:
        raise
    except Exception as exc:  # a per-row failure becomes an error row; the job goes on
        return {"error": f"{type(exc).__name__}: {exc}"}


def _process_safely(process: ProcessBatch, rows: list[FeedRow]) -> list[dict[str, Any]]:
    """One result per row of `rows`; if the batch fails (an exception, or a wrong number of results), retry row
    by row, so one bad row only fails itself."""
    if len(rows) > 1:
        try:
            return _checked(process, rows)
        except _FATAL:
            raise
        except Exception:  # retried row by row below, where each failure becomes that row's error
            pass
    return [_process_one(process, row) for row in rows]


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

    Rows that cannot be read (and rows whose processing raised, or returned other than one result) are written
    with `error` set and the other fields null; a `MemoryError` or `KeyboardInterrupt` stops the job. With
    `resume`, rows already in the output are kept and skipped; without, it is overwritten.
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
