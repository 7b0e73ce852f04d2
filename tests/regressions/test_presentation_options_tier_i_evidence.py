"""a406f85 "presentation options only from tier I therapy evidence": the shared screen listed an
off-label (IIC) drug of a tier I finding as an option as if it were approved."""

from __future__ import annotations

from annotation.model import Tier
from layouts.case_page import present_page
from tests.drawn import case_of, small, therapy
from tests.layouts.tree import texts


def test_only_tier_i_evidence_is_an_option() -> None:
    braf = small("BRAF", "p.V600E", Tier.IA, level="A", therapies=[
        therapy("Dabrafenib + Trametinib", Tier.IA), therapy("Drawn off-label", Tier.IIC, "B"),
        therapy("Drawn resistance", Tier.IA, resistance=True)])
    options = texts(present_page(case_of([braf]), None, None)).split(
        "Options from the evidence")[1]
    assert "Dabrafenib + Trametinib\n for BRAF p.V600E (IA; FDA 2020)" in options
    assert "Drawn off-label" not in options and "Drawn resistance" not in options
