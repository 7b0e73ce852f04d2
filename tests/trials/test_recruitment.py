"""The recruitment query over drawn cases (no files): every patient through the one function
that says where they come from, a broken case reported and skipped, curations followed (an
artefact call takes a finding out), and the counts by best arm."""

from __future__ import annotations

import pytest

from annotation.model import Tier
from mtb.board import finding_key
from mtb.errors import InputError
from mtb.trials.ctml import read_ctml
from mtb.trials.recruitment import recruit, site_profiles
from tests.drawn import case_of, curation, small
from tests.trials.conftest import TRIALS

G12 = small("KRAS", "p.G12C", Tier.IIC)
LUNG_G12C = case_of([G12, small("TP53", "p.R175H", Tier.III)], case_id="lung-g12c",
                    title="SYNTHETIC lung, KRAS G12C")
LUNG_G13D = case_of([small("KRAS", "p.G13D", Tier.III)], case_id="lung-g13d",
                    title="SYNTHETIC lung, KRAS G13D")
LUNG_EGFR = case_of([small("EGFR", "p.L858R", Tier.IA)], case_id="lung-egfr",
                    title="SYNTHETIC lung, EGFR L858R")
CASES = {c.entry.id: c for c in (LUNG_G12C, LUNG_G13D, LUNG_EGFR)}


def _open(case_id):
    if case_id == "broken":
        raise InputError("broken/case.toml", "'title' is missing or empty")
    return CASES[case_id]


@pytest.fixture(autouse=True, scope="module")
def _diagnosed(types):
    """The drawn cases' diagnosis as mtb's ontology maps it (with its parent types)."""
    for case in CASES.values():
        case.annotation.diagnosis = types.ontology.resolve("Lung adenocarcinoma")


def _entries():
    return [*CASES, "broken"]


def test_patients_for_a_trial(types) -> None:
    trial = read_ctml(TRIALS / "handmade" / "SYN-KRAS-G12.yaml")
    site = site_profiles(_entries(), _open)
    assert [p.case_id for p in site.profiles] == ["lung-g12c", "lung-g13d", "lung-egfr"]
    assert site.skipped == (("broken", "broken/case.toml: 'title' is missing or empty"),)
    found = recruit(trial, site, types)
    rows = [(m.case_id, m.arm, m.status) for m in found.matches]
    # drawn cases have no birth date: the adult-only arm is possible, the NSCLC arm a match
    assert rows == [("lung-g12c", "G12C-NSCLC", "match"), ("lung-g12c", "G12-ANY", "possible")]
    assert found.case_ids == ("lung-g12c",) and found.patients == 3
    assert found.counts == {"match": 1}
    assert found.source == "portfolio" and found.skipped == site.skipped


def test_curations_are_followed(types) -> None:
    """A finding the curators called an artefact is not a reason to offer a trial."""
    trial = read_ctml(TRIALS / "handmade" / "SYN-KRAS-G12.yaml")
    artefact = {"lung-g12c": {finding_key(G12): curation(G12, oncogenicity="likely artefact")}}
    site = site_profiles(_entries(), _open, lambda case_id: artefact.get(case_id, {}))
    assert recruit(trial, site, types).matches == ()
