"""A text VCF as large chunks of whole lines, decompressed ahead in a background thread.

ISA-L (isal) and zlib release the GIL while they inflate, so a reader thread decompressing the
next chunk runs beside the code that reads the current one. The queue holds at most `AHEAD`
chunks: memory stays bounded by the chunk size whatever the file's size. A truncated or corrupt
file is read again with Python's gzip (what the per-record path uses), so that it gives the same
error text, after the same chunks, through both paths.
"""

from __future__ import annotations

import gzip
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from mtb.errors import InputError
from mtb.ingest.files import GZIP_MAGIC, READ_ERRORS, open_binary
from mtb.ingest.limits import MAX_LINE, ReadLimits, too_large

igzip: ModuleType | None
try:  # a wheel on every platform mtb supports; zlib does the same work when it is missing
    from isal import igzip
except ImportError:  # pragma: no cover
    igzip = None

CHUNK = 1 << 22  # 4 MB of text, as LineCheck reads: a broken gzip stream fails after the same rows
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
        self._delivered = 0  # decompressed bytes handed out
        self._limit = ReadLimits.current().uncompressed  # MTB_MAX_UNCOMPRESSED: a bomb stops
        self._thread.start()

    def _produce(self) -> None:
        """Decompress ahead (the thread of the file it reads: tell() gives the progress).

        ISA-L inflates three times faster than zlib (0.4 vs 1.2 s of CPU for 307 MB here). If
        it fails, the file is read again with Python's gzip up to the same place, so that the
        error (and the rows before it) are those of the per-record path."""
        raw = self._raw
        try:
            gzipped = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            if not gzipped:
                self._pump(raw, raw)
                return
            if igzip is not None:
                try:
                    self._pump(igzip.GzipFile(fileobj=raw, mode="rb"), raw, hold=True)
                    return
                except Exception:  # isal's words for a broken file: zlib's below
                    if self._stop.is_set():
                        return
                    raw.seek(0)
            handle = gzip.GzipFile(fileobj=raw, mode="rb")
            skip = self._delivered
            while skip > 0:  # what was already handed out
                data = handle.read(min(skip, self.chunk))
                if not data:
                    break
                skip -= len(data)
            self._pump(handle, raw)
        except BaseException as error:  # handed to the consumer, raised there
            self._put(error)

    def _pump(self, handle, raw, hold: bool = False) -> None:
        """Hand out chunks of exactly `chunk` bytes (the last one shorter).

        `hold`: a chunk is handed out only once the next one has been read, so that a failure
        ISA-L reports one read later than zlib would (a CRC checked at the end of a member) is
        still found before that chunk leaves; zlib then reads it again and decides."""
        held: tuple[bytes, int] | None = None
        while not self._stop.is_set():
            data = handle.read(self.chunk)
            while data and len(data) < self.chunk:
                more = handle.read(self.chunk - len(data))
                if not more:
                    break
                data += more
            if held is not None:
                self._put(held)
                self._delivered += len(held[0])
            held = (data, raw.tell())
            if not hold or not data:
                self._put(held)
                self._delivered += len(data)
                held = None
            if not data:
                break

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
        received = 0
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
            received += len(data)
            if received > self._limit:
                raise too_large(self.path, self._limit)
            data = carry + data
            cut = data.rfind(b"\n") + 1
            text, carry = data[:cut], data[cut:]
            if len(carry) > MAX_LINE:  # one endless line is never held
                raise InputError(self.path, "a line is longer than 64 MiB; not read", line)
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
