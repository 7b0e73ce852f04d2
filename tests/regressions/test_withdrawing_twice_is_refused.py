"""76b95ee "no double withdrawal": withdrawing a withdrawn recommendation again wrote a second
audit entry claiming it had been active."""

from __future__ import annotations

import pytest

from mtb.board import Actor
from mtb.errors import StorageError
from mtb.store import Store

CHAIR = Actor("chef", "chair")


def test_the_second_withdrawal_is_refused(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}")
    recommendation = store.recommend("drawn-case", CHAIR, kind="therapy", text="Drawn therapy")
    withdrawn = store.withdraw(recommendation.id, CHAIR, recommendation.version)
    entries = len(store.audit())
    with pytest.raises(StorageError, match="withdrawn already"):
        store.withdraw(recommendation.id, CHAIR, withdrawn.version)
    assert len(store.audit()) == entries
    store.close()
