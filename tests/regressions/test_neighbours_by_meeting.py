"""c28f680 "neighbours by meeting": the presentation's previous/next case walked the whole
catalogue, not the agenda of the meeting the case is on."""

from __future__ import annotations

from mtb.config import Settings
from mtb.library import Library
from mtb.store import Store
from tests.drawn import case_of
from tests.stored import store_drawn


def test_previous_and_next_follow_the_meeting(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    for case_id in ("a", "b", "c", "d"):
        store_drawn(store, case_of([], case_id=case_id, title=f"SYNTHETIC {case_id}"))
    library = Library(Settings.load(environ={"MTB_DATA_DIR": str(tmp_path / "data")}), store)
    assert library.neighbours("b") == ("a", "c")
    meetings = {"a": 1, "b": 2, "c": 1, "d": 2}
    assert library.neighbours("b", meetings) == (None, "d")
    assert library.neighbours("c", meetings) == ("a", None)
    assert library.neighbours("b", {"b": None}) == ("a", "c")  # on no meeting: all cases
    store.close()
