"""The Cohort page in a real browser: a viewer searches the annotated sample cases for EGFR in
NSCLC, sees the counts and the synthetic EGFR lung case (a link to its page), and the search
lands in the audit log. (sample_cases/synthetic-egfr-lung: EGFR L858R, lung adenocarcinoma.)"""

from __future__ import annotations

import json

import pytest

from layouts.cohort import FIELD_ID, RESULT, SEARCH
from tests.web.conftest import click

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"


def test_cohort_page(dash_duo, signed_in, store, screenshot) -> None:
    dash_duo.driver.set_window_size(1600, 1000)
    signed_in("vera", "/cohort")  # a viewer
    dash_duo.wait_for_element(f"#{FIELD_ID['gene']}", timeout=30)
    assert dash_duo.find_element("#cohort-link").text == "Cohort"
    dash_duo.find_element(f"#{FIELD_ID['gene']}").send_keys("EGFR")
    dash_duo.find_element(f"#{FIELD_ID['tumor_type']}").send_keys("NSCLC")
    click(dash_duo, dash_duo.find_element(f"#{SEARCH}"), past_overlays=True)
    dash_duo.wait_for_contains_text(f"#{RESULT}", "By tumor type", timeout=60)
    answer = dash_duo.find_element(f"#{RESULT}").text
    assert LUNG in answer and "lung adenocarcinoma" in answer
    assert "read as lung non-small cell carcinoma" in answer
    assert "breast" not in answer.lower()
    link = dash_duo.find_element(f"#{RESULT} .cohort-cases a")
    assert link.get_attribute("href").endswith(f"/case/{LUNG}")
    screenshot("cohort")
    entry = store.audit(newest=1)[-1]
    assert (entry.user_name, entry.action) == ("vera", "cohort_query")
    assert json.loads(json.loads(entry.after)["detail"])["filters"] == {
        "gene": "EGFR", "tumor_type": "NSCLC"}
