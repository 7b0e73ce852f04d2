"""A knowledge base built once per test session into a temporary data dir (0.7 s)."""

from __future__ import annotations

import pytest

from annotation.kb import KnowledgeBase
from mtb.config import Settings


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("mtb-data")


@pytest.fixture(scope="session")
def kb(data_dir) -> KnowledgeBase:
    return KnowledgeBase.open(Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}))
