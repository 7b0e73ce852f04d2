"""Writing a file so that a crash leaves the old file or the complete new one, never half.

Used for everything mtb writes that someone relies on later: HTTP cache entries, imported
FHIR records. A temporary file beside the target (same filesystem, so the rename is atomic),
flushed to disk, then `os.replace`. The temporary file is created owner-only (0600) and keeps
that mode unless `mode` says otherwise: imported records are patient data.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
