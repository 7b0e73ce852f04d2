from __future__ import annotations

import pytest

from tests.web.conftest import sample_store  # noqa: F401  (the session's annotated samples)


@pytest.fixture
def cohort_store(tmp_path):
    """A store with the drawn cohort (tests/cohort/drawn_cohort.py)."""
    from mtb.store import Store
    from tests.cohort.drawn_cohort import store_cohort

    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store_cohort(store)
    yield store
    store.close()
