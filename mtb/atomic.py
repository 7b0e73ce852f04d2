"""Writing a file so that a crash leaves the old file or the complete new one, never half.

The one way mtb writes a file someone relies on later: HTTP cache entries and downloads
(mtb.http), imported FHIR records (mtb.ingest.fhir_server), reports (`mtb report -o`). A
temporary file beside the target (same filesystem, so the rename is atomic), flushed to disk,
then `os.replace`. The temporary file is created owner-only (0600) and keeps that mode unless
`mode` says otherwise: imported records and reports are patient data.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "atomic_write"]


@contextlib.contextmanager
def atomic_file(path: Path, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary file to write `path` through: it replaces `path` when the block ends without
    an exception, and is removed otherwise (for data that arrives in pieces: a download)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> Path:
    """Write `data` to `path` atomically (see the module's docstring)."""
    with atomic_file(path, mode=mode) as out:
        out.write(data)
    return Path(path)
