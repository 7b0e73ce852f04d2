"""Curation and the board's decision in a real browser: a curator signs in and curates a
finding (with HTML in the comment, which must stay text), the chair records a recommendation,
moves the case to final, and the page turns read-only; the report downloads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from layouts import ids
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"
# an element that runs code when inserted as HTML (a <script> would not even then)
SCRIPT = '<img src=x onerror="window.__pwned = 1"> subclonal, 24/200 reads'



def _alert(dash_duo) -> bool:  # type: ignore[no-untyped-def]
    try:
        dash_duo.driver.switch_to.alert  # noqa: B018  (raises when there is none)
    except NoAlertPresentException:
        return False
    return True


def _sign_out(dash_duo) -> None:  # type: ignore[no-untyped-def]
    click(dash_duo, dash_duo.find_element("#sign-out"), past_overlays=True)
    dash_duo.wait_for_element("#login-form", timeout=10)


def test_curate_decide_finalize_download(dash_duo, signed_in, store, screenshot) -> None:
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("cura", f"/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "p.T790M", timeout=30)
    cards = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.FINDINGS} .finding")
    t790m = next(card for card in cards if "p.T790M" in card.text)
    click(dash_duo, t790m.find_element(By.CSS_SELECTOR, ".evidence-button"), past_overlays=True)
    dash_duo.wait_for_element(f"#{ids.CURATE_SAVE}", timeout=15)
    time.sleep(1)  # the evidence panel may be drawn twice (card and grid selection)
    Select(dash_duo.find_element(f"#{ids.CURATE_ONCOGENICITY}")).select_by_value("oncogenic")
    dash_duo.find_element(f"#{ids.CURATE_COMMENT}").send_keys(SCRIPT)
    checkbox = dash_duo.find_element(f"#{ids.CURATE_IN_REPORT}")
    dash_duo.driver.execute_script("arguments[0].click()", checkbox)  # under its label
    click(dash_duo, dash_duo.find_element(f"#{ids.CURATE_SAVE}"), past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{ids.CURATION}", "saved by cura", timeout=15)
    [curation] = store.curations(LUNG).values()
    assert (curation.oncogenicity, curation.comment, curation.in_report) == (
        "oncogenic", SCRIPT, True)
    assert dash_duo.driver.execute_script("return window.__pwned") is None  # inert
    # a curator may not decide: no form, and the status buttons are disabled
    assert not dash_duo.driver.find_elements(By.ID, ids.RECOMMEND_SAVE)
    status_buttons = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.STATUS_BAR} button")
    assert status_buttons and all(not b.is_enabled() for b in status_buttons)
    _sign_out(dash_duo)

    # the chair plans a meeting on the agenda page and puts the case on it
    signed_in("chef", "/")
    dash_duo.wait_for_element(f"#{ids.CASE_LIST} .meeting-form", timeout=30)
    click(dash_duo, dash_duo.find_element(f"#{ids.CASE_LIST} .meeting-form summary"),
          past_overlays=True)
    day = dash_duo.find_element(f"#{ids.MEETING_DAY}")
    dash_duo.driver.execute_script(
        "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
        "set.call(arguments[0], '2026-11-24');"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", day)
    dash_duo.find_element(f"#{ids.MEETING_TITLE}").send_keys("Molecular tumor board")
    click(dash_duo, dash_duo.find_element(f"#{ids.MEETING_ADD}"), past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{ids.MEETING_MESSAGE}", "Meeting created", timeout=15)
    [meeting] = store.meetings()
    dash_duo.wait_for_page(f"{dash_duo.server.url}/case/{LUNG}", timeout=30)
    # wait_for_page waits for Dash, not for the page's router callback to draw the case
    dash_duo.wait_for_element(f"#{ids.CASE_MEETING}", timeout=30)
    dash_duo.select_dcc_dropdown(f"#{ids.CASE_MEETING}", index=0)
    wait_until(lambda: store.case_record(LUNG).meeting_id == meeting.id, timeout=20)
    dash_duo.wait_for_element(f"#{ids.RECOMMEND_TEXT}", timeout=30)
    dash_duo.find_element(f"#{ids.RECOMMEND_TEXT}").send_keys("Osimertinib 80 mg daily")
    Select(dash_duo.find_element(f"#{ids.RECOMMEND_GRADE}")).select_by_value("m1A")
    Select(dash_duo.find_element(f"#{ids.RECOMMEND_TIER}")).select_by_value("IA")
    dash_duo.find_element(f"#{ids.RECOMMEND_RATIONALE}").send_keys(
        "acquired T790M after first-line erlotinib")
    click(dash_duo, dash_duo.find_element(f"#{ids.RECOMMEND_SAVE}"), past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{ids.DECISIONS}", "Osimertinib 80 mg daily", timeout=15)
    assert "evidence m1A" in dash_duo.find_element(f"#{ids.DECISIONS}").text
    for status in ("presented", "decided", "final"):
        button = dash_duo.driver.find_element(
            By.XPATH, f"//div[@id='{ids.STATUS_BAR}']//button[normalize-space()='Mark {status}']")
        click(dash_duo, button, past_overlays=True)
        if status == "final":  # the browser asks first: it cannot be undone
            wait_until(lambda: _alert(dash_duo), timeout=20)
            dash_duo.driver.switch_to.alert.accept()
        dash_duo.wait_for_contains_text(f"#{ids.STATUS_BAR}", status, timeout=30)
        time.sleep(0.5)  # the page reloads after each change
    assert store.case_record(LUNG).status == "final"
    assert "read-only" in dash_duo.find_element(f"#{ids.STATUS_BAR}").text
    assert not dash_duo.driver.find_elements(By.ID, ids.RECOMMEND_SAVE)  # locked
    assert dash_duo.find_element(f"#{ids.SUMMARY_SAVE}").get_attribute("disabled")
    audit = dash_duo.find_element(f"#{ids.AUDIT}")
    click(dash_duo, audit.find_element(By.TAG_NAME, "summary"), past_overlays=True)
    assert "set_status" in audit.text and "recommend" in audit.text and "curate" in audit.text
    screenshot("case_final_board")

    click(dash_duo, dash_duo.driver.find_element(
        By.CSS_SELECTOR, "[id*='\"format\":\"html\"']"), past_overlays=True)
    target = Path(dash_duo.download_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(target.glob("*.html")):
        time.sleep(0.2)
    [report] = list(target.glob("*.html"))
    text = report.read_text(encoding="utf-8")
    assert "Osimertinib 80 mg daily" in text and "m1A" in text
    assert "&lt;img src=x" in text and "<img src=x" not in text
    assert dash_duo.get_logs() == []
