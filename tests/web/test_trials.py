"""Trials in a real browser: the chair opens a case, its Trials section lists the portfolio's
arms and (live, from a ClinicalTrials.gov stand-in on 127.0.0.1) registry studies with their
reasons; "Propose for the board" fills the recommendation form and the recorded recommendation
links the NCT id. Then the Trials page answers "which of our patients fit this trial?" and the
query lands in the audit log."""

from __future__ import annotations

import shutil
import time

import pytest
from selenium.webdriver.common.by import By

from layouts import ids
from tests.trials.conftest import TRIALS
from tests.trials.ctgov_server import serve
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"


@pytest.fixture
def app(data_dir, store, tmp_path, httpserver):
    """The app with a portfolio of the hand-made trials and ClinicalTrials.gov on 127.0.0.1."""
    from annotation.kb import KnowledgeBase
    from mtb.config import Settings
    from mtb.web import create_app
    from mtb.web.library import CaseLibrary

    portfolio = tmp_path / "trials"
    shutil.copytree(TRIALS / "handmade", portfolio)
    shutil.rmtree(data_dir / "ctgov-cache", ignore_errors=True)  # answers of earlier tests
    base, _ = serve(httpserver)
    environ = {"MTB_DATA_DIR": str(data_dir), "MTB_TRIALS_DIR": str(portfolio)}
    settings = Settings.load(environ={**environ, "MTB_LIVE": "1", "MTB_CTGOV_URL": base})
    offline = Settings.load(environ=environ)  # the knowledge bases stay on their snapshots
    library = CaseLibrary(settings, store, kb=lambda: KnowledgeBase.open(offline))
    return create_app(settings, library=library, store=store)


def test_trials_on_the_case_page_and_the_trials_page(dash_duo, signed_in, store,
                                                     screenshot) -> None:
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("chef", f"/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.CASE_TRIALS}", "SYN-KRAS-G12", timeout=60)
    section = dash_duo.find_element(f"#{ids.CASE_TRIALS}")
    assert "KRAS p.G12* mutation: KRAS p.G12D (tier IIC)" in section.text
    assert "SYN-EGFR-NSCLC · arm L858R match" in section.text
    assert "G12C-NSCLC" not in section.text  # about G12C, which the patient does not have
    dash_duo.wait_for_contains_text(f"#{ids.TRIALS_NOTE}", "ClinicalTrials.gov as of",
                                    timeout=30)
    assert "NCT06385925" in section.text and "read from" in section.text
    dash_duo.driver.execute_script(
        "window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY - 60)",
        dash_duo.find_element(f"#{ids.CASE_TRIALS}"))
    time.sleep(0.5)
    screenshot("case-trials")
    cards = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.CASE_TRIALS} .trial-arm")
    study = next(card for card in cards if "NCT06385925" in card.text)
    click(dash_duo, study.find_element(By.CSS_SELECTOR, ".trial-propose"), past_overlays=True)
    wait_until(lambda: dash_duo.find_element(f"#{ids.RECOMMEND_NCT}").get_attribute("value")
               == "NCT06385925")
    assert dash_duo.find_element(f"#{ids.RECOMMEND_KIND}").get_attribute("value") == "trial"
    assert "TSN1611" in dash_duo.find_element(f"#{ids.RECOMMEND_TEXT}").get_attribute("value")
    click(dash_duo, dash_duo.find_element(f"#{ids.RECOMMEND_SAVE}"), past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{ids.DECISIONS}", "Clinical trial:", timeout=15)
    link = dash_duo.find_element(f"#{ids.DECISIONS} a.nct-link")
    assert link.text == "NCT06385925"
    assert store.recommendations(LUNG)[0].nct_id == "NCT06385925"

    dash_duo.driver.get(f"{dash_duo.server.url}/trials")
    dash_duo.wait_for_contains_text(f"#{ids.TRIALS_TABLE}", "SYN-KRAS-G12", timeout=30)
    dash_duo.select_dcc_dropdown(f"#{ids.TRIAL_CHOICE}", "SYN-KRAS-G12 · SYNTHETIC KRAS G12")
    click(dash_duo, dash_duo.find_element(f"#{ids.TRIAL_QUERY}"), past_overlays=True)
    # every case of the catalogue: the sample cases, and any a test before added in the app
    dash_duo.wait_for_contains_text(f"#{ids.TRIAL_PATIENTS}", "patients (", timeout=240)
    answer = dash_duo.find_element(f"#{ids.TRIAL_PATIENTS}").text
    assert LUNG in answer and "KRAS p.G12D (tier IIC)" in answer
    screenshot("trials-patients")
    asked = [e for e in store.audit() if e.action == "trial_patients"]
    assert asked and asked[-1].user_name == "chef" and "SYN-KRAS-G12" in asked[-1].after
    logs = dash_duo.get_logs()
    assert logs == [], logs
