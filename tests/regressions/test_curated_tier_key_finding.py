"""A finding a curator raised from tier III to IIC counted as tier II on the agenda and went
into the report, but got no key-finding card on the case page or the presentation: the curated
tier was computed four ways (mtb/app.py, layouts/findings.py, layouts/case_page.py,
mtb/report/content.py) and the cards only looked at the computed tier. Fixed by issue 9: one
`mtb.board.reported_tier` and one `is_key_finding`, asked by all four."""

from __future__ import annotations

from annotation.model import Tier
from layouts.board import BoardView
from layouts.case_page import case_page, present_page
from mtb.board import (
    ANONYMOUS,
    CaseRecord,
    finding_key,
    is_key_finding,
    key_findings,
    reported_tier,
    tier_counts,
)
from mtb.report import build_content
from tests.drawn import case_of, curation, small
from tests.layouts.tree import texts

RAISED = small("ERBB2", "p.S310F", Tier.III)  # tier III by the knowledge-base rules
KRAS = small("KRAS", "p.G12C", Tier.IA, level="A")
CURATED = {finding_key(RAISED): curation(RAISED, tier_override="IIC",
                                         override_reason="drawn: new trial evidence")}


def board(curations) -> BoardView:
    return BoardView(record=CaseRecord("drawn-case"), recommendations=(), audit=(), meetings=(),
                     curations=curations, user=ANONYMOUS.name, role=ANONYMOUS.role,
                     may_curate=False, may_decide=False)


def test_the_rule() -> None:
    curation = CURATED[finding_key(RAISED)]
    assert reported_tier(RAISED, curation) == "IIC"
    assert is_key_finding(RAISED, curation)
    assert not is_key_finding(RAISED, None)


def test_the_agenda_counts_it_as_tier_ii() -> None:
    assert tier_counts([KRAS, RAISED], CURATED) == (1, 1)
    assert tier_counts([KRAS, RAISED]) == (1, 0)


def test_the_case_page_and_the_presentation_show_its_card() -> None:
    case = case_of([KRAS, RAISED])
    assert [v for _, v in key_findings(case.annotation.variants, CURATED)] == [KRAS, RAISED]
    for page in (case_page(case, board(CURATED)), present_page(case, None, None, board(CURATED))):
        shown = texts(page)
        assert "ERBB2" in shown and "curated Tier IIC: drawn: new trial evidence (cura)" in shown
    assert "ERBB2" not in texts(case_page(case, board({})))


def test_the_report_carries_it_with_both_tiers() -> None:
    content = build_content(case_of([KRAS, RAISED]), None, CURATED, [])
    [erbb2] = [f for f in content.findings if f.gene == "ERBB2"]
    assert (erbb2.tier, erbb2.reported_tier, erbb2.tier_text) == (
        "III", "IIC", "III (curated: IIC — drawn: new trial evidence)")
