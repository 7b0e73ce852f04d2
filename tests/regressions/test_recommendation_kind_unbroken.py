"""fab3a34 "recommendation kinds unbroken": the report printed the stored word
('genetic_counselling') and let the kind column wrap; it prints the kind's name on one line."""

from __future__ import annotations

from mtb.board import Recommendation
from mtb.report import build_content, render_html
from tests.drawn import CASE_ID, case_of


def test_the_kind_is_named_and_kept_on_one_line() -> None:
    recommendation = Recommendation(1, CASE_ID, "genetic_counselling", "Genetic counselling",
                                    created_by="chef")
    content = build_content(case_of(), None, {}, [recommendation])
    assert content.recommendations[0].kind_label == "Genetic counselling"
    page = render_html(content)
    assert "<td>Genetic counselling</td>" in page and "genetic_counselling" not in page
    assert "table.recommendations td:first-child { white-space: nowrap; }" in page
