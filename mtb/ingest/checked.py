"""Chunks of a text VCF, decompressed and checked in a second process, read in order.

Decompressing and checking every line against its plain pattern (mtb.ingest.sound) is a third
of the columnar path's work and needs no NumPy; a forked worker does it on the second core
while this process reads the previous chunk into columns. Each message is a chunk and its
segments: runs of plain lines and runs of doubtful ones. The pipe holds about one chunk, so
memory stays bounded.
Where fork is not available or the process already runs threads, the same work runs
in-process.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from mtb.errors import InputError
from mtb.ingest.chunks import Chunk, ChunkReader

Prefix = Callable[[bytes], Any]  # the check process's share of the work on a chunk


def _checked_here(path: Path, prefix: Prefix) -> Iterator[tuple[Chunk, Any]]:
    reader = ChunkReader(path)
    try:
        for chunk in reader:
            yield chunk, prefix(chunk.text)
    finally:
        reader.close()


def _worker(path: Path, prefix: Prefix, connection: Connection) -> None:
    try:
        for chunk, segments in _checked_here(path, prefix):
            connection.send(("chunk", chunk.first_line, chunk.lines, chunk.consumed, segments))
            connection.send_bytes(chunk.text)
        connection.send(("end",))
    except InputError as error:
        connection.send(("input-error", error.problem, error.line))
    except BaseException as error:  # reported to the parent, which raises it
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def checked_chunks(
    path: Path, prefix: Prefix, parallel: bool = True
) -> Iterator[tuple[Chunk, Any]]:
    """(chunk, its segments) in file order."""
    methods = multiprocessing.get_all_start_methods()
    # fork only a single-threaded process: a lock another thread holds (a web server's, the
    # allocator's) would stay locked forever in the child
    if not parallel or "fork" not in methods or threading.active_count() > 1:
        yield from _checked_here(path, prefix)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(path, prefix, send), daemon=True,
                              name="mtb-vcf-check")
    process.start()
    send.close()
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError:
                raise RuntimeError("the VCF check process stopped") from None
            kind = message[0]
            if kind == "end":
                return
            if kind == "input-error":
                raise InputError(path, message[1], message[2])
            if kind == "error":
                raise RuntimeError(message[1])
            _, first_line, lines, consumed, segments = message
            text = receive.recv_bytes()
            yield Chunk(text, first_line, lines, consumed), segments
    finally:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
