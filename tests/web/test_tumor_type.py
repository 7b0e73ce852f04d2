"""A curator chooses the tumor type on the case page, in a real browser (issue 11): the form
under the patient header takes a term (typed: name, OncoTree code or DOID) and a reason; the
case is annotated again with it, and the header then says who chose it. A viewer gets no form;
a save without a reason is refused on the page and nothing changes."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from layouts import ids
from mtb.config import Settings
from tests.stored import worker_for
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"
COLORECTAL = "DOID:0050861"


def _choose(dash_duo, text: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Open the folded form, type into the dropdown's search box, click the option."""
    click(dash_duo, dash_duo.find_element(f"#{ids.TUMOR_TYPE} summary"), past_overlays=True)
    click(dash_duo, dash_duo.find_element(f"#{ids.TUMOR_TYPE_CHOICE}"), past_overlays=True)
    dash_duo.driver.switch_to.active_element.send_keys(text)

    def shown() -> list:  # type: ignore[type-arg]
        return [o for o in dash_duo.driver.find_elements(By.CSS_SELECTOR,
                                                         ".dash-dropdown-option")
                if o.text.startswith(option)]
    click(dash_duo, wait_until(shown, timeout=10)[0], past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{ids.TUMOR_TYPE_CHOICE}", option, timeout=10)


def test_a_curator_chooses_the_tumor_type(dash_duo, signed_in, store, data_dir, kb,
                                          screenshot) -> None:
    dash_duo.driver.set_window_size(1600, 1000)
    signed_in("cura", f"/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "p.T790M", timeout=30)
    assert "lung adenocarcinoma (DOID:3910)" in dash_duo.find_element(f"#{ids.TUMOR_TYPE}").text

    # no reason yet: refused, nothing stored
    _choose(dash_duo, "colorectal adeno", "colorectal adenocarcinoma")
    click(dash_duo, dash_duo.find_element(f"#{ids.TUMOR_TYPE_SAVE}"), past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_MESSAGE}", "needs a reason", timeout=15)
    assert store.stored_case(LUNG).tumor_type == ""

    dash_duo.find_element(f"#{ids.TUMOR_TYPE_REASON}").send_keys(
        "Pathology: metastasis of a colorectal adenocarcinoma (CK20+, CDX2+)")
    click(dash_duo, dash_duo.find_element(f"#{ids.TUMOR_TYPE_SAVE}"), past_overlays=True)
    wait_until(lambda: store.stored_case(LUNG).tumor_type == COLORECTAL, timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.VERSION_PANEL}", "Re-annotation under way",
                                    timeout=30)
    [entry] = [a for a in store.audit(LUNG) if a.action == "choose_tumor_type"]
    assert entry.user_name == "cura" and json.loads(entry.after)["tumor_type"] == COLORECTAL

    settings = Settings.load(environ={"MTB_DATA_DIR": str(data_dir)})
    assert worker_for(settings, store, kb).run_until_idle(timeout=300)
    dash_duo.driver.get(f"{dash_duo.server.url}/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.CASE_HEADER}", "colorectal adenocarcinoma (chosen "
                                    "by cura on ", timeout=30)
    panel = dash_duo.find_element(f"#{ids.VERSION_PANEL}").text
    assert "tumor type chosen: colorectal adenocarcinoma (DOID:0050861), cura" in panel
    cards = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.FINDINGS} .finding")
    t790m = [card.text for card in cards if "p.T790M" in card.text]
    assert not any("IA" in text.split() for text in t790m)  # osimertinib is labelled in lung
    summary = dash_duo.find_element(f"#{ids.TUMOR_TYPE} summary").text
    assert "chosen by cura" in summary
    screenshot("tumor-type-chosen")


def test_a_viewer_gets_no_tumor_type_form(dash_duo, signed_in) -> None:
    signed_in("vera", f"/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "p.T790M", timeout=30)
    assert not dash_duo.driver.find_elements(By.ID, ids.TUMOR_TYPE)
