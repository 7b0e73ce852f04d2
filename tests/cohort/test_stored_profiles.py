"""Recruitment from the stored index (mtb.trials.recruitment.stored_profiles, what the
benchmark uses) finds the same patients as recruitment from the opened cases, for the
SYNTHETIC hand-made trials (tests/data/trials/handmade) on the annotated sample cases. The
index knows no age, sex, ECOG or death: those criteria are unknown there, so only the patients
(not each arm's status) are compared, and a deceased patient (whom the opened case excludes
from every trial) is the one difference allowed - a gap of the index, said in
stored_profiles' docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtb.trials.ctml import read_ctml
from mtb.trials.model import MATCH, POSSIBLE
from mtb.trials.recruitment import recruit, site_profiles, stored_profiles
from mtb.trials.tumor_types import TumorTypes

HANDMADE = Path(__file__).resolve().parents[1] / "data" / "trials" / "handmade"


@pytest.mark.parametrize("name", sorted(p.name for p in HANDMADE.glob("*.yaml")))
def test_same_patients_from_the_index(sample_store, data_dir, name):
    from mtb.library import Library
    from mtb.store import Store
    from tests.stored import settings_for

    types = TumorTypes.bundled()
    trial = read_ctml(HANDMADE / name, types)
    store = Store.open(f"sqlite:///{sample_store}")
    try:
        library = Library(settings_for(data_dir), store)
        ids = sorted(store.shown_numbers())
        opened = site_profiles(ids, lambda case_id: library.open(case_id).case, store.curations)
        stored = stored_profiles(store, trial.genes)
        assert sorted(p.case_id for p in stored.profiles) == ids
        deceased = {p.case_id for p in opened.profiles if p.deceased}
        by_document = {m.case_id for m in recruit(trial, opened, types).matches
                       if m.status in (MATCH, POSSIBLE)}
        by_index = {m.case_id for m in recruit(trial, stored, types).matches
                    if m.status in (MATCH, POSSIBLE)}
        assert by_index - deceased == by_document - deceased
    finally:
        store.close()
