"""The agenda's rows (mtb.web.pages.agenda.agenda_rows over mtb.library.Library.summaries):
drawn from the store's index rows without opening any case, their tier counts are the reported
tiers (mtb.board.reported_tier) of the findings the curators have not dismissed; a case that
cannot be annotated is a row saying why, a case being annotated says how far."""

from __future__ import annotations

from datetime import date

import pytest

from annotation.model import Tier
from mtb.board import TIER_ONE, Actor, dismissed, finding_key, reported_tier
from mtb.case import Case
from mtb.config import Settings
from mtb.library import Library
from mtb.store import CaseHeader, Store
from mtb.web.pages.agenda import agenda_rows
from tests.drawn import case_of, curation, small
from tests.stored import store_drawn

LUNG = case_of([small("EGFR", "p.L858R", Tier.IA), small("KRAS", "p.G12C", Tier.IIC),
                small("TP53", "p.R175H", Tier.III), small("STK11", "p.Q37*", Tier.III),
                small("KEAP1", "p.G333C", Tier.IV)], case_id="lung", title="SYNTHETIC lung")
COLON = case_of([small("BRAF", "p.V600E", Tier.IB), small("APC", "p.R1450*", Tier.IID)],
                case_id="colon", title="SYNTHETIC colon")
VARIANTS = {v.alteration.gene: v for case in (LUNG, COLON) for v in case.annotation.variants}
CURATIONS = {
    "lung": {finding_key(VARIANTS["TP53"]): curation(VARIANTS["TP53"], tier_override="IB",
                                                      override_reason="drawn"),
             finding_key(VARIANTS["KRAS"]): curation(VARIANTS["KRAS"],
                                                      oncogenicity="likely artefact"),
             finding_key(VARIANTS["KEAP1"]): curation(VARIANTS["KEAP1"], tier_override="IID",
                                                       override_reason="drawn")},
    "colon": {finding_key(VARIANTS["BRAF"]): curation(VARIANTS["BRAF"], tier_override="III",
                                                       override_reason="drawn")},
}
CURATOR = Actor("cura", "curator")
CHAIR = Actor("chef", "chair")


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield store
    store.close()


@pytest.fixture
def library(store, tmp_path) -> Library:
    return Library(Settings.load(environ={"MTB_DATA_DIR": str(tmp_path)}), store)


def _expected(case: Case, curations) -> tuple[int, int]:
    """The counts by the rule's definition, written out: reported tier I/II, not dismissed."""
    tiers = [reported_tier(v, curations.get(finding_key(v))) for v in case.annotation.variants
             if not dismissed(curations.get(finding_key(v)))]
    key = [t for t in tiers if t in ("IA", "IB", "IIC", "IID")]
    tier1 = sum(1 for t in key if t in TIER_ONE)
    return tier1, len(key) - tier1


def _curate(store: Store) -> None:
    for case_id, curations in CURATIONS.items():
        for key, drawn in curations.items():
            store.curate(case_id, key, CURATOR, 0, oncogenicity=drawn.oncogenicity,
                         tier_override=drawn.tier_override,
                         override_reason=drawn.override_reason)


def test_counts_are_the_reported_tiers(store, library) -> None:
    for case in (LUNG, COLON):
        store_drawn(store, case)
    _curate(store)
    lung_version = store.case_record("lung").version
    store.set_status("lung", "presented", CHAIR, lung_version)
    meeting = store.add_meeting(date(2026, 11, 24), "MTB", [], CHAIR)
    store.assign_meeting("colon", meeting.id, CHAIR, store.case_record("colon").version)
    rows = agenda_rows(library.summaries())
    counts = {row.id: (row.tier1, row.tier2) for row in rows}
    assert counts == {"lung": (2, 1), "colon": (0, 1)}
    assert counts == {case.entry.id: _expected(case, CURATIONS[case.entry.id])
                      for case in (LUNG, COLON)}
    assert {row.id: (row.status, row.meeting) for row in rows} == {
        "lung": ("presented", None), "colon": ("prepared", meeting.id)}
    assert [row.id for row in rows] == ["colon", "lung"]  # by title


def test_the_agenda_opens_no_case_document(store, library, monkeypatch) -> None:
    for case in (LUNG, COLON):
        store_drawn(store, case)

    def no_document(*_args, **_kwargs):
        raise AssertionError("the agenda read a case document")

    monkeypatch.setattr(Store, "version", no_document)
    monkeypatch.setattr(Library, "open", no_document)
    assert len(agenda_rows(library.summaries())) == 2


def test_without_curations_the_computed_tiers_count(store, library) -> None:
    for case in (LUNG, COLON):
        store_drawn(store, case)
    rows = agenda_rows(library.summaries())
    assert {row.id: (row.tier1, row.tier2) for row in rows} == {"lung": (1, 1), "colon": (1, 1)}
    assert all(row.synthetic == "synthetic" for row in rows)
    assert all(row.state == "" and row.version == 1 for row in rows)


def test_a_case_that_cannot_be_annotated_says_why(store, library) -> None:
    store.register_case(CaseHeader("broken", "/nonexistent/broken", "drawn", "Broken"))
    store.note_inputs("broken", [], "", problem="broken/case.toml: 'title' is missing or empty")
    [row] = agenda_rows(library.summaries())
    assert (row.tier1, row.tier2, row.state) == (None, None, "failed")
    assert "'title' is missing or empty" in row.problem


def test_a_case_being_annotated_says_how_far(store, library) -> None:
    store.register_case(CaseHeader("lung", "/nonexistent/lung", "drawn", "SYNTHETIC lung"))
    job, _ = store.add_job("lung", "annotate", "k", 0, "new case")
    assert store.claim_job(job.id, "w1", lease=60) is not None
    store.job_progress(job.id, "w1", 40, "annotating", lease=60)
    [row] = agenda_rows(library.summaries())
    assert row.state == "annotating 40 %" and row.busy
    assert (row.tier1, row.tier2) == (None, None)
