"""'Seen before' on the drawn SYNTHETIC cohort: BRAF V600E is stored in two cases under two
spellings (p.V600E, p.Val600Glu: one HGVS change, varnomen.hgvs.org); V600K is the same gene
and class but another variant."""

from __future__ import annotations

from mtb.board import Actor
from mtb.cohort.seen import seen_before

CHAIR = Actor("chef", "chair")


def _braf_row(store, case_id):
    return next(r for r in store.finding_rows(case_id, 1) if r.gene == "BRAF")


def test_same_variant_in_another_spelling_with_the_boards_recommendation(cohort_store):
    cohort_store.recommend("syn-mel-braf3", CHAIR, kind="therapy",
                           text="dabrafenib + trametinib", evidence_grade="m1A")
    row = _braf_row(cohort_store, "syn-luad-braf")
    seen = seen_before(cohort_store, "syn-luad-braf", [row])[row.finding_key]
    assert seen.same_variant_count == 1
    other = seen.same_variant[0]
    assert (other.case_id, other.tumor_type, other.alteration, other.tier) == (
        "syn-mel-braf3", "melanoma", "BRAF p.Val600Glu", "IA")
    assert other.recommendations == (("therapy", "dabrafenib + trametinib", "m1A"),)
    assert other.outcome == "PD 2024-11-02"  # its timeline: PR in May, progression in November
    assert seen.same_class_count == 1  # syn-mel-v600k: BRAF, snv, V600K - not the variant
    assert "syn-luad-braf" not in {s.case_id for s in seen.same_variant}  # not itself


def test_nothing_seen_for_a_variant_no_other_case_has(cohort_store):
    row = next(r for r in cohort_store.finding_rows("syn-luad-alk", 1) if r.gene == "ALK")
    seen = seen_before(cohort_store, "syn-luad-alk", [row])[row.finding_key]
    assert (seen.same_variant_count, seen.same_class_count) == (0, 0)


def test_drawn_on_the_card(cohort_store):
    from layouts.seen_before import seen_before as slot

    cohort_store.recommend("syn-mel-braf3", CHAIR, kind="therapy",
                           text="dabrafenib + trametinib", evidence_grade="m1A")
    row = _braf_row(cohort_store, "syn-luad-braf")
    drawn = slot(seen_before(cohort_store, "syn-luad-braf", [row])[row.finding_key])
    text = str(drawn.to_plotly_json())
    assert "Seen before: 1 other case with this variant" in text
    assert "/case/syn-mel-braf3" in text and "dabrafenib + trametinib (m1A)" in text
    assert "1 more with this gene and class" in text
    assert "latest response: PD (2024-11-02)" in text
