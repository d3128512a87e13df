"""The unit every reader yields (`Document`) and the tally of rows a reader could not use (`ReadReport`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    """One document of a corpus: body text plus optional title and source-specific metadata."""

    id: str
    text: str
    title: str | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BadRow:
    """A row a reader skipped: where it is (`file:line N` or `file:row N`) and why."""

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class MissingColumnError(ValueError):
    """A required column is absent from a whole file (not just from one row)."""

    def __init__(self, path: str, wanted: str | list[str], available: list[str]) -> None:
        wanted_text = wanted if isinstance(wanted, str) else " / ".join(wanted)
        super().__init__(
            f"{path}: no column {wanted_text!r}; the file has columns {available!r} "
            "(choose one with text_column / title_column / id_column)"
        )
        self.path = path
        self.wanted = wanted
        self.available = available


@dataclass
class ReadReport:
    """Counts the bad rows of one or more reads and keeps the first `max_examples` with their locations."""

    max_examples: int = 20
    bad_rows: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[BadRow] = field(default_factory=list)

    def add(self, location: str, reason: str) -> None:
        """Record one bad row; the reason's first clause (before ':') is the category counted in `reasons`."""
        self.bad_rows += 1
        self.reasons[reason.split(":", 1)[0]] += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(BadRow(location, reason))

    def format(self) -> str:
        """A human-readable summary: total, counts per reason, then the example locations."""
        if not self.bad_rows:
            return "bad rows: 0"
        lines = [f"bad rows: {self.bad_rows}"]
        lines += [f"  {count:>8,}  {reason}" for reason, count in self.reasons.most_common()]
        shown = len(self.examples)
        lines.append(f"first {shown} of {self.bad_rows}:" if shown < self.bad_rows else "all:")
        lines += [f"  {row}" for row in self.examples]
        return "\n".join(lines)

    __str__ = format
