"""Key-finding cards and the evidence panel as component trees."""

from __future__ import annotations

from dataclasses import replace

from annotation.model import Evidence, Granularity, Match, Reason, Tier
from layouts import ids
from layouts.findings import evidence_panel, finding_card, read_support
from tests.drawn import amplification, curation, fusion, small, therapy
from tests.layouts.tree import by_id, texts, walk


def test_read_support_by_kind() -> None:
    assert read_support(small("BRAF", "p.V600E", Tier.IA, vaf=0.254)) == "VAF 25%, 30/100 reads"
    assert read_support(small("BRAF", "p.V600E", Tier.IA, vaf=None)) == ""
    assert read_support(amplification("ERBB2", Tier.IA)) == "amplification"
    assert read_support(fusion("EML4", "ALK", Tier.IA)) == "fusion"


def test_card_says_tier_level_support_therapies_and_why() -> None:
    variant = small("BRAF", "p.V600E", Tier.IA, level="A", therapies=[
        therapy("Dabrafenib + Trametinib", Tier.IA), therapy("Vemurafenib", Tier.IA),
        therapy("Cetuximab", Tier.IIC, "C", resistance=True)])
    card = texts(finding_card(3, variant))
    assert card.split("\n")[:4] == ["BRAF", "p.V600E", "Tier IA · level A",
                                    "VAF 30%, 30/100 reads"]
    assert card.index("Dabrafenib + Trametinib") < card.index("Vemurafenib") < card.index(
        "Cetuximab (resistance)")  # options first, resistance after them
    assert "Cetuximab (resistance)\n IIC\n · clinical" in card and "Why Tier IA?" in card
    assert by_id(finding_card(3, variant), {"type": ids.FINDING, "row": 3}).children == "Evidence"
    large = texts(finding_card(3, variant, large=True))
    assert "Why Tier IA?" not in large  # the shared screen shows no controls


def test_card_marks_a_dismissed_curation() -> None:
    variant = small("BRAF", "p.V600E", Tier.IA, level="A")
    note = finding_card(0, variant, curation=curation(variant, oncogenicity="likely artefact"))
    [marked] = [c for c in walk(note) if "curated" in str(getattr(c, "className", ""))]
    assert marked.className == "curated dismissed"
    assert marked.children == "likely artefact (cura)"


def test_evidence_panel_lists_matches_with_links() -> None:
    evidence = Evidence("CIViC", "EID0001", "evidence", "Predictive", "Supports",
                        "Sensitivity/Response", "A", "melanoma", "DOID:1909", "BRAF V600E",
                        therapies=("Vemurafenib",), citation="PMID: 1", url="https://example.org/e")
    variant = replace(small("BRAF", "p.V600E", Tier.IA, level="A"),
                      matches=(Match(evidence, Granularity.EXACT_PROTEIN, "BRAF V600E"),),
                      reasons=(Reason("same_tumor_A", "drawn reason"),))
    panel = texts(evidence_panel(variant, "melanoma"))
    assert "BRAF p.V600E" in panel and "EID0001" in panel and "PubMed 1" in panel
    assert "exact protein: BRAF V600E" in panel and "drawn reason" in panel
    assert "Select a variant" in texts(evidence_panel(None, "melanoma"))
