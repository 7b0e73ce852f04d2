"""Issue 12, point 1: opening, selecting and re-rendering never write. A curator who only
clicks "Evidence" on every card must leave no curation and no audit entry behind (each one used
to raise the case version and make the chair's "final" fail), and a viewer must not see a red
"may not curate" error on every click."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

from layouts import ids
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"


def _click_every_evidence_button(dash_duo) -> int:  # type: ignore[no-untyped-def]
    dash_duo.wait_for_element(f"#{ids.FINDINGS} .evidence-button", timeout=30)
    buttons = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.FINDINGS} .evidence-button")
    for button in buttons:
        click(dash_duo, button, past_overlays=True)
        dash_duo.wait_for_element(f"#{ids.CURATE_SAVE}", timeout=15)
        time.sleep(0.6)  # every callback the form's appearance could set off has run
    return len(buttons)


@pytest.mark.parametrize("user", ["cura", "vera"])
def test_evidence_clicks_never_write(dash_duo, signed_in, store, user) -> None:
    dash_duo.driver.set_window_size(1600, 1000)
    before = len(store.audit())
    signed_in(user, f"/case/{LUNG}")
    clicked = _click_every_evidence_button(dash_duo)
    assert clicked >= 3
    # and once more on the first card, after another card's form was shown
    click(dash_duo, dash_duo.driver.find_elements(
        By.CSS_SELECTOR, f"#{ids.FINDINGS} .evidence-button")[0], past_overlays=True)
    time.sleep(1.0)
    assert store.curations(LUNG) == {}
    entries = store.audit()
    assert len(entries) == before + 1, [e.action for e in entries[before:]]  # the sign-in only
    assert entries[-1].action == "sign_in"
    assert store.case_record(LUNG).version == 0
    message = dash_duo.find_element(f"#{ids.BOARD_MESSAGE}").text
    assert message == "", message
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, ".alert-danger")
    assert dash_duo.get_logs() == []


def test_a_curators_click_on_save_still_saves(dash_duo, signed_in, store) -> None:
    dash_duo.driver.set_window_size(1600, 1000)
    signed_in("cura", f"/case/{LUNG}")
    _click_every_evidence_button(dash_duo)
    click(dash_duo, dash_duo.find_element(f"#{ids.CURATE_SAVE}"), past_overlays=True)
    wait_until(lambda: len(store.curations(LUNG)) == 1, timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_MESSAGE}", "Saved.", timeout=15)
