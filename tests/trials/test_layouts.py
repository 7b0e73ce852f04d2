"""The Trials section and the Trials page as pure functions of matching records: statuses and
reason kinds in words, text-read reasons marked, the registry's absence said, proposals only
for the chair."""

from __future__ import annotations

from dataclasses import replace

from dash import dcc

from layouts import ids
from layouts.trials import case_trials, patients_result, trials_page, trials_placeholder
from mtb.trials.ctml import read_ctml
from mtb.trials.model import EXCLUDING, MATCHED, UNKNOWN, ArmMatch, Reason
from tests.layouts.tree import all_of, by_id, texts
from tests.trials.conftest import TRIALS

PORTFOLIO = ArmMatch("SYN-KRAS-G12", "", "SYNTHETIC KRAS G12", "G12-ANY", True, True, "match",
                     (Reason(MATCHED, "KRAS p.G12* mutation", "KRAS p.G12* mutation: KRAS "
                             "p.G12D (tier IIC)", "KRAS p.G12D (tier IIC)", genomic=True),
                      Reason(UNKNOWN, "age >=18", "age >=18: age not recorded")))
EXCLUDED = ArmMatch("SYN-CRC-RASWT", "", "SYNTHETIC RAS wildtype", "RASWT", True, True,
                    "excluded", (Reason(EXCLUDING, "KRAS wildtype", "KRAS wildtype required: "
                                        "the patient has KRAS p.G12D (tier IIC)"),))
REGISTRY = ArmMatch("NCT06385925", "NCT06385925", "TSN1611 in KRAS G12D solid tumors", "",
                    True, True, "possible",
                    (Reason(MATCHED, "KRAS G12D", "KRAS G12D (read from inclusion: '...'): "
                            "KRAS p.G12D (tier IIC)", "KRAS p.G12D", from_text=True),
                     Reason(UNKNOWN, "ECOG <=1", "ECOG <=1: ECOG not recorded",
                            from_text=True)), source="ClinicalTrials.gov")


def test_the_case_section_reads_as_sentences() -> None:
    section = case_trials([PORTFOLIO, EXCLUDED], [REGISTRY], "ClinicalTrials.gov as of "
                          "2026-01-05 10:00 UTC; 2 recruiting studies found", portfolio_size=6)
    shown = texts(section)
    for words in ("SYN-KRAS-G12", "arm G12-ANY", "match", "recruiting",
                  "matched: ", "KRAS p.G12* mutation: KRAS p.G12D (tier IIC)",
                  "unknown: ", "age not recorded", "excludes: ", "KRAS wildtype required",
                  "ClinicalTrials.gov as of 2026-01-05", "ECOG not recorded (read from text)"):
        assert words in shown, words
    assert shown.index("SYN-KRAS-G12") < shown.index("NCT06385925")  # the portfolio first
    assert not [c for c in all_of(section, object) if getattr(c, "id", None) and isinstance(
        c.id, dict) and c.id.get("type") == ids.TRIAL_PROPOSE]  # no buttons for a viewer
    chair = case_trials([PORTFOLIO], [REGISTRY], "note", portfolio_size=6, may_propose=True)
    proposals = by_id(chair, ids.TRIAL_PROPOSALS).data
    assert [p["trial"] for p in proposals] == ["SYN-KRAS-G12", "NCT06385925"]
    assert by_id(chair, {"type": ids.TRIAL_PROPOSE, "index": 1}).children == \
        "Propose for the board"


def test_empty_portfolio_and_registry_not_asked_are_said() -> None:
    shown = texts(case_trials([], [], "ClinicalTrials.gov not asked (offline): the site's "
                              "portfolio only", portfolio_size=0))
    assert "The site's portfolio is empty" in shown and "not asked (offline)" in shown
    none = texts(case_trials([], [], "note", portfolio_size=4, problems=["x.yaml: bad"]))
    assert "None of the 4 trials" in none and "x.yaml: bad" in none


def test_the_placeholder_asks_for_the_case() -> None:
    placeholder = trials_placeholder("lung")
    assert by_id(placeholder, ids.CASE_TRIALS_REQUEST).data == "lung"
    assert isinstance(by_id(placeholder, ids.CASE_TRIALS_REQUEST), dcc.Store)


def test_the_trials_page_and_its_answer() -> None:
    trials = [read_ctml(p) for p in sorted((TRIALS / "handmade").glob("*.yaml"))]
    page = trials_page(trials, ["broken.yaml, line 2: bad"], "/data/trials", "Offline: ...")
    shown = texts(page)
    assert "6 trials in /data/trials" in shown and "1 of 2 open" in shown
    assert "broken.yaml, line 2: bad" in shown and "audit log" in shown
    assert next(o["value"] for o in by_id(page, ids.TRIAL_CHOICE).options) == "SYN-BRAF-NOT-MEL"
    answer = patients_result("SYN-KRAS-G12", "SYNTHETIC KRAS G12", "portfolio",
                             [replace(PORTFOLIO, case_id="lung")],
                             {"lung": "lung adenocarcinoma"}, 5, {"match": 1},
                             [("broken", "cannot be read")])
    shown = texts(answer)
    assert "1 of 5 patients (1 match)" in shown and "lung adenocarcinoma" in shown
    assert by_id(answer, {"type": ids.TRIAL_PATIENT, "case": "lung", "arm": "G12-ANY"})
    assert "broken: cannot be read" in shown
    registry = texts(patients_result("NCT06385925", "TSN1611", "ClinicalTrials.gov", [], {}, 5,
                                     {}))
    assert "No patient of the site" in registry and "read from the record's text" in registry
