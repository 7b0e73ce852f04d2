"""Opening input files whatever their compression: BGZF, plain gzip or none.

Python's gzip reads BGZF (a series of gzip members) and plain gzip alike, and a truncated or
corrupt stream raises EOFError / BadGzipFile / zlib.error that ingest turns into InputError.
(pysam's BGZFile prints 'Exception ignored' tracebacks when a broken file is closed, so it is not
used for reading text.)
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import BinaryIO

from mtb.ingest.limits import BoundedReader, ReadLimits

GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def open_binary(path: str | Path) -> BinaryIO:
    """The decompressed bytes of a file (raises OSError if it cannot be opened), never more
    than MTB_MAX_UNCOMPRESSED of them: past that, reading raises InputError naming the file
    (mtb.ingest.limits; a decompression bomb stops there)."""
    limit = ReadLimits.current().uncompressed
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        inner: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
    else:
        raw.seek(0)
        inner = raw
    return BoundedReader(inner, path, limit)  # type: ignore[return-value]


def open_text(path: str | Path) -> io.TextIOWrapper:
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", newline="")
