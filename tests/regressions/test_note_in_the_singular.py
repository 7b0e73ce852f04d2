"""a406f85 "'note' in the singular": a case with one warning said "1 notes on this case's
data"."""

from __future__ import annotations

from layouts.case_page import case_page
from tests.drawn import case_of
from tests.layouts.tree import texts


def test_one_note_and_two_notes() -> None:
    case = case_of()
    case.warnings = ["drawn warning"]
    assert "1 note on this case's data" in texts(case_page(case))
    case.warnings = ["drawn warning", "another"]
    assert "2 notes on this case's data" in texts(case_page(case))
