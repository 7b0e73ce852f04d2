"""The one atomic-write helper (mtb.atomic): the old file or the complete new one, never half,
and no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtb.atomic import atomic_file, atomic_write


def test_write_replaces_whole_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "record.json"
    atomic_write(target, b"old")
    assert target.read_bytes() == b"old" and target.stat().st_mode & 0o777 == 0o600
    atomic_write(target, b"new", mode=0o644)
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["record.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "download.tar.gz"
    target.write_bytes(b"previous release")
    with pytest.raises(RuntimeError), atomic_file(target) as out:
        out.write(b"half of the new rel")
        raise RuntimeError("connection lost")
    assert target.read_bytes() == b"previous release"
    assert [p.name for p in tmp_path.iterdir()] == ["download.tar.gz"]
