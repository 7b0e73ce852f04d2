"""A trial in the board's recommendation: the NCT id in the store (validated, audited), on the
case page, in the HTML report and in the FHIR export (a ResearchStudy named by its
ClinicalTrials.gov id, referenced from the plan)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle

from layouts import ids
from layouts.board import decision_panel, recommendation_item
from mtb.board import CaseRecord
from mtb.errors import StorageError
from mtb.store import Actor, Store
from tests.layouts.tree import by_id, texts

CASE_ID = "synthetic-egfr-lung"
CHAIR = Actor("chef", "chair")
NCT = "NCT05786924"  # a real record of tests/data/trials/ctgov (KRAS/RAF, recruiting)


@pytest.fixture
def store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield store
    store.close()


def test_the_store_keeps_and_checks_the_nct_id(store) -> None:
    saved = store.recommend(CASE_ID, CHAIR, kind="trial", text="S241656 (KRAS non-G12C NSCLC)",
                            evidence_grade="m3", nct_id=" nct05786924 ")
    assert saved.nct_id == NCT and store.recommendations(CASE_ID)[0].nct_id == NCT
    audit = [e for e in store.audit(CASE_ID) if e.action == "recommend"]
    assert json.loads(audit[0].after)["nct_id"] == NCT
    with pytest.raises(StorageError, match="not an NCT number"):
        store.recommend(CASE_ID, CHAIR, kind="trial", text="x", nct_id="NCT123")
    with pytest.raises(StorageError, match="clinical-trial recommendation"):
        store.recommend(CASE_ID, CHAIR, kind="therapy", text="Osimertinib", nct_id=NCT)
    assert store.recommend(CASE_ID, CHAIR, kind="trial", text="a site trial").nct_id == ""


def test_the_page_shows_and_asks_for_it(store) -> None:
    saved = store.recommend(CASE_ID, CHAIR, kind="trial", text="S241656", nct_id=NCT)
    item = recommendation_item(saved, may_decide=False, final=True)
    assert "Clinical trial: S241656" in texts(item) and NCT in texts(item)
    form = decision_panel(CaseRecord(CASE_ID), [saved], [], may_decide=True)
    assert by_id(form, ids.RECOMMEND_NCT).placeholder.startswith("NCT id")
    with pytest.raises(AssertionError, match="no component"):  # only the chair records
        by_id(decision_panel(CaseRecord(CASE_ID), [saved], [], may_decide=False),
              ids.RECOMMEND_NCT)


def test_the_report_and_the_fhir_export_carry_it(store, kb, data_dir) -> None:
    from mtb.case import open_case
    from mtb.config import Settings
    from mtb.report import render_html, report_content
    from mtb.report.fhir import to_bundle
    from mtb.resources import sample_cases_dir

    case = open_case(sample_cases_dir() / CASE_ID, kb,
                     Settings.load(environ={"MTB_DATA_DIR": str(data_dir)}))
    store.recommend(CASE_ID, CHAIR, kind="trial", text="S241656 in KRAS-mutant NSCLC",
                    evidence_grade="m3", nct_id=NCT)
    content = report_content(case, store, now=datetime(2026, 1, 5, tzinfo=UTC))
    assert content.recommendations[0].nct_id == NCT
    html = render_html(content)
    assert f'<a href="https://clinicaltrials.gov/study/{NCT}">{NCT}</a>' in html
    bundle = to_bundle(content)
    Bundle.model_validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    [study] = [r for r in resources if r["resourceType"] == "ResearchStudy"]
    assert study["identifier"] == [{"system": "https://clinicaltrials.gov", "value": NCT}]
    [plan] = [r for r in resources if r["resourceType"] == "CarePlan"]
    assert f"urn:uuid:{study['id']}" in [s["reference"] for s in plan["supportingInfo"]]
    [trial] = [a["detail"] for a in plan["activity"] if "detail" in a]
    assert trial["instantiatesUri"] == [f"https://clinicaltrials.gov/study/{NCT}"]
    assert not [r for r in resources if r["resourceType"] == "MedicationRequest"]
