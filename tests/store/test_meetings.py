"""Meetings: the chair plans them and puts cases on their agenda; everything is audited."""

from __future__ import annotations

from datetime import date

import pytest

from mtb.store import AccessError, Actor, Store

CHAIR = Actor("chef", "chair")
CURATOR = Actor("cura", "curator")


def test_meeting_and_agenda(store: Store) -> None:
    meeting = store.add_meeting(date(2026, 11, 24), "Molecular tumor board",
                                ["Dr. A", "Dr. B", ""], CHAIR)
    [listed] = store.meetings()
    assert (listed.day, listed.title, listed.participants) == (
        date(2026, 11, 24), "Molecular tumor board", "Dr. A\nDr. B")
    record = store.assign_meeting("case-1", meeting.id, CHAIR, 0)
    assert store.meeting_of() == {"case-1": meeting.id}
    store.assign_meeting("case-1", None, CHAIR, record.version)
    assert store.meeting_of() == {"case-1": None}
    actions = [e.action for e in store.audit()]
    assert actions.count("assign_meeting") == 2 and "add_meeting" in actions


def test_only_the_chair_plans(store: Store) -> None:
    with pytest.raises(AccessError, match="may not plan"):
        store.add_meeting(date(2026, 11, 24), "x", [], CURATOR)
    meeting = store.add_meeting(date(2026, 11, 24), "", [], CHAIR)
    assert meeting.title == "Tumor board 2026-11-24"
    with pytest.raises(AccessError, match="may not plan the agenda"):
        store.assign_meeting("case-1", meeting.id, CURATOR, 0)


def test_first_start_creates_the_data_dir(tmp_path) -> None:
    """`mtb serve` on a new machine: the SQLite file's folder does not exist yet."""
    url = f"sqlite:///{tmp_path / 'new' / 'data' / 'mtb.sqlite'}"
    store = Store.open(url)
    assert not store.has_users()
    store.close()
