"""The store hands out the board's plain frozen records (mtb.board), never SQLAlchemy rows: a
caller cannot change what it was given, nor reach the database through it."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from mtb import board
from mtb.board import Actor
from mtb.store import Store

CHAIR = Actor("charlotte", "chair")
CASE = "case-records"


def _is_record(value: object, kind: type) -> None:
    assert type(value) is kind, type(value)
    assert dataclasses.is_dataclass(value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.version = 99  # type: ignore[attr-defined]


def test_every_read_and_write_returns_records(store: Store) -> None:
    _is_record(store.case_record(CASE), board.CaseRecord)
    assert store.case_record(CASE) == board.CaseRecord(CASE)
    curation = store.curate(CASE, "7-1-A-T", CHAIR, 0, oncogenicity="oncogenic")
    _is_record(curation, board.Curation)
    assert curation.case_revision == store.case_record(CASE).revision
    _is_record(store.curations(CASE)["7-1-A-T"], board.Curation)
    assert store.curations(CASE)["7-1-A-T"].case_revision is None  # only a write knows it
    recommended = store.recommend(CASE, CHAIR, kind="therapy", text="Drawn therapy",
                                  finding_keys=("7-1-A-T",))
    _is_record(recommended, board.Recommendation)
    assert recommended.keys == ("7-1-A-T",)
    _is_record(store.withdraw(recommended.id, CHAIR, recommended.version), board.Recommendation)
    _is_record(store.recommendations(CASE, withdrawn=True)[0], board.Recommendation)
    summary = store.set_summary(CASE, "drawn", CHAIR, 0)
    _is_record(summary, board.CaseRecord)
    meeting = store.add_meeting(date(2026, 11, 24), "MTB", ["Dr. A"], CHAIR)
    _is_record(meeting, board.Meeting)
    _is_record(store.meetings()[0], board.Meeting)
    _is_record(store.assign_meeting(CASE, meeting.id, CHAIR, summary.version), board.CaseRecord)
    _is_record(store.set_status(CASE, "presented", CHAIR, summary.version + 1),
               board.CaseRecord)
    for entry in store.audit(CASE):
        _is_record(entry, board.AuditEntry)
    assert store.authenticate("nobody", "x") is None
