"""Tiering and matching rules on the bundled CIViC snapshot (01-Aug-2024), each from a case a
reviewer found wrong: the clinical reason is in each test's docstring. Variants are written as
lab reports write them (annotation.alterations.from_description) or built as ingest builds
them; none of them is patient data."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path

import pytest

from annotation import annotate, annotate_alterations
from annotation.alterations import alterations_of, from_description
from annotation.index import build_index, load_index
from annotation.model import Alteration, AnnotatedVariant, Granularity, Tier
from annotation.sources.civic.release import release_name
from annotation.tiering import OTHER, SOLID, relation
from annotation.tmb import compute_tmb
from mtb.variant import CopyNumber, GenomeBuild, SmallVariant, VariantType, trim_alleles


def _one(kb, alteration: Alteration, diagnosis: str) -> AnnotatedVariant:
    [annotated] = annotate_alterations([(None, alteration)], kb.ontology.resolve(diagnosis), kb)
    return annotated


def _described(kb, gene: str, change: str, diagnosis: str) -> AnnotatedVariant:
    return _one(kb, from_description(gene, change, kb.genes), diagnosis)


def _text(annotated: AnnotatedVariant) -> str:
    return " | ".join(reason.text for reason in annotated.reasons)


def _variant(chrom: str, pos: int, ref: str, alt: str, **reads) -> SmallVariant:
    return SmallVariant(chrom=chrom, pos=pos, ref=ref, alt=alt, filter="PASS",
                        variant_type=VariantType.SNV, norm_chrom=chrom, **reads)


# -- matching ---------------------------------------------------------------------------------

def test_truncating_variant_of_an_oncogene_does_not_inherit_gene_level_evidence(kb) -> None:
    """IDH1 is activated by R132 missense changes; 'IDH1 Mutation' (ivosidenib, level A in
    AML) means those. A nonsense IDH1 W92* destroys the enzyme: it must not reach IA."""
    w92 = _described(kb, "IDH1", "W92*", "acute myeloid leukemia")
    assert w92.tier == Tier.III
    assert "CIViC lists no loss of function for IDH1" in _text(w92)
    # the missense hotspot keeps its gene-level level A
    assert _described(kb, "IDH1", "R132H", "acute myeloid leukemia").tier == Tier.IA


def test_codon_class_does_not_take_a_stop_at_that_codon(kb) -> None:
    """'IDH1 R132' stands for the activating missense changes at R132, not for R132*."""
    stop = _described(kb, "IDH1", "R132*", "acute myeloid leukemia")
    assert not [m for m in stop.matches if m.granularity == Granularity.CODON]
    missense = _described(kb, "IDH1", "R132C", "acute myeloid leukemia")
    assert any(m.matched == "IDH1 R132" for m in missense.matches)


def test_truncating_variant_of_a_tumor_suppressor_reaches_its_loss_class(kb) -> None:
    """BRCA2 is a loss gene: a nonsense change is a loss of function and reaches the PARP
    inhibitor evidence. Olaparib's breast cancer labels (OlympiAD/OlympiA; FDA 2018, EMA 2019)
    need a germline BRCA variant: a finding not shown to be germline stays IIC with 'germline
    testing needed'; a germline one is IA (issue 10: germline-only approvals)."""
    somatic = _described(kb, "BRCA2", "E1593*", "Triple-negative breast carcinoma")
    assert somatic.tier == Tier.IIC
    assert any("germline testing needed" in flag for flag in somatic.flags)
    olaparib = next(t for t in somatic.therapies if t.name == "Olaparib")
    assert olaparib.germline_testing and olaparib.tier != Tier.IA
    germline = _one(kb, replace(from_description("BRCA2", "E1593*", kb.genes), germline=True),
                    "Triple-negative breast carcinoma")
    assert germline.tier == Tier.IA
    assert next(t for t in germline.therapies if t.name == "Olaparib").approvals


def test_net_insertion_delins_is_an_exon_20_insertion(kb) -> None:
    """EGFR p.N771delinsGY adds a residue: an exon 20 insertion (amivantamab, mobocertinib)."""
    annotated = _described(kb, "EGFR", "N771delinsGY", "lung adenocarcinoma")
    assert annotated.tier == Tier.IA
    assert annotated.reasons[0].match.matched == "EGFR Exon 20 Insertion"


def test_splice_region_synonymous_change_is_not_exon_skipping(kb) -> None:
    """MET exon 14 skipping (capmatinib, tepotinib) needs a variant at the splice donor or
    acceptor of exon 14; a synonymous change in the splice region of the exon is not one."""
    skipping = from_description("MET", "exon 14 skipping", kb.genes)
    donor = _one(kb, skipping, "lung adenocarcinoma")
    assert donor.tier == Tier.IA and donor.granularity == Granularity.EXON
    region = dataclasses.replace(
        skipping, label="MET p.Q1010=", protein="Q1010=", hgvsp="p.Q1010=", intron=None,
        consequences=frozenset({"synonymous_variant", "splice_region_variant"}),
    )
    annotated = _one(kb, region, "lung adenocarcinoma")
    assert annotated.tier not in (Tier.IA, Tier.IB)
    assert not any(m.matched == "MET Exon 14 Skipping" for m in annotated.matches)


def test_compound_profile_with_an_unseen_amplification_is_not_assumed(kb) -> None:
    """'BRAF V600E AND BRAF Amplification' (resistance) needs an amplification the case does
    not show: BRAF V600E alone in melanoma must not be called resistant through it."""
    annotated = _described(kb, "BRAF", "V600E", "melanoma")
    assert annotated.tier == Tier.IA
    assert not [m for m in annotated.matches if m.assumes and "Amplification" in m.matched]
    assert not [m for m in annotated.matches
                if m.compound and " AND " in m.matched and "Amplification" in m.matched]


def test_padded_mnv_spelling_matches_civic_coordinates(kb) -> None:
    """Callers pad alleles: EGFR L858R (GRCh37 7:55259515 T>G) written with a shared trailing
    base (SYNTHETIC padding) still matches CIViC's allele exactly."""
    assert trim_alleles(55259515, "TG", "GG") == (55259515, "T", "G")
    assert trim_alleles(100, "CA", "CT") == (101, "A", "T")
    assert trim_alleles(100, "CGGAT", "CAT") == (100, "CGG", "C")
    assert trim_alleles(100, "CGG", "C") == (100, "CGG", "C")
    variant = _variant("7", 55259515, "TG", "GG")
    [alteration] = alterations_of(variant, GenomeBuild.GRCH37, kb.genes)
    annotated = _one(kb, alteration, "lung adenocarcinoma")
    assert annotated.tier == Tier.IA
    assert any(m.granularity == Granularity.EXACT_GENOMIC for m in annotated.matches)


# -- tumor type -------------------------------------------------------------------------------

def test_evidence_for_a_subtype_is_not_the_diagnosis(kb, tmp_path) -> None:
    """A case diagnosed 'lung cancer' (C34.1) with EGFR L858R: the NSCLC *label* counts, with
    the caveat that the board confirms the histology (issue 10: the finding defines the
    subtype); CIViC's own NSCLC items stay another tumor type and a case note says which
    subtype would make them count."""
    annotated = _described(kb, "EGFR", "L858R", "lung cancer")
    assert annotated.tier == Tier.IA
    assert annotated.reasons[0].match.evidence.kind == "approval"
    assert "more specific than the diagnosis lung cancer: confirm" in annotated.reasons[0].text
    variant = _variant("7", 55259515, "T", "G")
    case = annotate([variant], "lung cancer", kb, build=GenomeBuild.GRCH37)
    assert any("subtypes of lung cancer" in note and "Lung Non-small Cell Carcinoma" in note
               for note in case.notes)
    assert _described(kb, "EGFR", "L858R", "non-small cell lung cancer").tier == Tier.IA


def test_cancer_alone_is_no_tumor_type(kb) -> None:
    """'cancer' (the ontology's root) says nothing about the tumor: no tier I, and the case
    note asks for the tumor type."""
    annotated = _described(kb, "EGFR", "L858R", "DOID:162")
    assert annotated.tier == Tier.IIC
    assert "maps only to 'cancer'" in _text(annotated)
    case = annotate([_variant("7", 55259515, "T", "G")], "DOID:162", kb,
                    build=GenomeBuild.GRCH37)
    assert any("root term 'cancer'" in note for note in case.notes)


def test_solid_tumor_evidence_is_tumor_agnostic_only_as_an_approval(kb) -> None:
    """A tumor-agnostic label (the approvals table's _SOLID_ rows: larotrectinib for NTRK
    fusions) applies to any solid tumor and no hematologic one; CIViC's 'Solid Tumor' items,
    level A or not, are basket studies and weigh as another tumor type."""
    diagnosis = kb.ontology.resolve("lung adenocarcinoma")
    agnostic = next(
        e for items in kb.approvals.knowledge.evidence.values() for e in items
        if e.kind == "approval" and not e.doid
    )
    assert relation(agnostic, diagnosis).where == SOLID
    assert relation(agnostic, kb.ontology.resolve("acute myeloid leukemia")).where == OTHER
    basket = next(
        e for items in kb.index.civic.evidence.values() for e in items
        if e.disease == "Solid Tumor" and e.level == "A"
    )
    assert relation(basket, diagnosis).where == OTHER


# -- therapies --------------------------------------------------------------------------------

def test_specific_resistance_beats_gene_level_sensitivity(kb) -> None:
    """EGFR T790M causes resistance to gefitinib and erlotinib (CIViC EID238, EID239); the
    gene-level 'EGFR Mutation' sensitivity items must not list them as options."""
    annotated = _described(kb, "EGFR", "T790M", "lung adenocarcinoma")
    therapies = {(t.name, t.resistance) for t in annotated.therapies}
    assert ("Gefitinib", True) in therapies and ("Erlotinib", True) in therapies
    assert ("Gefitinib", False) not in therapies and ("Erlotinib", False) not in therapies
    assert ("Osimertinib", False) in therapies
    assert "evidence for this very change says resistance" in _text(annotated)


def test_negative_evidence_in_the_tumor_type_cancels_off_label_use(kb) -> None:
    """Vemurafenib alone works in BRAF V600E melanoma but not in colorectal cancer (CIViC
    EID1405, level B, does not support): no off-label vemurafenib for a CRC patient."""
    crc = _described(kb, "BRAF", "V600E", "colorectal cancer")
    assert ("Vemurafenib", False) not in {(t.name, t.resistance) for t in crc.therapies}
    assert "EID1405, level B, does not support it in Colorectal Cancer" in _text(crc)
    melanoma = _described(kb, "BRAF", "V600E", "melanoma")
    assert any("Vemurafenib" in t.name and not t.resistance for t in melanoma.therapies)


# -- benign and somatic -----------------------------------------------------------------------

def test_common_variant_is_benign_unless_somatic_or_pathogenic(kb) -> None:
    """Tier IV for a variant >= 1 % in gnomAD, unless the matched normal shows the patient did
    not inherit it, or ClinVar calls it pathogenic."""
    base = from_description("TP53", "P72R", kb.genes)
    common = dataclasses.replace(base, population_af=0.6)
    assert _one(kb, common, "breast cancer").tier == Tier.IV
    somatic = dataclasses.replace(common, somatic=True)
    assert _one(kb, somatic, "breast cancer").tier == Tier.III
    pathogenic = dataclasses.replace(common, clinical_significance="Pathogenic")
    assert _one(kb, pathogenic, "breast cancer").tier == Tier.III


def test_somatic_needs_a_covered_normal_without_alt_reads(kb) -> None:
    covered = _variant("7", 55259515, "T", "G", normal_alt=0, normal_depth=60)
    shallow = _variant("7", 55259515, "T", "G", normal_alt=0, normal_depth=8)
    germline = _variant("7", 55259515, "T", "G", normal_alt=30, normal_depth=60)
    tumor_only = _variant("7", 55259515, "T", "G")
    somatic = [alterations_of(v, GenomeBuild.GRCH37, kb.genes)[0].somatic
               for v in (covered, shallow, germline, tumor_only)]
    assert somatic == [True, False, False, False]


# -- text, TMB, notes, storage ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "call"),
    [("homozygous deletion", "deep_deletion"), ("deletion", "deep_deletion"),
     ("loss", "loss"), ("heterozygous deletion", "loss"), ("amplification", "amplification")],
)
def test_copy_number_words(text: str, call: str) -> None:
    """'loss' in a report is usually one copy: not the deep deletion CIViC's loss classes mean."""
    assert from_description("CDKN2A", text).cnv_call == call


def test_tmb_counts_all_coding_variants_when_too_many_effects_are_unknown() -> None:
    """Issue 11: TMB is computable for unannotated VCFs (every coding variant counted, as
    FoundationOne does, when more than 5 % have no known effect)."""
    known = Alteration(kind="small", gene="G", label="G", consequences=frozenset({
        "missense_variant"}))
    unknown = dataclasses.replace(known, consequences=frozenset({"coding_sequence_variant"}))
    intron = dataclasses.replace(known, consequences=frozenset({"intron_variant"}))
    variant = _variant("1", 100, "A", "C", tumor_vaf=0.3)
    callset = [(variant, intron)]  # a caller's output has non-coding calls too
    tmb = compute_tmb(callset + [(variant, known)] * 90 + [(variant, unknown)] * 10, 30.0)
    assert tmb.per_mb == pytest.approx(100 / 30) and tmb.basis == "all coding"
    assert "10 have no known effect" in tmb.summary
    tmb = compute_tmb(callset + [(variant, known)] * 99 + [(variant, unknown)], 30.0)
    assert tmb.per_mb == pytest.approx(99 / 30) and "1 coding variants of unknown" in tmb.summary


def test_tmb_of_a_pre_filtered_list_is_only_a_lower_bound() -> None:
    """A list in which every call counts (a report's excerpt of relevant variants) cannot say
    'TMB low'; it can say 'at least high' when even the excerpt reaches 10 mut/Mb."""
    known = Alteration(kind="small", gene="G", label="G", consequences=frozenset({
        "missense_variant"}))
    variant = _variant("1", 100, "A", "C", tumor_vaf=0.3)
    few = compute_tmb([(variant, known)] * 2, 30.0)
    assert few.per_mb is None and few.pre_filtered and "look pre-filtered" in few.summary
    many = compute_tmb([(variant, known)] * 300, 30.0)
    assert many.per_mb == pytest.approx(10.0) and "lower bound" in many.summary
    # one filtered call is enough to show a caller's whole output
    filtered = variant._replace(filter="LowQual")
    full = compute_tmb([(filtered, known)] + [(variant, known)] * 2, 30.0)
    assert full.per_mb == pytest.approx(2 / 30) and not full.pre_filtered


def test_unknown_build_note_for_copy_number(kb) -> None:
    segment = CopyNumber(chrom="17", norm_chrom="17", start=39687914, end=39730426,
                         copy_number=12.0)
    case = annotate([segment], "breast cancer", kb, build=GenomeBuild.UNKNOWN)
    assert any("genome build unknown: 1 copy-number" in note for note in case.notes)


def test_index_in_a_directory_with_uri_characters(tmp_path: Path) -> None:
    data_dir = tmp_path / "mtb #1 ?data"
    build_index(data_dir)
    assert load_index(data_dir).meta["civic_release"] == "01-Jul-2025"


def test_newest_release_by_date_not_by_name(tmp_path: Path) -> None:
    for name in ("01-Dec-2023", "01-Aug-2024", "01-Mar-2024"):
        (tmp_path / f"{name}-ClinicalEvidenceSummaries.tsv").write_text("")
    assert release_name(tmp_path) == "01-Aug-2024"
