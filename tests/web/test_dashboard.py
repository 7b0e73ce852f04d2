"""The dashboard in a real browser (headless chromium through dash_duo): the board's path
agenda -> case -> presentation -> next case, the variant grid's filters, a finding's "why",
and a bad upload. Every test ends without browser console errors and leaves screenshots in
test-artifacts/screenshots/ for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from layouts import ids
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"


def _grid_genes(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    """The genes of the rows the grid shows (read in one go: AG Grid redraws rows)."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll("
        f"'#{ids.GRID} .ag-pinned-left-cols-container .ag-row [col-id=\"gene\"]'))"
        ".map(cell => cell.textContent.trim()).filter(text => text);")


def test_agenda_case_presentation_next_case(dash_duo, signed_in, screenshot) -> None:
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("vera")
    dash_duo.wait_for_text_to_equal(f"#{ids.CASE_LIST} h2", "Board agenda", timeout=30)
    rows = dash_duo.find_elements(f"#{ids.CASE_LIST} tbody tr")
    assert len(rows) == 5
    lung = next(r for r in rows if "SYNTHETIC lung" in r.text)
    assert "prepared" in lung.text and "synthetic" in lung.text
    navbar = dash_duo.find_element(".navbar")  # Bootstrap from assets/, not a CDN
    assert navbar.value_of_css_property("background-color") == "rgba(33, 37, 41, 1)"
    screenshot("agenda")

    lung.find_element(By.CSS_SELECTOR, "a.case-link").click()
    dash_duo.wait_for_contains_text(f"#{ids.CASE_HEADER}", "SYN-LUAD-003", timeout=30)
    header = dash_duo.find_element(f"#{ids.CASE_HEADER}").text
    assert "female, 62 years" in header and "lung adenocarcinoma" in header
    findings = dash_duo.find_element(f"#{ids.FINDINGS}").text
    assert "EGFR" in findings and "p.T790M" in findings and "Tier IA" in findings
    assert "Osimertinib" in findings
    dash_duo.wait_for_element(f"#{ids.TIMELINE} .js-plotly-plot", timeout=15)
    # the top part fits one 1920x1080 screen: findings and timeline end above the fold
    bottom = dash_duo.driver.execute_script(
        "return document.querySelector('.above-fold').getBoundingClientRect().bottom")
    assert bottom <= 1080, bottom
    screenshot("case_page_desktop")

    dash_duo.find_element(f"#{ids.PRESENT_LINK}").click()
    dash_duo.wait_for_element(".present-page", timeout=30)
    assert "SYNTHETIC lung" in dash_duo.find_element(f"#{ids.CASE_HEADER}").text
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, ".evidence-button")  # no editing
    screenshot("case_presentation")
    dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)
    wait_until(lambda: dash_duo.driver.current_url.endswith("/case/tcga-a2-a04w-breast/present"))
    dash_duo.wait_for_contains_text(f"#{ids.CASE_HEADER}", "TCGA-A2-A04W", timeout=30)
    dash_duo.find_element("body").send_keys(Keys.ARROW_LEFT)
    wait_until(lambda: dash_duo.driver.current_url.endswith(f"/case/{LUNG}/present"))
    dash_duo.wait_for_contains_text(f"#{ids.CASE_HEADER}", "SYNTHETIC lung", timeout=30)
    dash_duo.wait_for_element(f"#{ids.EXIT_PRESENT}", timeout=10)
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)
    wait_until(lambda: dash_duo.driver.current_url.endswith(f"/case/{LUNG}"))
    assert dash_duo.get_logs() == []


def test_grid_filters_why_and_evidence(dash_duo, signed_in, screenshot) -> None:
    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("vera", "/case/tcga-a6-2686-colon")
    dash_duo.wait_for_element(f"#{ids.GRID} .ag-row", timeout=30)
    assert "All findings (3,315)" in dash_duo.find_element(".case-page").text
    # tier buttons: Tier I leaves BRAF V600E and the TMB (90 mut/Mb) only
    click(dash_duo, dash_duo.driver.find_element(By.XPATH, "//label[normalize-space()='Tier I']"))
    wait_until(lambda: sorted(_grid_genes(dash_duo)) == ["BRAF", "TMB"])
    # back to all, then the header's text filter on gene
    click(dash_duo, dash_duo.driver.find_element(By.XPATH, "//label[normalize-space()='All']"))
    wait_until(lambda: len(_grid_genes(dash_duo)) > 5)
    gene_filter = dash_duo.driver.find_element(
        By.CSS_SELECTOR, f"#{ids.GRID} .ag-floating-filter[aria-colindex='1'] input")
    gene_filter.send_keys("SMARCA4")
    wait_until(lambda: set(_grid_genes(dash_duo)) == {"SMARCA4"})
    # a row's evidence
    click(dash_duo, dash_duo.driver.find_element(
        By.CSS_SELECTOR, f"#{ids.GRID} .ag-pinned-left-cols-container .ag-row"))
    dash_duo.wait_for_contains_text(f"#{ids.EVIDENCE}", "SMARCA4", timeout=15)
    # a finding card's "why", opened from the keyboard
    summary = dash_duo.find_element(f"#{ids.FINDINGS} .why summary")
    summary.send_keys(Keys.ENTER)
    reasons = dash_duo.find_element(f"#{ids.FINDINGS} .why .reasons")
    wait_until(lambda: reasons.is_displayed())
    assert reasons.text.startswith("IA: FDA approval")
    screenshot("case_grid_filtered")
    assert dash_duo.get_logs() == []


def test_bad_vcf_upload_shows_the_file_and_line(dash_duo, signed_in, data_dir, tmp_path) -> None:
    bad = tmp_path / "broken.vcf"
    bad.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "chr1\tnot-a-number\t.\tA\tG\t.\tPASS\t.\n")
    signed_in("cura", "/add")
    dash_duo.find_element(f"#{ids.ADD_TITLE}").send_keys("Bad upload")
    upload = dash_duo.driver.find_element(By.CSS_SELECTOR, f"#{ids.ADD_UPLOAD} input[type=file]")
    upload.send_keys(str(bad))
    dash_duo.wait_for_contains_text(f"#{ids.ADD_FILES}", "broken.vcf", timeout=10)
    dash_duo.find_element(f"#{ids.ADD_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ADD_RESULT}", "The case was not added", timeout=30)
    message = dash_duo.find_element(f"#{ids.ADD_RESULT}").text
    assert "broken.vcf, line 3" in message and "POS" in message
    added = Path(data_dir) / "cases"
    assert not added.exists() or not any(added.iterdir())  # nothing half-stored
    assert dash_duo.get_logs() == []
