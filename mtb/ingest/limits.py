"""How much one input file may hold before it is refused: records (MTB_MAX_RECORDS) and
decompressed bytes (MTB_MAX_UNCOMPRESSED).

A 7 MB gzipped VCF that expands to 2 GiB (28 million copies of one record) once grew the
server by 27 MB/s until it was killed at 8 GB. Only the compressed size had been checked. Now
every file mtb reads through `mtb.ingest.files.open_binary` is decompressed through a counting
stream that raises InputError, naming the file, as soon as it yields more than the limit, and
the VCF reader stops at the record limit. No line may be longer than MAX_LINE (64 MiB), and a
VCF's header not larger (mtb.ingest.vcf), so that no reader, htslib included, ever holds one
endless line. The defaults (10 million records, 10 GiB) admit a whole genome; a site that only
ever sees panels or exomes can set them lower.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from mtb.errors import InputError

MAX_LINE = 64 * 2**20  # no text line mtb reads is near this (a VCF record with 500 samples)


@dataclass(frozen=True)
class ReadLimits:
    records: int
    uncompressed: int

    @classmethod
    def current(cls) -> ReadLimits:
        """The limits the settings give now (MTB_MAX_RECORDS, MTB_MAX_UNCOMPRESSED)."""
        from mtb.config import Settings

        settings = Settings.load()
        return cls(settings.max_records, settings.max_uncompressed)

    def check_records(self, path: str | Path, records: int) -> None:
        """InputError once a file has given more than `records` records."""
        if records > self.records:
            raise InputError(Path(path).name, f"has more than {self.records:,} records, the "
                             "limit for one file (MTB_MAX_RECORDS); not read")


def too_large(path: str | Path, limit: int) -> InputError:
    """The error for a file that expands beyond MTB_MAX_UNCOMPRESSED."""
    return InputError(Path(path).name, f"expands to more than {_size(limit)}, the limit for "
                      "one file (MTB_MAX_UNCOMPRESSED); not read")


def _size(limit: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if limit >= size:
            return f"{limit / size:g} {unit}"
    return f"{limit} bytes"


class BoundedReader(io.BufferedIOBase):
    """A decompressed stream that raises InputError once more than `limit` bytes came out."""

    def __init__(self, inner: BinaryIO, path: str | Path, limit: int) -> None:
        self._inner = inner
        self._path = Path(path)
        self._left = limit
        self._limit = limit
        self._since_newline = 0

    def _count(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise too_large(self._path, self._limit)
        newline = data.rfind(b"\n")
        self._since_newline = (len(data) - newline - 1 if newline >= 0
                               else self._since_newline + len(data))
        if self._since_newline > MAX_LINE:  # one endless line would be held whole by a reader
            raise InputError(self._path.name, f"a line is longer than {_size(MAX_LINE)}; "
                             "not read")
        return data

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self._inner.read(size if size is not None else -1))

    def read1(self, size: int = -1) -> bytes:
        reader = getattr(self._inner, "read1", self._inner.read)
        return self._count(reader(size))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        # never more than a line may hold: an endless line is refused, not read into memory
        size = MAX_LINE + 1 if size is None or size < 0 else min(size, MAX_LINE + 1)
        return self._count(self._inner.readline(size))

    def peek(self, size: int = 0) -> bytes:
        peek = getattr(self._inner, "peek", None)
        return peek(size) if peek else b""

    def close(self) -> None:
        self._inner.close()
        super().close()
