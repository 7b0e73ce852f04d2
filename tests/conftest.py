"""Shared fixtures. Tests read the real files in ../shared/data directly (see its PROVENANCE.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path | None:
    candidates = [
        os.environ.get("MTB_SHARED_DATA", ""),
        str(REPO.parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "PROVENANCE.md").is_file():
            return Path(candidate)
    return None


SHARED = _shared_data()
needs_shared = pytest.mark.skipif(
    SHARED is None, reason="../shared/data not found (set MTB_SHARED_DATA to its path)"
)


@pytest.fixture(scope="session")
def shared() -> Path:
    if SHARED is None:
        pytest.skip("../shared/data not found (set MTB_SHARED_DATA to its path)")
    return SHARED


@pytest.fixture(scope="session")
def vcf_dir(shared: Path) -> Path:
    return shared / "vcf"


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """A data dir for the session: the knowledge-base index is built once into it (0.7 s)."""
    return tmp_path_factory.mktemp("mtb-data")


@pytest.fixture(scope="session")
def kb(data_dir):
    from annotation.kb import KnowledgeBase
    from mtb.config import Settings

    return KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}))
