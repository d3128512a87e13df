"""Open text files whatever their compression (.xz/.gz/.bz2) and encoding (UTF-8 with or without BOM, CP949,
EUC-KR, UTF-16 with a BOM): real newsroom CSVs are CP949, their Korean may start only after an all-ASCII first
kilobyte, and Excel's "Unicode text" export is UTF-16."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import re
from pathlib import Path
from typing import IO, BinaryIO

_OPENERS = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
# Encodings a Korean text file realistically has. EUC-KR files are decoded as CP949, its superset.
CANDIDATES = ("utf-8", "cp949")
SAMPLE_BYTES = 1 << 20
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def compression_suffix(path: str | Path) -> str | None:
    """The compression extension of `path` ('.xz', '.gz', '.bz2') or None."""
    suffix = Path(path).suffix.lower()
    return suffix if suffix in _OPENERS else None


def data_suffix(path: str | Path) -> str:
    """The extension naming the data format, looking through compression (`a.jsonl.xz` -> '.jsonl')."""
    p = Path(path)
    if compression_suffix(p):
        p = p.with_suffix("")
    return p.suffix.lower()


def open_binary(path: str | Path) -> BinaryIO:
    """Open `path` for reading bytes, decompressing .xz/.gz/.bz2 on the fly."""
    opener = _OPENERS.get(compression_suffix(path) or "")
    return opener(path, "rb") if opener else open(path, "rb")  # type: ignore[return-value]


def _decodes(sample: bytes, encoding: str) -> bool:
    """Whether `sample` decodes strictly; a multi-byte character cut at the end of the sample is allowed."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _non_ascii_sample(stream: BinaryIO, sample_bytes: int) -> bytes:
    """Skip to the first chunk holding a non-ASCII byte; return it plus the next chunk (b'' if all ASCII)."""
    while chunk := stream.read(sample_bytes):
        if not chunk.isascii():
            return chunk + stream.read(sample_bytes)
    return b""


def detect_encoding(path: str | Path, sample_bytes: int = SAMPLE_BYTES) -> str:
    """Guess the encoding of a (possibly compressed) text file: 'utf-8-sig', 'utf-16', 'utf-8' or 'cp949'.

    Detection looks at the first non-ASCII megabyte rather than the first bytes, so a file whose Korean starts
    late is still recognised. Strict UTF-8 wins, then strict CP949, then charset-normalizer's best guess.
    """
    with open_binary(path) as stream:
        head = stream.read(len(codecs.BOM_UTF8))
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # the codec reads the BOM and the byte order
            return "utf-16"
        stream.seek(0)
        sample = _non_ascii_sample(stream, sample_bytes)
    if not sample:
        return "utf-8"
    for encoding in CANDIDATES:
        if _decodes(sample, encoding):
            return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["utf_8", "cp949", "euc_kr"]).best()
    if best is None or best.encoding == "utf_8":
        return "utf-8"
    return "cp949"


def open_text(path: str | Path, encoding: str | None = None, newline: str | None = None) -> IO[str]:
    """Open a (possibly compressed) text file, detecting its encoding unless given.

    Undecodable bytes become lone surrogates (errors='surrogateescape') so readers can report the row that
    holds them (see `has_undecodable`) instead of failing on the whole file.
    """
    encoding = encoding or detect_encoding(path)
    return io.TextIOWrapper(open_binary(path), encoding=encoding, errors="surrogateescape", newline=newline)


def has_undecodable(text: str) -> bool:
    """Whether `text` (read through `open_text`) contains bytes that were not valid in the file's encoding."""
    return _UNDECODABLE.search(text) is not None
