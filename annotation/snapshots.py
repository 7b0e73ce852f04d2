"""The bundled knowledge-base snapshots (annotation/snapshots/) and their manifest.

`manifest.toml` lists every source with version, date, licence and each file's sha256.
Index builds verify the checksums, so a damaged installation is reported by file name instead
of producing wrong annotations.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mtb.errors import KnowledgeBaseError

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
CIVIC_RELEASE = "01-Jul-2025"


@dataclass(frozen=True)
class SnapshotSource:
    name: str
    version: str
    date: str
    licence: str
    url: str
    files: tuple[tuple[str, str], ...]  # (path relative to the snapshot folder, sha256)


@cache
def manifest(folder: Path = SNAPSHOT_DIR) -> tuple[SnapshotSource, ...]:
    path = folder / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KnowledgeBaseError(
            f"snapshot manifest {path} is missing or unreadable ({error}); reinstall mtb"
        ) from None
    return tuple(
        SnapshotSource(
            name=item["name"], version=item["version"], date=item["date"],
            licence=item["licence"], url=item.get("url", ""),
            files=tuple((f["path"], f["sha256"]) for f in item["files"]),
        )
        for item in data["source"]
    )


def source(name: str) -> SnapshotSource:
    for item in manifest():
        if item.name == name:
            return item
    raise KnowledgeBaseError(f"no snapshot source named {name!r} in the manifest")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(names: tuple[str, ...] | None = None, folder: Path = SNAPSHOT_DIR) -> None:
    """Check the bundled files of the named sources (all by default) against the manifest."""
    for item in manifest(folder):
        if names is not None and item.name not in names:
            continue
        for relative, expected in item.files:
            path = folder / relative
            if not path.is_file():
                raise KnowledgeBaseError(
                    f"snapshot file {path} is missing; reinstall mtb (or restore the file)"
                )
            if sha256(path) != expected:
                raise KnowledgeBaseError(
                    f"snapshot file {path} is corrupt (checksum differs from manifest.toml); "
                    "reinstall mtb (or restore the file)"
                )
