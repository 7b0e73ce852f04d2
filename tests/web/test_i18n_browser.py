"""German in a real browser (headless chromium): the title bar's DE switch turns the case page
German (headings, dates as 07.12.2026, VAF with a decimal comma in the grid), the choice
stays for the next page, and EN turns it back. Leaves screenshots for people to look at."""

from __future__ import annotations

import re

import pytest

from layouts import ids
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"


def _vaf_cells(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll("
        f"'#{ids.GRID} .ag-center-cols-container .ag-row [col-id=\"vaf\"]'))"
        ".map(cell => cell.textContent.trim()).filter(text => text);")


def test_switch_to_german_and_back(dash_duo, signed_in, screenshot) -> None:
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("chef", f"/case/{LUNG}")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "Key findings", timeout=30)
    click(dash_duo, dash_duo.find_element("#lang-de"))
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "Wesentliche Befunde", timeout=30)
    assert dash_duo.driver.find_element("css selector", "html").get_attribute("lang") == "de"
    header = dash_duo.find_element(f"#{ids.CASE_HEADER}").text
    assert "Diagnose" in header and "Stadium" in header and "Jahre" in header
    timeline = dash_duo.find_element(f"#{ids.TIMELINE}").text
    assert "Verlauf" in timeline
    assert re.search(r"1\. Linie: Erlotinib \(01\.02\.2023 bis 10\.03\.2024\)", timeline)
    assert "Empfehlungen des Tumorboards" in dash_duo.find_element(f"#{ids.DECISIONS}").text
    wait_until(lambda: _vaf_cells(dash_duo), timeout=20)
    cells = _vaf_cells(dash_duo)
    assert all(re.fullmatch(r"\d+,\d\u00a0%", cell) for cell in cells), cells
    screenshot("case_page_german")
    # the choice is remembered: the presentation is German too
    click(dash_duo, dash_duo.find_element(f"#{ids.PRESENT_LINK}"))
    dash_duo.wait_for_contains_text(f"#{ids.EXIT_PRESENT}", "Präsentation beenden", timeout=30)
    screenshot("case_presentation_german")
    dash_duo.driver.get(f"{dash_duo.server.url}/case/{LUNG}?lang=en")
    dash_duo.wait_for_contains_text(f"#{ids.FINDINGS}", "Key findings", timeout=30)
    assert "2023-02-01 to 2024-03-10" in dash_duo.find_element(f"#{ids.TIMELINE}").text
    assert dash_duo.get_logs() == []
