"""Published examples: variant x tumor type -> AMP/ASCO/CAP tier, with their sources.

tests/data/clinical_examples.tsv: one row per example with its source (FDA label, guideline,
CIViC evidence/assertion ids verified in the 01-Aug-2024 snapshot); the rationale of every row
is in clinical_examples.md. `expected_amp_tier` is what the guideline or label says today;
`snapshot_amp_tier` is what the bundled CIViC snapshot supports (they differ where CIViC
lacked the approval on 01-Aug-2024, e.g. vorasidenib, or the tumor-agnostic BRAF approval) and
is what mtb must produce; since the move to CIViC 01-Jul-2025 and the approvals table it is
what those give (CE04 BRAF V600E pancreas IA: tumor-agnostic label; CE25 IDH1 R132H glioma IA:
vorasidenib 2024; CE29 ABL1 T315I IA: ponatinib and asciminib labels). Variants are written as a
lab report would, in varied spellings.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from annotation import annotate_alterations
from annotation.alterations import from_description
from annotation.model import Tier

with open(Path(__file__).parents[1] / "data/clinical_examples.tsv", encoding="utf-8") as table:
    ROWS = list(csv.DictReader(table, delimiter="\t"))
IDS = [f"{row['case_id']} {row['gene']} {row['variant']}" for row in ROWS]


def test_table_covers_what_the_issue_asks() -> None:
    assert len(ROWS) >= 15
    assert len({row["tumor_doid"] for row in ROWS}) >= 8
    kinds = {row["variant_kind"] for row in ROWS}
    assert {"codon", "exon", "fusion", "amplification", "snv", "indel"} <= kinds
    assert any(row["snapshot_amp_tier"] == "IIC" and "off-label" in row["source"].lower()
               for row in ROWS)
    assert any(row["expected_direction"] == "resistance" for row in ROWS)
    assert any(row["snapshot_amp_tier"] == "III" for row in ROWS)
    assert all(row["source"] for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_published_example(kb, row) -> None:
    diagnosis = kb.ontology.resolve(row["tumor_type"])
    assert diagnosis.doid == row["tumor_doid"], diagnosis
    alteration = from_description(row["gene"], row["variant"], kb.genes)
    if row["population_af"]:
        alteration = dataclasses.replace(alteration, population_af=float(row["population_af"]))
    [annotated] = annotate_alterations([(None, alteration)], diagnosis, kb)
    assert annotated.tier == Tier(row["snapshot_amp_tier"]), [r.text for r in annotated.reasons]
    # the level is AMP's (the tier's letter), not the knowledge base's: CIViC level A for an
    # off-label use is AMP level C
    assert annotated.level == annotated.tier.level
    therapy = row["expected_therapy"].lower()
    if therapy and row["snapshot_amp_tier"] == row["expected_amp_tier"]:
        resistance = row["expected_direction"] == "resistance"
        named = [t for t in annotated.therapies
                 if therapy in t.name.lower() and t.resistance == resistance]
        assert named, [t.label for t in annotated.therapies]
    # every tier is explained: the first reason names the rule that decided it
    assert annotated.reasons and annotated.reasons[0].text.startswith(annotated.tier.value)
    if annotated.tier not in (Tier.IA, Tier.III, Tier.IV):
        assert any(r.rule == "missing" for r in annotated.reasons)


def test_brafv600e_melanoma_reasons_name_approval_assertion_and_match(kb) -> None:
    """BRAF V600E in melanoma is tier I level A: the FDA/EMA approvals decide, the CIViC
    assertion (AID7/AID10) is among the reasons, and the reasons say how the finding matched."""
    diagnosis = kb.ontology.resolve("melanoma")
    [braf] = annotate_alterations([(None, from_description("BRAF", "V600E", kb.genes))],
                                  diagnosis, kb)
    assert (braf.tier, braf.level) == (Tier.IA, "A")
    decided = braf.reasons[0]
    assert decided.match is not None and decided.match.evidence.kind == "approval"
    assert decided.match.evidence.agency in ("FDA", "EMA")
    assert decided.match.granularity.value == "exact_protein"
    assert "approved here" in decided.text
    assert any(r.match is not None and r.match.evidence.source == "CIViC"
               for r in braf.reasons)  # the knowledge base's items are named beside the labels
    assert {"AID7", "AID10"} & {m.evidence.id for m in braf.matches}
    lines = {t.name: t for t in braf.therapies}
    assert lines["Dabrafenib + Trametinib"].tier == Tier.IA
    assert lines["Dabrafenib + Trametinib"].approvals[0].startswith("FDA 20")


def test_unknown_diagnosis_never_gives_tier_one(kb) -> None:
    diagnosis = kb.ontology.resolve("xyzzy")
    assert diagnosis.doid is None and "not found" in diagnosis.warning
    [braf] = annotate_alterations([(None, from_description("BRAF", "V600E", kb.genes))],
                                  diagnosis, kb)
    assert braf.tier == Tier.IIC
    assert any("a known tumor type" in r.text for r in braf.reasons if r.rule == "missing")


def test_t790m_carries_both_directions(kb) -> None:
    """EGFR T790M in NSCLC: osimertinib (sensitivity, EID1592) and erlotinib (resistance,
    EID238), both level A."""
    diagnosis = kb.ontology.resolve("NSCLC")
    [t790m] = annotate_alterations([(None, from_description("EGFR", "T790M", kb.genes))],
                                   diagnosis, kb)
    labels = {t.label: t.tier for t in t790m.therapies}
    assert labels["Osimertinib"] == Tier.IA
    assert labels["Erlotinib (resistance)"] == Tier.IA


def test_vus_missense_does_not_inherit_gene_level_evidence(kb) -> None:
    """A PIK3CA missense change at a residue that is no hotspot and not in CIViC (a synthetic
    example: residue 1035 is not checked against the real sequence) stays III, and the result
    says that 'PIK3CA Mutation' level-A evidence was not applied."""
    diagnosis = kb.ontology.resolve("breast cancer")
    [vus] = annotate_alterations([(None, from_description("PIK3CA", "p.A1035V", kb.genes))],
                                 diagnosis, kb)
    assert vus.tier == Tier.III
    assert any("'PIK3CA Mutation' evidence not applied" in r.text for r in vus.reasons)
