"""The case page and its presentation mode as component trees, from drawn cases: what a board
reads on them, without a browser."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import dcc

from annotation.model import Diagnosis, Tier
from layouts import ids
from layouts.board import BoardView
from layouts.case_header import header_facts
from layouts.case_page import case_page, present_page
from mtb.board import CaseRecord, Recommendation, finding_key
from mtb.timeline import EventKind, PartialDate, TimelineEvent
from tests.drawn import CASE_ID, biomarker, case_of, curation, small, therapy
from tests.layouts.tree import all_of, by_id, texts

EGFR = small("EGFR", "p.L858R", Tier.IA, level="A", vaf=0.42,
             therapies=[therapy("Osimertinib", Tier.IA), therapy("Amivantamab", Tier.IIC, "C")])
KRAS = small("KRAS", "p.G12C", Tier.IIC, level="C", vaf=0.18)
TP53 = small("TP53", "p.R175H", Tier.III, vaf=0.55)
CASE = case_of([TP53, KRAS, EGFR], events=[
    TimelineEvent(EventKind.DIAGNOSIS, PartialDate.parse("2023-01-16"), "Adenocarcinoma"),
    TimelineEvent(EventKind.SYSTEMIC_THERAPY, PartialDate.parse("2023-02-01"), "Erlotinib",
                  end=PartialDate.parse("2024-03-10")),
])


def board(curations=None, recommendations=(), status="prepared", *, chair=False) -> BoardView:
    return BoardView(record=CaseRecord(CASE_ID, status=status), recommendations=recommendations,
                     audit=(), meetings=((1, "2026-11-24 · MTB"),), curations=curations or {},
                     user="chef" if chair else "vera", role="chair" if chair else "viewer",
                     may_curate=chair, may_decide=chair)


def cards(page) -> list[str]:
    """The gene of each key-finding card, in order."""
    grid = by_id(page, ids.FINDINGS)
    return [texts(card).split("\n")[0] for card in all_of(grid, dbc.Card)]


def test_key_findings_are_tier_i_and_ii_strongest_first() -> None:
    page = case_page(CASE, board())
    assert cards(page) == ["EGFR", "KRAS"]
    shown = texts(by_id(page, ids.FINDINGS))
    assert "Tier IA · level A" in shown and "VAF 42%, 30/100 reads" in shown
    assert shown.index("Osimertinib") < shown.index("Amivantamab")  # ranked, one per line
    assert "Osimertinib\n IA\n · FDA 2020" in shown and "Amivantamab\n IIC\n · clinical" in shown


def test_a_curation_shows_beside_the_computed_tier() -> None:
    curated = {finding_key(KRAS): curation(KRAS, tier_override="IB", override_reason="drawn"),
               finding_key(EGFR): curation(EGFR, tier_override="IID", override_reason="x")}
    page = case_page(CASE, board(curated))
    assert cards(page) == ["KRAS", "EGFR"]  # by the reported tier
    shown = texts(by_id(page, ids.FINDINGS))
    assert "Tier IIC · level C" in shown and "curated Tier IB: drawn (cura)" in shown


def test_no_key_findings_says_so() -> None:
    page = case_page(case_of([TP53]), board())
    assert "No tier I or II findings" in texts(by_id(page, ids.FINDINGS))


def test_the_page_carries_the_case_id_grid_and_timeline() -> None:
    page = case_page(CASE, board())
    assert by_id(page, ids.CASE_ID).data == CASE_ID
    assert "All findings (3)" in texts(page)
    assert "Line 1: Erlotinib" in texts(by_id(page, ids.TIMELINE))
    assert all_of(by_id(page, ids.VAF_PLOT), dcc.Graph)


def test_controls_follow_the_role_and_a_final_case_is_read_only() -> None:
    viewer = case_page(CASE, board())
    assert by_id(viewer, ids.SUMMARY_TEXT).disabled
    assert "Recommendations are recorded by the board chair." in texts(viewer)
    chair = case_page(CASE, board(chair=True), [("k", "EGFR p.L858R (IA)")])
    assert not by_id(chair, ids.SUMMARY_TEXT).disabled
    assert by_id(chair, ids.RECOMMEND_SAVE) is not None
    final = case_page(CASE, board(status="final", chair=True))
    assert by_id(final, ids.SUMMARY_TEXT).disabled and "read-only" in texts(final)


def test_presentation_offers_tier_i_therapies_without_a_recommendation() -> None:
    page = present_page(CASE, "previous-case", None, board())
    assert cards(page) == ["EGFR", "KRAS"]
    shown = texts(page)
    options = shown.split("Options from the evidence")[1]
    assert "Osimertinib\n for EGFR p.L858R" in options and "Amivantamab" not in options
    assert by_id(page, ids.PREV_CASE).href == "/case/previous-case/present"
    assert "disabled" in by_id(page, ids.NEXT_CASE).className


def test_presentation_shows_the_recorded_recommendation() -> None:
    recommended = Recommendation(1, CASE_ID, "therapy", "Osimertinib 80 mg", "m1A", "IA",
                                 created_by="chef")
    shown = texts(present_page(CASE, None, None, board(recommendations=(recommended,))))
    assert "Recommendation (draft)" in shown and "Therapy: Osimertinib 80 mg" in shown
    assert "Options from the evidence" not in shown


def test_presentation_leaves_out_options_of_a_finding_curated_away() -> None:
    curated = {finding_key(EGFR): curation(EGFR, oncogenicity="likely artefact")}
    shown = texts(present_page(CASE, None, None, board(curated)))
    assert "No tier I therapy evidence." in shown


def test_the_header_reads_tmb_and_msi_from_the_findings() -> None:
    """A measured or computed biomarker finding is what the header shows; an estimate says so;
    without any, the header says what is missing rather than leaving a gap."""
    case = case_of([biomarker("TMB", "high", Tier.IA, 14.2),
                    biomarker("MSI", "high", Tier.IIC, 3.1, estimate=True)])
    facts = dict(header_facts(case))
    assert (facts["TMB"], facts["MSI"]) == ("14.2 mut/Mb (high)", "MSI-high (estimate)")
    bare = dict(header_facts(case_of([small("KRAS", "p.G12D", Tier.IIC)])))
    assert (bare["TMB"], bare["MSI"]) == ("not computed", "not recorded")


def test_a_weak_or_missing_tumor_type_is_a_banner_with_its_candidates() -> None:
    weak = Diagnosis("Adenokarzinom", "DOID:299", "adenocarcinoma", confidence="low",
                     warning="diagnosis 'Adenokarzinom' mapped with low confidence",
                     candidates=(("DOID:3910", "lung adenocarcinoma"),
                                 ("DOID:234", "colon adenocarcinoma")))
    case = case_of([small("KRAS", "p.G12D", Tier.IIC)])
    case.annotation.diagnosis = weak
    page = case_page(case)
    banner = texts(by_id(page, ids.DIAGNOSIS_BANNER))
    assert "Check the tumor type: 'Adenokarzinom' was read as adenocarcinoma" in banner
    assert "lung adenocarcinoma (DOID:3910); colon adenocarcinoma (DOID:234)" in banner
    assert texts(by_id(present_page(case, None, None), ids.DIAGNOSIS_BANNER))
    case.annotation.diagnosis = Diagnosis("xyzzy", None, "")
    assert "did not map to a tumor type" in texts(by_id(case_page(case), ids.DIAGNOSIS_BANNER))
    sure = case_of([small("KRAS", "p.G12D", Tier.IIC)])  # lung adenocarcinoma, drawn exact
    with pytest.raises(AssertionError, match="no component"):
        by_id(case_page(sure), ids.DIAGNOSIS_BANNER)
