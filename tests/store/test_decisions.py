"""Board decisions in the store: meetings, the case version that guards "final", users whose
sessions end. Every write is audited."""

from __future__ import annotations

from datetime import date

import pytest

from mtb.errors import StorageError
from mtb.store import AccessError, Actor, StaleEditError, Store

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


def test_final_is_refused_after_an_unseen_change(store: Store) -> None:
    """The chair finalizes what the page showed: a curation or recommendation saved since
    raises the case's revision, and 'final' on the old revision is refused."""
    seen = store.set_status("case-1", "presented", CHAIR, 0)
    decided = store.set_status("case-1", "decided", CHAIR, seen.version)
    store.curate("case-1", "7-1-A-T", CURATOR, 0, tier_override="IV",
                 override_reason="artefact: 2 reads")
    with pytest.raises(StaleEditError, match="cura changed this case"):
        store.set_status("case-1", "final", CHAIR, decided.version, revision=decided.revision)
    with pytest.raises(StaleEditError):  # "final" needs the revision the chair saw
        store.set_status("case-1", "final", CHAIR, decided.version)
    assert store.case_record("case-1").status == "decided"
    current = store.case_record("case-1")
    assert current.version == decided.version  # a curation leaves the status's version
    assert store.set_status("case-1", "final", CHAIR, current.version,
                            revision=current.revision).status == "final"


def test_status_must_change(store: Store) -> None:
    record = store.set_status("case-1", "presented", CHAIR, 0)
    with pytest.raises(StorageError, match="presented cannot become presented"):
        store.set_status("case-1", "presented", CHAIR, record.version)


def test_changing_a_user_ends_their_sessions(store: Store) -> None:
    store.add_user("bea", "curator", "a-long-password")
    epoch = store.session_epoch("bea")
    assert store.actor("bea", epoch) == Actor("bea", "curator")
    store.change_user("bea", role="chair")
    assert store.actor("bea", epoch) is None  # the old session
    assert store.actor("bea", store.session_epoch("bea")) == Actor("bea", "chair")
    store.change_user("bea", active=False)
    assert store.actor("bea") is None and store.authenticate("bea", "a-long-password") is None
    store.end_sessions("bea")
    assert [e.action for e in store.audit()][-2:] == ["change_user", "change_user"]
