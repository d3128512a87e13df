"""The corpus mix: which files feed pretraining, in which format, how often (news upweighted), held-out parts.

A mix is a YAML file with a `sources:` list of `CorpusSource` fields. Paths may use `${data}` for the shared
data catalogue and are otherwise relative to the YAML file; a path may be a glob (read in sorted order).
"""

from __future__ import annotations

import dataclasses
import glob
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from kpfnlp.corpus.document import Document, ReadReport
from kpfnlp.corpus.registry import read_documents

DATA_VARIABLE = "${data}"


@dataclass
class CorpusSource:
    """One entry of a corpus mix: a file or glob read as one stream of documents.

    Hold-outs are slices of that stream, applied in this order: `drop_tail` (drop its last N documents) or
    `tail` (keep only its last N), then `skip_docs` (skip the first N), then `max_docs` (keep at most N).
    `repeat` yields the resulting documents that many times (re-read, not cached) to upweight a source.
    """

    path: str
    format: str | None = None
    name: str = ""
    text_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    encoding: str | None = None
    repeat: int = 1
    skip_docs: int = 0
    max_docs: int | None = None
    tail: int | None = None
    drop_tail: int = 0

    def __post_init__(self) -> None:
        self.name = self.name or Path(self.path).name
        if self.repeat < 1 or self.skip_docs < 0 or self.drop_tail < 0:
            raise ValueError(f"source {self.name!r}: repeat must be >= 1, skip_docs and drop_tail >= 0")
        if (self.max_docs is not None and self.max_docs < 0) or (self.tail is not None and self.tail < 0):
            raise ValueError(f"source {self.name!r}: max_docs and tail must be >= 0")
        if self.tail is not None and self.drop_tail:
            raise ValueError(f"source {self.name!r}: use either tail or drop_tail, not both")

    def files(self) -> list[Path]:
        """The files this source names, sorted; a path or glob that matches nothing is an error."""
        matches = sorted(glob.glob(self.path)) if glob.has_magic(self.path) else [self.path]
        files = [Path(match) for match in matches if Path(match).is_file()]
        if not files:
            raise FileNotFoundError(f"source {self.name!r}: no file matches {self.path}")
        return files


def _resolve(path: str, base: Path) -> str:
    """Expand `${data}` to the shared data catalogue and make relative paths relative to `base`."""
    if DATA_VARIABLE in path:
        from kpfnlp.paths import shared_data_dir

        data = shared_data_dir()
        if data is None:
            raise FileNotFoundError(f"{path}: uses {DATA_VARIABLE} but the shared data catalogue is not available")
        path = path.replace(DATA_VARIABLE, str(data))
    return str(base / path) if not Path(path).is_absolute() else path


def load_corpus_mix(yaml_path: str | Path) -> list[CorpusSource]:
    """Load the `sources:` of a corpus-mix YAML file, resolving their paths; unknown keys are an error."""
    import yaml

    yaml_path = Path(yaml_path)
    config = yaml.safe_load(yaml_path.read_text(encoding="utf-8")) or {}
    entries = config.get("sources") if isinstance(config, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{yaml_path}: expected a non-empty 'sources:' list")
    known = {field.name for field in dataclasses.fields(CorpusSource)}
    sources = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict) or "path" not in entry:
            raise ValueError(f"{yaml_path}: sources[{position}] must be a mapping with a 'path'")
        if unknown := set(entry) - known:
            raise ValueError(
                f"{yaml_path}: sources[{position}] has unknown keys {sorted(unknown)}; known: {sorted(known)}"
            )
        sources.append(CorpusSource(**{**entry, "path": _resolve(str(entry["path"]), yaml_path.parent)}))
    return sources


def _drop_last(documents: Iterable[Document], count: int) -> Iterator[Document]:
    """All but the last `count` documents, holding only `count` of them in memory."""
    window: deque[Document] = deque()
    for doc in documents:
        window.append(doc)
        if len(window) > count:
            yield window.popleft()


def iter_source(source: CorpusSource, report: ReadReport | None = None) -> Iterator[Document]:
    """Stream one pass over a source (hold-out slices applied, `repeat` not): its files in order, as one."""
    report = ReadReport() if report is None else report

    def documents() -> Iterator[Document]:
        for path in source.files():
            for doc in read_documents(
                path,
                source.format,
                text_column=source.text_column,
                title_column=source.title_column,
                id_column=source.id_column,
                encoding=source.encoding,
                report=report,
            ):
                doc.meta["corpus"] = source.name
                yield doc

    stream: Iterable[Document] = documents()
    if source.tail is not None:
        stream = deque(stream, maxlen=source.tail) if source.tail else ()
    elif source.drop_tail:
        stream = _drop_last(stream, source.drop_tail)
    stop = None if source.max_docs is None else source.skip_docs + source.max_docs
    yield from islice(stream, source.skip_docs, stop)


def iter_corpus(sources: Iterable[CorpusSource], report: ReadReport | None = None) -> Iterator[Document]:
    """Stream all sources one after another, each `repeat` times; bad rows of every pass go to `report`."""
    for source in sources:
        for _ in range(source.repeat):
            yield from iter_source(source, report)
