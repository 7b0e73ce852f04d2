"""Cases that last, in a real browser: the agenda shows a case being annotated ("annotating
40 %") and the cases whose findings changed since their board (with a filter for them); the
case page says which version it shows and what changed since the board met."""

from __future__ import annotations

from dataclasses import replace

import pytest
from selenium.webdriver.common.by import By

from annotation.model import Tier
from layouts import ids
from mtb import case_document
from mtb.annotation_run import new_version
from mtb.board import Actor
from mtb.library import Library
from mtb.store import CaseHeader
from mtb.versions import KbSignature, compare
from tests.web.conftest import click, wait_until

pytestmark = pytest.mark.browser
LUNG = "synthetic-egfr-lung"
CHAIR = Actor("chef", "chair")


def _retiered(store) -> None:
    """The board met on version 1 of the lung case; version 2 (drawn from it: TP53 p.R273H
    raised from IID to IB, as a knowledge-base update might) arrives after."""
    library = Library(None, store)  # type: ignore[arg-type]
    store.set_status(LUNG, "presented", CHAIR, 0, annotation_version=1)
    old = library.open(LUNG)
    variants = [replace(v, tier=Tier.IB) if v.alteration.label.endswith("R273H") else v
                for v in old.case.annotation.variants]
    case = replace(old.case, annotation=replace(old.case.annotation, variants=variants))
    changes = compare(old.case, case, against=1, kb_before=old.info.kb_release,
                      kb_after="CIViC drawn")
    kb = KbSignature("d" * 64, "CIViC drawn", old.info.approvals, {})
    store.add_version(new_version(case, case_document.dumps(case), key="drawn", reason=(
        "knowledge base changed (drawn for this test)"), kb=kb, files=[], changes=changes,
        board_changes=changes), after=1, job_id=None, worker="test")


def test_progress_changes_since_the_board_and_the_version(dash_duo, signed_in, store,
                                                          screenshot) -> None:
    _retiered(store)
    store.register_case(CaseHeader("drawn-new", "/nonexistent/drawn-new", "drawn",
                                   "SYNTHETIC case being annotated"))
    job, _ = store.add_job("drawn-new", "annotate", "k", 0, "new case")
    store.claim_job(job.id, "test", lease=600)
    store.job_progress(job.id, "test", 40, "annotating", lease=600)

    dash_duo.driver.set_window_size(1920, 1080)
    signed_in("vera")
    dash_duo.wait_for_contains_text(f"#{ids.AGENDA_TABLE}", "annotating 40 %", timeout=30)
    lung = next(r for r in dash_duo.find_elements(f"#{ids.AGENDA_TABLE} tbody tr")
                if "SYNTHETIC lung" in r.text)
    assert "1 finding changed tier since the board met: TP53 p.R273H IID -> IB" in lung.text
    screenshot("agenda_progress_and_changes")
    click(dash_duo, dash_duo.find_element(f"#{ids.CHANGED_FILTER}"))
    wait_until(lambda: len(dash_duo.find_elements(f"#{ids.AGENDA_TABLE} tbody tr")) == 1)
    assert "SYNTHETIC lung" in dash_duo.find_element(f"#{ids.AGENDA_TABLE}").text

    lung = dash_duo.find_element(f"#{ids.AGENDA_TABLE} a.case-link")
    lung.click()
    dash_duo.wait_for_contains_text(f"#{ids.VERSION_PANEL}", "Annotation version 2", timeout=30)
    panel = dash_duo.find_element(f"#{ids.VERSION_PANEL}").text
    assert "CIViC drawn" in panel and "knowledge base changed (drawn for this test)" in panel
    alert = dash_duo.find_element(f"#{ids.BOARD_CHANGES}").text
    assert "TP53 p.R273H IID -> IB" in alert and "presented" in alert
    dash_duo.wait_for_element(f"#{ids.GRID} .ag-row", timeout=30)  # the grid reads version 2
    screenshot("case_page_version_panel")

    versions = dash_duo.driver.find_element(By.XPATH, "//summary[starts-with(., 'All 2')]")
    click(dash_duo, versions)
    click(dash_duo, dash_duo.driver.find_element(By.LINK_TEXT, "version 1"))
    dash_duo.wait_for_contains_text(f"#{ids.VERSION_PANEL}", "Annotation version 1 of 2",
                                    timeout=30)
    assert "This is not the newest version" in dash_duo.find_element(
        f"#{ids.VERSION_PANEL}").text
    assert dash_duo.get_logs() == []
