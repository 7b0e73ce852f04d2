"""A text VCF as large chunks of whole lines, decompressed ahead in a background thread.

zlib releases the GIL while it inflates, so a reader thread decompressing the next chunk runs
on the second core while the columnar code parses the current one. The queue holds at most
`AHEAD` chunks: memory stays bounded by the chunk size whatever the file's size.
Decompression uses the same module as the per-record path (Python's gzip), so a truncated or
corrupt file gives the same error text through both paths.
"""

from __future__ import annotations

import gzip
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mtb.errors import InputError
from mtb.ingest.files import GZIP_MAGIC, READ_ERRORS, open_binary

CHUNK = 1 << 24  # 4 MB of text: about 13,000 Mutect2 records, 40,000 short ones
AHEAD = 2


@dataclass(frozen=True)
class Chunk:
    """Whole data lines; `first_line` is the 1-based line number of the first."""

    text: bytes
    first_line: int
    lines: int
    consumed: int  # compressed bytes read from the file so far (for progress)


def read_header(path: Path) -> tuple[bytes, int]:
    """The header's bytes (through the #CHROM line) and its number of lines."""
    lines = []
    with open_binary(path) as handle:
        for line in handle:
            lines.append(line)
            if line.startswith(b"#CHROM") or not line.startswith(b"#"):
                break
    if lines and not lines[-1].startswith(b"#"):
        lines.pop()
    return b"".join(lines), len(lines)


class ChunkReader:
    """Iterates over `Chunk`s of a text VCF's data lines (the header is skipped and counted)."""

    def __init__(self, path: Path, chunk: int | None = None) -> None:
        self.path = path
        self.chunk = chunk or CHUNK
        self._queue: queue.Queue[tuple[bytes, int] | BaseException | None] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, daemon=True, name="vcf-inflate")
        self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._thread.start()

    def _produce(self) -> None:
        """Decompress ahead (the thread of the file it reads: tell() gives the progress)."""
        raw = self._raw
        try:
            gzipped = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            handle = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
            while not self._stop.is_set():
                data = handle.read(self.chunk)
                self._put((data, raw.tell()))
                if not data:
                    return
        except BaseException as error:  # handed to the consumer, raised there
            self._put(error)

    def _put(self, item: tuple[bytes, int] | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[Chunk]:
        carry = b""
        line = 1
        in_header = True
        while True:
            item = self._queue.get()
            if isinstance(item, BaseException):
                if isinstance(item, READ_ERRORS):
                    raise InputError(
                        self.path, f"the compressed file is truncated or corrupt ({item})"
                    ) from None
                raise item
            assert item is not None
            data, consumed = item
            if not data:
                if carry:
                    text = carry if carry.endswith(b"\n") else carry + b"\n"
                    if in_header:
                        text, line, in_header = _drop_header(text, line)
                    if text:
                        yield Chunk(text, line, text.count(b"\n"), consumed)
                return
            data = carry + data
            cut = data.rfind(b"\n") + 1
            text, carry = data[:cut], data[cut:]
            if in_header:
                text, line, in_header = _drop_header(text, line)
            if text:
                count = text.count(b"\n")
                yield Chunk(text, line, count, consumed)
                line += count

    def close(self) -> None:
        self._stop.set()
        while True:  # let a blocked producer finish
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout=5)
        self._raw.close()


def _drop_header(text: bytes, line: int) -> tuple[bytes, int, bool]:
    """Skip header lines at the start of `text`; the header ends with the #CHROM line."""
    position = 0
    while position < len(text) and text[position : position + 1] == b"#":
        is_column_line = text.startswith(b"#CHROM", position)
        position = text.index(b"\n", position) + 1
        line += 1
        if is_column_line:
            return text[position:], line, False
    return text[position:], line, position == len(text)
