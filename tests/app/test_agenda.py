"""The case list in a real browser: bundled cases shown, styled offline, no console errors."""

from __future__ import annotations

import pytest

from layouts import ids
from mtb.app import create_app
from mtb.config import Settings

pytestmark = pytest.mark.browser


def test_case_list_lists_bundled_cases(dash_duo, screenshot, tmp_path) -> None:
    app = create_app(Settings.load(environ={"MTB_DATA_DIR": str(tmp_path)}))
    dash_duo.driver.set_window_size(1280, 800)
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal(f"#{ids.CASE_LIST} h2", "Cases", timeout=10)
    items = dash_duo.find_elements(f"#{ids.CASE_LIST} .list-group-item")
    assert [item.find_element("css selector", "h5").text for item in items] == [
        "HCC1395 breast cancer cell line, tumor/normal exome",
        "Kim Musterperson (MII example), ovarian serous adenocarcinoma, with HCC1395 variants",
        "SYNTHETIC lung adenocarcinoma, EGFR L858R + T790M after erlotinib",
        "TCGA-A2-A04W, breast invasive carcinoma (GRCh37), with the mCODE Jenny M course",
        "TCGA-A6-2686, colon adenocarcinoma (GRCh38), with a Synthea clinical course",
    ]
    # Bootstrap comes from assets/, not a CDN: the navbar is styled dark
    navbar = dash_duo.find_element(".navbar")
    assert navbar.value_of_css_property("background-color") == "rgba(33, 37, 41, 1)"
    screenshot("case_list")
    assert dash_duo.get_logs() == []


def test_broken_cases_folder_shows_a_message(dash_duo, tmp_path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad/case.toml").write_text('id = "x"\ntitle = \n')
    app = create_app(Settings.load(environ={"MTB_CASES_DIR": str(tmp_path)}))
    dash_duo.start_server(app)
    dash_duo.wait_for_element(f"#{ids.PAGE_MESSAGE}", timeout=10)
    text = dash_duo.find_element(f"#{ids.PAGE_MESSAGE}").text
    assert "The case list cannot be shown" in text
    assert "case.toml" in text and "is not valid TOML" in text
    assert dash_duo.get_logs() == []
